"""The analyst's workspace under /ui: sign-in, the dashboard, screening, entities, lists
(and cases, payments, customers, intelligence, audit, users in their own modules). Mounted
by `tizim.api.app.create_app()`.

Every page checks the server-side session and the role; every form POST checks the
session-bound CSRF token (see `session.py`).
"""

from __future__ import annotations

import importlib.util
import mimetypes
import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tizim.api.keys import Principal
from tizim.errors import InputError, NotFound
from tizim.registry.history import contents_at, entry_history
from tizim.registry.service import Registry
from tizim.screening.volume import count as count_screened
from tizim.settings import get_settings
from tizim.store import transaction
from tizim.web import queries
from tizim.web.i18n import LANG_COOKIE, LANGUAGES, gettext_for, language_of, time_zone_of
from tizim.web.listdiff import field_labels, localized
from tizim.web.render import error_page, page
from tizim.web.session import (
    COOKIE_PATH,
    SESSION_COOKIE,
    PageExit,
    PageRoute,
    accounts,
    current_user,
    finish,
    read_form,
    require_page_role,
    safe_next,
    sign_in,
    sign_out,
)

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)

_STATIC = (Path(__file__).parent / "static").resolve()
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".png": "image/png", ".svg": "image/svg+xml", ".map": "application/json"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# What the screening form offers; the screener accepts more (see tizim.screening.model).
SCREEN_SCHEMATA = ("Thing", "Person", "Organization", "LegalEntity", "Vessel", "Airplane")
SCREEN_LIMIT = 20


@router.get("/static/{path:path}")
def static(path: str) -> Response:
    """The pages' own files and the vendored libraries; nothing outside static/."""
    target = (_STATIC / path).resolve()
    if not target.is_relative_to(_STATIC) or not target.is_file() or target.suffix not in _STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    media = _STATIC_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Response(target.read_bytes(), media_type=media,
                    headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})


# ---- sign-in --------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    _ = gettext_for(request)
    return page(request, "login.html", title=_("Sign in"), next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    _ = gettext_for(request)
    name = form.get("username", "").strip()
    target = safe_next(form.get("next"))
    user = accounts().verify_password(name, form.get("password", "")) if name else None
    if user is None:
        return page(request, "login.html", status=401, title=_("Sign in"), next=target, username=name,
                    error=_("Wrong user name or password, or the account is disabled."))
    session = accounts().start_session(user)
    if session.pending_totp:
        response: Response = RedirectResponse(f"/ui/login/otp?next={target}", status_code=303)
    else:
        response = RedirectResponse(target, status_code=303)
    sign_in(request, response, session)
    return finish(request, response)


@router.get("/login/otp")
def otp_form(request: Request, next: str | None = None) -> Response:
    _ = gettext_for(request)
    token = request.cookies.get(SESSION_COOKIE) or ""
    pending = accounts().session(token, allow_pending=True) if token else None
    if pending is None or not pending.pending_totp:
        return finish(request, RedirectResponse("/ui/login", status_code=303))
    return page(request, "login.html", title=_("Sign in"), next=safe_next(next), otp=True, error=None)


@router.post("/login/otp")
async def otp(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    _ = gettext_for(request)
    token = request.cookies.get(SESSION_COOKIE) or ""
    pending = accounts().session(token, allow_pending=True) if token else None
    target = safe_next(form.get("next"))
    if pending is None or not pending.pending_totp:
        return finish(request, RedirectResponse("/ui/login", status_code=303))
    if not accounts().verify_totp(pending.user.id, form.get("code", "")):
        return page(request, "login.html", status=401, title=_("Sign in"), next=target, otp=True,
                    error=_("That code is not right (or has expired). Try the current one."))
    session = accounts().complete_totp(token)
    if session is None:
        return finish(request, RedirectResponse("/ui/login", status_code=303))
    response = RedirectResponse(target, status_code=303)
    sign_in(request, response, session)
    return finish(request, response)


@router.post("/logout")
async def logout(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    sign_out(request, response)
    return finish(request, response)


@router.post("/language")
async def language(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    chosen = form.get("lang", "")
    if chosen not in LANGUAGES:
        raise InputError(f"unknown language {chosen!r}", field="lang")
    user = current_user(request)
    if user is not None:
        accounts().set_preferences(user.name, chosen, user.time_zone)
    target = safe_next(form.get("next"))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, chosen, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=365 * 86400)
    return finish(request, response)


# ---- dashboard ------------------------------------------------------------------------


@router.get("/")
def home(request: Request, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    _ = gettext_for(request)
    data = queries.dashboard(get_settings().sla_hours, zone=time_zone_of(request))
    chart = {
        "labels": [d[5:] for d in data["days"]],
        "series": data.get("series"),
        "screened": data["screening"]["series"],
        "names": {"alerts": _("Alerts"), "freezes": _("Freezes"), "releases": _("Releases"),
                  "payments": _("Payments"), "screened": _("Screenings")},
    }
    return page(request, "dashboard.html", title=_("Dashboard"), d=data, chart=chart)


# ---- screening ------------------------------------------------------------------------


def _screen_form(form: dict[str, str] | None = None) -> dict[str, str]:
    form = form or {}
    return {key: form.get(key, "").strip() for key in ("name", "schema", "birth_date", "country", "list")}


@router.get("/screen")
def screen_form(request: Request, me: Principal = Depends(require_page_role("screener"))) -> Response:
    _ = gettext_for(request)
    return page(
        request, "screen.html", title=_("Screen"), q=_screen_form(), schemata=SCREEN_SCHEMATA,
        lists=Registry().list_names(), results=None, error=None,
    )


@router.post("/screen")
async def screen(
    request: Request,
    form: dict[str, str] = Depends(read_form),
    me: Principal = Depends(require_page_role("screener")),
) -> Response:
    _ = gettext_for(request)
    q = _screen_form(form)
    registry = Registry()
    lists = registry.list_names()
    context: dict[str, Any] = {"title": _("Screen"), "q": q, "schemata": SCREEN_SCHEMATA, "lists": lists}
    try:
        results = await run_in_threadpool(_run_screen, q, lists)  # never screen on the event loop
    except InputError as exc:
        return page(request, "screen.html", status=400, results=None, error=str(exc), **context)
    return page(request, "screen.html", results=results, error=None, **context)


def _run_screen(q: dict[str, str], known_lists: list[str]) -> list[dict[str, Any]]:
    # Imported here: the screening index is built on first use, not when the app starts.
    from tizim.screening import Query, get_screener

    if not q["name"]:
        raise InputError("enter a name to screen", field="name")
    if q["schema"] and q["schema"] not in SCREEN_SCHEMATA:
        raise InputError(f"unknown schema {q['schema']!r}", field="schema")
    if q["birth_date"] and not _DATE.match(q["birth_date"]):
        raise InputError("birth date must be YYYY, YYYY-MM or YYYY-MM-DD", field="birth_date")
    if q["list"] and q["list"] not in known_lists:
        raise InputError(f"no list named {q['list']!r}", field="list")
    raw: dict[str, Any] = {"schema": q["schema"] or "Thing", "name": q["name"]}
    if q["birth_date"]:
        raw["birth_date"] = q["birth_date"]
    if q["country"]:
        raw["country"] = q["country"]
    query = Query.from_dict(raw)
    found = get_screener().match(
        query,
        threshold=get_settings().match_threshold,
        limit=SCREEN_LIMIT,
        lists=[q["list"]] if q["list"] else None,
    )
    count_screened("web", 1)
    return [_result_view(r) for r in found]


def _result_view(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.to_dict()
    data["members"] = list(getattr(result, "members", None) or [data["entity_id"]])
    return data


# ---- entities -------------------------------------------------------------------------


@router.get("/graph/{entity_id:path}")
def entity_graph(request: Request, entity_id: str,
                 me: Principal = Depends(require_page_role("viewer"))) -> Response:
    """The ties around an entity as JSON for the graph view (same session as the page)."""
    Registry().entity(entity_id)  # 404 for an unknown id
    return finish(request, JSONResponse(queries.graph(entity_id)))


@router.get("/entities/{entity_id:path}")
def entity(request: Request, entity_id: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    found = Registry().entity(entity_id)
    raw_version = request.query_params.get("version")
    as_of = _int(raw_version, "version", 0) if raw_version else None
    if as_of is not None:  # the entry as that version of its list said it (history.py)
        found = _as_listed(request, found, as_of)
    timeline = _timeline(found)
    hit = queries.hits(entity_id) if me.allows("analyst") else {"cases": []}
    customers = _customers_hit(entity_id) if me.allows("analyst") else []
    _ = gettext_for(request)
    with transaction() as conn:
        changes = entry_history(conn, entity_id)
    changes = [{**c, "fields": localized(c["fields"], language_of(request))} for c in changes]
    # one "added" step alone says nothing the designation timeline does not
    if [c["change"] for c in changes] == ["added"]:
        changes = []
    return page(request, "entity.html", title=found["caption"], e=found, timeline=timeline, as_of=as_of,
                hits=hit, customers=customers, changes=changes, labels=field_labels(_),
                change_labels={"added": _("Added"), "changed": _("Changed"), "removed": _("Removed")})


def _as_listed(request: Request, found: dict[str, Any], version: int) -> dict[str, Any]:
    """`found` (Registry.entity) with the names, details and designations version `version`
    of its list held; its ties stay today's (they are not versioned)."""
    _ = gettext_for(request)
    with transaction() as conn:
        data = contents_at(conn, found["list"], version, [found["id"]])[found["id"]]
    if data is None:
        raise NotFound(_("Version %(n)s of %(list)s did not hold this entry, or what it said then was not recorded.")
                       % {"n": version, "list": found["list"]})
    names = data.get("names") or []
    by_script: dict[str, list[dict[str, str]]] = {}
    for n in names:
        by_script.setdefault(n.get("script") or "Zyyy", []).append({"name": n["full"], "kind": n["kind"]})
    caption = next((n["full"] for n in names if n.get("kind") == "primary"), names[0]["full"] if names else found["id"])
    return {**found, "caption": caption, "schema": data.get("schema", found["schema"]), "entity": data,
            "names_by_script": by_script, "designations": data.get("designations") or []}


def _timeline(found: dict[str, Any]) -> list[dict[str, Any]]:
    """Every designation step on every list, oldest first, each with its citation."""
    steps: list[dict[str, Any]] = []
    for des in found["designations"]:
        base = {"list": des.get("list"), "reference": des.get("reference")}
        events = des.get("events") or []
        actions = {ev.get("action") for ev in events}
        if des.get("listed_on") and "listed" not in actions:
            steps.append({**base, "date": des["listed_on"], "action": "listed", "citation": des.get("citation"),
                          "authority": des.get("authority")})
        for ev in events:
            steps.append({**base, "date": ev.get("date"), "action": ev.get("action"), "citation": ev.get("citation"),
                          "authority": ev.get("authority"), "note": ev.get("note")})
        if des.get("delisted_on") and "delisted" not in actions:
            steps.append({**base, "date": des["delisted_on"], "action": "delisted", "citation": None,
                          "authority": des.get("authority")})
    steps.sort(key=lambda s: (s.get("date") or "9999"))
    return steps


def _customers_hit(entity_id: str) -> list[dict[str, Any]]:
    if importlib.util.find_spec("tizim.customers.book") is None:
        return []
    from tizim.web.customers import customers_hitting

    return customers_hitting(entity_id)


# ---- lists ----------------------------------------------------------------------------


@router.get("/lists")
def lists(request: Request, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    _ = gettext_for(request)
    return page(request, "lists.html", title=_("Lists"), lists=Registry().summary())


def _int(raw: str | None, label: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise InputError(f"{label} {raw!r} is not a number", field=label)
    return int(raw)


@router.get("/lists/{name}")
def list_page(request: Request, name: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    registry = Registry()
    versions = registry.versions(name)
    info = next((row for row in registry.summary() if row["name"] == name), None)
    search = (request.query_params.get("q") or "").strip()[:200]
    removed = request.query_params.get("removed") == "1"  # delisted entries too
    entries = queries.list_entries(name, search, _int(request.query_params.get("page"), "page", 1),
                                   include_removed=removed)
    return page(
        request, "list.html", title=name, name=name, info=info, versions=versions,
        events=registry.events(name), entries=entries, search=search, removed=removed,
    )


@router.get("/lists/{name}/asof")
def list_asof(
    request: Request,
    name: str,
    me: Principal = Depends(require_page_role("viewer")),
) -> Response:
    _ = gettext_for(request)
    day = (request.query_params.get("date") or date.today().isoformat()).strip()
    if not _DATE.match(day):
        raise PageExit(error_page(request, 400, _("Not a date"), _("%(day)s is not a date (YYYY-MM-DD).") % {"day": repr(day)}))
    entries = Registry().asof(name, day)
    return page(request, "asof.html", title=f"{name} · {day}", name=name, day=day, entries=entries)


def _include(module: str) -> None:
    import importlib

    router.include_router(importlib.import_module(module).router)


_include("tizim.web.people")
_include("tizim.web.listdiff")
_include("tizim.web.intel")
# Cases, payments and the audit trail need the monitoring package; customers the lead's.
if importlib.util.find_spec("tizim.monitoring.cases") is not None:
    _include("tizim.web.cases")
    _include("tizim.web.audit")
if importlib.util.find_spec("tizim.customers.book") is not None:
    _include("tizim.web.customers")


@router.get("/{rest:path}")
def not_found(request: Request, rest: str) -> Response:
    """Any other path under /ui: the 404 page, with the same headers as every page."""
    _ = gettext_for(request)
    raise NotFound(_("There is no page at %(path)s.") % {"path": request.url.path})

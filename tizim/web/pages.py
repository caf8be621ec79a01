"""The analyst's pages under /ui: sign-in, screening, entities, lists (and cases, when the
monitoring package is installed). Mounted by `tizim.api.app.create_app()`.

Every page checks the session cookie and the role with the API's own key store; every
form POST checks the session's CSRF token (see `session.py`).
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from tizim.api.keys import Principal, get_key_store
from tizim.errors import InputError
from tizim.registry.service import Registry
from tizim.web.render import error_page, page
from tizim.web.session import (
    PageExit,
    PageRoute,
    current_principal,
    finish,
    read_form,
    require_page_role,
    safe_next,
    sign_in,
    sign_out,
)

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)

_STATIC = Path(__file__).parent / "static"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# What the screening form offers; the screener accepts more (see tizim.screening.model).
SCREEN_SCHEMATA = ("Thing", "Person", "Organization", "LegalEntity", "Vessel", "Airplane")
SCREEN_LIMIT = 20


@router.get("/static/tizim.css")
def stylesheet() -> Response:
    css = (_STATIC / "tizim.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


# ---- sign-in --------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    principal = current_principal(request)
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "login.html", title="Sign in", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    secret = form.get("key", "").strip()
    target = safe_next(form.get("next"))
    principal = get_key_store().authenticate(secret) if secret else None
    if principal is None:
        return page(
            request, "login.html", status=401, title="Sign in", next=target,
            error="That key is not valid (mistyped, or revoked).",
        )
    request.state.principal = principal
    response = RedirectResponse(target, status_code=303)
    sign_in(request, response, secret)
    return finish(request, response)


@router.post("/logout")
async def logout(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    sign_out(request, response)
    return finish(request, response)


@router.get("/")
def home(request: Request, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    # Straight to the page the role uses most: screeners screen, viewers read the lists.
    target = "/ui/screen" if me.allows("screener") else "/ui/lists"
    return RedirectResponse(target, status_code=303)


# ---- screening ------------------------------------------------------------------------


def _screen_form(form: dict[str, str] | None = None) -> dict[str, str]:
    form = form or {}
    return {key: form.get(key, "").strip() for key in ("name", "schema", "birth_date", "country", "list")}


@router.get("/screen")
def screen_form(request: Request, me: Principal = Depends(require_page_role("screener"))) -> Response:
    return page(
        request, "screen.html", title="Screen", q=_screen_form(), schemata=SCREEN_SCHEMATA,
        lists=Registry().list_names(), results=None, error=None,
    )


@router.post("/screen")
async def screen(
    request: Request,
    form: dict[str, str] = Depends(read_form),
    me: Principal = Depends(require_page_role("screener")),
) -> Response:
    q = _screen_form(form)
    registry = Registry()
    lists = registry.list_names()
    context: dict[str, Any] = {"title": "Screen", "q": q, "schemata": SCREEN_SCHEMATA, "lists": lists}
    try:
        results = await run_in_threadpool(_run_screen, q, lists)  # never screen on the event loop
    except InputError as exc:
        return page(request, "screen.html", status=400, results=None, error=str(exc), **context)
    return page(request, "screen.html", results=results, error=None, **context)


def _run_screen(q: dict[str, str], known_lists: list[str]) -> list[dict[str, Any]]:
    # Imported here: the screening index is built on first use, not when the app starts.
    from tizim.screening import Query, get_screener
    from tizim.settings import get_settings

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
    return [_result_view(r) for r in found]


def _result_view(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.to_dict()
    data["members"] = list(getattr(result, "members", None) or [data["entity_id"]])
    return data


# ---- entities -------------------------------------------------------------------------


@router.get("/entities/{entity_id:path}")
def entity(request: Request, entity_id: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    found = Registry().entity(entity_id)
    return page(request, "entity.html", title=found["caption"], e=found)


# ---- lists ----------------------------------------------------------------------------


@router.get("/lists")
def lists(request: Request, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    return page(request, "lists.html", title="Lists", lists=Registry().summary())


@router.get("/lists/{name}")
def list_page(request: Request, name: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    registry = Registry()
    versions = registry.versions(name)
    info = next((row for row in registry.summary() if row["name"] == name), None)
    return page(
        request, "list.html", title=name, name=name, info=info, versions=versions,
        events=registry.events(name),
    )


def _version_number(raw: str | None, label: str) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise InputError(f"version {raw!r} is not a number", field=label)
    return int(raw)


@router.get("/lists/{name}/diff")
def list_diff(
    request: Request,
    name: str,
    me: Principal = Depends(require_page_role("viewer")),
) -> Response:
    params = request.query_params
    diff = Registry().diff(
        name, _version_number(params.get("from"), "from"), _version_number(params.get("to"), "to")
    )
    return page(request, "diff.html", title=f"{name}: changes", diff=diff)


@router.get("/lists/{name}/asof")
def list_asof(
    request: Request,
    name: str,
    me: Principal = Depends(require_page_role("viewer")),
) -> Response:
    day = (request.query_params.get("date") or date.today().isoformat()).strip()
    if not _DATE.match(day):
        raise PageExit(error_page(request, 400, "Not a date", f"{day!r} is not a date (YYYY-MM-DD)."))
    entries = Registry().asof(name, day)
    return page(request, "asof.html", title=f"{name} on {day}", name=name, day=day, entries=entries)


# Cases need the monitoring package; without it the pages are simply not there.
if importlib.util.find_spec("tizim.monitoring.cases") is not None:
    from tizim.web.cases import router as _cases_router

    router.include_router(_cases_router)

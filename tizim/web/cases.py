"""The cases queue, the case page, the STR downloads and the payment page, over
`tizim.monitoring.cases.Cases`.

Every rule (who may act, four eyes on releases, closed cases) is the monitoring package's:
these pages pass the signed-in user's name and role to `Cases.act` and show what it says.
"""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import and_, func, or_, select

from tizim.api.keys import Principal
from tizim.errors import InputError
from tizim.monitoring import cases as _cases_module
from tizim.monitoring import tables as mt
from tizim.monitoring.cases import ACTIONS, CLOSED, Cases, Forbidden
from tizim.monitoring.queries import get_payment
from tizim.registry import tables as rt
from tizim.store import transaction
from tizim.web.i18n import gettext_for
from tizim.web.queries import contains
from tizim.web.render import page
from tizim.web.session import PageRoute, finish, read_form, require_page_role

router = APIRouter(route_class=PageRoute)

# The active ones first, as an analyst works them (dismissals need four eyes when the
# monitoring package says so: dismiss_requested).
ACTIVE = tuple(s for s in getattr(_cases_module, "STATUSES", ("open", "escalated", "release_requested"))
               if s not in CLOSED)
STATUSES = ("active", "all", *ACTIVE, *CLOSED)
SEVERITIES = ("FREEZE", "OBSERVE")
PAGE_SIZE = 50
BULK_ACTIONS = ("assign", "dismiss")
_WORD = re.compile(r"\w+", re.UNICODE)


def action_labels(_: Any) -> dict[str, str]:
    return {
        "assign": _("Assign"),
        "comment": _("Comment"),
        "escalate": _("Escalate"),
        "confirm": _("Confirm (keep frozen, draft STR)"),
        "dismiss": _("Dismiss as false positive"),
        "approve-dismiss": _("Approve dismissal"),
        "reopen": _("Reopen"),
        "release": _("Request release"),
        "approve-release": _("Approve release"),
    }


def status_labels(_: Any) -> dict[str, str]:
    return {
        "active": _("active"), "all": _("all"), "open": _("open"), "escalated": _("escalated"),
        "release_requested": _("release requested"), "dismiss_requested": _("dismissal requested"),
        "confirmed": _("confirmed"),
        "dismissed": _("dismissed"), "released": _("released"),
    }


def sla_text(sla: dict[str, Any], _: Any) -> str:
    hours = float(sla["hours_left"])
    if sla["stopped"]:
        return str(_("stopped (case closed)"))
    if hours < 0:
        return str(_("overdue by %(time)s") % {"time": _hours(-hours, _)})
    return str(_("%(time)s left") % {"time": _hours(hours, _)})


def _hours(hours: float, _: Any) -> str:
    whole = int(hours)
    minutes = int(round((hours - whole) * 60))
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return str(_("%(h)d h %(m)02d min") % {"h": whole, "m": minutes})


def sla_class(sla: dict[str, Any]) -> str:
    if sla["stopped"]:
        return "muted"
    if sla["overdue"]:
        return "breached"
    return "due" if float(sla["hours_left"]) < 4 else ""


# ---- the queue ------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    keys = ("status", "severity", "list", "assignee", "q", "from", "to", "min", "max", "page")
    out = {key: (params.get(key) or "").strip()[:200] for key in keys}
    out["status"] = out["status"] or "active"
    if out["status"] not in STATUSES:
        raise InputError(f"unknown case status {out['status']!r} (one of {', '.join(STATUSES)})", field="status")
    if out["severity"] and out["severity"] not in SEVERITIES:
        raise InputError(f"unknown severity {out['severity']!r}", field="severity")
    for key in ("from", "to"):
        if out[key] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", out[key]):
            raise InputError(f"{key} must be a date (YYYY-MM-DD)", field=key)
    for key in ("min", "max"):
        if out[key]:
            try:
                float(out[key])
            except ValueError:
                raise InputError(f"{key} amount must be a number", field=key) from None
    return out


def queue_rows(f: dict[str, str]) -> list[dict[str, Any]]:
    """Cases matching the filters, FREEZE first, then by SLA clock, then by largest amount."""
    c = mt.cases
    where: list[Any] = []  # SQL conditions
    if f["status"] == "active":
        where.append(c.c.status.in_(ACTIVE))
    elif f["status"] != "all":
        where.append(c.c.status == f["status"])
    if f["severity"]:
        where.append(c.c.severity == f["severity"])
    if f["assignee"] == "-":
        where.append(c.c.assignee.is_(None))
    elif f["assignee"]:
        where.append(c.c.assignee == f["assignee"])
    if f["q"]:
        by_payment = select(mt.alerts.c.case_id).where(contains(mt.alerts.c.payment_id, f["q"]))
        cond: list[Any] = [contains(c.c.party_name, f["q"]), contains(c.c.party_key, f["q"]),
                           c.c.id.in_(by_payment)]
        if f["q"].lstrip("#").isdigit():
            cond.append(c.c.id == int(f["q"].lstrip("#")))
        where.append(or_(*cond))
    if f["from"]:
        where.append(c.c.created_at >= f["from"])
    if f["to"]:
        where.append(c.c.created_at < f["to"] + "T99")
    if f["list"]:
        on_list = (select(mt.alerts.c.case_id).join(rt.entities, rt.entities.c.id == mt.alerts.c.entity_id)
                   .where(rt.entities.c.list_name == f["list"]))
        where.append(c.c.id.in_(on_list))
    with transaction() as conn:
        rows = conn.execute(select(c).where(and_(*where)) if where else select(c)).all()
        ids = [r.id for r in rows]
        amounts: dict[int, float] = {}
        counts: dict[int, tuple[int, int]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for case_id, amount, alerts, held in conn.execute(
                select(mt.alerts.c.case_id, func.max(mt.payments.c.amount_local), func.count(mt.alerts.c.id),
                       func.count(func.distinct(mt.payments.c.payment_id)).filter(mt.payments.c.hold == "held"))
                .join(mt.payments, mt.payments.c.payment_id == mt.alerts.c.payment_id)
                .where(mt.alerts.c.case_id.in_(chunk)).group_by(mt.alerts.c.case_id)
            ):
                amounts[case_id] = float(amount or 0)
                counts[case_id] = (alerts, held)
    from tizim.monitoring.cases import sla_view

    out = []
    low = float(f["min"]) if f["min"] else None
    high = float(f["max"]) if f["max"] else None
    for r in rows:
        amount = amounts.get(r.id, 0.0)
        if (low is not None and amount < low) or (high is not None and amount > high):
            continue
        alerts, held = counts.get(r.id, (0, 0))
        out.append({"id": r.id, "party": r.party_name, "party_key": r.party_key, "severity": r.severity,
                    "status": r.status, "assignee": r.assignee, "created_at": r.created_at,
                    "sla": sla_view(r.sla_due, r.closed_at), "release_requested_by": r.release_requested_by,
                    "amount": amount, "alerts": alerts, "held_payments": held})
    out.sort(key=lambda x: (x["severity"] != "FREEZE", x["sla"]["stopped"], float(x["sla"]["hours_left"]),
                            -x["amount"], x["id"]))
    return out


@router.get("/cases")
def queue(request: Request, me: Principal = Depends(require_page_role("analyst"))) -> Response:
    _ = gettext_for(request)
    f = _filters(request)
    rows = queue_rows(f)
    page_no = int(f["page"]) if f["page"].isdigit() and int(f["page"]) > 0 else 1
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page_no = min(page_no, pages)
    shown = rows[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
    for row in shown:
        row["sla_text"] = sla_text(row["sla"], _)
        row["sla_class"] = sla_class(row["sla"])
    base = {k: v for k, v in f.items() if v and k != "page"}
    with transaction() as conn:
        assignees = sorted(a for (a,) in conn.execute(select(mt.cases.c.assignee).distinct()) if a)
        lists = sorted(conn.execute(select(rt.lists.c.name)).scalars())
    return page(
        request, "cases.html", title=_("Cases"), cases=shown, total=len(rows), f=f, page_no=page_no, pages=pages,
        statuses=STATUSES, status_names=status_labels(_), severities=SEVERITIES, assignees=assignees, lists=lists,
        page_link=lambda n: "/ui/cases?" + urlencode({**base, "page": n}),
        notice=request.query_params.get("bulk"),
    )


@router.post("/cases/bulk")
async def bulk(request: Request, form: dict[str, str] = Depends(read_form),
               me: Principal = Depends(require_page_role("analyst"))) -> Response:
    """Assign or dismiss several OBSERVE-only cases at once, with one note."""
    _ = gettext_for(request)
    action = form.get("action", "")
    if action not in BULK_ACTIONS:
        raise InputError(f"bulk action must be one of {', '.join(BULK_ACTIONS)}", field="action")
    ids = [int(x) for x in form.get("_all_ids", "").split(",") if x.strip().isdigit()]
    if not ids:
        raise InputError(_("Tick at least one case."), field="ids")
    if len(ids) > 500:
        raise InputError("at most 500 cases at once", field="ids")
    note = form.get("note", "").strip()
    if not note:
        raise InputError(_("A bulk action needs a note saying why."), field="note")
    assignee = form.get("assignee", "").strip() or me.name
    cases = Cases()
    with transaction() as conn:
        severities = dict(conn.execute(select(mt.cases.c.id, mt.cases.c.severity).where(mt.cases.c.id.in_(ids))).all())
    done, refused = 0, []
    for case_id in ids:
        if severities.get(case_id) != "OBSERVE":
            refused.append(f"#{case_id}: " + _("only OBSERVE cases can be worked in bulk"))
            continue
        try:
            cases.act(case_id, action, me.name, me.role, note=note, assignee=assignee if action == "assign" else None)
            done += 1
        except (Forbidden, InputError) as exc:
            refused.append(f"#{case_id}: {exc}")
    message = _("%(done)d of %(all)d cases done.") % {"done": done, "all": len(ids)}
    if refused:
        message += " " + "; ".join(refused[:10])
    back = form.get("back", "")
    target = back if back.startswith("/ui/cases") and "//" not in back else "/ui/cases"
    sep = "&" if "?" in target else "?"
    return finish(request, RedirectResponse(f"{target}{sep}bulk={quote(message)}", status_code=303))


# ---- one case -------------------------------------------------------------------------


def _word_forms(word: str) -> set[str]:
    from tizim.screening.normalize import fold_token, name_tokens

    forms: set[str] = set()
    for token in name_tokens(word):
        forms.add(token)
        forms.add(fold_token(token))
    return forms


def name_spans(name: str, tokens: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words of `name` that the screener met (its token forms)."""
    spans = []
    for m in _WORD.finditer(name):
        if _word_forms(m.group(0)) & tokens:
            spans.append((m.start(), m.end()))
    return spans


def match_view(match: dict[str, Any]) -> dict[str, Any]:
    """A payment party's match: both names with their met words, and each feature's share."""
    x = match.get("explanation") or {}
    tokens = x.get("tokens") or []
    met = [t for t in tokens if len(t) >= 3 and float(t[2] or 0) >= 0.5]
    query_name = x.get("query_name") or match.get("party") or ""
    listed_name = x.get("matched_name") or match.get("caption") or ""
    features = [{"feature": "name", "value": x.get("name_score"), "detail": x.get("method")}]
    if x.get("weak_alias_factor") is not None:
        features.append({"feature": "weak_alias", "value": x.get("weak_alias_factor"), "detail": "×"})
    for key in ("birth_date", "country", "identifier"):
        if isinstance(x.get(key), dict):
            features.append({"feature": key, "value": x[key].get("adjustment"),
                             "detail": x[key].get("detail")})
    return {
        **match,
        "query_name": query_name,
        "listed_name": listed_name,
        "name_kind": x.get("name_kind"),
        "query_spans": name_spans(query_name, {t[0] for t in met}),
        "listed_spans": name_spans(listed_name, {t[1] for t in met}),
        "tokens": tokens,
        "features": features,
    }


def allowed(case: dict[str, Any], me: Principal) -> list[str]:
    """The actions this user may take in this state (the monitoring package's rule when it
    has one, else the same reading of Cases.act's checks)."""
    rule = getattr(Cases, "allowed_actions", None)
    if rule is not None:
        return list(rule(case, me.name, me.role))
    if case["status"] in ("released", "confirmed", "dismissed"):
        return ["comment"]
    offered = [a for a in ACTIONS if a != "approve-release"]
    if case["status"] == "release_requested":
        offered.remove("release")
        if me.allows("supervisor") and case.get("release_requested_by") != me.name:
            offered.append("approve-release")
    return offered


def _case_page(request: Request, case_id: int, me: Principal, status: int = 200,
               error: str | None = None, done: str | None = None) -> Response:
    _ = gettext_for(request)
    case = Cases().show(case_id)
    case["sla_text"] = sla_text(case["sla"], _)
    case["sla_class"] = sla_class(case["sla"])
    payments = []
    for p in case["payments"]:
        full = get_payment(p["payment_id"])
        full["match_views"] = [match_view(m) for m in full.get("matches") or []]
        payments.append(full)
    entity_ids = sorted({a["entity_id"] for a in case["alerts_detail"] if a.get("entity_id")})
    designations = _designations(entity_ids)
    labels = action_labels(_)
    customer = _customer_of(case)
    return page(
        request, "case.html", status=status, title=_("Case %(id)s") % {"id": case_id}, case=case,
        payments=payments, designations=designations, customer=customer, error=error, done=labels.get(done or ""),
        actions=allowed(case, me), labels=labels, status_names=status_labels(_),
        str_text=json.dumps(case["str_report"], ensure_ascii=False, indent=2) if case["str_report"] else None,
    )


def _customer_of(case: dict[str, Any]) -> dict[str, Any] | None:
    """The customer a customer case is about (party key customer:<id>), with accounts and hits."""
    key = str(case.get("party_key") or "")
    if not key.startswith("customer:") or importlib.util.find_spec("tizim.customers.book") is None:
        return None
    from tizim.customers.book import CustomerBook
    from tizim.errors import NotFound

    try:
        return CustomerBook().show(key.split(":", 1)[1], matches=True)
    except NotFound:
        return None


def _designations(entity_ids: list[str]) -> list[dict[str, Any]]:
    if not entity_ids:
        return []
    with transaction() as conn:
        rows = conn.execute(
            select(rt.designations, rt.entities.c.caption)
            .join(rt.entities, rt.entities.c.id == rt.designations.c.entity_id)
            .where(rt.designations.c.entity_id.in_(entity_ids))
            .order_by(rt.designations.c.entity_id, rt.designations.c.listed_on)
        ).all()
    return [dict(r._mapping) for r in rows]


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: int,
    done: str | None = None,
    me: Principal = Depends(require_page_role("analyst")),
) -> Response:
    return _case_page(request, case_id, me, done=done)


@router.post("/cases/{case_id}/actions")
async def case_action(
    request: Request,
    case_id: int,
    form: dict[str, str] = Depends(read_form),
    me: Principal = Depends(require_page_role("analyst")),
) -> Response:
    action = form.get("action", "")
    note = form.get("note", "").strip() or None
    assignee = form.get("assignee", "").strip() or None
    try:
        Cases().act(case_id, action, me.name, me.role, note=note, assignee=assignee)
    except Forbidden as exc:
        return _case_page(request, case_id, me, status=403, error=str(exc))
    except InputError as exc:
        return _case_page(request, case_id, me, status=400, error=str(exc))
    # Post/redirect/get: a reload does not repeat the action.
    return finish(request, RedirectResponse(f"/ui/cases/{case_id}?done={quote(action)}", status_code=303))


@router.get("/cases/{case_id}/str.{kind}")
def str_download(request: Request, case_id: int, kind: str,
                 me: Principal = Depends(require_page_role("analyst"))) -> Response:
    """The drafted STR as goAML XML or as JSON, as a file download."""
    from tizim.monitoring.str_export import to_goaml_xml

    report = Cases().report(case_id)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    if kind == "xml":
        body, media = to_goaml_xml(report), "application/xml"
    elif kind == "json":
        body, media = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"
    else:
        raise InputError("the STR downloads as .xml (goAML) or .json", field="kind")
    headers = {"Content-Disposition": f'attachment; filename="tizim-str-case-{case_id}-{stamp}.{kind}"'}
    return finish(request, Response(body, media_type=f"{media}; charset=utf-8", headers=headers))


# ---- one payment ----------------------------------------------------------------------


@router.get("/payments/{payment_id:path}")
def payment_page(request: Request, payment_id: str,
                 me: Principal = Depends(require_page_role("analyst"))) -> Response:
    _ = gettext_for(request)
    p = get_payment(payment_id)
    p["match_views"] = [match_view(m) for m in p.get("matches") or []]
    return page(request, "payment.html", title=_("Payment %(id)s") % {"id": payment_id}, p=p)

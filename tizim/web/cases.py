"""The cases queue and the case page, over `tizim.monitoring.cases.Cases`.

Every rule (who may act, four eyes on releases, closed cases) is the monitoring package's:
these pages pass the signed-in user's name and role to `Cases.act` and show what it says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from tizim.api.keys import Principal
from tizim.errors import InputError
from tizim.monitoring.cases import ACTIONS, CLOSED, Cases, Forbidden
from tizim.web.render import page
from tizim.web.session import PageRoute, read_form, require_page_role

router = APIRouter(route_class=PageRoute)

# Queue filters: the active ones first, as an analyst works them.
ACTIVE = ("open", "escalated", "release_requested")
FILTERS = ("active", "all", *ACTIVE, *CLOSED)
ACTION_LABELS = {
    "assign": "Assign",
    "comment": "Comment",
    "escalate": "Escalate",
    "confirm": "Confirm (keep frozen, draft STR)",
    "dismiss": "Dismiss as false positive",
    "release": "Request release",
    "approve-release": "Approve release",
}


def sla_text(sla: dict[str, Any]) -> str:
    hours = float(sla["hours_left"])
    if sla["stopped"]:
        return "stopped (case closed)"
    if hours < 0:
        return f"overdue by {_hours(-hours)}"
    return f"{_hours(hours)} left"


def _hours(hours: float) -> str:
    whole = int(hours)
    minutes = int(round((hours - whole) * 60))
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return f"{whole} h {minutes:02d} min"


def sla_class(sla: dict[str, Any]) -> str:
    if sla["stopped"]:
        return "muted"
    if sla["overdue"]:
        return "breached"
    return "due" if float(sla["hours_left"]) < 4 else ""


@router.get("/cases")
def queue(
    request: Request,
    status: str = "active",
    me: Principal = Depends(require_page_role("analyst")),
) -> Response:
    if status not in FILTERS:
        raise InputError(f"unknown case status {status!r} (one of {', '.join(FILTERS)})", field="status")
    cases = Cases()
    if status == "active":
        rows = [c for c in cases.list_cases() if c["status"] in ACTIVE]
        # Most urgent first: the SLA clock is what the law counts (freeze within 24 h).
        rows.sort(key=lambda c: float(c["sla"]["hours_left"]))
    else:
        rows = cases.list_cases(status=None if status == "all" else status)
    for row in rows:
        row["sla_text"] = sla_text(row["sla"])
        row["sla_class"] = sla_class(row["sla"])
    return page(request, "cases.html", title="Cases", cases=rows, shown=status, filters=FILTERS)


def _case_page(request: Request, case_id: int, me: Principal, status: int = 200,
               error: str | None = None, done: str | None = None) -> Response:
    case = Cases().show(case_id)
    case["sla_text"] = sla_text(case["sla"])
    case["sla_class"] = sla_class(case["sla"])
    return page(
        request, "case.html", status=status, title=f"Case {case_id}", case=case, error=error,
        done=ACTION_LABELS.get(done or ""), actions=_available(case, me), labels=ACTION_LABELS,
    )


def _available(case: dict[str, Any], me: Principal) -> list[str]:
    """The actions worth offering; Cases.act still decides whether one is allowed."""
    if case["status"] == "released":
        return ["comment"]
    offered = [a for a in ACTIONS if a != "approve-release"]
    if case["status"] == "release_requested":
        offered.remove("release")
        if me.allows("supervisor"):
            offered.append("approve-release")
    return offered


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
    return RedirectResponse(f"/ui/cases/{case_id}?done={quote(action)}", status_code=303)

"""Cases over HTTP: list, act (four-eyes release), STR export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as FastPath
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tizim.api.auth import Principal, require_role
from tizim.errors import InputError
from tizim.monitoring.cases import Cases, Forbidden

router = APIRouter(tags=["Monitoring"])

# a case id is an integer column: one beyond its range is no case (422), not a database error
CaseId = Annotated[int, FastPath(ge=1, le=2_147_483_647, description="The case's number.")]


class CaseAction(BaseModel):
    action: Literal["assign", "comment", "escalate", "confirm", "dismiss", "approve-dismiss", "release",
                    "approve-release", "reopen"]
    note: str | None = Field(default=None, max_length=4000)
    assignee: str | None = Field(default=None, max_length=128)


@router.get("/cases", summary="The queue: FREEZE first, then the SLA clock, then the amount; filters and pages",
            responses={422: {"description": "Unknown status, severity or list, or a malformed date"}})
def list_cases(status: str | None = Query(None, description="A case status, or 'all' (default)."),
               severity: Literal["FREEZE", "OBSERVE"] | None = None,
               list: str | None = Query(None, description="Cases with an alert on an entry of this list."),  # noqa: A002
               assignee: str | None = None,
               party: str | None = Query(None, description="Part of the party's name, or its key."),
               since: str | None = Query(None, description="Created on or after this ISO date."),
               until: str | None = Query(None, description="Created on or before this ISO date."),
               limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
               _: Principal = Depends(require_role("analyst"))) -> list[dict[str, Any]]:
    try:
        return Cases().list_cases(status, limit, offset=offset, severity=severity, list_name=list,
                                  assignee=assignee, party=party, since=since, until=until)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.get("/cases/{case_id}", summary="One case: alerts, payments, history, the caller's allowed actions")
def show_case(case_id: CaseId, principal: Principal = Depends(require_role("analyst"))) -> dict[str, Any]:
    case = Cases().show(case_id)
    case["allowed_actions"] = Cases.allowed_actions(case, principal.name, principal.role)
    return case


@router.post(
    "/cases/{case_id}/actions",
    summary="Act on a case (approve-release / approve-dismiss need a supervisor other than the requester)",
    responses={403: {"description": "Role too low, or the requester tries to approve"}},
)
def act(case_id: CaseId, body: CaseAction, principal: Principal = Depends(require_role("analyst"))) -> dict[str, Any]:
    try:
        case = Cases().act(case_id, body.action, principal.name, principal.role, note=body.note,
                           assignee=body.assignee)
        case["allowed_actions"] = Cases.allowed_actions(case, principal.name, principal.role)
        return case
    except Forbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from exc


@router.get("/cases/{case_id}/str", summary="The STR of a confirmed case (goAML XML or JSON)")
def str_report(case_id: CaseId, format: Literal["goaml", "json"] = "goaml",
               _: Principal = Depends(require_role("analyst"))) -> Any:
    from tizim.monitoring.str_export import to_goaml_xml

    report = Cases().report(case_id)
    if format == "json":
        return report
    return Response(content=to_goaml_xml(report), media_type="application/xml")

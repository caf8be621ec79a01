"""Cases over HTTP: list, act (four-eyes release), STR export."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tizim.api.auth import Principal, require_role
from tizim.monitoring.cases import Cases, Forbidden

router = APIRouter(tags=["Monitoring"])


class CaseAction(BaseModel):
    action: Literal["assign", "comment", "escalate", "confirm", "dismiss", "release", "approve-release"]
    note: str | None = Field(default=None, max_length=4000)
    assignee: str | None = Field(default=None, max_length=128)


@router.get("/cases", summary="Cases with severity, status, assignee and SLA clock")
def list_cases(status: str | None = None, _: Principal = Depends(require_role("analyst"))) -> list[dict[str, Any]]:
    return Cases().list_cases(status)


@router.get("/cases/{case_id}", summary="One case: alerts, payments, history")
def show_case(case_id: int, _: Principal = Depends(require_role("analyst"))) -> dict[str, Any]:
    return Cases().show(case_id)


@router.post(
    "/cases/{case_id}/actions",
    summary="Act on a case (approve-release needs supervisor and a second person)",
    responses={403: {"description": "Role too low, or the requester tries to approve"}},
)
def act(case_id: int, body: CaseAction, principal: Principal = Depends(require_role("analyst"))) -> dict[str, Any]:
    try:
        return Cases().act(case_id, body.action, principal.name, principal.role, note=body.note,
                           assignee=body.assignee)
    except Forbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from exc


@router.get("/cases/{case_id}/str", summary="The STR of a confirmed case (goAML XML or JSON)")
def str_report(case_id: int, format: Literal["goaml", "json"] = "goaml",
               _: Principal = Depends(require_role("analyst"))) -> Any:
    from tizim.monitoring.str_export import to_goaml_xml

    report = Cases().report(case_id)
    if format == "json":
        return report
    return Response(content=to_goaml_xml(report), media_type="application/xml")

"""Payments over HTTP: submit one payment for a synchronous decision, read it back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from tizim.api.auth import Principal, require_role
from tizim.monitoring.decide import Decider, record_rejected
from tizim.monitoring.formats import iter_text
from tizim.monitoring.model import Payment, Rejected
from tizim.monitoring.runner import STORE_ERRORS, decide_one_by_one
from tizim.settings import get_settings
from tizim.store import per_database

router = APIRouter(tags=["Monitoring"])

# One decider per database keeps the screening cache and the rules' history warm.
_decider_for_database = per_database(lambda _url: Decider(actor="api"))


def _decider() -> Decider:
    decider = _decider_for_database()
    decider.screening.refresh()
    return decider


@router.post(
    "/payments",
    summary="Decide one payment (PASS, OBSERVE or FREEZE)",
    responses={
        200: {"description": "The payment id was decided before: the stored decision"},
        201: {"description": "Decided now; stored before this answer"},
        422: {"description": "Not a readable payment; stored as rejected with the reason"},
    },
    status_code=201,
)
async def submit(request: Request, principal: Principal = Depends(require_role("screener"))) -> JSONResponse:
    """The body is one payment: a JSON object in the JSONL layout (docs/monitoring.md), an
    ISO 20022 pacs.008/pain.001 XML document, or an MT103 message. The decision is committed
    before it is returned; the same payment id submitted again returns the stored decision."""
    body = await request.body()
    if len(body) > get_settings().max_body_bytes:
        raise HTTPException(status_code=413, detail="request body too large")
    if not body.strip():
        raise HTTPException(status_code=422, detail="empty body")
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_decide, body, principal)


def _decide(body: bytes, principal: Principal) -> JSONResponse:
    items = list(iter_text(body, name=f"POST /payments by {principal.name}"))
    payments = [i for i in items if isinstance(i, Payment)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    if rejected:
        record_rejected(rejected, actor=principal.name)
        reasons = [{"reason": r.reason, "line": r.line, "record": r.record} for r in rejected]
        return JSONResponse(status_code=422, content={"detail": "payment rejected", "rejected": reasons})
    if len(payments) != 1:
        raise HTTPException(status_code=422, detail=f"one payment per request, got {len(payments)}; "
                            "use `tizim monitor` for files")
    decider = _decider()
    try:
        (decision,) = decider.decide_batch(payments, actor=principal.name)
    except STORE_ERRORS:
        # a payment the store refuses is a rejection of that payment, never a 500
        decided, refused = decide_one_by_one(decider, payments, [], actor=principal.name)
        if not decided:
            reasons = [{"reason": r.reason, "line": r.line, "record": r.record} for r in refused]
            return JSONResponse(status_code=422, content={"detail": "payment rejected", "rejected": reasons})
        decision = decided[0]
    data: dict[str, Any] = decision.to_dict()
    data["alerts"] = decision.alerts
    return JSONResponse(status_code=200 if decision.replay else 201, content=data)


@router.get("/payments/{payment_id:path}", summary="A payment, its decision and its alerts")
def get_one(payment_id: str, _: Principal = Depends(require_role("screener"))) -> dict[str, Any]:
    from tizim.monitoring.queries import get_payment

    return get_payment(payment_id)

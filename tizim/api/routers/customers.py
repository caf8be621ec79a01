"""Customers over HTTP: onboarding in one call (stored and screened before the answer), reads,
and the freeze register."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from tizim.api.auth import Principal, require_role
from tizim.customers.rescreen import install
from tizim.errors import InputError
from tizim.settings import get_settings

router = APIRouter(tags=["Customers"])
install(workers=1)  # a list imported over HTTP re-screens the book too (no fork from a threaded server)

ONBOARD_EXAMPLE = {
    "customer_id": "C0000042", "type": "person", "name": "Айгүл Серікқызы Нұрланова",
    "aliases": ["Aigul Nurlanova"], "birth_date": "1988-11-02", "nationality": "KZ", "country": "KZ",
    "id_number": "881102400779", "accounts": ["KZ119650000000000003"],
}


def _onboard(body: Any, actor: str) -> list[dict[str, Any]]:
    from tizim.customers.book import CustomerBook
    from tizim.customers.model import parse_customer
    from tizim.customers.screen import screen_book

    records = body if isinstance(body, list) else [body]
    limit = get_settings().max_batch_queries
    if not records:
        raise InputError("no customers in the body", field="body")
    if len(records) > limit:
        raise InputError(f"{len(records)} customers; at most {limit} per request (use `tizim customers import`)",
                         field="body")
    customers = []
    seen: set[str] = set()
    for i, raw in enumerate(records):
        c = parse_customer(raw, {"record": f"#{i}"})
        if c.customer_id in seen:
            raise InputError(f"customer_id {c.customer_id!r} occurs twice", record=c.customer_id,
                             field="customer_id")
        seen.add(c.customer_id)
        customers.append(c)
    book = CustomerBook()
    book.upsert(customers, source=f"POST /customers by {actor}", actor=actor)
    ids = [c.customer_id for c in customers]
    screen_book(workers=1, actor=actor, only=ids)
    return [book.show(cid) for cid in ids]


@router.post(
    "/customers",
    summary="Onboard customers: store, screen and answer with their status",
    status_code=201,
    responses={400: {"description": "A record is invalid (the field is named); nothing is stored"}},
)
async def onboard(
    body: Annotated[Any, Body(examples=[ONBOARD_EXAMPLE])],
    principal: Principal = Depends(require_role("analyst")),
) -> JSONResponse:
    """One customer (a JSON object) or a batch (an array), in the import layout of
    docs/customers.md. Each is stored (a changed record is a new version) and screened against
    the current lists before the answer; a designated match freezes its accounts at once.
    All or nothing: one invalid record stores none."""
    if not isinstance(body, (dict, list)):
        raise HTTPException(status_code=422, detail="the body must be a customer object or an array of them")
    shown = await run_in_threadpool(_onboard, body, principal.name)
    return JSONResponse(status_code=201, content=shown[0] if isinstance(body, dict) else shown)


@router.get("/customers/{customer_id}", summary="A customer: status, matches, accounts and their freezes")
def get_customer(customer_id: str, history: bool = False,
                 _: Principal = Depends(require_role("viewer"))) -> dict[str, Any]:
    from tizim.customers.book import CustomerBook

    return CustomerBook().show(customer_id, history=history)


@router.get("/customers", summary="Customers by status, a page at a time")
def list_customers(
    status: Annotated[str | None, Query(description="unscreened, clear, alert, frozen or closed")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    _: Principal = Depends(require_role("viewer")),
) -> list[dict[str, Any]]:
    from tizim.customers.book import CustomerBook

    return CustomerBook().list(status, limit=limit, offset=offset)


@router.get("/freezes", summary="The freeze register: frozen accounts and the hours each took")
def freezes(released: bool = False, _: Principal = Depends(require_role("viewer"))) -> dict[str, Any]:
    from tizim.customers.freezes import freeze_register, open_alerts

    return {"frozen": freeze_register(include_released=released), "open_alerts": open_alerts()}


@router.get("/freezes/report", summary="The report of frozen assets for the FIU (JSON or CSV)",
            response_class=PlainTextResponse,
            responses={200: {"content": {"application/json": {}, "text/csv": {}}, "description": "JSON or CSV"}})
def freezes_report(format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
                   _: Principal = Depends(require_role("analyst"))) -> PlainTextResponse:
    from tizim.customers.freezes import freeze_report

    media = "text/csv" if format == "csv" else "application/json"
    return PlainTextResponse(freeze_report(format), media_type=media)

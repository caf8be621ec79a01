"""The customer book's pages: customers with their accounts, freeze state and screening hits,
and the register of frozen accounts (over `tizim.customers.book.CustomerBook` and
`tizim.customers.freezes.freeze_register`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from tizim.api.keys import Principal
from tizim.customers import tables as ct
from tizim.customers.book import CustomerBook
from tizim.customers.freezes import freeze_register, freeze_report
from tizim.errors import InputError, NotFound
from tizim.store import transaction
from tizim.web.i18n import gettext_for
from tizim.web.queries import contains
from tizim.web.render import page
from tizim.web.session import PageRoute, finish, require_page_role

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 50


def customers_hitting(entity_id: str) -> list[dict[str, Any]]:
    """Customers whose screening matched this listed entity."""
    with transaction() as conn:
        rows = conn.execute(
            select(ct.customers.c.customer_id, ct.customers.c.name, ct.customers.c.status)
            .join(ct.matches, ct.matches.c.customer_id == ct.customers.c.customer_id)
            .where(ct.matches.c.entity_id == entity_id).distinct().limit(200)
        ).all()
    return [{"id": r.customer_id, "name": r.name, "status": r.status} for r in rows]


def _search(text: str, limit: int, offset: int) -> tuple[int, list[str]]:
    """Customers whose id or account is `text`, or whose name contains it (any case)."""
    c, a = ct.customers, ct.accounts
    held = select(a.c.customer_id).where(a.c.account == text)
    where = or_(c.c.customer_id == text, contains(c.c.name, text), c.c.customer_id.in_(held))
    with transaction() as conn:
        total = int(conn.execute(select(func.count()).select_from(c).where(where)).scalar_one())
        ids = list(conn.execute(select(c.c.customer_id).where(where).order_by(c.c.customer_id)
                                .limit(limit).offset(offset)).scalars())
    return total, ids


@router.get("/customers")
def customers(request: Request, me: Principal = Depends(require_page_role("analyst"))) -> Response:
    _ = gettext_for(request)
    status = (request.query_params.get("status") or "").strip() or None
    search = (request.query_params.get("q") or "").strip()[:200]
    raw_page = request.query_params.get("page") or "1"
    if not raw_page.isdigit():
        raise InputError(f"page {raw_page!r} is not a number", field="page")
    page_no = max(int(raw_page), 1)
    book = CustomerBook()
    offset = (page_no - 1) * PAGE_SIZE
    if search:
        total, ids = _search(search, PAGE_SIZE, offset)
        rows = [book.show(i, matches=False) for i in ids]
    else:
        total = book.count(status)
        rows = book.list(status=status, limit=PAGE_SIZE, offset=offset)
    pages = max(1, -(-total // PAGE_SIZE))
    base = {"q": search} if search else {"status": status} if status else {}
    return page(request, "customers.html", title=_("Customers"), rows=rows, total=total, counts=book.counts(),
                shown=status or "", search=search, page_no=page_no, pages=pages, register=freeze_register(),
                page_link=lambda n: "/ui/customers?" + urlencode({**base, "page": n}))


@router.get("/freezes/report.{kind}")
def freezes_report(request: Request, kind: str, me: Principal = Depends(require_page_role("analyst"))) -> Response:
    """The report of frozen assets for the FIU, as the API gives it, downloaded from the page."""
    if kind not in ("json", "csv"):
        raise NotFound(f"no report as {kind!r} (json or csv)")
    body = freeze_report(kind)
    media = "application/json" if kind == "json" else "text/csv; charset=utf-8"
    return finish(request, Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="frozen-assets.{kind}"'}))


@router.get("/customers/{customer_id:path}")
def customer(request: Request, customer_id: str, me: Principal = Depends(require_page_role("analyst"))) -> Response:
    found = CustomerBook().show(customer_id, matches=True, history=True)
    record = found.get("record") or {}
    refs = {o["ref"] for key in ("owners", "directors") for o in record.get(key) or []}
    ct_links = ct.links.c
    with transaction() as conn:
        known = dict(conn.execute(select(ct.customers.c.customer_id, ct.customers.c.name)
                                  .where(ct.customers.c.customer_id.in_(refs))).all()) if refs else {}
        # the organizations this customer owns or directs (a freeze on it passes on above 50 %)
        holds = conn.execute(
            select(ct_links.customer_id, ct_links.role, ct_links.share, ct.customers.c.name, ct.customers.c.status)
            .join(ct.customers, ct.customers.c.customer_id == ct_links.customer_id)
            .where(ct_links.ref == customer_id).order_by(ct_links.customer_id)
        ).all()
    return page(request, "customer.html", title=found["name"] or customer_id, c=found, record=record,
                known=known, holds=[dict(r._mapping) for r in holds])

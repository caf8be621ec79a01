"""The audit trail with filters, and the result of verifying its hash chain (supervisors)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import and_, func, select

from tizim.api.keys import Principal
from tizim.monitoring import audit
from tizim.monitoring import tables as mt
from tizim.store import transaction
from tizim.web.i18n import gettext_for
from tizim.web.render import page
from tizim.web.session import PageRoute, require_page_role

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 100


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


@router.get("/audit")
def audit_page(request: Request, me: Principal = Depends(require_page_role("supervisor"))) -> Response:
    _ = gettext_for(request)
    params = request.query_params
    f = {key: (params.get(key) or "").strip()[:200] for key in ("actor", "action", "object_type", "object_id", "verify")}
    page_no = int(params.get("page") or 1) if (params.get("page") or "1").isdigit() else 1
    log = mt.audit_log
    where = [getattr(log.c, key) == f[key] for key in ("actor", "action", "object_type", "object_id") if f[key]]
    with transaction() as conn:
        query = select(log).where(and_(*where)) if where else select(log)
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(log.c.seq.desc()).limit(PAGE_SIZE)
                            .offset((max(page_no, 1) - 1) * PAGE_SIZE)).all()
        actions = sorted(conn.execute(select(log.c.action).distinct()).scalars())
        kinds = sorted(conn.execute(select(log.c.object_type).distinct()).scalars())
    records = [{**dict(r._mapping), "before": _parse(r.before), "after": _parse(r.after)} for r in rows]
    checked = audit.verify() if f["verify"] else None
    base = {k: v for k, v in f.items() if v and k != "verify"}
    pages = max(1, -(-total // PAGE_SIZE))
    return page(request, "audit.html", title=_("Audit"), records=records, total=total, f=f, actions=actions,
                kinds=kinds, checked=checked, page_no=page_no, pages=pages,
                page_link=lambda n: "/ui/audit?" + urlencode({**base, "page": n}),
                verify_link="/ui/audit?" + urlencode({**base, "verify": 1}))

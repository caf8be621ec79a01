"""Intelligence review: documents with their mentions highlighted, facts to accept or reject
with their citations, and the timeline (over `tizim.intel.service.Intel`).

Accepting a fact writes to a list (a designation or a tie), so it takes a supervisor;
analysts read and reject."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from tizim.api.keys import Principal
from tizim.errors import InputError, NotFound
from tizim.store import transaction
from tizim.web.i18n import gettext_for
from tizim.web.render import page
from tizim.web.session import PageRoute, finish, read_form, require_page_role

router = APIRouter(route_class=PageRoute)
FACT_STATUSES = ("pending", "accepted", "rejected", "all")


def _documents() -> list[dict[str, Any]]:
    from tizim.intel import tables as it

    with transaction() as conn:
        pending: dict[int, int] = dict(conn.execute(
            select(it.facts.c.document_id, func.count()).where(it.facts.c.status == "pending")
            .group_by(it.facts.c.document_id)).all())
        mentions: dict[int, int] = dict(conn.execute(
            select(it.mentions.c.document_id, func.count()).group_by(it.mentions.c.document_id)).all())
        rows = conn.execute(select(it.documents.c.id, it.documents.c.title, it.documents.c.path,
                                   it.documents.c.publisher, it.documents.c.published_at)
                            .order_by(it.documents.c.id)).all()
    return [{**dict(r._mapping), "pending": pending.get(r.id, 0), "mentions": mentions.get(r.id, 0)} for r in rows]


def _sentence_spans(fact: dict[str, Any], mentions: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Mentions inside the fact's sentence, as spans of the sentence text."""
    start = fact["citation"]["start"]
    end = fact["citation"]["end"]
    return [(m["start"] - start, m["end"] - start) for m in mentions
            if m["document_id"] == fact["citation"]["document_id"] and m["start"] >= start and m["end"] <= end]


@router.get("/intel")
def intel(request: Request, status: str = "pending",
          me: Principal = Depends(require_page_role("analyst"))) -> Response:
    from tizim.intel.service import Intel

    _ = gettext_for(request)
    if status not in FACT_STATUSES:
        raise InputError(f"unknown fact status {status!r}", field="status")
    service = Intel()
    facts = service.facts(status=None if status == "all" else status)
    mentions = service.mentions()
    for fact in facts:
        fact["spans"] = _sentence_spans(fact, mentions)
    return page(request, "intel.html", title=_("Intelligence"), documents=_documents(), facts=facts[:200],
                total=len(facts), fact_status=status, statuses=FACT_STATUSES, timeline=service.timeline()[:200],
                error=request.query_params.get("error"))


@router.get("/intel/documents/{document_id}")
def document(request: Request, document_id: int,
             me: Principal = Depends(require_page_role("analyst"))) -> Response:
    from tizim.intel import tables as it
    from tizim.intel.service import Intel

    with transaction() as conn:
        doc = conn.execute(select(it.documents).where(it.documents.c.id == document_id)).first()
    if doc is None:
        raise NotFound(f"no document {document_id}")
    mentions = Intel().mentions(document_id)
    facts = [f for f in Intel().facts(collapse=False) if f["citation"]["document_id"] == document_id]
    return page(request, "intel_document.html", title=doc.title or doc.path, doc=doc, mentions=mentions,
                spans=[(m["start"], m["end"]) for m in mentions], facts=facts)


@router.post("/intel/facts/{fact_id}")
async def decide(request: Request, fact_id: int, form: dict[str, str] = Depends(read_form),
                 me: Principal = Depends(require_page_role("analyst"))) -> Response:
    from urllib.parse import quote

    from tizim.intel.service import Intel

    _ = gettext_for(request)
    decision = form.get("decision", "")
    try:
        if decision == "reject":
            Intel().reject(fact_id)
        elif decision == "accept":
            if not me.allows("supervisor"):
                raise InputError(_("Accepting a fact changes a list: it takes a supervisor."))
            Intel().accept(fact_id, form.get("list") or None)
        else:
            raise InputError(f"decision must be accept or reject, not {decision!r}", field="decision")
    except InputError as exc:
        return finish(request, RedirectResponse(f"/ui/intel?error={quote(str(exc))}", status_code=303))
    return finish(request, RedirectResponse("/ui/intel", status_code=303))

"""Free-text screening: names of listed parties found in a payment note, a message, a document."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from tizim.api.auth import Principal, require_role
from tizim.api.models import ErrorResponse, ScreenTextRequest, ScreenTextResponse, TextSpanResponse
from tizim.api.results import scored
from tizim.settings import get_settings

router = APIRouter(tags=["Matching"])


@router.post(
    "/screen/text",
    summary="Find listed names in free text",
    response_model=ScreenTextResponse,
    responses={
        403: {"model": ErrorResponse, "description": "Role below screener"},
        413: {"model": ErrorResponse, "description": "Request body too large"},
    },
)
async def screen_text(
    request: Request, body: ScreenTextRequest, _: Principal = Depends(require_role("screener"))
) -> ScreenTextResponse:
    """Each span of `text` that names a listed party, with its candidate entities (best
    first). Character offsets are Python string indices into `text`."""
    from tizim.screening import get_screener

    request.state.queries = 1
    if get_settings().log_queries:
        request.state.query_log = body.text
    # in the thread pool: screening is CPU-bound and must not hold up the event loop
    spans = await run_in_threadpool(
        lambda: get_screener().screen_text(body.text, threshold=body.threshold, lists=body.lists or None))
    out = [
        TextSpanResponse(start=s.start, end=s.end, text=s.text, results=[scored(r) for r in s.results])
        for s in spans
    ]
    return ScreenTextResponse(spans=out, matches=sum(1 for s in out if any(r.match for r in s.results)))

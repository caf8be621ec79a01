"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from tizim.api import metrics
from tizim.api.auth import Principal, require_role
from tizim.api.models import ErrorResponse, ReadyResponse, StatusResponse
from tizim.api.warmup import warmup
from tizim.registry.service import Registry

router = APIRouter(tags=["System information"])


@router.get("/healthz", response_model=StatusResponse, summary="Health check (no key needed)")
async def healthz() -> StatusResponse:
    """The process answers; says nothing about the data."""
    return StatusResponse(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    summary="Readiness: lists loaded and (in a server) the screening index built",
    responses={503: {"model": ErrorResponse, "description": "No list loaded, or the index is being built"}},
)
def readyz(_: Principal = Depends(require_role("viewer"))) -> ReadyResponse | JSONResponse:
    if warmup.pending():
        return JSONResponse(status_code=503, content={"detail": "the screening index is being built"})
    if warmup.error:
        return JSONResponse(status_code=503, content={"detail": f"the screening index failed: {warmup.error}"})
    summary = Registry().summary()
    if not summary:
        return JSONResponse(status_code=503, content={"detail": "no designation list is loaded"})
    return ReadyResponse(
        status="ok",
        lists=len(summary),
        entities=sum(row["entities"] for row in summary),
        index_entities=metrics.index_size(),
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition text"}},
)
def prometheus_metrics(_: Principal = Depends(require_role("viewer"))) -> Response:
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)

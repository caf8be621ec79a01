"""The FastAPI application: `create_app()` mounts every router module that is present."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tizim.api.middleware import AccessMiddleware
from tizim.api.warmup import warmup
from tizim.errors import InputError, NotFound, TizimError
from tizim.registry.service import ShrinkHeld

log = logging.getLogger("tizim.api")

# Router modules, each exposing `router: APIRouter`; one not written yet is simply absent
# (payments and cases come with the monitoring package).
ROUTER_MODULES = (
    "tizim.api.routers.system",
    "tizim.api.routers.match",
    "tizim.api.routers.search",
    "tizim.api.routers.entities",
    # yente's /catalog and /algorithms.
    "tizim.api.routers.catalog",
    "tizim.api.routers.lists",
    "tizim.api.routers.screen",
    "tizim.api.routers.keys",
    "tizim.api.routers.payments",
    "tizim.api.routers.cases",
    "tizim.api.routers.customers",
    # The analyst's pages under /ui (server-rendered HTML).
    "tizim.web.pages",
    # /docs: the API explorer with its assets shipped (no CDN).
    "tizim.web.docs",
)

DESCRIPTION = """
tizim's HTTP API: yente-compatible matching (`POST /match/{scope}`), registry reads and
free-text screening. Every endpoint but `/healthz` needs an API key, sent as
`Authorization: Bearer <key>` (or `ApiKey <key>` as yente clients do). Roles, from least to
most privileged: viewer, screener, analyst, supervisor, admin.
"""


def create_app(warm: bool = False) -> FastAPI:
    """The app; `warm` builds the screening index in the background at startup (servers)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm and not warmup.requested:
            warmup.start()
        yield

    app = FastAPI(
        title="tizim",
        lifespan=lifespan,
        description=DESCRIPTION,
        version="0.1.0",
        # /docs is tizim.web.docs (Swagger UI shipped with tizim); ReDoc would load a CDN script.
        docs_url=None,
        redoc_url=None,
        responses={401: {"description": "Missing or invalid API key"}},
    )
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        app.include_router(module.router)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(ShrinkHeld, _conflict)
    app.add_exception_handler(InputError, _bad_input)
    app.add_exception_handler(TizimError, _bad_input)
    app.add_middleware(AccessMiddleware)
    return app


def create_served_app() -> FastAPI:
    """The app `tizim serve` runs in each worker."""
    return create_app(warm=True)


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(exc)})


async def _bad_input(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=400, content={"detail": str(exc)})

"""The FastAPI application: `create_app()` mounts every router module that is present."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tizim.api.middleware import AccessMiddleware
from tizim.api.models import ErrorResponse
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
free-text screening. Every endpoint but `/healthz` needs an API key (this document and the
explorer at `/docs` do not: they describe the interface, as the source code does, and hold no
data; every operation they list needs a key), sent as
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
    _document_errors(app)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(ShrinkHeld, _conflict)
    for refused in _REFUSED_INPUT:
        app.add_exception_handler(refused, _refused_input)
    app.add_exception_handler(InputError, _bad_input)
    app.add_exception_handler(TizimError, _bad_input)
    app.add_middleware(AccessMiddleware)
    return app


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI document states every status an endpoint answers (schemathesis checks it):
    400 and 413 anywhere (a NUL in the URL, a body too large or nested too deep), 404 where
    the path names something, and a 422 whose detail is FastAPI's list of field errors or
    one sentence naming the field."""
    make_schema = app.openapi
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    extra = {"400": "A malformed request (a NUL character, half a surrogate pair, nesting too deep)",
             "413": "Request body too large"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = make_schema()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorResponse", ErrorResponse.model_json_schema())
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                wanted = {**extra, **({"404": "Not found"} if "{" in path else {})}
                for code, description in wanted.items():
                    responses.setdefault(code, {"description": description, **error})
        detail = components.get("HTTPValidationError", {}).get("properties", {}).get("detail")
        if detail is not None and "anyOf" not in detail:
            title = detail.pop("title", "Detail")
            listed = dict(detail)
            detail.clear()
            detail.update({"title": title, "anyOf": [listed, {"type": "string"}]})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_served_app() -> FastAPI:
    """The app `tizim serve` runs in each worker."""
    return create_app(warm=True)


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


def _refused_input_types() -> tuple[type[Exception], ...]:
    """Errors a value from the request raises deep down (a number past a column's range, a
    string the database cannot hold, JSON nested past Python's stack): the request is at
    fault, so a 4xx, not a 500 (the API's own checks name the field where they can)."""
    import sqlalchemy.exc

    found: list[type[Exception]] = [sqlalchemy.exc.DataError, OverflowError, RecursionError, UnicodeError]
    try:
        import psycopg
    except ImportError:
        pass
    else:
        found.append(psycopg.DataError)
    return tuple(found)


_REFUSED_INPUT = _refused_input_types()


async def _refused_input(_request: Request, exc: Exception) -> JSONResponse:
    what = {RecursionError: "the request is nested too deeply",
            OverflowError: "a number in the request is out of range"}.get(type(exc))
    if what is None:
        what = ("a value in the request is out of range or holds a character the database cannot store "
                f"({type(exc).__name__})")
    log.info("request refused: %s", exc)
    return JSONResponse(status_code=400, content={"detail": what})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=409, content={"detail": str(exc)})


async def _bad_input(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=400, content={"detail": str(exc)})

"""Access log, metrics and the request-body limit, as one plain ASGI middleware.

Plain ASGI rather than Starlette's BaseHTTPMiddleware: it adds no task or stream copy per
request, which matters at hundreds of requests per second.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tizim.api import metrics
from tizim.settings import get_settings

log = logging.getLogger("tizim.api")


class BodyTooLarge(Exception):
    pass


class BadBody(Exception):
    """A JSON body holding what no field may hold (a NUL, half a surrogate pair)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


# In JSON text: the NUL escape, and a high surrogate escape not followed by a low one or a
# low one not preceded by a high one (JSON writes characters past U+FFFF as such pairs).
# (An escape counts only after an even run of backslashes: "\\\\u0000" is text.)
_ESCAPE = rb"(?<!\\)(?:\\\\)*\\u"
_JSON_NUL = re.compile(_ESCAPE + rb"0000")
_LONE_SURROGATE = re.compile(
    _ESCAPE + rb"[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})" + _ESCAPE + rb"[dD][c-fC-F][0-9a-fA-F]{2}"
)


def url_problem(scope: Scope) -> str | None:
    """Why a request's URL is refused before routing: a NUL character (no database stores it)."""
    query = scope.get("query_string") or b""
    if "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query:
        return "the URL holds a NUL character"
    return None


def json_body_problem(chunk: bytes, final: bool = True) -> str | None:
    """Why a JSON body (or a chunk of it) is refused; a chunk that is not the last may end
    inside an escape pair, so what starts in its last 12 bytes waits for the next chunk."""
    horizon = len(chunk) if final else len(chunk) - 12
    if any(m.start() < horizon for m in _JSON_NUL.finditer(chunk)):
        return "the JSON body holds a NUL character (\\u0000), which no field may hold"
    if any(m.start() < horizon for m in _LONE_SURROGATE.finditer(chunk)):
        return "the JSON body holds half of a UTF-16 surrogate pair (a lone \\uD800-\\uDFFF), which is no character"
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            return b"json" in value.lower()
    return False


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        settings = get_settings()
        # a list file is larger than any query
        limit = (settings.max_import_bytes if scope["path"] == "/lists/import" and scope["method"] == "POST"
                 else settings.max_body_bytes)
        status = 500
        response_started = False

        problem = url_problem(scope)
        if problem:
            await _send_error(send, 400, problem)
            self._finish(scope, 400, started)
            return
        # POST /payments reads its own body: a bad field is a stored rejection of that payment
        check_json = _is_json(scope) and scope["path"] != "/payments"
        tail = b""  # the end of the previous chunk: an escape may straddle two chunks

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_error(send, 413, f"request body of {declared} bytes exceeds the limit of {limit} bytes")
            self._finish(scope, 413, started)
            return

        received = 0
        too_large = False

        async def counting_receive() -> Message:
            # Chunked bodies declare no length: count what actually arrives.
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge()
                if check_json:
                    nonlocal tail
                    chunk = tail + message.get("body", b"")
                    bad = json_body_problem(chunk, final=not message.get("more_body", False))
                    if bad:
                        raise BadBody(bad)
                    tail = chunk[-24:]
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_started
            if too_large:
                # FastAPI turns errors while reading the body into its own 400; answer 413.
                if message["type"] == "http.response.start" and not response_started:
                    response_started = True
                    status = 413
                    await _send_error(send, 413, f"request body exceeds the limit of {limit} bytes")
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message = {**message, "headers": with_security_headers(message.get("headers") or [])}
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                status = 413
                await _send_error(send, 413, f"request body exceeds the limit of {limit} bytes")
        except BadBody as exc:
            if not response_started:
                status = 400
                await _send_error(send, 400, exc.detail)
        finally:
            self._finish(scope, status, started)

    @staticmethod
    def _finish(scope: Scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        # Route templates, not raw paths, so entity ids do not explode the label set.
        template = getattr(route, "path", None) or "unmatched"
        metrics.observe(template, scope["method"], status, elapsed)
        state: dict[str, Any] = scope.get("state") or {}
        principal = state.get("principal")
        queries = state.get("queries")
        if queries:
            metrics.count_queries(template, queries)
        extra: dict[str, Any] = {
            "key": principal.name if principal is not None else None,
            "method": scope["method"],
            "endpoint": template,
            "status": status,
            "queries": queries,
            "latency_ms": round(elapsed * 1000, 2),
        }
        if get_settings().log_queries and state.get("query_log") is not None:
            extra["query"] = state["query_log"]
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s %s key=%s queries=%s %.1fms",
                scope["method"],
                scope.get("path"),
                status,
                extra["key"],
                queries,
                elapsed * 1000,
                extra={"api": extra},
            )


# Every answer carries these unless it set its own (the pages set a CSP that allows their own
# scripts): error pages Starlette writes (404, 405) and JSON errors as much as any page.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
)


def with_security_headers(headers: Any) -> list[tuple[bytes, bytes]]:
    out = list(headers)
    present = {name.lower() for name, _ in out}
    out += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    return out


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": with_security_headers([
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]),
        }
    )
    await send({"type": "http.response.body", "body": body})

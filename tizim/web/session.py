"""Sign-in, the session cookie, CSRF tokens and page-level errors.

The session is the API key itself in an HttpOnly, SameSite=Strict cookie: every page checks
it against the same key store (and cache) the API uses, so revoking a key signs its holder
out of the pages too, and there is no second credential store to keep in step.

CSRF: a double-submit token. A random token lives in its own HttpOnly cookie and in a hidden
field of every form; a POST must carry both, equal. It is issued before sign-in (so the
sign-in form is protected as well) and replaced at sign-in and sign-out, which makes it
per session. Stateless on the server, so it works across uvicorn workers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from tizim.api.keys import Principal, get_key_store, role_rank
from tizim.errors import InputError, NotFound, TizimError

KEY_COOKIE = "tizim_key"
CSRF_COOKIE = "tizim_csrf"
CSRF_FIELD = "csrf"
COOKIE_PATH = "/ui"
# A sign-in form or an action form is a few hundred bytes; anything far larger is not ours.
MAX_FORM_BYTES = 64_000


class PageExit(Exception):
    """Stop handling a page and answer with `response` (a redirect or an error page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class PageRoute(APIRoute):
    """Turns PageExit and tizim's own errors into HTML answers instead of JSON ones."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            from tizim.web.render import error_page

            try:
                return await handler(request)
            except PageExit as exc:
                return exc.response
            except NotFound as exc:
                return error_page(request, 404, "Not found", str(exc))
            except (InputError, TizimError) as exc:
                return error_page(request, 400, "Cannot do that", str(exc))

        return route


def csrf_token(request: Request) -> str:
    """This session's CSRF token: the cookie's, or a new one the response will set."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or ""
        if len(token) < 32:
            token = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_token = token
    return str(token)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request)
    )


def finish(request: Request, response: Response) -> Response:
    """Headers every page carries; sets the CSRF cookie when this request minted the token."""
    if getattr(request.state, "csrf_new", False):
        set_csrf_cookie(request, response, str(request.state.csrf_token))
    headers = response.headers
    # No scripts at all: the pages are plain HTML, so the policy can forbid them outright.
    headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    # Pages hold personal data: keep them out of shared caches and the back-forward cache.
    headers.setdefault("Cache-Control", "no-store")
    return response


def sign_in(request: Request, response: Response, secret: str) -> None:
    secure = _secure(request)
    response.set_cookie(KEY_COOKIE, secret, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure)
    # A fresh token for the new session: one seen before sign-in is not carried over.
    set_csrf_cookie(request, response, secrets.token_urlsafe(32))


def sign_out(request: Request, response: Response) -> None:
    secure = _secure(request)
    response.delete_cookie(KEY_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure)
    set_csrf_cookie(request, response, secrets.token_urlsafe(32))


def current_principal(request: Request) -> Principal | None:
    secret = request.cookies.get(KEY_COOKIE)
    if not secret:
        return None
    principal = get_key_store().authenticate(secret)
    if principal is not None:
        # The access-log middleware reads the caller's name from here.
        request.state.principal = principal
    return principal


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: only a path under /ui, never another site."""
    if not target:
        return "/ui/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not (parts.path == "/ui" or parts.path.startswith("/ui/"))
        or "\\" in target
        or ".." in parts.path.split("/")
    ):
        return "/ui/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={quote(here, safe='')}", status_code=303)


def require_page_role(role: str) -> Callable[[Request], Principal]:
    """A dependency: the signed-in principal with `role` or higher, else a redirect / 403 page."""
    role_rank(role)

    def dependency(request: Request) -> Principal:
        from tizim.web.render import error_page

        principal = current_principal(request)
        if principal is None:
            raise PageExit(login_redirect(request))
        if not principal.allows(role):
            raise PageExit(
                error_page(
                    request,
                    403,
                    "Not allowed",
                    f"Your role {principal.role!r} may not open this page; it needs {role!r} or higher.",
                    principal=principal,
                )
            )
        return principal

    dependency.__name__ = f"page_{role}"
    return dependency


async def read_form(request: Request) -> dict[str, str]:
    """The posted form (url-encoded), after checking its CSRF token against the cookie."""
    from tizim.web.render import error_page

    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise PageExit(error_page(request, 415, "Unsupported form", "Forms are posted url-encoded."))
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PageExit(error_page(request, 413, "Form too large", "The form is larger than any of ours."))
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise PageExit(error_page(request, 400, "Bad form", "The form is not UTF-8.")) from None
    form = {key: values[0] for key, values in parsed.items()}
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    sent = form.pop(CSRF_FIELD, "")
    if not cookie or not sent or not secrets.compare_digest(cookie.encode(), sent.encode()):
        raise PageExit(
            error_page(
                request,
                403,
                "Form expired",
                "The form's security token is missing or stale. Reload the page and submit again.",
            )
        )
    return form


FormData = Depends(read_form)

"""Sign-in sessions, CSRF tokens, security headers and page-level errors.

The session cookie `tizim_session` holds a random server-side session id (see
`tizim.web.accounts`), never an API key or a password: signing out or disabling the user
deletes the session row and the cookie stops working at once, everywhere.

CSRF: every form carries a token that is an HMAC, under a per-database secret, of the
session it belongs to (the signed-in session, or before sign-in a random pre-session cookie).
A POST passes only when its token is the signature of the session the request carries, so a
token copied from another browser, or forged without the secret, is refused; a new session
(sign-in, sign-out) gets a new token. Stateless beyond the session row, so it works across
uvicorn workers.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from tizim.api.keys import Principal, role_rank
from tizim.errors import InputError, NotFound, TizimError
from tizim.store import per_database
from tizim.web.accounts import Accounts, Session, User, sign

SESSION_COOKIE = "tizim_session"
PRE_COOKIE = "tizim_pre"
CSRF_FIELD = "csrf"
COOKIE_PATH = "/ui"
# A sign-in form or an action form is a few hundred bytes; anything far larger is not ours.
MAX_FORM_BYTES = 64_000

# Scripts only from this server (the charts, the graph, the API explorer): no inline script,
# no eval, nothing from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _accounts(url: str) -> tuple[Accounts, bytes]:
    accounts = Accounts(url)
    return accounts, accounts.secret("csrf")


_per_db = per_database(_accounts)


def accounts() -> Accounts:
    return _per_db()[0]


def _csrf_secret() -> bytes:
    return _per_db()[1]


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
            from tizim.web.i18n import gettext_for
            from tizim.web.render import error_page

            try:
                return await handler(request)
            except PageExit as exc:
                return finish(request, exc.response)
            except NotFound as exc:
                return error_page(request, 404, gettext_for(request)("Not found"), str(exc))
            except (InputError, TizimError) as exc:
                return error_page(request, 400, gettext_for(request)("Cannot do that"), str(exc))

        return route


def current_session(request: Request) -> Session | None:
    if hasattr(request.state, "session"):
        cached: Session | None = request.state.session
        return cached
    token = request.cookies.get(SESSION_COOKIE) or ""
    session = accounts().session(token) if token else None
    request.state.session = session
    if session is not None:
        # The access-log middleware and the pages read the caller from here.
        request.state.principal = session.user.principal()
        request.state.user = session.user
    return session


def current_user(request: Request) -> User | None:
    session = current_session(request)
    return session.user if session else None


def current_principal(request: Request) -> Principal | None:
    user = current_user(request)
    return user.principal() if user else None


def _binding(request: Request) -> str:
    """What this request's CSRF token is bound to: its session, else its pre-session cookie."""
    bound = getattr(request.state, "csrf_binding", None)
    if bound is not None:
        return str(bound)
    session = current_session(request)
    if session is not None:
        bound = "session:" + hashlib.sha256(session.token.encode()).hexdigest()
    else:
        token = request.cookies.get(SESSION_COOKIE) or ""
        pending = accounts().session(token, allow_pending=True) if token else None
        if pending is not None:
            bound = "pending:" + hashlib.sha256(token.encode()).hexdigest()
        else:
            pre = request.cookies.get(PRE_COOKIE) or ""
            if len(pre) < 32 or len(pre) > 100:
                pre = secrets.token_urlsafe(32)
                request.state.pre_new = pre
            bound = "pre:" + pre
    request.state.csrf_binding = bound
    return str(bound)


def csrf_token(request: Request) -> str:
    return sign(_csrf_secret(), _binding(request))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=_secure(request))


def finish(request: Request, response: Response) -> Response:
    """Headers every page carries (error pages too); sets a pre-session cookie when minted."""
    pre = getattr(request.state, "pre_new", None)
    if pre and not getattr(request.state, "signed_in_now", False):
        _set_cookie(request, response, PRE_COOKIE, pre)
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    # Pages hold personal data: keep them out of shared caches and the back-forward cache.
    headers.setdefault("Cache-Control", "no-store")
    return response


def sign_in(request: Request, response: Response, session: Session) -> None:
    request.state.signed_in_now = True
    _set_cookie(request, response, SESSION_COOKIE, session.token)
    # The pre-session is spent: a token seen before sign-in is not carried over.
    response.delete_cookie(PRE_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=_secure(request))


def sign_out(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts().end_session(token)
    request.state.signed_in_now = True
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=_secure(request))
    response.delete_cookie(PRE_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=_secure(request))


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
        or parts.path.startswith("/ui/login")
        or parts.path.startswith("/ui/logout")
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
        from tizim.web.i18n import gettext_for
        from tizim.web.render import error_page

        user = current_user(request)
        if user is None:
            raise PageExit(login_redirect(request))
        if user.must_change_password and request.url.path != "/ui/account":
            raise PageExit(RedirectResponse("/ui/account?first=1", status_code=303))
        principal = user.principal()
        if not principal.allows(role):
            _ = gettext_for(request)
            raise PageExit(
                error_page(
                    request, 403, _("Not allowed"),
                    _("Your role %(have)s may not open this page; it needs %(need)s or higher.")
                    % {"have": principal.role, "need": role},
                )
            )
        return principal

    dependency.__name__ = f"page_{role}"
    return dependency


async def read_form(request: Request) -> dict[str, str]:
    """The posted form (url-encoded), after checking its CSRF token against the session."""
    from tizim.web.i18n import gettext_for
    from tizim.web.render import error_page

    _ = gettext_for(request)
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise PageExit(error_page(request, 415, _("Unsupported form"), _("Forms are posted url-encoded.")))
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PageExit(error_page(request, 413, _("Form too large"), _("The form is larger than any of ours.")))
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise PageExit(error_page(request, 400, _("Bad form"), _("The form is not UTF-8."))) from None
    form = {key: values[0] for key, values in parsed.items()}
    form["_all_ids"] = ",".join(parsed.get("ids", []))
    sent = form.pop(CSRF_FIELD, "")
    expected = csrf_token(request)
    if getattr(request.state, "pre_new", None) or not sent or not secrets.compare_digest(
        expected.encode(), sent.encode()
    ):
        raise PageExit(
            error_page(
                request, 403, _("Form expired"),
                _("The form's security token is missing or stale. Reload the page and submit again."),
            )
        )
    return form


FormData = Depends(read_form)

"""A person's own account (password, language, time zone, two-step sign-in) and the
administrator's page of users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from tizim.api.keys import ROLES, Principal
from tizim.errors import InputError
from tizim.web.accounts import LANGUAGES, generate_password
from tizim.web.i18n import gettext_for
from tizim.web.render import page
from tizim.web.session import (
    PageRoute,
    accounts,
    current_user,
    finish,
    read_form,
    require_page_role,
)

router = APIRouter(route_class=PageRoute)

COMMON_ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Oral", "Asia/Qyzylorda", "Asia/Tashkent",
                "Asia/Bishkek", "Europe/Moscow", "Europe/London", "UTC")


def _account_page(request: Request, status: int = 200, error: str | None = None, done: str | None = None,
                  totp_secret: str | None = None) -> Response:
    _ = gettext_for(request)
    user = current_user(request)
    assert user is not None
    uri = accounts().totp_uri(user.name, totp_secret) if totp_secret else None
    return page(request, "account.html", status=status, title=_("Your account"), u=user, error=error, done=done,
                languages=LANGUAGES, zones=COMMON_ZONES, totp_secret=totp_secret, totp_uri=uri,
                first=request.query_params.get("first") == "1")


@router.get("/account")
def account(request: Request, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    return _account_page(request)


@router.post("/account")
async def account_update(request: Request, form: dict[str, str] = Depends(read_form),
                         me: Principal = Depends(require_page_role("viewer"))) -> Response:
    _ = gettext_for(request)
    user = current_user(request)
    assert user is not None
    what = form.get("what", "")
    try:
        if what == "password":
            if accounts().verify_password(user.name, form.get("current", "")) is None:
                raise InputError(_("The current password is not right."), field="current")
            if form.get("new", "") != form.get("repeat", ""):
                raise InputError(_("The two new passwords differ."), field="repeat")
            accounts().set_password(user.name, form.get("new", ""))
            # Changing the password ends every session, this one too: sign in again.
            return finish(request, RedirectResponse("/ui/login", status_code=303))
        if what == "preferences":
            accounts().set_preferences(user.name, form.get("language") or None, form.get("time_zone") or None)
            request.state.language = None
            return finish(request, RedirectResponse("/ui/account?done=1", status_code=303))
        if what == "totp-start":
            return _account_page(request, totp_secret=accounts().new_totp_secret())
        if what == "totp-confirm":
            accounts().enable_totp(user.name, form.get("secret", ""), form.get("code", ""))
            return finish(request, RedirectResponse("/ui/account?done=1", status_code=303))
        if what == "totp-off":
            accounts().disable_totp(user.name)
            return finish(request, RedirectResponse("/ui/account?done=1", status_code=303))
    except InputError as exc:
        secret = form.get("secret") if what == "totp-confirm" else None
        return _account_page(request, status=400, error=str(exc), totp_secret=secret)
    raise InputError(f"unknown account change {what!r}", field="what")


def _users_page(request: Request, status: int = 200, error: str | None = None,
                created: tuple[str, str] | None = None) -> Response:
    _ = gettext_for(request)
    return page(request, "users.html", status=status, title=_("Users"), users=accounts().list_users(),
                roles=ROLES, error=error, created=created)


@router.get("/admin/users")
def users(request: Request, me: Principal = Depends(require_page_role("admin"))) -> Response:
    return _users_page(request)


@router.post("/admin/users")
async def users_update(request: Request, form: dict[str, str] = Depends(read_form),
                       me: Principal = Depends(require_page_role("admin"))) -> Response:
    what = form.get("what", "")
    name = form.get("name", "").strip()
    try:
        if what == "create":
            password = generate_password()
            accounts().create(name, form.get("role", ""), password, must_change=True)
            # The one-time password is shown once, on this answer only.
            return _users_page(request, created=(name, password))
        if name == me.name and what in ("disable", "role"):
            raise InputError("you cannot disable yourself or change your own role here", field="name")
        if what == "role":
            accounts().set_role(name, form.get("role", ""))
        elif what == "disable":
            accounts().disable(name)
        elif what == "enable":
            accounts().enable(name)
        elif what == "reset":
            password = generate_password()
            accounts().set_password(name, password, must_change=True)
            return _users_page(request, created=(name, password))
        else:
            raise InputError(f"unknown change {what!r}", field="what")
    except InputError as exc:
        return _users_page(request, status=400, error=str(exc))
    return finish(request, RedirectResponse("/ui/admin/users", status_code=303))

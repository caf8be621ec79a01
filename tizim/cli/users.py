"""CLI: `tizim users create|list|password|disable|enable|totp-off` (people who sign in to
the workspace; API keys stay for machines) and `tizim workspace` (the demo workspace that
`make run` ends with)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tizim.api.keys import ROLES
from tizim.errors import InputError
from tizim.output import print_json, print_table

users_app = typer.Typer(help="People who sign in to the web workspace.", no_args_is_help=True)


def _password_from_stdin() -> str:
    # One line: the password, without its line end (a password may hold spaces).
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise InputError("no password on standard input (echo PASSWORD | tizim users ... --password-stdin)",
                         field="password")
    return password


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="The user name they sign in with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
    ] = False,
    language: Annotated[str | None, typer.Option("--language", help="kk, ru or en (else the browser's).")] = None,
) -> None:
    """Create a user. Without --password-stdin a one-time password is printed, alone on the
    last line; the user chooses their own at first sign-in."""
    from tizim.web.accounts import Accounts, generate_password

    if password_stdin:
        user = Accounts().create(name, role, _password_from_stdin(), language=language)
        typer.echo(f"created user {user.name!r} with role {user.role}")
        return
    password = generate_password()
    user = Accounts().create(name, role, password, must_change=True, language=language)
    typer.echo(f"created user {user.name!r} with role {user.role}; one-time password, shown only now:")
    typer.echo(password)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False) -> None:
    """Users with their role and state (never a password)."""
    from tizim.web.accounts import Accounts

    rows = Accounts().list_users()
    if as_json:
        print_json(rows)
        return
    print_table("users", ["name", "role", "totp", "last sign-in", "state"],
                [[r["name"], r["role"], "on" if r["totp"] else "off", r["last_login_at"] or "",
                  "disabled" if r["disabled"] else "active"] for r in rows])


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the new password from standard input.")] = False,
) -> None:
    """Set a new password (ends the user's sessions); without --password-stdin a one-time one."""
    from tizim.web.accounts import Accounts, generate_password

    if password_stdin:
        Accounts().set_password(name, _password_from_stdin())
        typer.echo(f"new password set for {name!r}; their sessions ended")
        return
    password = generate_password()
    Accounts().set_password(name, password, must_change=True)
    typer.echo(f"one-time password for {name!r}, shown only now:")
    typer.echo(password)


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Change a user's role."""
    from tizim.web.accounts import Accounts

    user = Accounts().set_role(name, role)
    typer.echo(f"{user.name!r} now has role {user.role}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a user: their sessions end at once and they cannot sign in."""
    from tizim.web.accounts import Accounts

    Accounts().disable(name)
    typer.echo(f"disabled {name!r}")


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Enable a disabled user again."""
    from tizim.web.accounts import Accounts

    Accounts().enable(name)
    typer.echo(f"enabled {name!r}")


@users_app.command("totp-off")
def users_totp_off(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Turn a user's two-step sign-in off (a lost phone); they can set it up again."""
    from tizim.web.accounts import Accounts

    Accounts().disable_totp(name)
    typer.echo(f"two-step sign-in off for {name!r}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")

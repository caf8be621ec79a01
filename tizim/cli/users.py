"""CLI: `tizim users create|list|password|disable|enable|totp-off` (people who sign in to
the workspace; API keys stay for machines) and `tizim workspace` (the demo workspace that
`make run` ends with)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tizim.api.keys import ROLES
from tizim.output import print_json, print_table

users_app = typer.Typer(help="People who sign in to the web workspace.", no_args_is_help=True)


def _password_from_stdin() -> str | None:
    """One line of standard input: the password, without its line end (a password may hold
    spaces); None when nothing is piped in (a terminal, or empty input), and the caller
    issues a one-time password instead, never an empty one."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    return password or None


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="The user name they sign in with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
    ] = False,
    language: Annotated[str | None, typer.Option("--language", help="kk, ru or en (else the browser's).")] = None,
) -> None:
    """Create a user. Without --password-stdin (or with nothing piped in) a one-time password
    is printed, alone on the last line; the user chooses their own at first sign-in."""
    from tizim.web.accounts import Accounts, generate_password

    given = _password_from_stdin() if password_stdin else None
    if given is not None:
        user = Accounts().create(name, role, given, language=language)
        typer.echo(f"created user {user.name!r} with role {user.role}")
        return
    if password_stdin:
        typer.echo("no password on standard input: a one-time password is issued instead", err=True)
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

    given = _password_from_stdin() if password_stdin else None
    if given is not None:
        Accounts().set_password(name, given)
        typer.echo(f"new password set for {name!r}; their sessions ended")
        return
    if password_stdin:
        typer.echo("no password on standard input: a one-time password is issued instead", err=True)
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


def workspace(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Demo customers and a day of payments, once.")] = True,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after preparing (Ctrl-C stops).")] = True,
) -> None:
    """The analyst's workspace on this database: demo data (once), a first administrator
    (once, its one-time password printed), then the web server until Ctrl-C."""
    import os

    from tizim.registry.service import Registry
    from tizim.settings import get_settings
    from tizim.store import init_db
    from tizim.web import demo as demo_data
    from tizim.web.accounts import Accounts, generate_password

    init_db()
    if not Registry().summary():
        from tizim.registry.discover import bootstrap

        bootstrap(Registry(), get_settings().data_dir)
    if demo and not demo_data.seeded():
        typer.echo("writing demo data (customers, a day of payments with a few true matches)...", err=True)
        made = demo_data.seed_demo()
        customers = (f"{made['customers']} demo customers ({made['planted']} listed persons planted), "
                     if made["customers"] else "no demo customer book (tizim.customers is not installed), ")
        typer.echo(f"demo data: {customers}{made['payments']} payments ({made['true_matches']} to listed persons): "
                   f"{made.get('status')}")
    accounts = Accounts()
    address = f"http://{host}:{port}/ui"
    if accounts.count() == 0:
        password = generate_password()
        accounts.create("admin", "admin", password, must_change=True)
        typer.echo(f"first administrator created: sign in at {address} as 'admin' with this one-time password "
                   "(shown only now; you choose your own at first sign-in):")
        typer.echo(password)
    else:
        typer.echo(f"sign in at {address} with your user name and password "
                   "(new people: the Users page, or `tizim users create NAME --role ROLE`)")
    if not serve:
        return
    import uvicorn

    os.environ["TIZIM_DATABASE_URL"] = get_settings().database_url
    if demo and get_settings().goaml_rentity_id is None:
        # The demo's STRs download as goAML XML under a made-up reporting entity id.
        os.environ["TIZIM_GOAML_RENTITY_ID"] = "9999"
        typer.echo("demo: goAML reporting entity id 9999 (set TIZIM_GOAML_RENTITY_ID to the id the FIU gave you)")
    typer.echo(f"tizim workspace at {address} (API explorer at http://{host}:{port}/docs); Ctrl-C stops it")
    uvicorn.run("tizim.api.app:create_served_app", factory=True, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command("workspace")(workspace)

"""The `tizim` command: one root, each capability mounts its own commands.

Data flows one way (sources -> registry -> screening -> monitoring -> cases); so do the
command modules, each importing only what sits upstream of it.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import InterfaceError, OperationalError

from tizim import settings
from tizim.errors import TizimError

app = typer.Typer(
    name="tizim",
    help="tizim: designation lists, screening, payment monitoring and intelligence for CFT.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err = Console(stderr=True)

# One module a capability, each defining `register(app)`: the domain packages know no CLI.
COMMAND_MODULES = (
    "tizim.cli.registry",
    "tizim.cli.screening",
    "tizim.cli.keys",
    "tizim.cli.monitoring",
    "tizim.cli.intel",
    "tizim.cli.customers",
    "tizim.cli.cases",
    "tizim.cli.users",
    "tizim.cli.typologies",
)


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL, or a SQLite file path (default: $TIZIM_DATABASE_URL or a SQLite file)."),
    ] = None,
) -> None:
    if db:
        settings.override(database_url=database_option(db))


def database_option(db: str) -> str:
    """The --db value as a URL; a SQLite file must be in a folder that exists (a typo in
    the path must not create a new, empty database somewhere)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from tizim.errors import InputError

    url = db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"--db {db!r} is not a database URL (sqlite:///path/tizim.db or "
                         f"postgresql://user@host/db): {exc}", field="--db") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise InputError(f"--db {db!r}: the folder {folder} does not exist", field="--db")
    return url


def _register_all() -> None:
    for name in COMMAND_MODULES:  # every one is built: a missing module is an error, not a smaller CLI
        importlib.import_module(name).register(app)


_register_all()


def main() -> None:
    try:
        app()
    except TizimError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:
        # a database that does not answer (a PostgreSQL server down, an unreadable SQLite file)
        from sqlalchemy.engine import make_url

        where = make_url(settings.get_settings().database_url).render_as_string(hide_password=True)
        first = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
        err.print(f"[bold red]error:[/] the database {where} does not answer: {first}", highlight=False,
                  soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)



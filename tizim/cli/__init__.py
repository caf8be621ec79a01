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

# Modules that define `register(app)`; a capability not built yet is simply absent.
COMMAND_MODULES = (
    "tizim.registry.commands",
    "tizim.screening.commands",
    "tizim.api.commands",
    "tizim.monitoring.commands",
    "tizim.intel.commands",
    # Commands moved out of the domain packages live here, one module per capability.
    "tizim.cli.customers",
    "tizim.cli.cases",
    "tizim.cli.users",
    "tizim.cli.typologies",
)


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: $TIZIM_DATABASE_URL or a SQLite file)."),
    ] = None,
) -> None:
    if db:
        settings.override(database_url=db)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_all()


def main() -> None:
    try:
        app()
    except TizimError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)



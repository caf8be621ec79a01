"""CLI: `tizim keys create|list|revoke` and `tizim serve`."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tizim.api.keys import ROLES, KeyStore
from tizim.api.serving import BOARD_ENV, create_board
from tizim.output import print_json, print_table

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout, the secret as `key`.")] = False,
) -> None:
    """Create a key; the secret is printed once, alone on the last line (or as `key` with --json)."""
    principal, secret = KeyStore().create(name, role)
    if as_json:  # for provisioning scripts: no line to pick out
        print_json({"id": principal.key_id, "name": principal.name, "role": principal.role, "key": secret})
        return
    typer.echo(
        f"created key {principal.key_id} for {principal.name!r} with role {principal.role}; "
        "it is shown only now:"
    )
    typer.echo(secret)


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
    active: Annotated[bool, typer.Option("--active", help="Only keys not revoked.")] = False,
) -> None:
    """Keys with their role and state (never the secret)."""
    rows = KeyStore().list_keys(include_revoked=not active)
    if as_json:
        print_json(rows)
        return
    print_table(
        "API keys",
        ["id", "name", "role", "prefix", "created", "revoked"],
        [[r["id"], r["name"], r["role"], r["prefix"] + "…", r["created_at"], r["revoked_at"] or ""] for r in rows],
    )


@keys_app.command("revoke")
def keys_revoke(
    ident: Annotated[str, typer.Argument(help="Key id, or a name (revokes its active key).")],
) -> None:
    """Revoke a key; running servers stop accepting it within a few seconds (their cache)."""
    ids = KeyStore().revoke(ident)
    typer.echo(f"revoked key {', '.join(map(str, ids))}")


def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="tizim's per-call log on stderr.")
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    import uvicorn
    import uvicorn.config

    from tizim.settings import get_settings
    from tizim.store import init_db

    # Migrate once here, not racing in every worker.
    init_db()
    # Workers inherit the environment: pass the database chosen with --db on to them.
    os.environ["TIZIM_DATABASE_URL"] = get_settings().database_url
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its counters here so /metrics sums them (see api/metrics.py).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tizim-metrics-")
    board_dir = None
    if workers > 1:
        # Workers share out connections evenly through this board (see api/serving.py).
        board_dir = Path(tempfile.mkdtemp(prefix="tizim-serve-"))
        os.environ[BOARD_ENV] = str(create_board(board_dir))
    # uvicorn re-applies log_config in every worker process, so the call log reaches stderr.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["tizim.api"] = {
        "handlers": ["default"],
        "level": "INFO" if access_log else "WARNING",
        "propagate": False,
    }
    base = f"http://{host}:{port}"
    typer.echo(f"tizim: API {base} (docs {base}/docs), analyst pages {base}/ui", err=True)
    try:
        uvicorn.run(
            "tizim.api.app:create_served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # uvloop (when installed) with connections spread evenly over the workers.
            loop="tizim.api.serving:balanced_loop" if board_dir else "auto",
            log_level=log_level,
            log_config=log_config,
            # tizim.api logs every call itself, with the key name and latency.
            access_log=False,
        )
    finally:
        if board_dir is not None:
            shutil.rmtree(board_dir, ignore_errors=True)
            os.environ.pop(BOARD_ENV, None)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    app.command("serve")(serve)

"""API keys: stored hashed, authenticated, revoked; through the service and the CLI."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tizim.api import keys as keys_module
from tizim.api.auth import role_of_key_name
from tizim.api.keys import KeyStore, Principal
from tizim.api.tables import api_keys
from tizim.cli import app as cli_app
from tizim.errors import InputError, NotFound
from tizim.store import transaction


def test_create_authenticate_revoke(db_url: str) -> None:
    store = KeyStore(db_url)
    principal, secret = store.create("alice", "analyst")
    assert principal == Principal(key_id=principal.key_id, name="alice", role="analyst")
    assert store.authenticate(secret) == principal
    assert store.authenticate(secret + "x") is None

    # Only the sha256 of the secret is stored, never the secret itself.
    with transaction(db_url) as conn:
        row = conn.execute(select(api_keys)).one()
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in row._mapping.values()}

    assert store.revoke("alice") == [principal.key_id]
    # revoke clears this process's cache, so the key stops working at once here.
    assert store.authenticate(secret) is None
    with pytest.raises(NotFound):
        store.revoke("alice")


def test_revocation_reaches_other_processes_within_the_cache_window(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_side, admin_side = KeyStore(db_url), KeyStore(db_url)
    principal, secret = admin_side.create("bob", "screener")
    assert server_side.authenticate(secret) == principal
    admin_side.revoke(str(principal.key_id))
    # Still cached on the "server" for up to CACHE_SECONDS ...
    assert server_side.authenticate(secret) == principal
    # ... and refused once the window has passed (simulated by moving the clock).
    clock = keys_module.time.monotonic() + keys_module.CACHE_SECONDS + 1
    monkeypatch.setattr(keys_module.time, "monotonic", lambda: clock)
    assert server_side.authenticate(secret) is None


def test_names_roles_and_errors(db_url: str) -> None:
    store = KeyStore(db_url)
    store.create("carol", "supervisor")
    assert store.role_of("carol") == "supervisor"
    assert role_of_key_name("carol") == "supervisor"  # the settings' database (db_url)
    assert role_of_key_name("nobody") is None
    with pytest.raises(InputError, match="active key named 'carol'"):
        store.create("carol", "viewer")
    with pytest.raises(InputError, match="unknown role"):
        store.create("dave", "root")
    with pytest.raises(InputError, match="needs a name"):
        store.create("  ", "viewer")
    store.revoke("carol")
    assert store.role_of("carol") is None
    # After revocation the name is free again.
    store.create("carol", "viewer")
    assert store.role_of("carol") == "viewer"


def test_cli_create_list_revoke(db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(cli_app, ["keys", "create", "--role", "screener", "--name", "core-banking"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1].strip()
    assert secret.startswith("tz_") and " " not in secret
    assert KeyStore(db_url).authenticate(secret) is not None

    listed = runner.invoke(cli_app, ["keys", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert secret not in listed.stdout
    assert '"name": "core-banking"' in listed.stdout and '"role": "screener"' in listed.stdout

    revoked = runner.invoke(cli_app, ["keys", "revoke", "core-banking"])
    assert revoked.exit_code == 0, revoked.output
    assert KeyStore(db_url).authenticate(secret) is None
    listed = runner.invoke(cli_app, ["keys", "list", "--active", "--json"])
    assert "core-banking" not in listed.stdout

    bad = runner.invoke(cli_app, ["keys", "create", "--role", "god", "--name", "x"])
    assert bad.exit_code != 0


def test_cli_create_json_gives_the_secret_to_a_script(sqlite_url: str) -> None:
    import json

    created = CliRunner().invoke(cli_app, ["keys", "create", "--role", "analyst", "--name", "aliya", "--json"])
    assert created.exit_code == 0, created.output
    shown = json.loads(created.stdout)
    assert (shown["name"], shown["role"]) == ("aliya", "analyst") and isinstance(shown["id"], int)
    principal = KeyStore(sqlite_url).authenticate(shown["key"])
    assert principal is not None and principal.name == "aliya" and principal.key_id == shown["id"]

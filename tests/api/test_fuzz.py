"""Schemathesis against /openapi.json, with the ASGI app in-process: no input gives a 5xx."""

from __future__ import annotations

from collections import Counter

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import load_fixture_lists
from tests.api.test_authorization import _screening_ready
from tizim.api.app import create_app
from tizim.api.keys import KeyStore

FOREIGN = ("/payments", "/cases", "/ui")  # other packages fuzz their own endpoints


def test_no_server_errors(sqlite_url: str) -> None:
    load_fixture_lists()
    # An admin key reaches every endpoint; the fuzzer may revoke it, which must give 401s.
    key = KeyStore().create("fuzz-admin", "admin")[1]
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    exercised = []
    statuses: Counter[int] = Counter()
    with TestClient(app):
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith(FOREIGN):
                continue
            if operation.path.startswith(("/match", "/screen")) and not _screening_ready():
                continue

            @given(case=operation.as_strategy())
            @settings(
                max_examples=20,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

            run()
            exercised.append(f"{operation.method.upper()} {operation.path}")
    assert len(exercised) >= 12, exercised
    # The fuzzer got past authentication, not only 401s.
    assert sum(n for status, n in statuses.items() if status < 300) > 50, statuses

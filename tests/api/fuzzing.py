"""Schemathesis over /openapi.json with every check, in-process (the test and bench/hostile_corpus.py).

Every operation of the document is generated from its schema and sent with an admin key;
each response runs every schemathesis check. A 5xx or a response that breaks the document
(an undocumented status or content type, a body or header against its schema) is a failure.
The one kind reported but not failed: a request the schema allows and the API refuses with a
named 4xx ("positive data rejected": the document is looser than the API's own checks, e.g.
an empty batch of queries), which breaks no response schema.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
import schemathesis.checks
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tizim.api.app import create_app
from tizim.api.keys import KeyStore

# Reported, not failed: see the module docstring.
LOOSER_SCHEMA = frozenset({"RejectedPositiveData"})


@dataclass
class FuzzRun:
    requests: int = 0
    operations: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # "<check failure> <METHOD path>"
    samples: dict[str, str] = field(default_factory=dict)

    def failed(self) -> dict[str, int]:
        return {k: n for k, n in self.failures.items() if k.split(" ", 1)[0] not in LOOSER_SCHEMA}

    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        looser = sum(n for k, n in self.failures.items() if k.split(" ", 1)[0] in LOOSER_SCHEMA)
        return (f"{self.requests} requests over {len(self.operations)} operations, {self.server_errors()} 5xx, "
                f"{sum(self.failed().values())} schema-violating responses, {looser} schema-valid requests "
                f"refused with a 4xx; statuses {dict(sorted(self.statuses.items()))}")


def run(max_examples: int, skip: tuple[str, ...] = ()) -> FuzzRun:
    """Fuzz every operation against the database the settings name (already migrated)."""
    key = KeyStore().create("fuzz-admin", "admin")[1]
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks: Any = schemathesis.checks.CHECKS.get_all()
    out = FuzzRun()
    with TestClient(app):
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # an invalid operation raises here
            label = f"{operation.method.upper()} {operation.path}"
            if operation.path.startswith(skip):
                continue

            @given(case=operation.as_strategy())
            @settings(max_examples=max_examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case: schemathesis.Case) -> None:
                label = f"{case.operation.method.upper()} {case.operation.path}"
                response = case.call(headers=headers)
                out.requests += 1
                out.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - each check failure is counted
                    for failure in getattr(exc, "exceptions", [exc]):
                        name = f"{type(failure).__name__} {label}"
                        out.failures[name] += 1
                        out.samples.setdefault(name, f"{response.status_code} {str(failure)[:400]}")

            call()
            out.operations.append(label)
    return out

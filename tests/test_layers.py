"""Data flows one way (sources -> registry -> screening -> customers / monitoring -> cases ->
faces), and the domain knows no CLI or HTTP: checked on the source's imports, so a command
written into a domain package, or a registry that reaches for the screener, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TIZIM = Path(__file__).resolve().parents[1] / "tizim"
FACES = {"cli", "api", "web"}
FRAMEWORKS = {"typer", "click", "fastapi", "starlette", "uvicorn", "jinja2"}
DOMAIN = ("registry", "screening", "customers", "monitoring", "typologies", "intel")
# what each layer must not import: everything downstream of it
DOWNSTREAM = {
    "registry": {"screening", "customers", "monitoring", "typologies", "intel"},
    "screening": {"customers", "monitoring", "typologies", "intel"},
}


def imports_of(package: str) -> list[tuple[str, str]]:
    """(module imported, file:line) for every import in a package of tizim, the
    function-level ones included (a late import is still a dependency)."""
    found = []
    for path in sorted((TIZIM / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            found += [(name, f"{path.relative_to(TIZIM.parent)}:{node.lineno}") for name in names]
    return found


@pytest.mark.parametrize("package", DOMAIN)
def test_the_domain_knows_no_cli_or_http(package: str) -> None:
    wrong = [(name, where) for name, where in imports_of(package)
             if name.split(".")[0] in FRAMEWORKS
             or (name.startswith("tizim.") and name.split(".")[1] in FACES)]
    assert wrong == [], f"{package} imports a face of tizim or its framework: {wrong}"


@pytest.mark.parametrize("package", sorted(DOWNSTREAM))
def test_nothing_flows_upstream(package: str) -> None:
    wrong = [(name, where) for name, where in imports_of(package)
             if name.startswith("tizim.") and name.split(".")[1] in DOWNSTREAM[package]]
    assert wrong == [], f"{package} imports what sits downstream of it: {wrong}"


def test_the_check_sees_imports_inside_functions() -> None:
    """The CLI's modules import the domain, some inside their commands: the walk finds them."""
    found = {name for name, _ in imports_of("cli")}
    assert {"typer", "tizim.customers.book", "tizim.screening.engine"} <= found

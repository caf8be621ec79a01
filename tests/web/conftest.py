"""Fixtures for the page tests: a database holding the demo list, keys for each role, and a
TestClient signed in (through the real sign-in form) as one of them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tizim import settings
from tizim.registry.model import Citation, Entity, ParsedList, Relationship
from tizim.registry.service import Registry
from tizim.web.accounts import Accounts

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "demo_list.json"
ROLES = ("viewer", "screener", "analyst", "supervisor", "admin")

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def load_demo_list(url: str | None = None) -> None:
    """Import every version of the demo list, in order, through the registry service."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    registry = Registry(url)
    for version in data["versions"]:
        registry.import_parsed(
            ParsedList(
                list_name=data["list"],
                title=data["title"],
                publisher=data["publisher"],
                # a sanctions list: a designated match on it freezes (registry/kinds.py)
                kind="sanctions",
                source_file=version["source_file"],
                file_hash=version["file_hash"],
                published_at=version["published_at"],
                entities=[Entity.from_dict(e) for e in version["entities"]],
                relationships=[
                    Relationship(
                        kind=r["kind"],
                        source_id=r["source_id"],
                        target_id=r["target_id"],
                        start_date=r.get("start_date"),
                        citation=Citation.from_dict(r.get("citation")),
                    )
                    for r in version["relationships"]
                ],
            ),
            # Version 2 delists one of three entries on purpose (the diff the pages show).
            allow_shrink=True,
        )


def password_of(name: str) -> str:
    return f"{name}-password-1"


def create_users(url: str | None = None) -> dict[str, tuple[str, str]]:
    """One user per role, named after the role (plus a second supervisor);
    role -> (user name, password)."""
    accounts = Accounts(url)
    users: dict[str, tuple[str, str]] = {}
    for key, role in [*((r, r) for r in ROLES), ("supervisor2", "supervisor")]:
        name = f"{key}-user"
        accounts.create(name, role, password_of(name))
        users[key] = (name, password_of(name))
    return users


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


@pytest.fixture
def demo_db(sqlite_url: str) -> str:
    load_demo_list()
    return sqlite_url


@pytest.fixture
def users(demo_db: str) -> dict[str, tuple[str, str]]:
    return create_users()


@pytest.fixture
def client(demo_db: str) -> Iterator[TestClient]:
    from tizim.api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def sign_in(client: TestClient, user: tuple[str, str]) -> None:
    """Sign in through the real form: name and password."""
    form = client.get("/ui/login")
    assert form.status_code == 200
    response = client.post(
        "/ui/login",
        data={"csrf": csrf_of(form.text), "username": user[0], "password": user[1], "next": "/ui/lists"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def signed_in(client: TestClient, users: dict[str, tuple[str, str]]) -> Callable[[str], TestClient]:
    """`signed_in("analyst")` signs the client in as that role's user and returns it."""

    def as_role(role: str) -> TestClient:
        client.cookies.clear()
        sign_in(client, users[role])
        return client

    return as_role


PAYMENTS = FIXTURE.parent / "payments.jsonl"


def load_payments(url: str | None = None) -> dict[str, object]:
    """Decide the fixture payments with the monitoring package (one is frozen)."""
    from tizim.monitoring.runner import run_file

    return run_file(PAYMENTS, url=url)


@pytest.fixture(autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its cheapest profile in tests (the same code; the default costs ~1 s a hash
    on a busy two-core machine, and every test signs several people in)."""
    settings.override(password_profile="CHEAPEST")
    yield


def freeze_customer_by_list_update() -> str:
    """The fixture customer book, screened; then a list update designates one of its
    customers: the import itself re-screens the book and freezes her accounts. Her id."""
    from tizim.customers.book import CustomerBook
    from tizim.customers.rescreen import install
    from tizim.customers.screen import screen_book
    from tizim.registry.model import Designation

    install()
    CustomerBook().import_file(FIXTURE.parents[1] / "customers" / "book.csv")
    screen_book()
    person = Entity(id="web-update-person-1", schema="Person")
    person.add_name("Aigul Nurlanova")
    person.add_name("Айгүл Серікқызы Нұрланова", kind="alias")
    person.birth_dates = ["1988-11-02"]
    person.designations = [Designation(list_name="web-update", reference="WU-001", listed_on="2026-11-30",
                                       authority="Demo authority")]
    Registry().import_parsed(ParsedList(list_name="web-update", title="Demo update", publisher="demo",
                                        source_file="web-update.json", file_hash="web-update-1",
                                        published_at="2026-11-30", entities=[person], relationships=[],
                                        kind="sanctions"))
    return "C002"

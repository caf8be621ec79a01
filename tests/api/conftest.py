"""API test fixtures: a small two-version list, one key per role, a TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tizim.api.app import create_app
from tizim.api.keys import ROLES, KeyStore
from tizim.registry.model import (
    Citation,
    Designation,
    DesignationEvent,
    Entity,
    Identifier,
    ParsedList,
    Relationship,
)
from tizim.registry.service import Registry

LIST = "test-national"


def _designation(ref: str, listed: str, delisted: str | None = None) -> Designation:
    return Designation(
        list_name=LIST,
        reference=ref,
        authority="Supreme Court of the Republic of Kazakhstan",
        legal_basis="Decision of the court",
        listed_on=listed,
        delisted_on=delisted,
        citation=Citation(source="tests/fixtures/api", record=ref, quote=f"{ref} was banned"),
        events=[DesignationEvent(action="added", date=listed, authority="Supreme Court")],
    )


def build_list(version: int) -> ParsedList:
    """Version 1 has three organisations and a leader; version 2 adds one and changes one."""
    movement = Entity(id="tn-001", schema="Organization", countries=["uz"])
    movement.add_name("Islamic Movement of Turkestan")
    movement.add_name("Исламское движение Туркестана", kind="alias")
    movement.designations.append(_designation("TN-1", "2006-03-15"))

    party = Entity(id="tn-002", schema="Organization", countries=["kz", "ru"])
    party.add_name("Northern Liberation Front")
    party.designations.append(_designation("TN-2", "2005-10-15"))

    leader = Entity(
        id="tn-003",
        schema="Person",
        birth_dates=["1962-04-01"],
        nationalities=["uz"],
        identifiers=[Identifier(type="passport", value="AA1234567", country="uz")],
    )
    leader.add_name("Tahir Karimovich Yuldashev")
    leader.add_name("Тахир Юлдашев", kind="alias")
    leader.designations.append(_designation("TN-3", "2006-03-15"))

    vessel = Entity(id="tn-004", schema="Vessel", properties={"imoNumber": ["9123456"]})
    vessel.add_name("Sea Falcon")
    vessel.designations.append(_designation("TN-4", "2008-01-01"))

    entities = [movement, party, leader, vessel]
    if version >= 2:
        party.add_name("NLF", kind="alias")  # a changed entity
        fund = Entity(id="tn-005", schema="Organization", countries=["kz"])
        fund.add_name("Crescent Relief Fund")
        fund.designations.append(_designation("TN-5", "2010-05-20"))
        entities.append(fund)
    return ParsedList(
        list_name=LIST,
        source_file=f"tests/fixtures/api/test-national-v{version}.yaml",
        file_hash=f"fixture-v{version}",
        title="Test national list",
        publisher="tizim tests",
        published_at="2006-04-01" if version == 1 else "2010-06-01",
        entities=entities,
        relationships=[
            Relationship(
                kind="leader_of",
                source_id="tn-003",
                target_id="tn-001",
                citation=Citation(source="tests/fixtures/api", record="TN-3"),
            )
        ],
    )


def load_fixture_lists(url: str | None = None) -> None:
    registry = Registry(url)
    registry.import_parsed(build_list(1))
    registry.import_parsed(build_list(2))


@dataclass
class ApiEnv:
    client: TestClient
    keys: dict[str, str]

    def headers(self, role: str | None, scheme: str = "Bearer") -> dict[str, str]:
        return {"Authorization": f"{scheme} {self.keys[role]}"} if role else {}


@pytest.fixture
def api(sqlite_url: str) -> Iterator[ApiEnv]:
    """The app over a SQLite database holding the fixture list, with a key per role."""
    load_fixture_lists()
    store = KeyStore()
    keys = {role: store.create(f"user-{role}", role)[1] for role in ROLES}
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield ApiEnv(client=client, keys=keys)

"""Small hand-made lists for screening tests (names as the real lists spell them)."""

from __future__ import annotations

import pytest

from tizim.registry.model import Designation, Entity, Identifier, Name, Relationship
from tizim.screening import Screener


def ent(eid: str, schema: str, names: list[str], lst: str, ref: str, *, weak: list[str] | None = None,
        dob: list[str] | None = None, nat: list[str] | None = None,
        ids: list[tuple[str, str]] | None = None, designated: bool = True) -> Entity:
    e = Entity(id=eid, schema=schema)
    for i, n in enumerate(names):
        e.names.append(Name(full=n, kind="primary" if i == 0 else "alias"))
    for n in weak or []:
        e.names.append(Name(full=n, kind="weak_alias"))
    e.birth_dates = list(dob or [])
    e.nationalities = list(nat or [])
    e.identifiers = [Identifier(type=t, value=v) for t, v in ids or []]
    if designated:
        e.designations = [Designation(list_name=lst, reference=ref)]
    return e


def sample_entities() -> list[Entity]:
    return [
        ent("un-sc:QDe.010", "Organization", ["ISLAMIC MOVEMENT OF UZBEKISTAN", "IMU"], "un-sc", "QDe.010"),
        ent("us-ofac-sdn:6725", "Organization", ["ISLAMIC MOVEMENT OF UZBEKISTAN"], "us-ofac-sdn", "6725"),
        ent("un-sc:QDe.119", "Organization", ["ISLAMIC JIHAD GROUP", "Islamic Jihad Group of Uzbekistan"],
            "un-sc", "QDe.119"),
        ent("us-ofac-sdn:4701", "Organization", ["KURDISTAN WORKERS' PARTY", "Partiya Karkeren Kurdistani"],
            "us-ofac-sdn", "4701"),
        ent("kz:7", "Organization", ["Hizb ut-Tahrir al-Islami"], "kz-fixture", "7"),
        ent("kz:8", "Organization", ["Jamaat of Central Asian Mujahideen"], "kz-fixture", "8"),
        ent("un-sc:QDi.006", "Person", ["AIMAN MUHAMMED RABI AL-ZAWAHIRI", "Ayman al-Zawahiri",
                                        "Ahmad Fuad Salim"], "un-sc", "QDi.006",
            weak=["Abu Fatima"], dob=["1951-06-19"], nat=["eg"]),
        ent("us-ofac-sdn:2676", "Person", ["AL-ZAWAHIRI, Dr. Ayman"], "us-ofac-sdn", "2676",
            dob=["1951-06-19"]),
        ent("un-sc:QDi.421", "Person", ["HAMZA USAMA MUHAMMAD BIN LADEN"], "un-sc", "QDi.421",
            dob=["1989-05-09"], nat=["sa"]),
        ent("un-sc:QDi.100", "Person", ["Abd al-Rahman Muhammad Jaffar Ali"], "un-sc", "QDi.100",
            dob=["1966"], ids=[("passport", "A1234567")]),
        ent("kz:p1", "Person", ["Жұмабек Қайратұлы Сейітқалиев", "Zhumabek Kairatuly Seitkaliyev"],
            "kz-fixture", "P1", dob=["1985-03-02"], ids=[("iin", "850302300123")]),
        ent("us-ofac-sdn:9001", "Vessel", ["ZAWAHIRI STAR"], "us-ofac-sdn", "9001",
            ids=[("imo", "9187629")]),
        ent("kz:rel1", "Organization", ["Nurly Zhol Trading"], "kz-fixture", "R1", designated=False),
        ent("un-sc:QDi.200", "Person", ["Mohammed Ahmed Hassan"], "un-sc", "QDi.200", dob=["1970"]),
        ent("uk:AQD0001", "Person", ["Aiman Muhammed Rabi al-Zawahiri"], "uk", "AQD0001",
            dob=["1951-06-19"]),
    ]


def sample_relationships() -> list[Relationship]:
    return [Relationship(kind="same_as", source_id="uk:AQD0001", target_id="un-sc:QDi.006")]


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener.from_entities(
        sample_entities(), [(r.source_id, r.target_id) for r in sample_relationships()]
    )

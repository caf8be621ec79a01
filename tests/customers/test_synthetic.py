"""The synthetic customer book: valid identifiers, determinism, planted listed persons, files."""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tizim.customers.identifiers import iban_is_valid, iin_info, iin_is_valid
from tizim.customers.synthetic import (
    COLUMNS,
    VARIANTS,
    designated_persons,
    generate,
    listed_from_registry,
    patronymic_ru,
    spell,
    to_cyrillic,
    to_latin,
    write_book,
)

LISTED = [
    {"entity_id": "un-1", "name": "AIMAN MUHAMMED RABI AL-ZAWAHIRI",
     "aliases": ["Ayman Al-Zawahari", "Abu Fatma"], "schema": "Person",
     "birth_dates": ["1951-06-19"], "nationalities": ["eg"]},
    {"entity_id": "un-2", "name": "Abu Bakr AL-BAGHDADI", "aliases": [], "schema": "Person",
     "birth_dates": ["1971"], "nationalities": ["iq"]},
    {"entity_id": "un-3", "name": "HARAKAT AL-SHABAAB AL-MUJAHIDIN", "aliases": ["Al-Shabaab"],
     "schema": "Organization", "birth_dates": []},
]
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def book() -> list[dict[str, Any]]:
    return list(generate(5000, seed=11, planted=30, listed=LISTED))


def test_ids_types_and_shape(book: list[dict[str, Any]]) -> None:
    assert [r["customer_id"] for r in book] == [f"C{i:07d}" for i in range(1, 5001)]
    for record in book:
        assert set(COLUMNS) <= set(record) <= set(COLUMNS) | {"_planted_entity", "_planted_variant"}
        assert record["type"] in ("person", "organization")
        assert record["name"] and record["name"] == record["name"].strip()
    orgs = sum(r["type"] == "organization" for r in book)
    assert 350 < orgs < 650  # orgs_share 0.1 of 5,000


def test_identifiers_are_valid_and_agree_with_the_record(book: list[dict[str, Any]]) -> None:
    iins = [r["id_number"] for r in book if len(r["id_number"]) == 12]
    assert len(iins) > 4000
    assert len(set(iins)) == len(iins)  # no two customers share an IIN/BIN
    for record in book:
        number = record["id_number"]
        if record["country"] == "KZ" and "_planted_entity" not in record:
            assert iin_is_valid(number), record
        if len(number) != 12:  # a passport number
            continue
        info = iin_info(number)
        assert info is not None, number
        assert info.kind == record["type"]
        if info.kind == "person" and len(record["birth_date"]) == 10:
            assert info.birth_date == date.fromisoformat(record["birth_date"])
        if info.kind == "person" and len(record["birth_date"]) == 4:
            assert info.birth_date is not None and info.birth_date.year == int(record["birth_date"])


def test_accounts_are_valid_unique_kazakh_ibans(book: list[dict[str, Any]]) -> None:
    accounts = [a for r in book for a in r["accounts"]]
    assert all(1 <= len(r["accounts"]) <= 3 for r in book)
    assert len(set(accounts)) == len(accounts)
    assert all(a.startswith("KZ") and len(a) == 20 and iban_is_valid(a) for a in accounts)
    assert {len(r["accounts"]) for r in book} == {1, 2, 3}


def test_owners_and_directors_are_persons_of_the_book_or_names(book: list[dict[str, Any]]) -> None:
    kinds = {r["customer_id"]: r["type"] for r in book}
    by_id = 0
    for record in book:
        if record["type"] == "person":
            assert record["owners"] == [] and record["directors"] == []
            continue
        assert record["owners"] and record["directors"]
        shares = []
        for owner in record["owners"]:
            m = re.fullmatch(r"(.+) \((\d+)%\)", owner)
            assert m, owner
            shares.append(int(m.group(2)))
            if re.fullmatch(r"C\d{7}", m.group(1)):
                assert kinds[m.group(1)] == "person"
                assert m.group(1) < record["customer_id"]
                by_id += 1
        assert sum(shares) == 100
    assert by_id > 200


def test_names_in_every_script_and_common_names_recur(book: list[dict[str, Any]]) -> None:
    persons = [r for r in book if r["type"] == "person" and "_planted_entity" not in r]
    names = [r["name"] for r in persons]
    kazakh = sum(bool(_KAZAKH_LETTERS.search(n)) for n in names)
    cyrillic = sum(bool(_CYRILLIC.search(n)) for n in names)
    han = sum(bool(_HAN.search(n)) for n in names)
    latin = sum(n.isascii() for n in names)
    assert cyrillic > 0.7 * len(names) and kazakh > 0.2 * len(names)
    assert han > 0.02 * len(names) and latin > 0.04 * len(names)
    # Chinese customers carry their pinyin; most Cyrillic ones a Latin passport spelling.
    assert all(any(a.isascii() for a in r["aliases"]) for r in persons if _HAN.search(r["name"]))
    assert sum(any(a.isascii() for a in r["aliases"]) for r in persons if _CYRILLIC.search(r["name"])) > 0.5 * cyrillic
    # Russian and Kazakh patronymics, gendered family names.
    assert any(n.lower().endswith(("ович", "евич")) for n in names)
    assert any(n.lower().endswith(("овна", "евна")) for n in names)
    assert any(n.lower().endswith(("ұлы", "улы")) for n in names)
    assert any(n.lower().endswith(("қызы", "кызы")) for n in names)
    firsts = Counter(n.split()[1] for n in names if _CYRILLIC.search(n) and len(n.split()) > 1)
    assert firsts.most_common(1)[0][1] >= 20  # the commonest given name recurs
    assert len(firsts) > 300
    dates = [r["birth_date"] for r in persons]
    assert sum(len(d) == 4 for d in dates) > 0 and sum(len(d) == 10 for d in dates) > 0.9 * len(dates)


def test_same_seed_same_book_other_seed_other_book() -> None:
    first = list(generate(500, seed=3, planted=5, listed=LISTED))
    again = list(generate(500, seed=3, planted=5, listed=LISTED))
    other = list(generate(500, seed=4, planted=5, listed=LISTED))
    assert first == again
    assert [r["name"] for r in first] != [r["name"] for r in other]
    assert not {a for r in first for a in r["accounts"]} & {a for r in other for a in r["accounts"]}


def test_planted_records(book: list[dict[str, Any]]) -> None:
    planted = [r for r in book if "_planted_entity" in r]
    assert len(planted) == 30
    by_id = {e["entity_id"]: e for e in LISTED}
    assert {r["_planted_entity"] for r in planted} == set(by_id)
    assert {r["_planted_variant"] for r in planted} <= set(VARIANTS)
    assert len({r["_planted_variant"] for r in planted}) >= 4
    for record in planted:
        entry = by_id[record["_planted_entity"]]
        assert record["type"] == ("person" if entry["schema"] == "Person" else "organization")
        if entry["entity_id"] == "un-1":
            assert record["birth_date"] == "1951-06-19" and record["nationality"] == "EG"
        if entry["entity_id"] == "un-2":
            assert record["birth_date"] == "1971"
        if record["_planted_variant"] == "cyrillic":
            assert _CYRILLIC.search(record["name"])


def test_spellings() -> None:
    rng = random.Random(0)
    entry = LISTED[0]
    words = entry["name"].split()
    assert spell(rng, entry, "swapped")[1].split() == [words[-1], *words[:-1]]
    dropped = spell(rng, entry, "dropped")[1].split()
    assert len(dropped) == 3 and dropped[0] == words[0] and dropped[-1] == words[-1]
    typo = spell(rng, entry, "typo")[1]
    assert typo != entry["name"] and abs(len(typo) - len(entry["name"])) <= 1
    assert spell(rng, entry, "alias")[1] in entry["aliases"]
    assert spell(rng, entry, "cyrillic")[1] == "Айман Мухаммед Раби Аль-Зауахири"
    # "FAMILY, Given" as lists write it is read as "Given FAMILY"
    assert spell(rng, {"name": "KIM, Jong Un", "entity_id": "x"}, "swapped")[1] == "KIM Jong Un"
    # a variant the name cannot take falls back to one it can
    variant, name = spell(rng, {"name": "Tom", "entity_id": "x"}, "dropped")
    assert variant == "as_listed" and name.lower() == "tom" or variant == "cyrillic"


def test_designated_persons_and_their_cyrillic_spellings() -> None:
    persons = designated_persons(200, seed=5)
    assert persons == designated_persons(200, seed=5)
    assert len({p["iin"] for p in persons}) == 200
    for p in persons:
        info = iin_info(p["iin"])
        assert info is not None and info.birth_date == date.fromisoformat(p["birthdate"])
        assert info.sex == p["sex"]
        assert p["lname"].isupper() and _CYRILLIC.search(p["lname"])
        assert not _KAZAKH_LETTERS.search(p["lname"] + p["fname"])  # Russian letters, as the AFM writes
    p = persons[0]
    entry = {"entity_id": "kz-afm-x", "name": f"{p['lname']} {p['fname']} {p['mname']}",
             "birth_dates": [p["birthdate"]], "id_numbers": [p["iin"]], "nationalities": ["kz"]}
    rng = random.Random(1)
    assert spell(rng, entry, "swapped")[1] == f"{p['fname']} {p['mname']} {p['lname']}"
    assert spell(rng, entry, "dropped")[1] == f"{p['lname']} {p['fname']}"
    latin = spell(rng, entry, "latin")[1]
    assert latin.isascii() and latin.isupper()
    assert spell(rng, entry, "cyrillic")[0] != "cyrillic"  # a Cyrillic name is not transliterated to itself
    # planted with the list's IIN most of the time, as the bank holds the person's real one
    records = [r for r in generate(400, seed=2, planted=40, listed=[entry]) if "_planted_entity" in r]
    assert sum(r["id_number"] == p["iin"] for r in records) > 10


def test_transliteration_and_patronymics() -> None:
    assert to_latin("Жанабаев Ерлан Юрьевич") == "Zhanabaev Erlan Iurevich"  # ICAO 9303
    assert to_latin("Жанабаев Ерлан", "popular") == "Zhanabayev Yerlan"
    assert to_latin("Қасымов Әсел") == "Kasymov Asel"
    assert to_latin("Холматов", "uzbek") == "Xolmatov"
    assert to_cyrillic("Khalid Sheikh Mohammed") == "Халид Шейх Мохаммед"
    assert patronymic_ru("Сергей", "M") == "Сергеевич"
    assert patronymic_ru("Илья", "F") == "Ильинична"
    assert patronymic_ru("Серік", "M") == "Серикович"
    assert patronymic_ru("Абдулла", "F") == "Абдуллаевна"


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        list(generate(5, planted=6, listed=LISTED))
    with pytest.raises(ValueError):
        list(generate(5, planted=1))
    with pytest.raises(ValueError):
        list(generate(5, orgs_share=1.5))


def test_write_csv_and_truth(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    truth = write_book(path, 800, seed=2, planted=12, listed=LISTED)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 801
    on_disk = json.loads((tmp_path / "book.csv.truth.json").read_text(encoding="utf-8"))
    assert on_disk == truth
    assert len(truth["planted"]) == 12 and truth["customers"] == 800
    assert truth["persons"] + truth["organizations"] == 800
    rows_by_id = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    for item in truth["planted"]:
        assert rows_by_id[item["customer_id"]]["name"] == item["name"]
    sample = next(r for r in rows_by_id.values() if len(r["accounts"].split(";")) == 3)
    assert all(iban_is_valid(a) for a in sample["accounts"].split(";"))


def test_written_books_pass_the_importers_checks(tmp_path: Path) -> None:
    """Every record of a CSV and a JSONL book is accepted by the customer file reader."""
    from tizim.customers.model import parse_customer, read_records

    for fmt in ("csv", "jsonl"):
        path = tmp_path / f"book.{fmt}"
        write_book(path, 1500, seed=9, planted=10, listed=LISTED, fmt=fmt)
        count = 0
        for line, raw in read_records(path):
            customer = parse_customer(raw, {"file": str(path), "line": line})
            assert "_planted_entity" not in raw
            count += 1 if customer.name else 0
        assert count == 1500


def test_listed_from_registry(db_url: str) -> None:
    from tizim.registry.importers import load
    from tizim.registry.service import Registry

    Registry(db_url).import_parsed(load(FIXTURES / "registry" / "un" / "un_small.xml"))
    listed = listed_from_registry(db_url, 10, seed=1, lists=["un-sc"])
    assert listed and all(e["schema"] == "Person" for e in listed)
    assert {"entity_id", "name", "aliases", "schema", "birth_dates"} <= set(listed[0])
    assert listed == listed_from_registry(db_url, 10, seed=1, lists=["un-sc"])
    zawahiri = next(e for e in listed if "ZAWAHIRI" in e["name"])
    assert zawahiri["birth_dates"] == ["1951-06-19"] and "Ayman Al-Zawahari" in zawahiri["aliases"]
    assert "Abu Fatma" not in zawahiri["aliases"]  # a weak alias (a kunya) is no name to plant
    default = listed_from_registry(db_url, 1000, seed=1)  # the sanctions lists, or every list
    assert {e["entity_id"] for e in listed} <= {e["entity_id"] for e in default}
    records = list(generate(50, seed=1, planted=5, listed=listed))
    assert sum("_planted_entity" in r for r in records) == 5


def test_cli_generate(tmp_path: Path) -> None:
    import typer

    from tizim.cli.customers_generate import add_generate_command

    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group with two commands keeps `generate` a subcommand
    add_generate_command(app)
    out = tmp_path / "book.jsonl"
    result = CliRunner().invoke(app, ["generate", str(out), "--count", "300", "--seed", "4", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["customers"] == 300 and summary["planted"] == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300 and json.loads(lines[0])["customer_id"] == "C0000001"
    assert (tmp_path / "book.jsonl.truth.json").exists()
    bad = CliRunner().invoke(app, ["generate", str(tmp_path / "book.txt")])
    assert bad.exit_code != 0

"""The delta rescreen's candidate filter loses nothing: on a synthetic book, what a list version
freezes through `rescreen_book` is what matching every customer against the new entries finds."""

from __future__ import annotations

from pathlib import Path

from tests.monitoring.helpers import load_list
from tizim.customers.book import CustomerBook
from tizim.customers.matching import jobs_for, match_local
from tizim.customers.model import parse_customer
from tizim.customers.rescreen import install
from tizim.customers.screen import screen_book
from tizim.customers.synthetic import designated_persons, generate
from tizim.registry.service import Registry
from tizim.screening import Screener, get_screener
from tizim.settings import get_settings


def test_delta_finds_what_the_whole_book_would(sqlite_url: str, tmp_path: Path) -> None:
    install()  # as the CLI and the API do: every list import re-screens the book
    load_list()
    persons = designated_persons(40, seed=3)
    new = {f"afm-{i}": ("Person", f"{p['lname']} {p['fname']} {p['mname']}".strip(), []) for i, p in enumerate(persons)}
    listed = [{"entity_id": eid, "name": name, "aliases": [], "schema": "Person",
               "birth_dates": [persons[i]["birthdate"]]} for i, (eid, (_, name, _)) in enumerate(new.items())]
    records = [{k: v for k, v in r.items() if not k.startswith("_")}
               for r in generate(1500, seed=11, planted=30, listed=listed)]
    customers = [parse_customer(r, {"record": r["customer_id"]}) for r in records]
    CustomerBook().upsert(customers, source="synthetic")
    screen_book(workers=1)

    result = load_list(new)  # version 2: the 40 new persons; the import re-screens the book
    delta = {(c["customer_id"], m["entity_id"]) for c in CustomerBook().list(limit=5000, matches=True)
             for m in c["matches"] if m["entity_id"] in new and m["via"] == "name"}
    # the reference: every customer against the new entries, no candidate filter
    entities = [e for e in Registry().iter_entities(lists=["test-list"]) if e.id in new]
    small = Screener.from_entities(entities, weights_from=get_screener())
    jobs = [j for c in customers for j in jobs_for(c, set()) if j.via == "name"]
    floor = get_settings().match_threshold
    reference = {(job.customer_id, r["entity_id"]) for job, (found, _) in zip(jobs, match_local(small, jobs, 1),
                                                                                strict=True)
                 for r in found if r["score"] >= floor}
    assert len(reference) >= 20  # the planted persons, found
    assert sorted(delta - reference) == [] and sorted(reference - delta) == []
    report = result.followups["customers"]
    assert report["candidates"] < len(customers) // 2, report  # the filter does filter

"""The seed documents end to end: storage, review, accept, and quality against our fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEEDS
from tizim.intel.patterns import EVENT_KINDS
from tizim.intel.quality import score
from tizim.intel.service import Intel
from tizim.registry.service import Registry


def _seeds() -> list[Path]:
    paths = sorted(SEEDS.glob("0*.txt")) if SEEDS.exists() else []
    if len(paths) < 2:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the seed documents in {SEEDS} are missing")
        pytest.skip(f"seed documents not present in {SEEDS}")
    return paths


def test_seed_quality_and_review(db_url: str) -> None:
    service = Intel(db_url)
    for path in _seeds():
        assert service.ingest(path, link=False)["created"]
        assert not service.ingest(path, link=False)["created"]  # identical file: nothing new
    facts = service.facts()
    assert all(f["citation"]["sentence"] for f in facts)
    result = score(facts, FIXTURES / "intel" / "expected_facts.json")
    assert result["designation"]["precision"] >= 0.9 and result["designation"]["recall"] >= 0.9
    assert result["relationship"]["precision"] >= 0.8 and result["relationship"]["recall"] >= 0.7
    for kind in ("incident", *EVENT_KINDS):  # each kind on its own, extradition included
        assert result[kind]["precision"] >= 0.8 and result[kind]["recall"] >= 0.7, (kind, result[kind])
    andijan = next(f for f in service.facts(kind="attack") if f["numbers"].get("killed") == 187)
    assert andijan["place"] == "Andijan" and "killed_qualifier" not in andijan["numbers"]
    plane = next(f for f in service.facts(kind="attack") if "Boeing" in f["citation"]["sentence"])
    assert plane["place"].startswith("Almaty")

    aum = [f for f in service.facts(kind="designation") if f["subject"] == "Aum Shinrikyo"
           and f["date"] == "2006-11-17"]
    assert len(aum) == 1
    accepted = service.accept(aum[0]["id"])
    entity = Registry(db_url).entity(accepted["outcome"]["entity_id"])
    designation = entity["designations"][0]
    assert designation["list"] == "kz-supreme-court" and designation["listed_on"] == "2006-11-17"
    # The bundled list may already hold the entity with its history; ours is the newest event.
    assert designation["events"][-1]["date"] == "2006-11-17"
    assert "17 November 2006" in designation["events"][-1]["citation"]["quote"]

    tie = next(f for f in service.facts(kind="relationship") if f["action"] == "affiliated_with")
    outcome = service.accept(tie["id"])["outcome"]
    rels = Registry(db_url).entity(outcome["entity_id"])["relationships"]
    assert any(r["kind"] == "affiliated_with" and r["citation"]["quote"] == tie["citation"]["sentence"] for r in rels)

    spurious = service.facts(kind="attack")[-1]
    assert service.reject(spurious["id"])["status"] == "rejected"
    timeline = service.timeline()
    assert [f["date"][:4] for f in timeline] == sorted(f["date"][:4] for f in timeline)
    assert spurious["id"] not in {f["id"] for f in timeline}


def test_statements_collapse_across_documents(db_url: str, tmp_path: Path) -> None:
    service = Intel(db_url)
    texts = {
        "a.md": "# Bans\n\nThe Supreme Court added the Silver Path Movement to its list on 9 July 2009.\n\n"
                "Police detained two men in Pavlodar.\n",
        "b.md": "# News\n\nOn 9 July 2009 the Supreme Court added the Silver Path Movement to the list of "
                "banned organizations.\n\nPolice detained two men in Pavlodar.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        service.ingest(tmp_path / name, link=False)
    added = service.facts(kind="designation")
    assert len(added) == 1 and len(added[0]["ids"]) == 2
    assert [c["title"] for c in added[0]["citations"]] == ["Bans", "News"]
    assert {c["sentence"] for c in added[0]["citations"]} == {
        "The Supreme Court added the Silver Path Movement to its list on 9 July 2009.",
        "On 9 July 2009 the Supreme Court added the Silver Path Movement to the list of banned organizations."}
    # Undated events are never taken for one another; without collapsing every fact shows.
    assert len(service.facts(kind="arrest")) == 2
    assert len(service.facts(kind="designation", collapse=False)) == 2
    service.accept(added[0]["id"])
    assert {f["status"] for f in service.facts(kind="designation", collapse=False)} == {"accepted"}


_DUMP = """
import json, sys
from pathlib import Path
from tizim.intel.documents import load_document
from tizim.intel.extract import extract
out = []
for path in sys.argv[1:]:
    for f in extract(load_document(Path(path)), link=False).facts:
        out.append([f.kind, f.action, f.subject, f.object, f.date, f.place, f.numbers, f.sentence.seq])
print(json.dumps(out, sort_keys=True))
"""


def test_extraction_is_deterministic_across_hash_seeds() -> None:
    """Set and dict order must not leak into facts (places, dates): two interpreters, two seeds."""
    paths = [str(p) for p in _seeds()]
    runs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", _DUMP, *paths], capture_output=True, text=True, env=env,
                              check=True)
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1] and len(runs[0]) > 50

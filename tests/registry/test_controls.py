"""Loading twice changes nothing; versions in publication order; every list has a kind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.registry.test_service import _org, _version
from tizim.cli import app
from tizim.registry.importers import load
from tizim.registry.kinds import kind_from_topics
from tizim.registry.service import Registry

from ..conftest import FIXTURES, shared_file

DEMO = FIXTURES / "registry" / "cli"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_same_file_is_known_by_digest_whatever_its_path(db_url: str) -> None:
    registry = Registry()
    a = [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12")]
    b = a + [_org("2", "Boz Kurt", "2006-10-12")]
    assert registry.import_parsed(_version("hA", a, "2024-05-03")).version == 1
    assert registry.import_parsed(_version("hB", b, "2025-01-10")).version == 2
    # the older file again, from another folder: the same version, nothing new
    again = _version("hA", a, "2024-05-03")
    again.source_file = "/elsewhere/copy-of-demo.yaml"
    result = registry.import_parsed(again)
    assert not result.created and result.version == 1
    assert len(registry.versions("demo")) == 2
    assert {e.id for e in registry.iter_entities()} >= {"demo-1", "demo-2"}


def test_older_snapshot_is_history_never_current(db_url: str) -> None:
    registry = Registry()
    both = [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12"), _org("2", "Boz Kurt", "2006-10-12")]
    registry.import_parsed(_version("new", both, "2025-01-10"))
    older = registry.import_parsed(_version("old", both[:1], "2021-07-01"))
    assert older.history and not older.created and older.added == older.removed == 0
    versions = registry.versions("demo")
    assert [(v["version"], v["history"]) for v in versions] == [(1, False), (2, True)]
    summary = {r["name"]: r for r in registry.summary()}["demo"]
    assert summary["latest_version"] == 1 and summary["published_at"] == "2025-01-10"
    assert summary["entities"] == 2  # Boz Kurt was not "removed" by the older file
    # recognised again by its digest: still history, still one row
    assert registry.import_parsed(_version("old", both[:1], "2021-07-01")).history
    assert len(registry.versions("demo")) == 2
    # a newer file after it becomes current
    newer = registry.import_parsed(_version("newer", both[:1], "2025-06-01"), allow_shrink=True)
    assert newer.created and newer.removed == 1


EXTRA = """  - reference: "3"
    schema: Organization
    names:
      - {name: Aum Shinrikyo, kind: primary}
    designation:
      listed_on: 2006-11-17
      citation: {source: demo.txt, quote: "The court banned Aum Shinrikyo."}
"""


def test_bootstrap_twice_imports_nothing(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for folder in ("old", "new"):
        (data / folder).mkdir(parents=True)
    v1 = (DEMO / "demo_v1.yaml").read_text(encoding="utf-8")
    # the newer snapshot sorts first by path: the file dates order them
    (data / "new" / "demo.yaml").write_text(v1 + EXTRA, encoding="utf-8")
    (data / "old" / "demo.yaml").write_text(v1, encoding="utf-8")
    os.utime(data / "old" / "demo.yaml", (1_600_000_000, 1_600_000_000))
    os.utime(data / "new" / "demo.yaml", (1_700_000_000, 1_700_000_000))
    run("bootstrap", "--data-dir", str(data))
    before = Registry().versions("demo-national")
    assert [(v["version"], v["added"], v["removed"], v["history"]) for v in before] == [
        (1, 2, 0, False), (2, 1, 0, False)]
    out = run("bootstrap", "--data-dir", str(data))
    assert "demo-national: unchanged (version 1)" in out and "demo-national: unchanged (version 2)" in out
    assert Registry().versions("demo-national") == before
    # a copy of the older file elsewhere: the same version (recognised by its digest)
    (data / "copy").mkdir()
    shutil.copy(data / "old" / "demo.yaml", data / "copy" / "older.yaml")
    run("bootstrap", "--data-dir", str(data))
    assert Registry().versions("demo-national") == before


def test_list_kinds_at_import_and_shown(db_url: str, tmp_path: Path) -> None:
    run("lists", "import", str(DEMO / "demo_v1.yaml"))
    shown = {r["name"]: r for r in json.loads(run("lists", "show", "--json"))}
    assert shown["kz-supreme-court"]["kind"] == "sanctions"  # the national terrorist list
    assert shown["demo-national"]["kind"] == "other"  # says nothing: not a sanctions list
    run("lists", "import", str(DEMO / "demo_v1.yaml"), "--kind", "sanctions")  # unchanged file, new kind
    shown = {r["name"]: r for r in json.loads(run("lists", "show", "--json"))}
    assert shown["demo-national"]["kind"] == "sanctions"
    assert "sanctions" in run("lists", "show")
    bad = runner.invoke(app, ["lists", "import", str(DEMO / "demo_v1.yaml"), "--kind", "naughty"])
    assert bad.exit_code != 0 and "unknown list kind 'naughty'" in str(bad.exception)


def test_ftm_kinds_from_topics() -> None:
    peps = load(shared_file("opensanctions", "wd_peps_sa_2024-03", "entities.ftm.json"))
    sanctions = load(shared_file("opensanctions", "yente_fixtures", "t1_entities.ftm.json"))
    assert (peps.kind, sanctions.kind) == ("pep", "sanctions")  # no topics, a PEP dataset; 'sanction' topics
    assert kind_from_topics([["role.pep"], []]) == "pep"
    assert kind_from_topics([["sanction"], ["debarment"], ["crime"]]) == "watchlist"
    assert kind_from_topics([[], []]) == "other"  # says nothing: never a sanctions list

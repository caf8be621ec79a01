"""The registry's command line: import, show, versions, diff, asof, entity, bootstrap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tizim.cli import app
from tizim.registry.service import Registry

from ..conftest import FIXTURES

DEMO = FIXTURES / "registry" / "cli"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_import_versions_diff_asof_entity(db_url: str) -> None:
    run("lists", "import", str(DEMO / "demo_v1.yaml"))
    again = json.loads(run("lists", "import", str(DEMO / "demo_v1.yaml"), "--json"))
    assert again[0]["created"] is False
    run("lists", "import", str(DEMO / "demo_v2.yaml"), "--allow-shrink")

    shown = {row["name"]: row for row in json.loads(run("lists", "show", "--json"))}
    assert shown["demo-national"]["entities"] == 2
    assert shown["demo-national"]["versions"] == 2
    assert shown["kz-supreme-court"]["entities"] == 25  # bundled, present in every registry

    versions = json.loads(run("lists", "versions", "demo-national", "--json"))
    assert [(v["version"], v["added"], v["removed"]) for v in versions] == [(1, 2, 0), (2, 1, 1)]

    diff = json.loads(run("lists", "diff", "demo-national", "--json"))
    assert [d["caption"] for d in diff["added"]] == ["Aum Shinrikyo"]
    assert [d["caption"] for d in diff["removed"]] == ["Boz Kurt"]
    assert "+1 -1 ~0" in run("lists", "diff", "demo-national", "--from", "1", "--to", "2")

    # Boz Kurt left the list with version 2 (imported today, no publication date stated).
    asof = json.loads(run("lists", "asof", "demo-national", "2006-11-01", "--json"))
    assert [r["caption"] for r in asof] == ["Boz Kurt", "Islamic Movement of Uzbekistan"]
    asof = json.loads(run("lists", "asof", "demo-national", "2999-01-01", "--json"))
    assert [r["caption"] for r in asof] == ["Islamic Movement of Uzbekistan", "Aum Shinrikyo"]
    assert len(json.loads(run("lists", "asof", "kz-supreme-court", "2006-10-12", "--json"))) == 13
    assert len(json.loads(run("lists", "asof", "kz-supreme-court", "2006-11-17", "--json"))) == 15

    entity = json.loads(run("entity", "show", "demo-national-1", "--json"))
    assert set(entity["names_by_script"]) == {"Latn", "Cyrl"}
    assert entity["designations"][0]["citation"]["quote"].startswith("The court banned")
    text = run("entity", "show", "demo-national-1")
    assert "names [Cyrl]: Ўзбекистон Исломий Ҳаракати (alias)" in text


def test_errors_are_one_line_without_traceback(db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["lists", "asof", "no-such-list", "2006-01-01"])
    assert result.exit_code != 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: tizim-national-list/1\nlist: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["lists", "import", str(bad)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["lists", "asof", "kz-supreme-court", "not-a-date"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_bootstrap_loads_a_data_folder_oldest_version_first(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "a").mkdir(parents=True)
    (data / "notes").mkdir()
    shutil.copy(DEMO / "demo_v1.yaml", data / "a" / "demo.yaml")
    (data / "notes" / "readme.txt").write_text("not a list", encoding="utf-8")
    out = run("bootstrap", "--data-dir", str(data), "--json")
    rows = {row["name"]: row for row in json.loads(out[out.index("["):])}
    assert rows["demo-national"]["entities"] == 2
    assert rows["kz-supreme-court"]["entities"] == 25
    # A second run finds nothing new.
    run("bootstrap", "--data-dir", str(data))
    assert len(Registry().versions("demo-national")) == 1

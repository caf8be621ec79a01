"""A list never silently shrinks (issue 19).

An empty, header-only or cut-off file is refused by its importer, naming the file; an import
that would remove more than TIZIM_MAX_SHRINK of a list's entries, or add nothing while
removing many, is held back (nothing written) unless the shrink is declared intended.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tizim.cli import app
from tizim.errors import InputError
from tizim.registry.importers import load
from tizim.registry.service import SHRINK_MANY, Registry, ShrinkHeld

from ..conftest import FIXTURES, shared_file

REG = FIXTURES / "registry"
runner = CliRunner()


def _copy(src: Path, dest: Path) -> Path:
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
    return dest


def _empty_sdn(tmp: Path) -> tuple[Path, str | None]:
    folder = _copy(REG / "ofac" / "sdn_set", tmp / "sdn")
    (folder / "sdn.csv").write_bytes(b"")
    return folder, "us-ofac-sdn"


def _empty_sdn_file(tmp: Path) -> tuple[Path, str | None]:
    path = tmp / "sdn.csv"
    path.write_bytes(b"")
    return path, "us-ofac-sdn"


def _uk_headers_only(tmp: Path) -> tuple[Path, str | None]:
    folder = _copy(REG / "uk" / "small", tmp / "uk")
    for table in folder.glob("*.csv"):
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        table.write_text(lines[0], encoding="utf-8")
    return folder, None


def _eu_headers_only(tmp: Path) -> tuple[Path, str | None]:
    folder = _copy(REG / "eu" / "annexes", tmp / "eu")
    for table in folder.glob("*.csv"):
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        table.write_text(lines[0], encoding="utf-8")
    return folder, "eu-fsf"


def _eu_cut_in_header(tmp: Path) -> tuple[Path, str | None]:
    folder = _copy(REG / "eu" / "annexes", tmp / "eu")
    table = sorted(folder.glob("*.csv"))[0]
    header = table.read_text(encoding="utf-8").splitlines()[0]
    table.write_text(header[: len(header) // 2], encoding="utf-8")
    return folder, "eu-fsf"


def _uk_cut_mid_record(tmp: Path) -> tuple[Path, str | None]:
    folder = _copy(REG / "uk" / "small", tmp / "uk")
    names = folder / "subject_names.csv"
    text = names.read_text(encoding="utf-8")
    names.write_text(text.rstrip("\r\n")[:-2], encoding="utf-8")  # a field cut short, no line end
    return folder, None


def _national_yaml_no_entities(tmp: Path) -> tuple[Path, str | None]:
    text = (REG / "national" / "example.yaml").read_text(encoding="utf-8")
    path = tmp / "national.yaml"
    path.write_text(text.split("\nentities:", 1)[0] + "\nentities: []\n", encoding="utf-8")
    return path, None


def _national_csv_headers_only(tmp: Path) -> tuple[Path, str | None]:
    lines = (REG / "national" / "example.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp / "national.csv"
    path.write_text(lines[0], encoding="utf-8")
    return path, "demo-national"


def _national_csv_open_quote(tmp: Path) -> tuple[Path, str | None]:
    text = (REG / "national" / "example.csv").read_text(encoding="utf-8")
    path = tmp / "national.csv"
    cut = text.index('"', text.index("\n")) + 5  # inside the first quoted field of a record
    path.write_text(text[:cut], encoding="utf-8")
    return path, None


def _un_no_records(tmp: Path) -> tuple[Path, str | None]:
    path = tmp / "un.xml"
    path.write_text('<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">'
                    "<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>\n", encoding="utf-8")
    return path, "un-sc"


def _ftm_empty(tmp: Path) -> tuple[Path, str | None]:
    path = tmp / "entities.ftm.json"
    path.write_text("\n", encoding="utf-8")
    return path, "ftm"


BAD_FILES: dict[str, Callable[[Path], tuple[Path, str | None]]] = {
    "empty sdn.csv in its set": _empty_sdn,
    "empty sdn.csv": _empty_sdn_file,
    "UK tables with headers only": _uk_headers_only,
    "EU annexes with headers only": _eu_headers_only,
    "EU annex cut inside its header": _eu_cut_in_header,
    "UK table cut mid-record": _uk_cut_mid_record,
    "national YAML with no entities": _national_yaml_no_entities,
    "national CSV with headers only": _national_csv_headers_only,
    "national CSV cut inside a quoted field": _national_csv_open_quote,
    "UN XML with no records": _un_no_records,
    "FtM file with no entities": _ftm_empty,
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_importers_refuse_empty_and_cut_files_naming_the_file(case: str, tmp_path: Path) -> None:
    path, source = BAD_FILES[case](tmp_path)
    with pytest.raises(InputError) as err:
        load(path, source)
    assert err.value.file is not None and str(tmp_path) in err.value.file
    assert err.value.reason


def test_bare_cr_in_a_national_csv_is_a_named_input_error(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_bytes(b"list,reference,schema,name,listed_on\nkz-x,1,Person,Ab\rc Def,2020-01-01\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert err.value.file == str(path) and err.value.line is not None


def _sdn_lines(folder: Path, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sdn.csv").write_text("".join(lines), encoding="latin-1")
    return folder


def _real_sdn_lines() -> list[str]:
    return shared_file("ofac", "sdn_csv_2024-05-03", "sdn.csv").read_text(encoding="latin-1").splitlines(keepends=True)


def _active(name: str) -> int:
    return next(row["entities"] for row in Registry().summary() if row["name"] == name)


def test_a_truncated_sdn_is_held_back_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    lines = _real_sdn_lines()[:400]
    registry = Registry()
    registry.import_parsed(load(_sdn_lines(tmp_path / "v1", lines), "us-ofac-sdn"))
    versions = registry.versions("us-ofac-sdn")

    cut = load(_sdn_lines(tmp_path / "v2", lines[:300]), "us-ofac-sdn")  # cut at a line boundary
    with pytest.raises(ShrinkHeld) as err:
        registry.import_parsed(cut)
    message = str(err.value)
    assert "100 of its 400" in message and "--allow-shrink" in message and "v2" in message
    assert (err.value.before, err.value.removed, err.value.added) == (400, 100, 0)
    assert registry.versions("us-ofac-sdn") == versions
    assert _active("us-ofac-sdn") == 400

    done = registry.import_parsed(cut, allow_shrink=True)
    assert (done.created, done.removed) == (True, 100)
    assert _active("us-ofac-sdn") == 300


def test_adding_nothing_while_removing_many_is_held_back_under_the_share(sqlite_url: str, tmp_path: Path) -> None:
    lines = _real_sdn_lines()[:1000]
    registry = Registry()
    registry.import_parsed(load(_sdn_lines(tmp_path / "v1", lines), "us-ofac-sdn"))
    # 6 % removed, nothing added: under the 10 % share, but a cut file looks exactly like this
    with pytest.raises(ShrinkHeld, match=f"at least {SHRINK_MANY}"):
        registry.import_parsed(load(_sdn_lines(tmp_path / "v2", lines[:940]), "us-ofac-sdn"))
    # a small delisting with additions goes through
    small = lines[:995] + _real_sdn_lines()[1000:1003]
    result = registry.import_parsed(load(_sdn_lines(tmp_path / "v3", small), "us-ofac-sdn"))
    assert (result.removed, result.added) == (5, 3)


def test_the_share_is_a_setting(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tizim import settings

    lines = _real_sdn_lines()[:100]
    registry = Registry()
    registry.import_parsed(load(_sdn_lines(tmp_path / "v1", lines), "us-ofac-sdn"))
    settings.override(max_shrink=0.5)
    result = registry.import_parsed(load(_sdn_lines(tmp_path / "v2", lines[:70]), "us-ofac-sdn"))
    assert result.removed == 30


def test_cli_import_and_allow_shrink(sqlite_url: str, tmp_path: Path) -> None:
    lines = _real_sdn_lines()[:200]
    v1 = _sdn_lines(tmp_path / "v1", lines)
    v2 = _sdn_lines(tmp_path / "v2", lines[:100])
    assert runner.invoke(app, ["lists", "import", str(v1), "--source", "us-ofac-sdn"]).exit_code == 0
    held = runner.invoke(app, ["lists", "import", str(v2), "--source", "us-ofac-sdn"])
    assert held.exit_code != 0 and isinstance(held.exception, ShrinkHeld)
    assert "100 of its 200" in str(held.exception)
    assert _active("us-ofac-sdn") == 200
    ok = runner.invoke(app, ["lists", "import", str(v2), "--source", "us-ofac-sdn", "--allow-shrink"])
    assert ok.exit_code == 0, ok.output
    assert _active("us-ofac-sdn") == 100


def test_cli_refuses_an_empty_file_with_one_line(sqlite_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    empty = tmp_path / "sdn.csv"
    empty.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "tizim.cli", "--db", sqlite_url, "lists", "import", str(empty), "--source", "us-ofac-sdn"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "sdn.csv" in proc.stderr and "empty" in proc.stderr and "Traceback" not in proc.stderr


def test_json_nested_deep_in_an_ftm_file_is_a_named_error(tmp_path: Path) -> None:
    good = shared_file("opensanctions", "yente_fixtures", "zala_entities.ftm.json").read_bytes()
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(good.split(b"\n", 1)[0] + b"\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    with pytest.raises(InputError, match="nested too deeply") as err:
        load(path, "ftm")
    assert err.value.line == 2


def test_bootstrap_holds_back_a_shrinking_file_and_loads_the_rest(sqlite_url: str, tmp_path: Path) -> None:
    from tizim.registry.discover import bootstrap

    data = tmp_path / "data"
    data.mkdir()
    text = (REG / "national" / "example.yaml").read_text(encoding="utf-8")
    (data / "a_national.yaml").write_text(text, encoding="utf-8")
    entries = text.split("\n  - reference: ")
    later = "\n  - reference: ".join(entries[:-1]).replace("published_at: 2024-05-01", "published_at: 2024-06-01")
    (data / "b_national.yaml").write_text(later, encoding="utf-8")  # one entry of three cut off
    shutil.copy(REG / "un" / "un_small.xml", data / "un.xml")
    results = bootstrap(Registry(), data)
    names = [r.list_name for r in results]
    assert "un-sc" in names and names.count("demo-national") == 1
    assert len(Registry().versions("demo-national")) == 1


def test_nul_and_surrogates_are_refused_before_anything_is_written(db_url: str, tmp_path: Path) -> None:
    csv_path = tmp_path / "national.csv"
    lines = (REG / "national" / "example.csv").read_bytes().splitlines(keepends=True)
    csv_path.write_bytes(lines[0] + lines[1].replace(b",", b",\x00", 1) + b"".join(lines[2:]))
    with pytest.raises(InputError, match="NUL") as err:
        load(csv_path)
    assert err.value.line == 2
    good = shared_file("opensanctions", "yente_fixtures", "zala_entities.ftm.json").read_text(encoding="utf-8")
    for bad in ("\\u0000", "\\ud800"):
        ftm = tmp_path / "entities.ftm.json"
        first, rest = good.split("\n", 1)
        row = json.loads(first)
        key = next(k for k, v in row["properties"].items() if v and isinstance(v[0], str))
        ftm.write_text(first.replace(json.dumps(row["properties"][key][0])[1:-1],
                                     json.dumps(row["properties"][key][0])[1:-1] + bad, 1) + "\n" + rest,
                       encoding="utf-8")
        parsed = load(ftm, "ftm")
        with pytest.raises(InputError, match="no database stores"):
            Registry().import_parsed(parsed)
        assert parsed.list_name not in {row["name"] for row in Registry().summary()}

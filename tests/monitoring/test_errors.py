"""Errors instead of silent wrong answers: one line naming what was wrong, a non-zero exit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import shared_file
from tizim.cli import main
from tizim.monitoring.formats import iter_file
from tizim.monitoring.model import Rejected

FEDWIRE = ("iso20022", "fedwire_moov_wire20022")


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tizim", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    return int(exited.value.code or 0), err


@pytest.mark.parametrize(("args", "says"), [
    (["screen", "--name", "Asbat al-Ansar", "--lists", "kz-supreme-court,no-such-list"], "unknown list 'no-such-list'"),
    (["screen", "--name", "Asbat al-Ansar", "--birth-date", "1957/07/30"], "--birth-date '1957/07/30'"),
    (["screen-text", "--text", "Asbat al-Ansar", "--lists", "nope"], "unknown list 'nope'"),
    (["entity", "export", "--lists", "nope"], "unknown list 'nope'"),
    (["cases", "list", "--status", "opened"], "unknown status 'opened'"),
    (["cases", "list", "--since", "1957/07/30"], "since '1957/07/30' is not a date"),
    (["decisions", "--status", "HELD"], "unknown status 'HELD'"),
    (["lists", "import", "x.yaml", "--kind", "sanction-ish"], "unknown list kind"),
])
def test_bad_options_are_one_line_errors(sqlite_url: str, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, args: list[str], says: str) -> None:
    code, err = _run(capsys, monkeypatch, *args)
    assert code == 2 and says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_db_folder_missing(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, err = _run(capsys, monkeypatch, "--db", str(tmp_path / "no-such-folder" / "t.db"), "lists", "show")
    assert code == 2 and "no-such-folder does not exist" in err
    assert not (tmp_path / "no-such-folder").exists()  # nothing created on a typo
    code, err = _run(capsys, monkeypatch, "--db", f"sqlite:///{tmp_path}/gone/t.db", "cases", "list")
    assert code == 2 and "does not exist" in err


def test_postgres_that_does_not_answer(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # port 9 (discard) on this machine: nothing listens, the connection is refused
    code, err = _run(capsys, monkeypatch, "--db", "postgresql://tizim:secret@127.0.0.1:9/none", "lists", "show")
    assert code == 2 and "does not answer" in err and "Traceback" not in err
    assert "secret" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("parts", "kind"), [
    ((*FEDWIRE, "CustomerCreditTransfer_Scenario1_Step2_pacs.002.xml"), "pacs.002"),
    ((*FEDWIRE, "PaymentReturn_Scenario1_Step4_pacs.004.xml"), "pacs.004"),
    (("iso20022", "moov_iso20022_testdata", "FI_camt_053_sample.xml"), "camt.053"),
])
def test_iso_messages_that_are_not_customer_transfers_are_named(parts: tuple[str, ...], kind: str) -> None:
    (item,) = list(iter_file(shared_file(*parts)))
    assert isinstance(item, Rejected) and kind in item.reason


def test_iso_namespace_that_does_not_match_the_message(tmp_path: Path) -> None:
    text = shared_file(*FEDWIRE, "CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace("pacs.008.001.08", "pain.001.001.09"), encoding="utf-8")
    (item,) = list(iter_file(bad))
    assert isinstance(item, Rejected) and "pain.001.001.09" in item.reason and "pacs.008" in item.reason

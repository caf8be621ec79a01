"""Every STR tizim exports validates against the goAML 5.0.2 schema; no reporting entity id, no STR."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from tests.conftest import shared_file
from tests.monitoring.helpers import load_list, payment
from tizim import settings
from tizim.cli import app
from tizim.errors import InputError
from tizim.monitoring.cases import Cases
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.monitoring.str_export import rentity_id, to_goaml_xml


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_file("goaml", "goAMLSchema-5.0.2.xsd"))))


def _valid(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    schema = _schema()
    assert schema.validate(doc), "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)
    return doc


def test_the_schema_accepts_its_example() -> None:
    _valid(shared_file("goaml", "example_STR.xml").read_bytes())


PAYMENTS = [
    # a designated creditor; banks with BICs; a foreign currency; markup in free text
    payment(1, creditor="Asbat al-Ansar", remittance="<b>for the brothers</b> & \"co\"",
            debtor_agent={"name": "Banque Z", "bic": "BANZBEBB"}, creditor_agent={"bic": "BANYBRRJ"}),
    # local currency, no BIC (an entity side), only a value date
    payment(2, creditor="Asbat al-Ansar", currency="KZT", amount="5000000", created_at=None),
    # a party with no country, an odd name and a rule alert
    payment(3, creditor="Islamic Movement of Uzbekistan", creditor_country="", creditor_account="KP001"),
]


def _confirmed_reports() -> list[dict[str, object]]:
    load_list()
    Decider().decide_batch([Payment.from_dict({k: v for k, v in p.items() if v is not None}) for p in PAYMENTS])
    cases = Cases()
    for case in cases.list_cases():
        cases.act(case["id"], "confirm", "aliya", "analyst", note="true match")
    return [cases.report(c["id"]) for c in cases.list_cases()]


def test_each_exported_str_validates(db_url: str) -> None:
    settings.override(goaml_rentity_id="4711")
    reports = _confirmed_reports()
    assert len(reports) >= 2
    for report in reports:
        doc = _valid(to_goaml_xml(report))
        assert doc.findtext("rentity_id") == "4711"
        for tx in doc.iter("transaction"):
            assert tx.findtext("transaction_location") and tx.findtext("date_transaction")[10] == "T"
    xml = b"".join(to_goaml_xml(r) for r in reports)
    assert b"TFS01" in xml and b"designated_match" not in xml  # code-list values only


def test_no_reporting_entity_id_no_str(db_url: str, tmp_path: Path) -> None:
    reports = _confirmed_reports()
    with pytest.raises(InputError, match="TIZIM_GOAML_RENTITY_ID"):
        to_goaml_xml(reports[0])  # the bundled rules say 0
    rules = tmp_path / "rules.yaml"
    bundled = Path(__file__).resolve().parents[2] / "tizim" / "monitoring" / "rules_kz.yaml"
    rules.write_text(bundled.read_text(encoding="utf-8").replace('rentity_id: "0"', 'rentity_id: "321"'),
                     encoding="utf-8")
    settings.override(rules_file=rules)
    assert rentity_id() == 321 and _valid(to_goaml_xml(reports[0])).findtext("rentity_id") == "321"
    settings.override(goaml_rentity_id="4711")  # the environment wins
    assert _valid(to_goaml_xml(reports[0])).findtext("rentity_id") == "4711"
    settings.override(goaml_rentity_id="0")
    with pytest.raises(InputError, match="TIZIM_GOAML_RENTITY_ID"):
        to_goaml_xml(reports[0])


def test_cli_str_json_unchanged_and_xml_valid(db_url: str) -> None:
    reports = _confirmed_reports()
    case_id = str(reports[0]["entity_reference"]).rsplit("-", 1)[1]
    runner = CliRunner()
    out = runner.invoke(app, ["cases", "str", case_id, "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.stdout) == reports[0]
    refused = runner.invoke(app, ["cases", "str", case_id])
    assert refused.exit_code != 0 and "TIZIM_GOAML_RENTITY_ID" in str(refused.exception)
    settings.override(goaml_rentity_id="4711")
    ok = runner.invoke(app, ["cases", "str", case_id])
    assert ok.exit_code == 0
    _valid(ok.stdout.encode("utf-8"))

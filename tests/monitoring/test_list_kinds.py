"""Only a designated entry of a sanctions list freezes; a PEP match asks for enhanced due diligence."""

from __future__ import annotations

import pytest

from tests.monitoring.helpers import load_list, payment
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.screening import get_screener


@pytest.mark.parametrize("kind", ["pep", "watchlist", "other"])
def test_only_sanctions_lists_freeze(db_url: str, kind: str) -> None:
    load_list(kind=kind, name=f"{kind}-list")
    d = Decider().decide(Payment.from_dict(payment(1, creditor="Rustam Karimov Abdullaevich")))
    assert d.status == "OBSERVE" and d.hold is None
    assert d.matches and d.matches[0]["list_kinds"] == [kind]
    if kind == "pep":
        assert any(r.startswith("PEP:") and "enhanced due diligence" in r for r in d.reasons)
        assert [a["code"] for a in d.alerts] == ["pep_match"]
    else:
        assert any(r.startswith("possible match") for r in d.reasons)


def test_sanctions_list_freezes_and_index_knows_kinds(db_url: str) -> None:
    load_list(kind="sanctions", name="sanctions-list")
    load_list(kind="pep", name="pep-list")
    index = get_screener().index
    cluster = index.clusters[index.cluster_by_id["pep-list-t-karimov"]] if "pep-list-t-karimov" in index.cluster_by_id \
        else index.clusters[index.member_cluster["pep-list-t-karimov"]]
    assert "pep" in cluster.kinds
    d = Decider().decide(Payment.from_dict(payment(2, creditor="Rustam Karimov Abdullaevich")))
    assert d.status == "FREEZE"  # the sanctions list's entry decides
    assert any("sanctions" in m["list_kinds"] for m in d.matches)

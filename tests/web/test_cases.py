"""The cases queue and case actions through the pages, four eyes included (no browser)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of, load_payments

pytest.importorskip("tizim.monitoring.cases", reason="the monitoring package is not installed")


@pytest.fixture
def case_id(demo_db: str) -> int:
    summary = load_payments()
    assert summary["status"] == {"PASS": 1, "OBSERVE": 0, "FREEZE": 1}
    from tizim.monitoring.cases import Cases

    (case,) = Cases().list_cases()
    return int(case["id"])


def _act(client: TestClient, case_id: int, action: str, **fields: str) -> httpx.Response:
    token = csrf_of(client.get(f"/ui/cases/{case_id}").text)
    return client.post(f"/ui/cases/{case_id}/actions", data={"csrf": token, "action": action, **fields})


def test_queue_shows_frozen_case_with_sla(signed_in: Callable[[str], TestClient], case_id: int) -> None:
    client = signed_in("analyst")
    page = client.get("/ui/cases")
    assert page.status_code == 200
    row = page.text.split(f'<a href="/ui/cases/{case_id}">#{case_id}</a>', 1)[1].split("</tr>", 1)[0]
    assert "Rustam Yuldashev" in row
    assert '<span class="tag FREEZE">FREEZE</span>' in row
    assert "open" in row
    assert " h " in row and "left" in row  # the SLA clock, e.g. "23 h 59 min left"
    assert client.get("/ui/cases?status=dismissed").text.count("/ui/cases/1\"") == 0
    assert client.get("/ui/cases?status=bogus").status_code == 400


def test_cases_need_analyst(signed_in: Callable[[str], TestClient], case_id: int) -> None:
    client = signed_in("screener")
    assert client.get("/ui/cases").status_code == 403
    assert client.get(f"/ui/cases/{case_id}").status_code == 403


def test_case_page_and_simple_actions(signed_in: Callable[[str], TestClient], case_id: int) -> None:
    client = signed_in("analyst")
    page = client.get(f"/ui/cases/{case_id}")
    assert page.status_code == 200
    assert "web-pay-1" in page.text and "designated match" in page.text
    assert '<a href="/ui/entities/web-demo-person-1"' in page.text
    assert 'class="action-approve-release"' not in page.text  # an analyst cannot approve

    done = _act(client, case_id, "assign", assignee="analyst-user")
    assert done.status_code == 200 and "Done: Assign." in done.text
    done = _act(client, case_id, "comment", note="Called the bank: <b>checking</b> the beneficiary")
    text = done.text
    assert "&lt;b&gt;checking&lt;/b&gt;" in text and "<b>checking</b>" not in text
    done = _act(client, case_id, "escalate")
    assert '<dd class="status">escalated</dd>' in done.text
    # A comment without text is refused by the monitoring package, shown on the page.
    refused = _act(client, case_id, "comment", note=" ")
    assert refused.status_code == 400 and "a comment needs text" in refused.text


def test_four_eyes_release(signed_in: Callable[[str], TestClient], case_id: int) -> None:
    client = signed_in("supervisor")
    requested = _act(client, case_id, "release", note="beneficiary is a namesake")
    assert '<dd class="status">release requested</dd>' in requested.text
    # The supervisor who asked cannot approve the release too.
    refused = _act(client, case_id, "approve-release")
    assert refused.status_code == 403
    assert "four eyes" in refused.text

    analyst = signed_in("analyst")
    page = analyst.get(f"/ui/cases/{case_id}")
    assert 'class="action-approve-release"' not in page.text
    refused = _act(analyst, case_id, "approve-release")
    assert refused.status_code == 403 and "needs role supervisor" in refused.text

    other = signed_in("supervisor2")
    approved = _act(other, case_id, "approve-release")
    text = approved.text
    assert approved.status_code == 200
    assert '<dd class="status">released</dd>' in text
    assert '<dd class="hold">released</dd>' in text
    history = text.split("<h2>History</h2>", 1)[1]
    assert "supervisor-user</span>: release requested" in history
    assert "supervisor2-user</span>: release approved" in history


def test_case_action_needs_csrf(signed_in: Callable[[str], TestClient], case_id: int) -> None:
    client = signed_in("supervisor")
    response = client.post(f"/ui/cases/{case_id}/actions", data={"action": "release"})
    assert response.status_code == 403 and "security token" in response.text
    from tizim.monitoring.cases import Cases

    assert Cases().show(case_id)["status"] == "open"

"""The pages read and act through the registry and monitoring services: walk them once on
each store (SQLite and PostgreSQL) so a store-specific difference shows up here too."""

from __future__ import annotations

import importlib.util

from fastapi.testclient import TestClient

from tests.web.conftest import create_users, csrf_of, load_demo_list, load_payments, sign_in


def test_pages_on_each_store(db_url: str) -> None:
    from tizim.api.app import create_app

    load_demo_list()
    users = create_users()
    with TestClient(create_app()) as client:
        sign_in(client, users["supervisor"])
        assert "web-demo" in client.get("/ui/lists").text
        assert "Исламское движение Туркестана" in client.get("/ui/entities/web-demo-org-1").text
        assert "Southern Front" in client.get("/ui/lists/web-demo/diff?from=1&to=2&show=added").text
        assert "Turkiston Islomiy Harakati" in client.get("/ui/lists/web-demo/diff?from=1&to=2").text
        assert "Southern Front" not in client.get("/ui/lists/web-demo/asof?date=2006-10-20").text
        token = csrf_of(client.get("/ui/screen").text)
        screened = client.post("/ui/screen", data={"csrf": token, "name": "Rustam Yuldashev"})
        assert 'href="/ui/entities/web-demo-person-1"' in screened.text
        if importlib.util.find_spec("tizim.monitoring.cases") is None:
            return
        load_payments()
        queue = client.get("/ui/cases").text
        assert "Rustam Yuldashev" in queue
        case_path = queue.split('<td class="num"><a href="', 1)[1].split('"', 1)[0]
        token = csrf_of(client.get(case_path).text)
        done = client.post(f"{case_path}/actions", data={"csrf": token, "action": "escalate"})
        assert '<dd class="status">escalated</dd>' in done.text

"""POST /customers onboards in one call (stored, screened, answered); GET /customers, /freezes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.monitoring.helpers import load_list
from tizim.api.app import create_app
from tizim.api.keys import KeyStore


def _headers(name: str, role: str) -> dict[str, str]:
    _, secret = KeyStore().create(name, role)
    return {"Authorization": f"Bearer {secret}"}


def test_onboarding_over_http(db_url: str) -> None:
    load_list()
    viewer, analyst = _headers("viewer1", "viewer"), _headers("aliya", "analyst")
    client = TestClient(create_app())
    person = {"customer_id": "W1", "type": "person", "name": "Karimov Rustam Abdullaevich",
              "birth_date": "1975-03-14", "accounts": ["KZ231230000000000001"]}
    assert client.post("/customers", json=person).status_code == 401
    assert client.post("/customers", json=person, headers=viewer).status_code == 403
    made = client.post("/customers", json=person, headers=analyst)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "frozen" and body["accounts"] == [
        {"account": "KZ231230000000000001", "frozen": True, "frozen_at": body["accounts"][0]["frozen_at"],
         "case_id": body["matches"][0]["case_id"], "closed": False}]
    assert body["matches"][0]["entity_id"] == "t-karimov"

    batch = [{"customer_id": "W2", "name": "Нурлан Абаевич Жумабаев"},
             {"customer_id": "W3", "type": "organization", "name": "Asbat al-Ansar Trading",
              "directors": ["W2"]}]
    made = client.post("/customers", json=batch, headers=analyst)
    assert made.status_code == 201 and [c["customer_id"] for c in made.json()] == ["W2", "W3"]
    assert made.json()[0]["status"] == "clear"
    assert made.json()[1]["status"] == "frozen"  # the listed organization's name with a trade word

    bad = client.post("/customers", json=[{"customer_id": "W4", "name": "X"},
                                          {"customer_id": "W5", "name": "Y", "birth_date": "1990-13"}],
                      headers=analyst)
    assert bad.status_code == 400 and "birth_date" in bad.json()["detail"]
    assert client.get("/customers/W4", headers=viewer).status_code == 404  # nothing stored

    assert client.get("/customers/W1", headers=viewer).json()["status"] == "frozen"
    listed = client.get("/customers", params={"status": "frozen"}, headers=viewer).json()
    assert [c["customer_id"] for c in listed] == ["W1", "W3"]
    assert client.get("/customers", params={"status": "icy"}, headers=viewer).status_code == 400
    register = client.get("/freezes", headers=viewer).json()
    assert [r["account"] for r in register["frozen"]] == ["KZ231230000000000001"]  # W3 holds no account
    assert client.get("/customers").status_code == 401 and client.get("/freezes").status_code == 401
    assert client.get("/freezes/report", headers=viewer).status_code == 403
    assert client.get("/customers/W1", params={"history": "true"}, headers=viewer).json()["history"][0]["change"] \
        == "imported"
    csv_report = client.get("/freezes/report", params={"format": "csv"}, headers=analyst)
    assert csv_report.status_code == 200 and "KZ231230000000000001" in csv_report.text

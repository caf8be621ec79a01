"""The dashboard's screening volume is counted in the store: names screened by another
process (`tizim screen` run as a command), through the API, on the Screen page and by a
customer-book screening all show up, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.conftest import FIXTURE, create_users, csrf_of, load_demo_list, sign_in
from tizim.api.keys import KeyStore
from tizim.screening import volume
from tizim.store import transaction


def _row(html: str, title: str) -> tuple[str, str]:
    """Today's and the period's figures of one row of the dashboard's volume table."""
    row = html.split(f'<th scope="row">{title}</th>', 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    return cells[0], cells[1]


def _counted() -> dict[str, int]:
    volume.flush()
    with transaction() as conn:
        return {s: int(n) for s, n in conn.execute(
            select(volume.screening_volume.c.source, func.sum(volume.screening_volume.c.count))
            .group_by(volume.screening_volume.c.source))}


def test_screenings_from_every_process_reach_the_dashboard(db_url: str, tmp_path: Path) -> None:
    from tizim.api.app import create_app

    load_demo_list()
    users = create_users()
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps({"id": str(i), "schema": "Person", "name": name}) + "\n"
                               for i, name in enumerate(["Rustam Yuldashev", "Ivan Petrov", "Tahir Yuldashev"])),
                       encoding="utf-8")
    # another process: the command line, on the same database
    env = {**os.environ, "TIZIM_DATABASE_URL": db_url}
    done = subprocess.run([sys.executable, "-m", "tizim.cli", "screen", "--input", str(queries), "--workers", "1",
                           "--output", str(tmp_path / "out.jsonl")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert _counted() == {"cli": 3}

    key = KeyStore().create("volume-probe", "screener")[1]
    with TestClient(create_app()) as client:
        body = {"queries": {"a": {"schema": "Person", "properties": {"name": ["Rustam Yuldashev"]}},
                            "b": {"schema": "Person", "properties": {"name": ["Ivan Petrov"]}}}}
        assert client.post("/match/default", json=body, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        sign_in(client, users["analyst"])
        token = csrf_of(client.get("/ui/screen").text)
        assert client.post("/ui/screen", data={"csrf": token, "name": "Rustam Yuldashev"}).status_code == 200
        expected = {"cli": 3, "api": 2, "web": 1}
        if importlib.util.find_spec("tizim.customers.book") is not None:
            from tizim.customers.book import CustomerBook
            from tizim.customers.screen import screen_book

            CustomerBook().import_file(FIXTURE.parents[1] / "customers" / "book.csv")
            expected["customers"] = screen_book(workers=1)["screened"]
            assert expected["customers"] > 0
        dashboard = client.get("/ui/").text  # writes this process's pending counts first
        assert _counted() == expected
        assert _row(dashboard, "Names from the command line") == ("3", "3")
        assert _row(dashboard, "Names through the API") == ("2", "2")
        assert _row(dashboard, "Names on the Screen page") == ("1", "1")
        if "customers" in expected:
            assert _row(dashboard, "Customers screened")[0] == str(expected["customers"])


def test_counts_add_up_per_hour_and_convert_to_local_days(sqlite_url: str) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    with transaction() as conn:
        volume.add(conn, "api", 5, "2026-12-01T18")  # 23:00 in Almaty: Dec 1
        volume.add(conn, "api", 7, "2026-12-01T19")  # 00:00 in Almaty: Dec 2
        volume.add(conn, "api", 1, "2026-12-01T19")
        volume.add(conn, "cli", 2, "2026-12-01T19")
    with transaction() as conn:
        since = datetime(2026, 12, 1, tzinfo=UTC)
        assert volume.per_day(conn, since) == {"2026-12-01": {"api": 13, "cli": 2}}
        assert volume.per_day(conn, since, ZoneInfo("Asia/Almaty")) == {
            "2026-12-01": {"api": 5}, "2026-12-02": {"api": 8, "cli": 2}}

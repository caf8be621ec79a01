"""SIGKILL `tizim monitor` at random points, several times, then finish: exactly one decision
per payment. Runs the real CLI in a subprocess against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from tests.monitoring.helpers import load_list, payment, write_jsonl
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.store import transaction

TIZIM = [sys.executable, "-m", "tizim.cli"]
N = 1000


def _count() -> int:
    with transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(t.payments)).scalar_one())


def _env(db_url: str) -> dict[str, str]:
    return dict(os.environ, TIZIM_DATABASE_URL=db_url, TIZIM_USER="batch", NO_COLOR="1")


def test_sigkill_mid_file_then_finish(db_url: str, tmp_path: Path) -> None:
    load_list()
    planted = {17: "Asbat al-Ansar", 900: "ISLAMIC MOVEMENT OF UZBEKISTAN"}
    rows = [payment(i, creditor=planted.get(i, "")) for i in range(N)]
    path = write_jsonl(tmp_path / "long.jsonl", rows)
    rng = random.Random(20250310)
    env = _env(db_url)
    kills = 0
    # kills land in the first three quarters of the file: a run decides tens of payments
    # between two polls, so a target near the end let it finish the file before the kill
    last_target = N - N // 4
    for _ in range(3):
        before = _count()
        if before >= last_target:
            break
        target = rng.randint(before + 1, min(last_target, before + N // 3))
        proc = subprocess.Popen([*TIZIM, "monitor", str(path), "--batch", "25"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while proc.poll() is None and _count() < target and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2, "the runs ended before they could be killed"
    assert _count() < N
    done = subprocess.run([*TIZIM, "monitor", str(path), "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    summary = json.loads(done.stdout)
    assert summary["payments"] == N and summary["decided"] + summary["skipped"] == N
    listed = subprocess.run([*TIZIM, "decisions", "--json"], env=env, capture_output=True, text=True, timeout=300)
    decisions = json.loads(listed.stdout)
    e2e = [d["end_to_end_id"] for d in decisions]
    assert len(e2e) == len(set(e2e)) == N
    frozen = sorted(d["end_to_end_id"] for d in decisions if d["status"] == "FREEZE")
    assert frozen == ["E2E-00017", "E2E-00900"]
    with transaction() as conn:
        decides = conn.execute(select(func.count()).select_from(t.audit_log)
                               .where(t.audit_log.c.action == "decide")).scalar_one()
    assert decides == N
    assert audit.verify().ok
    verify = subprocess.run([*TIZIM, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_cli_cases_four_eyes_with_key_roles(db_url: str, tmp_path: Path) -> None:
    from tizim.api.keys import KeyStore

    load_list()
    store = KeyStore()
    store.create("aliya", "analyst")
    store.create("dana", "supervisor")
    env = _env(db_url)
    path = write_jsonl(tmp_path / "one.jsonl", [payment(1, creditor="Asbat al-Ansar")])
    assert subprocess.run([*TIZIM, "monitor", str(path)], env=env, capture_output=True, timeout=120).returncode == 0
    cases = json.loads(subprocess.run([*TIZIM, "cases", "list", "--json"], env=env, capture_output=True, text=True,
                                      timeout=60).stdout)
    case_id = str(cases[0]["id"])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*TIZIM, "cases", *args], env=env, capture_output=True, text=True, timeout=60)

    assert run("release", case_id, "--user", "aliya").returncode == 0
    same = run("approve-release", case_id, "--user", "aliya")
    assert same.returncode == 2 and "supervisor" in same.stderr and "Traceback" not in same.stderr
    nobody = run("approve-release", case_id, "--user", "stranger")
    assert nobody.returncode == 2
    ok = run("approve-release", case_id, "--user", "dana", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "released"

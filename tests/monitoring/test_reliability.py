"""SIGKILL `tizim monitor` at random points, several times, then finish: exactly one decision
per payment. Runs the real CLI in a subprocess against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, make_url, select

from tests.monitoring.helpers import load_list, payment, write_jsonl
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.store import transaction

TIZIM = [sys.executable, "-m", "tizim.cli"]
N = 1000


def _count() -> int:
    with transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(t.payments)).scalar_one())


def _count_reading(db_url: str) -> int:
    """The count, read without a write lock: tizim's SQLite transactions begin IMMEDIATE, and
    the paused run may hold the lock."""
    if not db_url.startswith("sqlite"):
        return _count()
    path = make_url(db_url).database
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {t.payments.name}").fetchone()[0])


def _env(db_url: str) -> dict[str, str]:
    env = dict(os.environ, TIZIM_DATABASE_URL=db_url, NO_COLOR="1")
    env.pop("TIZIM_API_KEY", None)
    return env


def _run_until(proc: subprocess.Popen[bytes], db_url: str, target: int) -> bool:
    """Let the run go in short slices, paused between them, and SIGKILL it (with its workers)
    once `target` payments are decided. The pauses make the kill land mid-file however fast
    the run is: it decides at most one slice's worth past the target, never the whole rest."""
    group = os.getpgid(proc.pid)
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        os.killpg(group, signal.SIGCONT)
        time.sleep(0.01)
        os.killpg(group, signal.SIGSTOP)
        if _count_reading(db_url) >= target:
            break
    killed = proc.poll() is None
    if killed:
        os.killpg(group, signal.SIGKILL)
    proc.wait()
    return killed


def test_sigkill_mid_file_then_finish(db_url: str, tmp_path: Path) -> None:
    load_list()
    planted = {17: "Asbat al-Ansar", 900: "ISLAMIC MOVEMENT OF UZBEKISTAN"}
    rows = [payment(i, creditor=planted.get(i, "")) for i in range(N)]
    path = write_jsonl(tmp_path / "long.jsonl", rows)
    rng = random.Random(20250310)
    env = _env(db_url)
    kills = 0
    last_target = N - N // 4
    for _ in range(3):
        before = _count()
        if before >= last_target:
            break
        target = rng.randint(before + 1, min(last_target, before + N // 3))
        proc = subprocess.Popen([*TIZIM, "monitor", str(path), "--batch", "25"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if _run_until(proc, db_url, target):
            kills += 1
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
    keys = {name: store.create(name, role)[1] for name, role in (("aliya", "analyst"), ("dana", "supervisor"))}
    env = _env(db_url)
    path = write_jsonl(tmp_path / "one.jsonl", [payment(1, creditor="Asbat al-Ansar")])
    assert subprocess.run([*TIZIM, "monitor", str(path)], env=env, capture_output=True, timeout=120).returncode == 0
    cases = json.loads(subprocess.run([*TIZIM, "cases", "list", "--json"], env=env, capture_output=True, text=True,
                                      timeout=60).stdout)
    case_id = str(cases[0]["id"])

    def run(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
        # who acts is the holder of TIZIM_API_KEY (its name and role), never a typed name
        env_key = {**env, "TIZIM_API_KEY": key} if key else env
        return subprocess.run([*TIZIM, "cases", *args], env=env_key, capture_output=True, text=True, timeout=60)

    assert run("release", case_id, key=keys["aliya"]).returncode == 0
    same = run("approve-release", case_id, key=keys["aliya"])
    assert same.returncode == 2 and "supervisor" in same.stderr and "Traceback" not in same.stderr
    nobody = run("approve-release", case_id)
    assert nobody.returncode == 2 and "TIZIM_API_KEY" in nobody.stderr
    forged = run("approve-release", case_id, "--user", "dana", key=keys["aliya"])
    assert forged.returncode == 2 and "--user" in forged.stderr  # the option is gone
    bad = run("approve-release", case_id, key="tz_not-a-key")
    assert bad.returncode == 2 and "not an active API key" in bad.stderr
    ok = run("approve-release", case_id, "--json", key=keys["dana"])
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "released"

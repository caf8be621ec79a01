"""Batch monitoring of a file: parse, decide in batches, commit each batch, show progress.

Resumable by construction: each batch is one transaction, and a re-run skips ids already
decided (Decider.decide_batch returns their stored decisions), so a SIGKILL anywhere leaves
every payment decided at most once and a re-run decides the rest exactly once.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from tizim.monitoring.decide import Decider
from tizim.monitoring.formats import iter_file
from tizim.monitoring.model import Payment, Rejected
from tizim.output import progress


def _count_hint(path: Path) -> int | None:
    # A cheap total for the progress bar: count transaction starts without parsing.
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for marker in (b"<CdtTrfTxInf", b":20:", b"\n"):
        n = data.count(marker)
        if n:
            return n if marker != b"\n" else max(n - 1, 1)
    return None


def run_file(path: Path, fmt: str | None = None, batch: int = 500, actor: str = "system",
             show_progress: bool = False, url: str | None = None) -> dict[str, Any]:
    decider = Decider(url=url, actor=actor)
    status = {"PASS": 0, "OBSERVE": 0, "FREEZE": 0}
    totals = {"payments": 0, "decided": 0, "skipped": 0, "rejected": 0}
    rejections: list[dict[str, Any]] = []
    # The screening index is built (or loaded) once per process, before the first payment:
    # timed on its own so the rate says how fast payments are decided.
    began = time.perf_counter()
    decider.screening.engine  # noqa: B018 - builds the index
    index_seconds = time.perf_counter() - began
    # The index is millions of long-lived objects; without this every full garbage collection
    # walks all of them (measured: ~0.9 s of 3.2 s for 5,000 payments, 0.2 s with it).
    gc.freeze()
    started = time.perf_counter()
    cpu_started = time.process_time()
    payments: list[Payment] = []
    rejected: list[Rejected] = []

    def flush() -> None:
        if not payments and not rejected:
            return
        decider.screening.refresh()  # a list imported meanwhile: later batches screen against it
        decisions = decider.decide_batch(payments, rejected)
        for d in decisions:
            totals["payments"] += 1
            status[d.status] += 1
            totals["skipped" if d.replay else "decided"] += 1
        totals["rejected"] += len(rejected)
        rejections.extend(r.to_dict() for r in rejected)
        if bar is not None:
            bar.advance(task, len(payments) + len(rejected))
        payments.clear()
        rejected.clear()

    bar = progress(transient=True) if show_progress else None
    task: Any = None
    if bar is not None:
        bar.start()
        task = bar.add_task(f"deciding {path.name}", total=_count_hint(path))
    try:
        for item in iter_file(path, fmt):
            if isinstance(item, Rejected):
                rejected.append(item)
            else:
                payments.append(item)
            if len(payments) + len(rejected) >= batch:
                flush()
        flush()
    finally:
        if bar is not None:
            bar.stop()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # on a shared machine, wall time includes waiting
    return {
        "file": str(path),
        **totals,
        "status": status,
        "seconds": round(elapsed, 3),
        "index_seconds": round(index_seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "per_second": (totals["payments"] / elapsed) if elapsed > 0 else 0.0,
        "rejections": [{k: v for k, v in r.items() if k != "raw"} for r in rejections],
    }

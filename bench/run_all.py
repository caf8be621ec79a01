"""Run every benchmark script in bench/ and collect their JSON results in bench/results/.

Each script measures tizim side by side with its anchor (the issue's target or a rival
implementation in the same run) and prints the ratio; this runner only sequences them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "registry_import.py",
    "screening_speed.py",
    "screening_quality.py",
    "api_throughput.py",
    "monitoring_throughput.py",
    "intel_quality.py",
]


def main() -> int:
    (HERE / "results").mkdir(exist_ok=True)
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    wanted = sys.argv[1:] or ORDER
    failed = []
    for name in wanted:
        script = HERE / name
        if not script.exists():
            print(f"-- {name}: not present, skipped")
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], env=env)
        print(f"-- {name}: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

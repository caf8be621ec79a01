"""PySpark's Python daemon with the screening index loaded before it forks its workers.

PySpark starts one daemon per executor (`spark.python.daemon.module`, `pyspark.daemon` by
default), which forks a Python worker for the tasks. Each worker loaded the index itself,
so an executor held one copy of it a worker (the local engine's workers fork from the
process that loaded it and share it page for page). It saves memory, not time: measured at
1,000,000 customers, the workers took the same CPU with it. Run as the daemon module (customers/matching.py sets it when it starts the
Spark session), this loads the index of `TIZIM_SPARK_INDEX_URL` first, then serves as
PySpark's own daemon: its workers inherit the loaded screener (`spark_screener` finds it).
Without the variable, or if loading fails, the workers load the index as before.
"""

from __future__ import annotations

import contextlib
import os
import sys


def preload() -> bool:
    """Load the screener the workers will use; False (and why, on stderr) if it cannot be."""
    from tizim.customers.matching import INDEX_URL_VARIABLE

    url = os.environ.get(INDEX_URL_VARIABLE)
    if not url:
        return False
    try:
        # the daemon tells the JVM its port on stdout: nothing else may be written there
        with contextlib.redirect_stdout(sys.stderr):
            from tizim.customers.matching import spark_screener

            spark_screener(url)
    except Exception as exc:  # the workers load it themselves, as without the daemon
        print(f"tizim: the Spark daemon could not load the screening index ({type(exc).__name__}: {exc}); "
              "each worker loads it", file=sys.stderr)
        return False
    finally:
        # no database connection may cross the fork: a worker sharing the daemon's
        # PostgreSQL session collides with its prepared statements
        from tizim.store import dispose_all

        dispose_all()
    return True


def main() -> None:
    from pyspark import daemon

    preload()
    daemon.manager()


if __name__ == "__main__":
    main()

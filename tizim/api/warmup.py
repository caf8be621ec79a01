"""Build the screening index in the background when a server starts.

Building it takes seconds to tens of seconds with every list loaded; doing it in a thread
lets /healthz answer at once while /readyz says 503 until the index is there, so a load
balancer sends no match traffic to a worker that would stall on its first request.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("tizim.api")


class Warmup:
    def __init__(self) -> None:
        self.requested = False
        self.done = threading.Event()
        self.error: str | None = None
        self.seconds: float | None = None

    def start(self) -> None:
        self.requested = True
        threading.Thread(target=self._run, name="tizim-warmup", daemon=True).start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            from tizim.screening import get_screener

            get_screener()
        except Exception as exc:  # reported by /readyz, never fatal to the server
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("building the screening index failed")
        finally:
            self.seconds = time.perf_counter() - started
            self.done.set()

    def pending(self) -> bool:
        return self.requested and not self.done.is_set()


warmup = Warmup()

"""Spreading connections evenly over `tizim serve`'s workers.

uvicorn's workers share one listening socket, and a worker's event loop, once woken, accepts
every pending connection at once. Clients that keep a pool of keep-alive connections (as
core-banking systems and the throughput bench do) therefore often land on one worker: 8
connections opened together split 8/0 (twice) or 7/1 (twice) over 2 workers in four trials,
so one core idled while the other queued nearly every request.

With several workers, `tizim serve` runs each on an event loop from `balanced_loop` (uvicorn's
`loop=` setting; the loop itself is uvloop when installed, as uvicorn would pick). Its server
listens on the shared socket itself and accepts only while its worker holds no more open
connections than the least loaded live worker; the others leave pending connections in the
kernel's queue for that one. Workers see each other's counts on a small board: a file of
fixed slots that every worker maps into memory (`TIZIM_SERVE_BOARD`, created by `tizim serve`),
each slot holding a worker's pid, open connections and a heartbeat. A worker whose heartbeat is
older than `LIVE_SECONDS` (dead, or busy on a long request) is left out, so some worker always
accepts. Without the board (one worker, tests, other servers) the loop is uvicorn's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("tizim.api")

BOARD_ENV = "TIZIM_SERVE_BOARD"
SLOTS = 64
_SLOT = struct.Struct("<qqd")  # pid, open connections, heartbeat (CLOCK_MONOTONIC, system-wide)
# A worker that has not updated its slot for this long is not counted (dead or busy).
LIVE_SECONDS = 0.5
# Heartbeat while accepting; board re-read interval while holding back (a peer may have
# caught up, or stopped answering).
TICK_SECONDS = 0.05
PAUSED_TICK_SECONDS = 0.002


def create_board(folder: Path) -> Path:
    """A fresh, zeroed board file for `tizim serve`'s workers."""
    path = folder / "workers.board"
    path.write_bytes(bytes(SLOTS * _SLOT.size))
    return path


class Board:
    """This worker's slot and a view of everyone else's."""

    def __init__(self, path: str | Path, pid: int | None = None) -> None:
        self._file = open(path, "r+b")  # noqa: SIM115 - kept open for the worker's life
        self._map = mmap.mmap(self._file.fileno(), SLOTS * _SLOT.size)
        self.pid = os.getpid() if pid is None else pid
        self.slot = self._claim()

    def _claim(self) -> int:
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            now = time.monotonic()
            for slot in range(SLOTS):
                pid, _count, stamp = _SLOT.unpack_from(self._map, slot * _SLOT.size)
                if pid == 0 or pid == self.pid or (now - stamp > 5.0 and not _alive(pid)):
                    _SLOT.pack_into(self._map, slot * _SLOT.size, self.pid, 0, now)
                    return slot
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        raise RuntimeError(f"no free slot on the worker board ({SLOTS} workers at most)")

    def publish(self, count: int) -> None:
        _SLOT.pack_into(self._map, self.slot * _SLOT.size, self.pid, count, time.monotonic())

    def fewest_elsewhere(self) -> int | None:
        """The fewest open connections any other live worker holds (None: no other is live)."""
        now = time.monotonic()
        fewest: int | None = None
        for slot, (pid, count, stamp) in enumerate(_SLOT.iter_unpack(self._map)):
            if pid and slot != self.slot and now - stamp <= LIVE_SECONDS and (fewest is None or count < fewest):
                fewest = count
        return fewest

    def close(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            _SLOT.pack_into(self._map, self.slot * _SLOT.size, 0, 0, 0.0)
            self._map.close()
            self._file.close()


def board_rows(path: str | Path) -> list[tuple[int, int, float]]:
    """(pid, open connections, seconds since its heartbeat) of each worker on a board."""
    data = Path(path).read_bytes()
    now = time.monotonic()
    rows = []
    for slot in range(SLOTS):
        pid, count, stamp = _SLOT.unpack_from(data, slot * _SLOT.size)
        if pid:
            rows.append((pid, count, now - stamp))
    return rows


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BalancedServer:
    """Accepts on a shared listening socket while this worker is among the least loaded.

    Stands in for the `asyncio.Server` uvicorn gets from `loop.create_server(sock=...)`: uvicorn
    only calls `close()` and `wait_closed()` on it.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        board: Board,
        ssl: Any = None,
        backlog: int = 100,
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._factory = protocol_factory
        self._board = board
        self._ssl = ssl
        self._open = 0
        self._accepting = False
        self._closed = False
        self._timer: asyncio.TimerHandle | None = None
        sock.setblocking(False)
        sock.listen(backlog)
        self._tick()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return (self._sock,)

    def is_serving(self) -> bool:
        return not self._closed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pause()
        if self._timer is not None:
            self._timer.cancel()
        self._board.close()

    async def wait_closed(self) -> None:
        return None

    # -- deciding whether to accept -------------------------------------------------------

    def _may_accept(self) -> bool:
        fewest = self._board.fewest_elsewhere()
        return fewest is None or self._open <= fewest

    def _tick(self) -> None:
        if self._closed:
            return
        self._board.publish(self._open)
        self._decide()
        delay = TICK_SECONDS if self._accepting else PAUSED_TICK_SECONDS
        self._timer = self._loop.call_later(delay, self._tick)

    def _decide(self) -> None:
        if self._closed:
            return
        if self._may_accept():
            if not self._accepting:
                self._accepting = True
                self._loop.add_reader(self._sock, self._on_readable)
        else:
            self._pause()

    def _pause(self) -> None:
        if self._accepting:
            self._accepting = False
            self._loop.remove_reader(self._sock)

    # -- accepting ------------------------------------------------------------------------

    def _on_readable(self) -> None:
        while self._accepting and self._may_accept():
            try:
                conn, _addr = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # Out of file descriptors and the like: back off, as asyncio's server does.
                log.error("accepting a connection failed: %s", exc)
                self._pause()
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = self._loop.call_later(1.0, self._tick)
                return
            self._open += 1
            self._board.publish(self._open)
            self._loop.create_task(self._serve(conn))
        if self._accepting:
            self._pause()
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_later(PAUSED_TICK_SECONDS, self._tick)

    async def _serve(self, conn: socket.socket) -> None:
        released = False

        def release() -> None:
            # Once per connection, whichever of a failed setup and connection_lost comes.
            nonlocal released
            if not released:
                released = True
                self._connection_closed()

        conn.setblocking(False)
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await self._loop.connect_accepted_socket(lambda: self._counted(release), conn, ssl=self._ssl)
        except Exception as exc:  # a failed TLS handshake, a reset: that connection only
            log.debug("connection setup failed: %s", exc)
            release()
            conn.close()

    def _counted(self, release: Callable[[], None]) -> asyncio.BaseProtocol:
        protocol = self._factory()
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            release()
            lost(exc)

        # An instance attribute: the transport looks the method up on the protocol object.
        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol

    def _connection_closed(self) -> None:
        self._open -= 1
        if not self._closed:
            self._board.publish(self._open)
            if not self._accepting:
                self._decide()


class _BalancedLoopMixin:
    """`create_server(sock=...)` answers with a BalancedServer when the board is set."""

    async def create_server(self, protocol_factory: Any, host: Any = None, port: Any = None, **kw: Any) -> Any:
        sock = kw.get("sock")
        board_path = os.environ.get(BOARD_ENV)
        if sock is None or not board_path or host is not None or port is not None:
            return await super().create_server(protocol_factory, host, port, **kw)  # type: ignore[misc]
        unsupported = set(kw) - {"sock", "ssl", "backlog"}
        if unsupported:
            log.warning("serving without balancing: create_server(%s) is not supported", ", ".join(sorted(unsupported)))
            return await super().create_server(protocol_factory, host, port, **kw)  # type: ignore[misc]
        return BalancedServer(
            self,  # type: ignore[arg-type]
            sock,
            protocol_factory,
            Board(board_path),
            ssl=kw.get("ssl"),
            backlog=kw.get("backlog") or 100,
        )


def _loop_class() -> type[asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop

        class SelectorLoop(_BalancedLoopMixin, asyncio.SelectorEventLoop):
            pass

        return SelectorLoop

    class UVLoop(_BalancedLoopMixin, uvloop.Loop):  # type: ignore[misc]
        pass

    return UVLoop


def balanced_loop() -> asyncio.AbstractEventLoop:
    """A new event loop; uvicorn's `loop="tizim.api.serving:balanced_loop"` (a loop factory)."""
    return _loop_class()()

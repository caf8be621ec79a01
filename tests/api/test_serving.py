"""`tizim serve` spreads connections evenly over its workers (tizim/api/serving.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tizim.api import serving
from tizim.api.serving import BOARD_ENV, BalancedServer, Board, board_rows, create_board

FAKE_PID = 4_000_000  # above Linux's pid_max: never a live process


def test_board_sees_live_peers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = create_board(tmp_path)
    a, b, c = (Board(path, pid=FAKE_PID + i) for i in range(3))
    assert len({a.slot, b.slot, c.slot}) == 3
    a.publish(3)
    b.publish(1)
    c.publish(2)
    assert a.fewest_elsewhere() == 1 and b.fewest_elsewhere() == 2 and c.fewest_elsewhere() == 1
    c.close()  # a worker that stops frees its slot
    assert a.fewest_elsewhere() == 1 and b.fewest_elsewhere() == 3
    assert Board(path, pid=FAKE_PID + 9).slot == c.slot
    # A worker that stopped answering (dead, or busy on a long request) is not waited for.
    monkeypatch.setattr(serving, "LIVE_SECONDS", -1.0)
    assert a.fewest_elsewhere() is None


class _Recorder(asyncio.Protocol):
    def __init__(self, made: list[asyncio.BaseTransport]) -> None:
        self.made = made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.made.append(transport)


async def _until(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached")


def test_two_servers_on_one_socket_share_connections(tmp_path: Path) -> None:
    path = create_board(tmp_path)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        made: dict[str, list[asyncio.BaseTransport]] = {"a": [], "b": []}
        # Two "workers" in one loop: each its own descriptor of the same listening socket.
        servers = {
            who: BalancedServer(loop, sock, lambda who=who: _Recorder(made[who]), Board(path, pid=FAKE_PID + i))
            for i, (who, sock) in enumerate((("a", listener), ("b", listener.dup())))
        }
        clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(8)]
        await _until(lambda: len(made["a"]) + len(made["b"]) == 8)
        assert sorted(len(v) for v in made.values()) == [4, 4]

        # One worker's connections close: it takes the next ones, the other holds back.
        for transport in made["a"]:
            transport.close()
        await _until(lambda: servers["a"]._open == 0)
        clients += [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        await _until(lambda: len(made["a"]) == 7)
        assert len(made["b"]) == 4

        for server in servers.values():
            server.close()
            await server.wait_closed()
        for _reader, writer in clients:
            writer.close()
        listener.close()

    asyncio.run(scenario())


def _connections_per_process(pids: list[int], port: int) -> dict[int, int]:
    """Established TCP connections on the server's `port`, per owning process (from /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    counts: dict[int, int] = {}
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        owned = 0
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                owned += 1
        counts[pid] = owned
    return counts


def _board_of(serve_pid: int) -> str:
    """The board `tizim serve` made, from its workers' environment (they get it at spawn)."""
    children = subprocess.run(["pgrep", "-P", str(serve_pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        for item in Path(f"/proc/{child}/environ").read_bytes().split(b"\0"):
            name, _, value = item.partition(b"=")
            if name == BOARD_ENV.encode():
                return value.decode()
    raise AssertionError("no worker has a board")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc (Linux)")
def test_serve_spreads_keep_alive_connections(sqlite_url: str, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tizim = str(Path(sys.executable).with_name("tizim"))
    env = dict(os.environ, TIZIM_DATABASE_URL=sqlite_url, NO_COLOR="1")
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [tizim, "serve", "--port", str(port), "--workers", "2", "--no-access-log", "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((tmp_path / "serve.log").read_text())
                time.sleep(0.25)
        # Wait for both workers: one that is up alone rightly takes every connection.
        board = _board_of(server.pid)
        for _ in range(240):
            workers = [pid for pid, _count, age in board_rows(board) if age <= serving.LIVE_SECONDS]
            if len(workers) == 2:
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"two workers did not come up: {board_rows(board)}")
        # Keep-alive clients opening their pool at once, as the throughput bench does.
        pool = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
        for conn in pool:
            conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        for conn in pool:
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        counts = {pid: n for pid, n in _connections_per_process(workers, port).items() if n}
        # 4/4; 3/5 tolerated (a worker stalled past LIVE_SECONDS on a loaded machine is skipped).
        assert sorted(counts.values()) in ([4, 4], [3, 5]), counts
        for conn in pool:
            conn.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        log.close()

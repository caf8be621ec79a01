"""A slow screening request does not stop /healthz (issue 19): the screener runs in the
thread pool, never on the event loop."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from tests.api.conftest import load_fixture_lists
from tizim.api.app import create_app
from tizim.api.keys import KeyStore


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    load_fixture_lists()
    key = KeyStore().create("loop-test", "screener")[1]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        while not server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn did not start")
            threading.Event().wait(0.05)
        yield base, {"Authorization": f"Bearer {key}"}
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _slow_batch() -> dict[str, object]:
    # Long names of words no list spells: each costs the most a name can (after the caps).
    words = [f"Qwzx{chr(97 + k % 26)}{chr(97 + (k * 7) % 26)}vbnt{chr(97 + (k * 3) % 26)}" for k in range(40)]
    return {"queries": {
        f"q{i}": {"schema": "Organization", "properties": {"name": [" ".join(words[i % 40:] + words[: i % 40])] * 3}}
        for i in range(500)
    }}


@pytest.mark.parametrize("path", ["/match/default", "/screen/text"])
def test_healthz_answers_while_a_slow_request_screens(served: tuple[str, dict[str, str]], path: str) -> None:
    base, headers = served
    with httpx.Client(base_url=base, timeout=300) as client:
        assert client.post("/match/default", json={"queries": {"w": {"schema": "Person", "properties": {
            "name": ["Tahir Yuldashev"]}}}}, headers=headers).status_code == 200  # index built
    body = _slow_batch() if path.startswith("/match") else {
        "text": "Tahiri Yuldashevo Northerly Liberating Frontier Crescento Relieve Islamico Movements " * 40}
    slow_status: list[int] = []
    started = threading.Event()

    def slow() -> None:
        with httpx.Client(base_url=base, timeout=300) as client:
            started.set()
            slow_status.append(client.post(path, json=body, headers=headers).status_code)

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait()
    # /healthz again and again while the slow request is being screened: answers that come back
    # while it still runs were not queued behind it on the event loop (no timing assumed: the
    # count of such answers is what is checked, however fast the machine is)
    answered_meanwhile = 0
    with httpx.Client(base_url=base, timeout=300) as client:
        while worker.is_alive():
            health = client.get("/healthz")
            assert health.status_code == 200
            answered_meanwhile += worker.is_alive()
    worker.join()
    assert slow_status == [200]
    # (one answer could slip in before the slow request reaches the server; more could not)
    assert answered_meanwhile >= 5, answered_meanwhile

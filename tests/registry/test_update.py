"""`lists update` downloads: a local http.server serving fixture files, and a closed port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tizim.errors import TizimError
from tizim.registry.importers import load
from tizim.registry.update import Source, download, download_all


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def server() -> Iterator[str]:
    handler = partial(_Quiet, directory=str(FIXTURES / "registry"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_download_from_local_server_then_import(server: str, tmp_path: Path) -> None:
    sources = {"eu-fsf": (Source("eu-fsf", f"{server}/eu/fsf_small.xml", "eu.xml"),)}
    fetched = download_all(tmp_path, None, sources)
    assert fetched == [("eu-fsf", tmp_path / "eu-fsf" / "eu.xml")]
    assert fetched[0][1].read_bytes() == (FIXTURES / "registry" / "eu" / "fsf_small.xml").read_bytes()
    assert not list(tmp_path.rglob("*.part"))
    assert len(load(fetched[0][1], "eu-fsf").entities) == 2


def test_http_error_and_offline(server: str, tmp_path: Path) -> None:
    with pytest.raises(TizimError, match="HTTP 404"):
        download(f"{server}/missing.xml", tmp_path / "x.xml")
    assert not (tmp_path / "x.xml").exists() and not (tmp_path / "x.xml.part").exists()
    url = f"http://127.0.0.1:{_closed_port()}/consolidated.xml"
    with pytest.raises(TizimError) as err:
        download(url, tmp_path / "y.xml")
    message = str(err.value)
    assert "\n" not in message and url in message and "offline" in message


def test_eu_token_required_and_unknown_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIZIM_EU_FSF_TOKEN", raising=False)
    with pytest.raises(TizimError, match="TIZIM_EU_FSF_TOKEN"):
        download_all(tmp_path, ["eu-fsf"])
    with pytest.raises(TizimError, match="unknown list"):
        download_all(tmp_path, ["xx-nowhere"])

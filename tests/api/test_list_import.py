"""POST /lists/import: a list file over HTTP, all-or-nothing, with the importers' own errors."""

from __future__ import annotations

import io
import zipfile

from tests.api.conftest import ApiEnv
from tests.conftest import FIXTURES
from tizim import settings

NATIONAL = FIXTURES / "registry" / "national" / "example.yaml"


def _import(api: ApiEnv, filename: str, body: bytes, **params: str):  # type: ignore[no-untyped-def]
    return api.client.post("/lists/import", params={"filename": filename, **params}, content=body,
                           headers=api.headers("admin"))


def test_import_creates_a_version_then_is_unchanged(api: ApiEnv) -> None:
    first = _import(api, "example.yaml", NATIONAL.read_bytes())
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["list"] == "demo-national" and body["created"] and body["entities"] >= 1
    again = _import(api, "example.yaml", NATIONAL.read_bytes())
    assert again.status_code == 200 and not again.json()["created"]
    names = {row["name"] for row in api.client.get("/lists", headers=api.headers("viewer")).json()}
    assert "demo-national" in names


def test_a_bad_file_names_the_problem_and_imports_nothing(api: ApiEnv) -> None:
    broken = NATIONAL.read_text(encoding="utf-8").replace("reference: nf-001", "reference: ")
    response = _import(api, "example.yaml", broken.encode())
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("example.yaml") and "tizim-import" not in detail
    names = {row["name"] for row in api.client.get("/lists", headers=api.headers("viewer")).json()}
    assert "demo-national" not in names


def test_a_zip_holds_a_folder_of_tables(api: ApiEnv) -> None:
    folder = FIXTURES / "registry" / "ofac" / "sdn_set"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.writestr(f"sdn_set/{path.name}", path.read_bytes())
    response = _import(api, "sdn_set.zip", buf.getvalue())
    assert response.status_code == 201, response.text
    assert response.json()["list"] == "us-ofac-sdn" and response.json()["entities"] > 0


def test_unsafe_names_and_archives_are_refused(api: ApiEnv) -> None:
    assert _import(api, "../etc/passwd", b"x").status_code == 422
    assert _import(api, "example.yaml", b"").status_code == 422
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../escape.csv", "a,b\n")
    response = _import(api, "evil.zip", buf.getvalue())
    assert response.status_code == 400 and "leaves the archive" in response.json()["detail"]


def test_the_import_limit_is_its_own(api: ApiEnv) -> None:
    settings.override(max_import_bytes=100)
    try:
        response = _import(api, "example.yaml", NATIONAL.read_bytes())
        assert response.status_code == 413
    finally:
        settings.override(max_import_bytes=200_000_000)


def test_garbage_in_any_format_is_a_4xx(api: ApiEnv) -> None:
    junk = bytes(range(256)) * 4
    for name in ("a.csv", "a.xml", "a.yaml", "a.yml", "a.json", "a.jsonl", "a.zip", "a.txt", "sdn.csv", "a.ftm.json"):
        for body in (junk, b"<x>", b"a,b\n1", b"{}", b"- 1\n"):
            response = _import(api, name, body)
            assert 400 <= response.status_code < 500, (name, body[:10], response.status_code, response.text[:200])


def test_a_shrinking_import_is_held_back_with_409_unless_allowed(api: ApiEnv) -> None:
    lines = NATIONAL.read_text(encoding="utf-8").split("\n  - reference: ")
    assert len(lines) >= 3
    assert _import(api, "example.yaml", NATIONAL.read_bytes()).status_code == 201
    shrunk = "\n  - reference: ".join(lines[:-1]).encode()  # the last entity cut off, still valid YAML
    held = _import(api, "example.yaml", shrunk)
    assert held.status_code == 409, held.text
    assert "held back" in held.json()["detail"] and "allow_shrink" in held.json()["detail"]
    versions = api.client.get("/lists/demo-national/versions", headers=api.headers("viewer")).json()
    assert len(versions) == 1
    done = _import(api, "example.yaml", shrunk, allow_shrink="true")
    assert done.status_code == 201 and done.json()["removed"] == 1
    assert _import(api, "sdn.csv", b"", source="us-ofac-sdn").status_code == 422  # empty body
    empty = _import(api, "example.yaml", b"format: tizim-national-list/1\nlist:\n  name: demo-national\nentities: []\n")
    assert empty.status_code == 400 and "no records" in empty.json()["detail"]

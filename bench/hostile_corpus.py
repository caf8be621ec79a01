"""The hostile corpus of issue 19, on SQLite and PostgreSQL.

Every list importer gets its good file, then that file empty, cut in half, cut at a line
boundary, cut one byte short, headers only, with a NUL, with a UTF-8-encoded surrogate, with
a 5 MB field, nested 100,000 deep and with a 300-character field; each through the registry
(in process) and POST /lists/import. Both payment paths (the `tizim monitor` runner and
POST /payments) get payments with long ids, UETRs and accounts, an ISO timestamp as value
date, 60-digit amounts, NUL, lone surrogates, intermediary agents as strings, JSON nested
100,000 deep, a 2 MB field 72, truncated XML and MT103 messages. Then schemathesis runs
every check over every operation. Printed per database:

    inputs tried, partial imports, silent shrinks, tracebacks, 5xx (all 0), schemathesis counts

    .venv/bin/python bench/hostile_corpus.py [--examples 40] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIX = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared" / "data"
POSTGRES = os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")

# (label, good file or folder, --source, the file of a folder that is mangled)
SOURCES: list[tuple[str, Path, str, str | None]] = [
    ("un xml", FIX / "registry/un/un_small.xml", "un-sc", None),
    ("ofac sdn csv set", FIX / "registry/ofac/sdn_set", "us-ofac-sdn", "sdn.csv"),
    ("ofac cons csv set", FIX / "registry/ofac/cons_set", "us-ofac-cons", "cons_prim.csv"),
    ("ofac sdn xml", FIX / "registry/ofac/sdn.xml", "us-ofac-sdn", None),
    ("uk csv tables", FIX / "registry/uk/small", "uk-fcdo", "subjects.csv"),
    ("uk csv names table", FIX / "registry/uk/small", "uk-fcdo", "subject_names.csv"),
    ("eu csv annexes", FIX / "registry/eu/annexes", "eu-fsf", "32001R2580.csv"),
    ("eu fsf xml", FIX / "registry/eu/fsf_small.xml", "eu-fsf", None),
    ("kz afm xml", FIX / "registry/kz/afm_category1.xml", "kz-afm", None),
    ("national yaml", FIX / "registry/national/example.yaml", "demo-national", None),
    ("national csv", FIX / "registry/national/example.csv", "demo-national", None),
    ("ftm jsonl", SHARED / "opensanctions/yente_fixtures/zala_entities.ftm.json", "ftm", None),
]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _middle(data: bytes, insert: bytes) -> bytes:
    lines = _lines(data)
    k = max(1, len(lines) // 2)
    line = lines[k] if k < len(lines) else b""
    cut = len(line) // 2
    return b"".join(lines[:k]) + line[:cut] + insert + line[cut:] + b"".join(lines[k + 1:])


def _deep(data: bytes, path: Path) -> bytes:
    if data.lstrip().startswith(b"<"):
        end = data.index(b">", data.index(b"<", data.index(b"?>") + 2 if b"?>" in data else 0)) + 1
        return data[:end] + b"<x>" * 100_000 + b"</x>" * 100_000 + data[end:]
    if path.suffix in (".json", ".jsonl"):
        return b"[" * 100_000 + b"]" * 100_000 + b"\n" + data
    return _middle(data, b"[" * 100_000)


def _long_field(data: bytes) -> bytes:
    lines = _lines(data)
    k = min(1, len(lines) - 1)
    for sep in (b",", b">", b": "):
        if sep in lines[k]:
            head, _, tail = lines[k].partition(sep)
            lines[k] = head + sep + b"R" * 300 + tail
            break
    return b"".join(lines)


VARIANTS: dict[str, Callable[[bytes, Path], bytes]] = {
    "good": lambda d, p: d,
    "empty": lambda d, p: b"",
    "cut in half": lambda d, p: d[: len(d) // 2],
    "cut at a line boundary": lambda d, p: b"".join(_lines(d)[: max(1, len(_lines(d)) // 2)]),
    "one byte short": lambda d, p: d.rstrip(b"\n\x1a")[:-1],
    "headers only": lambda d, p: _lines(d)[0] if _lines(d) else b"",
    "NUL": lambda d, p: _middle(d, b"\x00"),
    "surrogate": lambda d, p: _middle(d, b"\xed\xa0\x80"),
    "5 MB field": lambda d, p: _middle(d, b"A" * 5_000_000),
    "deep nesting": _deep,
    "300-char field": lambda d, p: _long_field(d),
}


@contextmanager
def database(kind: str) -> Iterator[str]:
    from tizim import settings
    from tizim.store import dispose_all, init_db

    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="tizim-hostile-")
        url = f"sqlite:///{tmp}/hostile.db"
        cleanup: Callable[[], None] = lambda: shutil.rmtree(tmp, ignore_errors=True)  # noqa: E731
    else:
        import psycopg

        schema = f"hostile_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with psycopg.connect(POSTGRES, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    settings.override(database_url=url, data_dir=None)
    init_db(url)
    try:
        yield url
    finally:
        dispose_all()
        cleanup()


class Tally:
    def __init__(self) -> None:
        self.inputs = 0
        self.partial = 0
        self.shrinks = 0
        self.tracebacks = 0
        self.server_errors = 0
        self.refused = 0
        self.accepted = 0
        self.notes: list[str] = []

    def line(self) -> str:
        return (f"inputs tried {self.inputs}, partial imports {self.partial}, silent shrinks {self.shrinks}, "
                f"tracebacks {self.tracebacks}, 5xx {self.server_errors} "
                f"(accepted {self.accepted}, refused with a named error {self.refused})")


def _state(name: str) -> tuple[int, int]:
    from tizim.registry.service import Registry

    registry = Registry()
    try:
        versions = len(registry.versions(name))
    except Exception:  # noqa: BLE001 - no such list yet
        versions = 0
    active = next((row["entities"] for row in registry.summary() if row["name"] == name), 0)
    return versions, active


def _materialize(src: Path, member: str | None, variant: str, into: Path) -> Path:
    target = into / (src.name if src.is_file() else src.name)
    if src.is_dir():
        shutil.copytree(src, target)
        mangled = target / (member or "")
        mangled.write_bytes(VARIANTS[variant](mangled.read_bytes(), mangled))
    else:
        target.write_bytes(VARIANTS[variant](src.read_bytes(), src))
    return target


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.writestr(f"{folder.name}/{path.name}", path.read_bytes())
    return buf.getvalue()


def importers(tally: Tally, client: Any, headers: dict[str, str]) -> None:
    from tizim.errors import TizimError
    from tizim.registry.importers import open_list
    from tizim.registry.service import Registry

    for label, src, source, member in SOURCES:
        if not src.exists():
            tally.notes.append(f"{label}: {src} absent, skipped")
            continue
        name = source if source != "ftm" else None
        for variant in VARIANTS:
            with tempfile.TemporaryDirectory() as tmp:
                path = _materialize(src, member, variant, Path(tmp))
                parsed_name = name
                if variant == "good":
                    parsed = open_list(path, source)  # as `tizim lists import`: entities streamed
                    result = Registry().import_parsed(parsed, allow_shrink=True)  # each run starts from its good file
                    continue
                before = _state(parsed_name or "")
                tally.inputs += 1
                try:
                    parsed = open_list(path, source)
                    parsed_name = parsed.list_name
                    before = _state(parsed_name)
                    result = Registry().import_parsed(parsed)
                    tally.accepted += 1
                    after = _state(parsed_name)
                    if result.created and after[1] < before[1]:
                        tally.shrinks += 1
                        tally.notes.append(f"{label} / {variant}: shrank {before[1]} -> {after[1]}")
                except TizimError:
                    tally.refused += 1
                    if parsed_name and _state(parsed_name) != before:
                        tally.partial += 1
                        tally.notes.append(f"{label} / {variant}: refused but the list changed")
                except Exception:  # noqa: BLE001 - what this corpus counts
                    tally.tracebacks += 1
                    tally.notes.append(f"{label} / {variant}: traceback {traceback.format_exc().splitlines()[-1]}")
                # the same bytes over HTTP
                tally.inputs += 1
                body = _zip(path) if path.is_dir() else path.read_bytes()
                filename = f"{path.name}.zip" if path.is_dir() else path.name
                params = {"filename": filename, "source": source}
                response = client.post("/lists/import", params=params, content=body or b" ", headers=headers)
                if response.status_code >= 500:
                    tally.server_errors += 1
                    tally.notes.append(f"{label} / {variant} over HTTP: {response.status_code} {response.text[:120]}")
                elif response.status_code in (200, 201) and response.json().get("removed"):
                    tally.shrinks += 1
                    tally.notes.append(f"{label} / {variant} over HTTP: removed {response.json()['removed']}")


def _payment(i: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "payment_id": f"H-{i:05d}", "msg_id": "MSG-H", "e2e_id": f"E2E-H{i:05d}", "amount": "1000.00",
        "currency": "USD", "value_date": "2025-03-10",
        "debtor": {"name": "Corporation Z", "account": "BE34001216371411", "country": "BE"},
        "creditor": {"name": f"Corporation Y{i}", "account": f"BR97003603050000100{i:05d}", "country": "BR"},
    }
    for path, value in changes.items():
        target = data
        *parents, leaf = path.split("__")
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = value
    return data


def hostile_payments() -> list[tuple[str, bytes]]:
    rows: list[tuple[str, dict[str, Any]]] = [
        ("ISO timestamp value date", _payment(1, value_date="2025-03-10T09:00:00Z")),
        ("300-char payment id", _payment(2, payment_id="P" * 300)),
        ("300-char UETR", _payment(3, uetr="u" * 300)),
        ("300-char e2e id", _payment(4, e2e_id="E" * 300)),
        ("300-char account", _payment(5, creditor__account="A" * 300)),
        ("60-digit amount", _payment(6, amount="9" * 60)),
        ("exponent amount", _payment(7, amount="1E+400")),
        ("NUL in a name", _payment(8, creditor__name="Corp\x00Y")),
        ("lone surrogate", _payment(9, debtor__name="Ab\ud800cd")),
        ("agents as strings", _payment(10, intermediary_agents=["BANK ONE"])),
        ("1 MB name", _payment(11, creditor__name="Y" * 1_000_000)),
        ("2 MB field 72", _payment(12, sender_info="x" * 2_000_000)),
        ("a party as a string", _payment(13, creditor="Corporation Y")),
        ("amount as an object", _payment(14, amount={"value": 1})),
    ]
    out = [(what, json.dumps(data, ensure_ascii=True).encode()) for what, data in rows]
    out += [
        ("empty object", b"{}"),
        ("deep JSON", b"[" * 100_000 + b"]" * 100_000),
        ("raw NUL bytes", b'{"payment_id": "H\x00", "amount": "1", "currency": "USD"}'),
        ("invalid UTF-8", b'{"payment_id": "H-\xed\xa0\x80", "amount": "1", "currency": "USD"}'),
    ]
    iso = SHARED / "iso20022/fedwire_moov_wire20022/CustomerCreditTransfer_Scenario5_Step2_pacs.008.xml"
    if iso.exists():
        xml = iso.read_bytes()
        out += [("pacs.008 cut in half", xml[: len(xml) // 2]),
                ("pacs.008 with a NUL", xml.replace(b"<Nm>", b"<Nm>\x00", 1)),
                ("pacs.008 nested deep", xml.replace(b"<Nm>", b"<Nm>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1)),
                ("pacs.008 60-digit amount", _xml_amount(xml))]
    mt = (FIX / "monitoring/mt103_two.txt").read_bytes()
    first = mt.split(b"-}", 1)[0] + b"-}"
    out += [("MT103 cut in half", first[: len(first) // 2]),
            ("MT103 2 MB field 72", first.replace(b":71A:", b":72:/REC/" + b"x" * 2_000_000 + b"\r\n:71A:", 1)),
            ("MT103 with a NUL", first.replace(b":50K:", b":50K:\x00", 1))]
    return out


def _xml_amount(xml: bytes) -> bytes:
    import re

    return re.sub(rb"(<IntrBkSttlmAmt[^>]*>)[^<]*", rb"\g<1>" + b"9" * 60, xml, count=1)


def payments(tally: Tally, client: Any, headers: dict[str, str], tmp: Path, url: str) -> None:
    from tizim.errors import TizimError
    from tizim.monitoring.runner import run_file

    bodies = hostile_payments()
    for what, body in bodies:
        tally.inputs += 1
        response = client.post("/payments", content=body, headers=headers)
        if response.status_code >= 500:
            tally.server_errors += 1
            tally.notes.append(f"POST /payments {what}: {response.status_code} {response.text[:120]}")
        # the same message as a file for the monitor (one file each: a file is one format)
        tally.inputs += 1
        path = tmp / f"hostile-{abs(hash(what))}.{'jsonl' if body.lstrip()[:1] in (b'{', b'[') else 'txt'}"
        if body.lstrip().startswith(b"<"):
            path = path.with_suffix(".xml")
        path.write_bytes(body + b"\n")
        try:
            run_file(path, workers=1)
        except TizimError:
            tally.refused += 1
        except Exception:  # noqa: BLE001 - what this corpus counts
            tally.tracebacks += 1
            tally.notes.append(f"monitor {what}: traceback {traceback.format_exc().splitlines()[-1]}")
    # and the real command on one file of them all (JSON ones), as an operator runs it
    lines = [b for w, b in bodies if b.startswith(b"{") and b"\n" not in b]
    batch = tmp / "hostile-batch.jsonl"
    batch.write_bytes(b"\n".join([json.dumps(_payment(900)).encode(), *lines,
                                  json.dumps(_payment(901)).encode()]) + b"\n")
    tally.inputs += 1
    env = dict(os.environ, TIZIM_DATABASE_URL=url, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "tizim.cli", "monitor", str(batch), "--json"], env=env,
                          capture_output=True, text=True, timeout=600)
    if "Traceback" in done.stderr or done.returncode not in (0, 2):
        tally.tracebacks += 1
        tally.notes.append(f"tizim monitor: exit {done.returncode} {done.stderr[-300:]}")
    elif done.returncode == 2:
        tally.partial += 1  # the file as a whole refused: the two good payments undecided
        tally.notes.append(f"tizim monitor refused the file: {done.stderr.strip()[-300:]}")
    else:
        summary = json.loads(done.stdout)
        if summary["decided"] + summary["skipped"] < 2:
            tally.notes.append(f"tizim monitor decided {summary['decided']} of the 2 good payments")
            tally.partial += 1


def run(kind: str, examples: int) -> None:
    from fastapi.testclient import TestClient

    from tests.api.fuzzing import run as fuzz
    from tizim.api.app import create_app
    from tizim.api.keys import KeyStore

    with database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        key = KeyStore().create("hostile-admin", "admin")[1]
        headers = {"Authorization": f"Bearer {key}"}
        client = TestClient(create_app(), raise_server_exceptions=False)
        lists, pays = Tally(), Tally()
        importers(lists, client, headers)
        payments(pays, client, headers, Path(tmp), url)
        fuzzed = fuzz(examples)
        print(f"[{kind}] list importers: {lists.line()}")
        print(f"[{kind}] payments (POST /payments and tizim monitor): {pays.line()}")
        for note in lists.notes + pays.notes:
            print(f"[{kind}]   {note}")
        print(f"[{kind}] schemathesis, every check: {fuzzed.summary()}")
        for name, count in sorted(fuzzed.failed().items()):
            print(f"[{kind}]   {count} x {name}: {fuzzed.samples[name][:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=40, help="schemathesis examples per operation")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    for kind in ("sqlite",) if args.sqlite_only else ("sqlite", "postgres"):
        run(kind, args.examples)


if __name__ == "__main__":
    main()

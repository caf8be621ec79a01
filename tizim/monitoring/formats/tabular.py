"""The CSV and JSONL payment layouts (documented in docs/monitoring.md).

JSONL: one object per line, parties either nested ({"debtor": {"name": ..}}) or flat
("debtor_name"). CSV: a header row with the flat column names. Flat columns are
<role>_<field> for role in debtor, creditor, ultimate_debtor, ultimate_creditor,
debtor_agent, creditor_agent and field in name, address, country, account, id, bic."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from tizim.monitoring.model import Payment, Rejected, validate

ROLES = ("ultimate_debtor", "ultimate_creditor", "debtor_agent", "creditor_agent", "debtor", "creditor")
FIELDS = ("name", "address", "country", "account", "id", "bic")
COLUMNS = (
    ["payment_id", "msg_id", "e2e_id", "uetr", "instr_id", "amount", "currency", "value_date",
     "created_at"]
    + [f"{r}_{f}" for r in ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor",
                            "debtor_agent", "creditor_agent") for f in FIELDS]
    + ["purpose", "instrument", "remittance", "sender_info"]
)


_FLAT = {f"{r}_{f}": (r, f) for r in ROLES for f in FIELDS}


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Fold flat <role>_<field> keys into nested party objects."""
    data: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None or value == "":
            continue
        pair = _FLAT.get(key)
        if pair is not None:
            data.setdefault(pair[0], {})[pair[1]] = value
        else:
            if isinstance(data.get(key), dict) and isinstance(value, dict):
                data[key].update(value)
            else:
                data[key] = value
    return data


_KNOWN = frozenset(COLUMNS) | frozenset(ROLES) | {"intermediary_agents", "format"}


def payment_from_record(record: dict[str, Any], fmt: str) -> Payment:
    unknown = [k for k in record if k not in _KNOWN]
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown)[:5])}")
    payment = Payment.from_dict(nest(record))
    payment.format = fmt
    validate(payment)
    return payment


# bytes that were not UTF-8, kept as surrogate escapes by formats._decode
_UNDECODED = re.compile("[\udc80-\udcff]")


def iter_jsonl(text: str, name: str) -> Iterator[Payment | Rejected]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        bad = _UNDECODED.search(line)
        if bad:
            yield Rejected(reason=f"not UTF-8 text (byte 0x{ord(bad.group()) - 0xDC00:02x} at column {bad.start() + 1})",
                           source=name, line=number, record=f"line {number}",
                           raw=line[:4000].encode("utf-8", "surrogateescape").decode("utf-8", "replace"), format="jsonl")
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a line must be a JSON object")
            payment = payment_from_record(record, "jsonl")
        except RecursionError:
            yield Rejected(reason="JSON nested too deeply", source=name, line=number, record=f"line {number}",
                           raw=line[:4000], format="jsonl")
            continue
        except (ValueError, TypeError) as exc:
            yield Rejected(reason=str(exc), source=name, line=number, record=f"line {number}",
                           raw=line[:4000], format="jsonl")
            continue
        payment.source, payment.line, payment.record = name, number, f"line {number}"
        yield payment


def iter_csv(text: str, name: str) -> Iterator[Payment | Rejected]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"amount", "currency"} - set(reader.fieldnames or [])
    if missing:
        yield Rejected(reason=f"CSV header lacks column(s) {', '.join(sorted(missing))}", source=name,
                       line=1, record="header", format="csv")
        return
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            # a cell past the csv module's size limit, a NUL: the rest cannot be read reliably
            yield Rejected(reason=f"malformed CSV: {exc}; the rest of the file is not read", source=name,
                           line=reader.line_num, record=f"row {reader.line_num}", format="csv")
            return
        number = reader.line_num
        try:
            if None in row:
                raise ValueError("more cells than header columns")
            payment = payment_from_record({k: v for k, v in row.items() if v not in (None, "")}, "csv")
        except (ValueError, TypeError) as exc:
            yield Rejected(reason=str(exc), source=name, line=number, record=f"row {number}",
                           raw=json.dumps(row, ensure_ascii=False, default=str)[:4000], format="csv")
            continue
        payment.source, payment.line, payment.record = name, number, f"row {number}"
        yield payment

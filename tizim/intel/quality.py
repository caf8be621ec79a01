"""Precision and recall of extracted facts against an expected-facts file (tests, bench).

Designations match on (organization, date, action[, jurisdiction]); relationships on
(kind, subject, object), ties in either direction; incidents on (kind, date), each expected
fact matched at most once (preferring the row whose place and route agree). Place, casualty
numbers and extradition routes (from -> to) are reported as agreement rates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tizim.intel.names import name_key
from tizim.intel.patterns import EVENT_KINDS


def _group(aliases: dict[str, list[str]], name: str | None) -> str | None:
    if name is None:
        return None
    key = name_key(name)
    for group, names in aliases.items():
        if key in {name_key(n) for n in names}:
            return group
    return key


def _place_agrees(row: list[Any], fact: dict[str, Any]) -> bool:
    return bool(row[2]) and row[2].lower() in (fact["place"] or "").lower()


def _route_agrees(row: list[Any], fact: dict[str, Any]) -> bool:
    """An extradition's from -> to (the expected row's fifth element, when it has one)."""
    if len(row) < 5:
        return False
    details = fact.get("details") or {}
    return bool(row[4].get("from") == details.get("from") and row[4].get("to") == details.get("to"))


def _pr(matched: int, got: int, expected: int) -> dict[str, Any]:
    precision = matched / got if got else 0.0
    recall = matched / expected if expected else 0.0
    return {"matched": matched, "extracted": got, "expected": expected,
            "precision": round(precision, 3), "recall": round(recall, 3)}


def score(facts: list[dict[str, Any]], expected_path: Path) -> dict[str, Any]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    aliases: dict[str, list[str]] = expected["aliases"]
    out: dict[str, Any] = {}

    got_d = {(_group(aliases, f["subject"]), f["date"], f["action"], f["details"].get("jurisdiction"))
             for f in facts if f["kind"] == "designation"}
    want_d = set()
    for row in expected["designation"]:
        want_d.add((row[0], row[1], row[2], row[3] if len(row) > 3 else "kz"))
    out["designation"] = _pr(len(got_d & want_d), len(got_d), len(want_d))
    out["designation"]["missed"] = sorted(map(str, want_d - got_d))
    out["designation"]["spurious"] = sorted(map(str, got_d - want_d))

    def rel_key(kind: str, a: str | None, b: str | None) -> tuple[Any, ...]:
        if kind == "trained_in":
            return (kind, (b or "").split(",")[0].strip().lower())
        if kind == "tied_to":
            return (kind, *sorted([a or "", b or ""]))
        return (kind, a, b)

    got_r = {rel_key(f["action"], _group(aliases, f["subject"]),
                     f["object"] if f["action"] == "trained_in" else _group(aliases, f["object"]))
             for f in facts if f["kind"] == "relationship"}
    want_r = {rel_key(k, a, b) for k, a, b in expected["relationship"]}
    out["relationship"] = _pr(len(got_r & want_r), len(got_r), len(want_r))
    out["relationship"]["missed"] = sorted(map(str, want_r - got_r))
    out["relationship"]["spurious"] = sorted(map(str, got_r - want_r))

    for kind in (*EVENT_KINDS, "incident"):
        kinds = EVENT_KINDS if kind == "incident" else (kind,)
        got = [f for f in facts if f["kind"] in kinds]
        want = [row for row in expected["incident"] if row[0] in kinds]
        free = list(want)
        matched = places = place_total = numbers = number_total = routes = route_total = 0
        spurious: list[str] = []
        wrong_places: list[str] = []
        for fact in got:
            # Same kind and date; among several such rows, the one whose place agrees.
            rows = [row for row in free if row[0] == fact["kind"] and row[1] == fact["date"]]
            rows.sort(key=lambda row: (not _place_agrees(row, fact), not _route_agrees(row, fact)))
            hit = rows[0] if rows else None
            if hit is None:
                spurious.append(f"{fact['kind']} {fact['date']} {fact['place']} {fact['citation']['sentence'][:70]!r}")
                continue
            free.remove(hit)
            matched += 1
            if len(hit) > 4:
                route_total += 1
                routes += int(_route_agrees(hit, fact))
            if hit[2]:
                place_total += 1
                agree = _place_agrees(hit, fact)
                places += int(agree)
                if not agree:
                    wrong_places.append(f"{fact['kind']} {fact['date']}: {fact['place']} (expected {hit[2]})")
            for key, value in hit[3].items():
                number_total += 1
                numbers += int(fact["numbers"].get(key) == value)
        out[kind] = _pr(matched, len(got), len(want))
        out[kind]["place_agreement"] = f"{places}/{place_total}"
        out[kind]["number_agreement"] = f"{numbers}/{number_total}"
        if route_total:
            out[kind]["route_agreement"] = f"{routes}/{route_total}"
        out[kind]["missed"] = [f"{row[0]} {row[1]} {row[2]}" for row in free]
        out[kind]["spurious"] = spurious
        out[kind]["wrong_places"] = wrong_places
    return out

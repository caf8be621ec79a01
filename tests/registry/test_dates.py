"""Date parsing as lists write dates; property tests that it never crashes or lies."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tizim.registry.dates import date_start, in_force, parse_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1951-06-19", "1951-06-19"),
        ("1951-6-9", "1951-06-09"),
        ("1951-06", "1951-06"),
        ("1951", "1951"),
        ("19.06.1951", "1951-06-19"),
        ("19/06/1951", "1951-06-19"),
        ("19 Jun 1951", "1951-06-19"),
        ("19 June 1951", "1951-06-19"),
        ("June 19, 1951", "1951-06-19"),
        ("Jun 1951", "1951-06"),
        ("circa 1960", "1960"),
        ("1950-1955", "1950/1955"),
        ("1950 to 1955", "1950/1955"),
        ("2026-02-27T00:00:09Z", "2026-02-27"),
        ("17 ноября 2006", "2006-11-17"),
        ("", None),
        ("unknown", None),
        ("31.02.1990", None),
        ("1955-1950", None),
        ("0000", None),
    ],
)
def test_known_forms(raw: str, expected: str | None) -> None:
    assert parse_date(raw) == expected


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)))
def test_every_real_date_round_trips_in_each_form(day: date) -> None:
    iso = day.isoformat()
    assert parse_date(iso) == iso
    assert parse_date(day.strftime("%d.%m.%Y")) == iso
    assert parse_date(day.strftime("%d %b %Y")) == iso
    assert parse_date(day.strftime("%B %d, %Y")) == iso


@given(st.text(max_size=40))
def test_never_crashes_and_output_is_iso_shaped(raw: str) -> None:
    out = parse_date(raw)
    if out is not None:
        start = date_start(out)
        assert len(start) in (4, 7, 10)
        assert start[:4].isdigit()


@given(st.dates(), st.dates(), st.dates())
def test_in_force_matches_interval_semantics(listed: date, delisted: date, day: date) -> None:
    expected = listed <= day and not delisted <= day
    assert in_force(listed.isoformat(), delisted.isoformat(), day.isoformat()) == expected

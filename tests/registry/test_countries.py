"""Country names to codes: the cached table answers exactly as rigour's own lookup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rigour.territories import lookup_territory

from tizim.registry.countries import country_code, country_codes

NAMES = [
    "Uzbekistan", "Iran (Islamic Republic of)", "Russian Federation", "KZ", "kaz", "Syria",
    "Korea, Democratic People's Republic of", "Congo, Democratic Republic of the", "West Bank",
    "Côte d'Ivoire", "Viet Nam", "Türkiye", "United States", "Lao People's Democratic Republic",
    "Kazakhstan", "Казахстан", "Netherlands Antilles", "Atlantis",
]


@pytest.mark.parametrize("name", NAMES)
def test_same_answer_as_rigour(name: str) -> None:
    found = lookup_territory(name)
    assert country_code(name) == (found.code if found else None)


def test_known_values_and_dedup() -> None:
    assert country_code("Iran (Islamic Republic of)") == "ir"
    assert country_code("  Uzbekistan. ") == "uz"
    assert country_code("") is None and country_code(None) is None
    assert country_codes(["Uzbekistan", "UZ", "Atlantis", "Kazakhstan"]) == ["uz", "kz"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_never_crashes_and_agrees_with_rigour(text: str) -> None:
    cleaned = " ".join(text.split()).strip(" .,;")
    expected = lookup_territory(cleaned) if cleaned else None
    assert country_code(text) == (expected.code if expected else None)

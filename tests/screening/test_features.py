"""The feature modules one by one: readings of Arabic letters, glued leftovers, the
explanation's list of the features that moved a score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.screening.conftest import ent
from tizim.screening import Query, Screener
from tizim.screening.features.syllables import fits


@pytest.mark.parametrize("reading, word, expected", [
    ("mhmd", "muhamad", True),
    ("hsin", "husain", True),
    ("zvahri", "zavahiri", True),
    ("mila", "mula", False),  # a written long vowel is kept
    ("shabi", "sahib", False),  # the consonants in another order
    ("fza", "faiz", False),
])
def test_a_reading_fits_a_word_with_short_vowels_added(reading: str, word: str, expected: bool) -> None:
    assert fits(reading, word) is expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("bdfhklmnrst"), st.sampled_from(["", "a", "i", "u"])),
                min_size=1, max_size=6),
       st.lists(st.sampled_from(["", "a", "i", "u"]), min_size=6, max_size=6))
def test_vowels_added_to_a_reading_still_fit(parts: list[tuple[str, str]], added: list[str]) -> None:
    reading = "".join(c + v for c, v in parts)
    word = "".join(c + v + extra for (c, v), extra in zip(parts, added, strict=False))
    assert fits(reading, reading) and fits(reading, word)
    assert not fits(reading + "z", word)


@pytest.fixture(scope="module")
def small() -> Screener:
    return Screener.from_entities([
        ent("p1", "Person", ["ZAREPOUR Issa"], "x", "1"),
        ent("p2", "Person", ["SEPEHR Mohammad-Hossein"], "x", "2"),
        ent("p3", "Person", ["Haji Mullah Sahib", "حاجي ملا صاحب"], "x", "3"),
        ent("p4", "Person", ["YASIR SABAWI IBRAHIM HASAN AL-TIKRITI"], "x", "4", dob=["1968-01-01"], nat=["iq"]),
        ent("p5", "Person", ["Said Arif"], "x", "5"),
    ])


def test_parts_left_over_that_spell_one_name_glued(small: Screener) -> None:
    top = small.match(Query(schema="Person", names=["Issa Zare Pour"]))[0]
    assert top.entity_id == "p1" and top.match
    assert any(line.startswith("glued") for line in top.explanation["features"])


def test_an_arabic_reading_keeps_its_written_long_vowels(small: Screener) -> None:
    # "mila al-shhabi" has the consonants of Mullah Sahib, not its letters
    assert not any(r.match for r in small.match(Query(schema="Person", names=["ميلاء الشهابي"])))


def test_the_explanation_lists_the_features_that_moved_the_score(small: Screener) -> None:
    res = small.match(Query(schema="Person", names=["Omar Sabawi Ibrahim Hasan Al-Tikriti"],
                            birth_dates=["1970-05-05"], countries=["iq"]))
    lines = res[0].explanation["features"]
    assert lines[0].startswith("alignment:")
    assert any(line.startswith("person's name: capped at 0.65") for line in lines)
    assert any(line.startswith("birth date: -0.35") for line in lines)
    assert any(line.startswith("country: +0.02") for line in lines)
    assert not res[0].match

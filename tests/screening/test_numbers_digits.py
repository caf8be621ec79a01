"""Numbers written out (numbers.py) and digits typed for letters (features/digits.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.screening.conftest import ent
from tizim.screening import Query, Screener
from tizim.screening.features.digits import has_digit_letters, readings
from tizim.screening.normalize import name_tokens
from tizim.screening.numbers import lexicon, numbers_as_digits


@pytest.mark.parametrize("text, expected", [
    ("Brigade Forty-Four", "Brigade 44"),
    ("44th Brigade", "44 Brigade"),
    ("First Capital Bank", "1 Capital Bank"),
    ("1st Capital Bank", "1 Capital Bank"),
    ("Сорок четвёртая бригада", "44 бригада"),
    ("Первый канал", "1 канал"),
    ("Бірінші арна", "1 арна"),
    ("vingt et unième siècle", "21 siècle"),
    ("Revolutionary Organization 17 November", "Revolutionary Organization 17 November"),
    ("Someone Stone", "Someone Stone"),  # words holding number words are not numbers
    ("un y dos", "un y 2"),  # one- and two-letter words are other words far more often
])
def test_numbers_as_digits(text: str, expected: str) -> None:
    assert numbers_as_digits(text) == expected


def test_the_lexicon_holds_every_language_it_names() -> None:
    table = lexicon()
    for word, n in [("forty four", 44), ("сорок четыре", 44), ("quarante quatre", 44), ("cuarenta y cuatro", 44),
                    ("vierundvierzig", 44), ("сорок чотири", 44), ("third", 3), ("третья", 3), ("жүз", 100)]:
        assert table[word] == n


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789 -фортиоднатричетыре"), max_size=40))
def test_numbers_as_digits_is_a_fixed_point_and_keeps_digits(text: str) -> None:
    once = numbers_as_digits(text)
    assert numbers_as_digits(once) == once
    assert sum(c.isdigit() for c in once) >= sum(c.isdigit() for c in text) or \
        any(c.isdigit() for c in once)


def test_a_number_is_a_word_of_an_organization_name_not_of_a_person_name() -> None:
    assert sorted(name_tokens("Brigade Forty-Four", "Organization")) == sorted(name_tokens("44th Brigade", "Organization"))
    assert name_tokens("44 Brigade", "Organization") != name_tokens("4 Brigade", "Organization")
    assert "1" not in name_tokens("Otto First", "Person")


def test_digit_readings() -> None:
    assert "igor" in readings("ig0r")
    assert {"sechin", "sechln"} == readings("sech1n")
    assert has_digit_letters("ig0r") and not has_digit_letters("1100") and not has_digit_letters("3m")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefgh0123456789"), min_size=1, max_size=12))
def test_readings_only_replace_digits(word: str) -> None:
    for reading in readings(word):
        assert len(reading) == len(word)
        assert all(a == b for a, b in zip(word, reading, strict=True) if not a.isdigit())


@pytest.fixture(scope="module")
def small() -> Screener:
    return Screener.from_entities([
        ent("p1", "Person", ["Igor Ivanovich SECHIN"], "x", "1"),
        ent("p2", "Person", ["Ivan Igorevich SECHIN"], "x", "2"),
        ent("o1", "Organization", ["FIRST CAPITAL BANK"], "x", "3"),
        ent("o2", "Organization", ["44th Brigade"], "x", "4"),
        ent("o3", "Organization", ["3M Holdings"], "x", "5"),
    ])


def test_digits_for_letters_meet_the_name_they_spell(small: Screener) -> None:
    top = small.match(Query(schema="Person", names=["Ig0r Sech1n"]))[0]
    assert top.entity_id == "p1" and top.match
    assert any(line.startswith("digits for letters") for line in top.explanation["features"])
    # a word whose reading is no listed word stays as written: "3M" is not "em"
    assert not any(r.match for r in small.match(Query(schema="Organization", names=["EM Holdings"])))


def test_number_words_meet_digits(small: Screener) -> None:
    assert small.match(Query(schema="Organization", names=["1st Capital Bank"]))[0].entity_id == "o1"
    hit = small.match(Query(schema="Organization", names=["Brigade Forty-Four"]))[0]
    assert hit.entity_id == "o2" and hit.match
    assert not any(r.match and r.entity_id == "o2" for r in small.match(Query(schema="Organization",
                                                                              names=["4th Brigade"])))

"""Work grows linearly with input (issue 19): names and free text longer than any listed name
are cut at one entry point, and the cut is said in the explanation."""

from __future__ import annotations

from tizim.screening import Screener
from tizim.screening.model import Query
from tizim.screening.normalize import (
    MAX_NAME_WORDS,
    MAX_TEXT_CHARS,
    MAX_WORD_LETTERS,
    TRUNCATED_NAME,
    TRUNCATED_TEXT,
    acronyms,
    bound_name,
    bound_text,
)


def test_acronym_prefixes_are_bounded_by_the_words_of_a_real_name() -> None:
    # every prefix of a 16,000-word name was an acronym: 16,000 strings of up to 16,000 letters
    found = acronyms(" ".join(f"Word{k % 26:02d}" for k in range(16_000)))
    assert 0 < len(found) <= MAX_NAME_WORDS + 2
    assert max(len(a) for a in found) <= MAX_NAME_WORDS


def test_bound_name_keeps_real_names_and_cuts_others() -> None:
    real = "Limited Liability Company LUKOIL-Nizhnogorodneftegorgsetez"
    assert bound_name(real) == (real, False)
    cut, was_cut = bound_name("x" * 16_000 + " " + "y " * 16_000)
    words = cut.split()
    assert was_cut and len(words) == MAX_NAME_WORDS and all(len(w) <= MAX_WORD_LETTERS for w in words)
    text, text_cut = bound_text("Ab " * 1_000_000)
    assert text_cut and len(text) <= MAX_TEXT_CHARS
    assert bound_text("short note") == ("short note", False)


def test_a_query_carries_its_bounded_names() -> None:
    q = Query(schema="Person", names=["Ayman " * 16_000, "z" * 16_000])
    assert q.truncated
    assert all(len(n.split()) <= MAX_NAME_WORDS and max(len(w) for w in n.split()) <= MAX_WORD_LETTERS
               for n in q.names)
    assert not Query(schema="Person", names=["Ayman al-Zawahiri"]).truncated


def test_a_huge_name_still_matches_and_says_it_was_cut(screener: Screener) -> None:
    name = "Islamic Movement of Uzbekistan " + "Tashkent " * 16_000
    results = screener.match(Query(schema="Organization", names=[name]), threshold=0.0)
    assert results
    assert all(r.explanation.get("truncated") == TRUNCATED_NAME for r in results)
    normal = screener.match(Query(schema="Organization", names=["Islamic Movement of Uzbekistan"]))
    assert normal and "truncated" not in normal[0].explanation


def test_a_long_word_is_looked_up_on_its_bounded_prefix(screener: Screener) -> None:
    word = "zawahiri" * 2_000
    screener._expansion(word)
    assert word not in screener._exp_cache and word[:MAX_WORD_LETTERS] in screener._exp_cache


def test_free_text_is_screened_on_its_head_and_says_so(screener: Screener) -> None:
    text = "Payment for Ayman al-Zawahiri consulting. " + "lorem ipsum dolor " * 200_000
    spans = screener.screen_text(text)
    assert spans and spans[0].text == "Ayman al-Zawahiri"
    assert all(r.explanation.get("truncated") == TRUNCATED_TEXT for s in spans for r in s.results)
    short = screener.screen_text("Payment for Ayman al-Zawahiri consulting.")
    assert short and "truncated" not in short[0].results[0].explanation

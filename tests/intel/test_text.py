"""Sentences, dates and names on small texts of our own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tizim.intel.dates import DateResolver
from tizim.intel.names import acronym_matches, candidates
from tizim.intel.sentences import split_sentences


def test_sentences_keep_offsets_and_abbreviations() -> None:
    text = ("== Intro ==\nThe U.S. Department of State met Dr. Smith and George W. Bush. He said, "
            "\"We agree.\" Then they left.\n  • In May, police detained two men.\n")
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The U.S. Department of State met Dr. Smith and George W. Bush.",
        'He said, "We agree."',
        "Then they left.",
        "In May, police detained two men.",
    ]
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.section == "Intro"
    assert sentences[1].in_quote(10)


@given(st.lists(st.sampled_from(["Alpha beta.", "Gamma U.S. delta.", "\"Quoted.\"", "Dr. X went.", "\n", " "]),
                max_size=12))
def test_sentence_offsets_always_point_into_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text and s.text.strip() == s.text


def _dates(text: str) -> list[list[str]]:
    resolver = DateResolver()
    return [[d.value for d in resolver.resolve(s)] for s in split_sentences(text)]


def test_dates_absolute_partial_relative_and_ranges() -> None:
    text = ("On 5 February 2005 police found leaflets.\n"
            "Three days later, on 8 February, police shut down a press.\n"
            "From 28 March-1 April 2004 bombs went off, and in spring 2004 more.\n"
            "The drill ran 24–26 August 2006.\n"
            "In March 2006 a list was approved. In January, men were detained. By year's end one was freed.\n"
            "Officials spoke on 18 April 2006. The day after, they met.\n")
    assert _dates(text) == [
        ["2005-02-05"],
        ["2005-02-08", "2005-02-08"],
        ["2004-03-28/2004-04-01", "2004-03/2004-05"],
        ["2006-08-24/2006-08-26"],
        ["2006-03"], ["2006-01"], ["2006-12"],
        ["2006-04-18"], ["2006-04-19"],
    ]


def test_year_headings_and_narrative_order() -> None:
    text = ("====2004====\nA man was killed near Tashkent on 30 March.\n"
            "===Other===\nPolice arrested him in November 2003. The court found him guilty on 4 August.\n")
    assert _dates(text) == [["2004-03-30"], ["2003-11"], ["2004-08-04"]]


def test_since_does_not_move_the_year() -> None:
    text = "In 2010 a report came out. Since 2004, it has been a member. It adopted a law in March.\n"
    assert _dates(text)[-1] == ["2010-03"]


def test_candidates_and_acronyms() -> None:
    names = [c.text for c in candidates("Uzbek President Islam Karimov met the Islamic Movement of Uzbekistan "
                                        "and Hizb ut-Tahrir al-Islami in Tashkent.")]
    assert names == ["Uzbek President Islam Karimov", "Islamic Movement of Uzbekistan",
                     "Hizb ut-Tahrir al-Islami", "Tashkent"] or "Islam Karimov" in names[0]
    assert acronym_matches("HuT", "Hizb ut-Tahrir")
    assert acronym_matches("JCMA", "Jamaat of Central Asian Mujahedins")
    assert acronym_matches("IMU", "Islamic Movement of Uzbekistan")
    assert not acronym_matches("KNB", "National Security Committee")

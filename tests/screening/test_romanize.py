"""Names read from Arabic, Persian and Hebrew letters as patterns of their Latin spellings
(romanize_abjad.py), and what the engine makes of them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.screening.conftest import ent
from tizim.screening import Query, Screener
from tizim.screening.romanize_abjad import (
    LETTERS,
    MAX_KEYS,
    consonant_keys,
    core,
    slots,
    word_pattern,
)
from tizim.screening.romanize_korean import korean_key


def listed(people: list[str], given_names: list[str]) -> Screener:
    """A screener over these people, with names that recur on real lists weighed as there
    (each given name in three other people's names)."""
    entities = [ent(f"p:{n}", "Person", [name], "x", f"p{n}") for n, name in enumerate(people)]
    for n, given_name in enumerate(given_names * 3):
        entities.append(ent(f"b:{n}", "Person", [f"{given_name} Background{n}ov"], "x", f"b{n}"))
    return Screener.from_entities(entities)


def spells(word: str, latin: str) -> bool:
    """Does the Latin word, folded as listed words are, spell the Arabic or Hebrew one?"""
    from tizim.screening.normalize import canon_token, fold_token

    pattern = word_pattern(word)
    return pattern is not None and pattern.fullmatch(fold_token(canon_token(latin.lower()))) is not None


@pytest.mark.parametrize("word,latin", [
    ("عكاشة", "Akkacha"), ("جوادي", "Djouadi"), ("لونيسي", "Lounici"),  # French spellings
    ("مصطفوی", "Mostafavi"), ("کوثری", "Kowsari"), ("فدوی", "Fadavi"),  # waw a consonant
    ("زهير", "Zuhair"), ("شهاب", "Shahab"), ("مددی", "Madadi"),  # letters a reading glues
    ("اسدالله", "Asadollah"), ("عنایتالله", "Enayatollah"), ("ذوالقدر", "Zulqadr"),  # the article's alif
    ("كاظم", "Kathim"), ("ثاقب", "Saqib"), ("بلقاسم", "Belgacem"),
    ("الصبار", "Essabar"), ("السيد", "Sayed"), ("الطيب", "Tayeb"), ("عمرو", "Amr"), ("طه", "Taha"),
    ("مجتبی", "Mojtaba"), ("بخشایش", "Bakshayesh"),
    ("משה", "Moshe"), ("שרביט", "Sharvit"), ("דויטש", "Deutsch"), ("אטינגר", "Ettinger"),
    ("בנימין", "Benjamin"), ("خامنه\u200cای", "Khamenei"),  # a yod as j; a ha before a ZWNJ is final
    ("مظهری", "Mazhari"), ("الأزهر", "Azhar"),  # a Latin zh, which canon_token reads as j
])
def test_a_word_meets_its_latin_spellings(word: str, latin: str) -> None:
    assert spells(word, latin)


@pytest.mark.parametrize("word,latin", [
    ("ميلاء", "Mula"),  # a written long vowel is kept
    ("همدان", "Ahmadian"),  # no vowel before a first consonant
    ("اسد", "Asadi"),  # a nisba's -i is written
    ("جلال", "Jill"),  # alif before lam is a long vowel, not the article
    ("طه", "Tai"),  # two letters: both written
    ("حسن", "Hussain"),  # a ya not written is no ya
])
def test_a_word_does_not_meet_other_names(word: str, latin: str) -> None:
    assert not spells(word, latin)


def test_particles_and_one_letter_words_have_no_pattern() -> None:
    assert word_pattern("ع") is None and word_pattern("") is None
    assert core("والكواري") == (True, "كواري") and core("عبدالحكيم") == (True, "حكيم")


_ARABIC_LETTERS = sorted(ch for ch in LETTERS if "\u0600" <= ch <= "\u06ff")
_HEBREW_LETTERS = sorted(ch for ch in LETTERS if "\u0590" <= ch <= "\u05ff")


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, str]:
    """An Arabic or Hebrew word and one Latin fold its pattern says it may be spelled."""
    alphabet = draw(st.sampled_from([_ARABIC_LETTERS, _HEBREW_LETTERS]))
    word = "".join(draw(st.lists(st.sampled_from(alphabet), min_size=2, max_size=7)))
    parts = slots(core(word)[1])
    out = []
    for k, alts in enumerate(parts):
        if k and draw(st.booleans()):
            out.append(draw(st.sampled_from("aiu")))
        out.append(draw(st.sampled_from(sorted(alts))))
    if "" in (parts[0] if parts else ("",)) and draw(st.booleans()):
        out.insert(0, "u")
    return word, "".join(out)


@settings(max_examples=300, deadline=None)
@given(spelled())
def test_every_spelling_is_found_by_its_consonants(case: tuple[str, str]) -> None:
    """What a pattern accepts, the consonant keys look up: a spelling drawn letter by letter
    from the slots fits the pattern, and its consonants are one of the word's keys."""
    word, latin = case
    pattern = word_pattern(word)
    if pattern is None:
        return
    assert pattern.fullmatch(latin), (word, latin, pattern.pattern)
    keys = consonant_keys(word)
    if len(keys) < MAX_KEYS:
        assert re.sub(r"(.)\1+", r"\1", re.sub("[aiu]", "", latin)) in keys


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ARABIC_LETTERS + _HEBREW_LETTERS + [" ", "-", "a", "ً"]), max_size=12))
def test_any_text_gives_a_pattern_or_none(text: str) -> None:
    pattern = word_pattern(text)
    assert pattern is None or isinstance(pattern, re.Pattern)
    assert all(k and not re.search("[aiu]", k) for k in consonant_keys(text))


@pytest.fixture(scope="module")
def screener() -> Screener:
    return listed(["Djamel AKKACHA", "Ali FADAVI", "Zuhair KHAZIM", "JAFARI Asadollah", "Moshe SHARVIT",
              "MADADI Hassan", "Ali Akbar AHMADIAN", "Moussa Ben Omar ESSAADI", "Hossein BAKSHAYESH"],
                  ["Ali", "Hassan", "Hossein", "Omar", "Moshe", "Djamel"])


@pytest.mark.parametrize("query,listed", [
    ("جمال عكاشة", "Djamel AKKACHA"), ("علی فدوی", "Ali FADAVI"), ("زهير خزيم", "Zuhair KHAZIM"),
    ("اسدالله جعفری", "JAFARI Asadollah"), ("משה שרביט", "Moshe SHARVIT"), ("حسن مددی", "MADADI Hassan"),
    ("حسین بخشایش", "Hossein BAKSHAYESH"),
])
def test_a_person_written_in_arabic_or_hebrew_letters(screener: Screener, query: str, listed: str) -> None:
    res = screener.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert res and res[0].caption == listed and res[0].match, (query, res[:1])
    assert res[0].explanation["written"] == query


@pytest.mark.parametrize("query", ["علي همدان", "عامر أسد"])
def test_namesakes_read_alike_do_not_match(screener: Screener, query: str) -> None:
    res = screener.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert not res or not res[0].match, res[:1]


# ---- Korean romanizations --------------------------------------------------------------

@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0xAC00, max_value=0xD7A3))
def test_both_romanizations_of_a_hangul_syllable_have_one_key(cp: int) -> None:
    from tizim.screening.normalize import canon_token, fold_token
    from tizim.screening.scripts import _INITIAL_MR, _INITIAL_RR, _VOWEL_MR, _VOWEL_RR, _syllable

    def key(initial: list[str], vowel: list[str]) -> str:
        return korean_key(fold_token(canon_token(_syllable(chr(cp), initial, vowel))))

    assert key(_INITIAL_RR, _VOWEL_RR) == key(_INITIAL_MR, _VOWEL_MR)


@pytest.mark.parametrize("a,b", [("bok", "pok"), ("gwang", "kwang"), ("cheol", "chul"), ("yeong", "young"),
                                 ("geum", "kum"), ("jae", "chae"), ("shin", "sin")])
def test_spellings_of_one_syllable_have_one_key(a: str, b: str) -> None:
    from tizim.screening.normalize import canon_token, fold_token

    assert korean_key(fold_token(canon_token(a))) == korean_key(fold_token(canon_token(b)))


@pytest.mark.parametrize("a,b", [("kim", "kum"), ("chang", "chong"), ("han", "hun"), ("il", "su")])
def test_other_syllables_keep_their_keys(a: str, b: str) -> None:
    from tizim.screening.normalize import canon_token, fold_token

    assert korean_key(fold_token(canon_token(a))) != korean_key(fold_token(canon_token(b)))


@pytest.fixture(scope="module")
def korean() -> Screener:
    return listed(["KIM Yong Bok", "PYON Won Gun", "PARK Young Han", "KIM Il Su", "BAK Gwang Hun"],
                  ["Kim", "Park", "Yong", "Han"])


@pytest.mark.parametrize("query,listed", [("김영복", "KIM Yong Bok"), ("변원군", "PYON Won Gun"),
                                          ("박영한", "PARK Young Han"), ("PAK Kwang Hun 박광훈", "BAK Gwang Hun")])
def test_a_korean_name_in_mixed_romanizations(korean: Screener, query: str, listed: str) -> None:
    res = korean.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert res and res[0].caption == listed and res[0].match, (query, res[:1])


def test_every_korean_syllable_is_still_met(korean: Screener) -> None:
    # "kim yong pak" is not KIM Yong Bok: Pak and Bok are other syllables in any romanization
    res = korean.match(Query(schema="Person", names=["김영박"]), threshold=0.7, limit=1)
    assert not res or not res[0].match, res[:1]


# ---- compound names and names in two scripts ---------------------------------------------

def test_compound_given_names_are_read_glued_and_split() -> None:
    from tizim.screening.scripts import latin_variants, segmentations

    assert segmentations("محمدرضا توکلی") == [["محمدرضا", "توکلی"], ["محمد", "رضا", "توکلی"]]
    assert segmentations("هدايت الله") == [["هدايت", "الله"], ["هدايتالله"]]
    # Abd Allah stays two words; Mohammadi is a nisba, not Mohammad-i
    assert segmentations("عبد الله محمدی") == [["عبد", "الله", "محمدی"]]
    assert latin_variants("هدايت الله") == ("hdait allah", "hdaitallh")
    assert latin_variants("عباس-علی") == ("abas-ali",)  # each side of a hyphen a word


def test_a_name_in_two_scripts_is_read_as_each() -> None:
    from tizim.screening.scripts import latin_variants

    assert latin_variants("PAK Kwang Hun 박광훈") == ("PAK Kwang Hun park gwang hun", "PAK Kwang Hun",
                                                   "park gwang hun", "pak kwang hun")
    assert latin_variants("(金铁三)") == ("jin tiesan",)


@pytest.fixture(scope="module")
def compounds() -> Screener:
    return listed(["Mohammad-Reza TAVAKOLI", "HIDAYATULLAH", "SANAULLAH GHAFARI", "MOUSAVI Seyyed Nezamoldin",
              "Ali Reza BALALI"],
                  ["Mohammad", "Ali", "Reza", "Seyyed"])


@pytest.mark.parametrize("query,listed", [
    ("محمدرضا توکلی", "Mohammad-Reza TAVAKOLI"), ("ثناء اللہ غفاری", "SANAULLAH GHAFARI"),
    ("سید نظام الدین موسوی", "MOUSAVI Seyyed Nezamoldin"), ("علیرضا بلالی", "Ali Reza BALALI"),
])
def test_a_compound_given_name_glued_otherwise(compounds: Screener, query: str, listed: str) -> None:
    res = compounds.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert res and res[0].caption == listed and res[0].match, (query, res[:1])


# ---- Korean and Chinese names in Latin letters ---------------------------------------------

def test_a_name_looks_korean_or_chinese_by_its_syllables_and_family_name() -> None:
    from tizim.screening.romanize_korean import looks_east_asian

    assert looks_east_asian(["kim", "jung", "eun"]) and looks_east_asian(["park", "bong", "ju"])
    assert looks_east_asian(["mao", "tse", "tung"]) and looks_east_asian(["xi", "jinping"])
    assert not looks_east_asian(["john", "smith"]) and not looks_east_asian(["ali", "hassan"])
    assert not looks_east_asian(["kim"]) and not looks_east_asian(["omar", "khan"])


def test_family_names_spelt_otherwise_have_one_key() -> None:
    from tizim.screening.romanize_korean import family_key, korean_key

    def key(word: str) -> str:
        from tizim.screening.normalize import canon_token, fold_token

        return family_key(korean_key(fold_token(canon_token(word))))

    assert key("choi") == key("choe") and key("lee") == key("ri") and key("park") == key("pak")
    assert key("zhou") == key("chou") and key("kim") != key("park")


@pytest.fixture(scope="module")
def romanized() -> Screener:
    return listed(["KIM Jong Un", "PAK Pong Ju", "RI Yong Ho", "CHOE Ryong Hae", "John SMITH"],
                  ["Kim", "Ri", "Yong", "John"])


@pytest.mark.parametrize("query,listed", [("Kim Jung Eun", "KIM Jong Un"), ("Park Bong-ju", "PAK Pong Ju"),
                                          ("Lee Yong-ho", "RI Yong Ho"), ("Choi Ryong-hae", "CHOE Ryong Hae")])
def test_a_korean_name_in_another_romanization(romanized: Screener, query: str, listed: str) -> None:
    res = romanized.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert res and res[0].caption == listed and res[0].match, (query, res[:1])
    assert any(line.startswith("romanization:") for line in res[0].explanation["features"])


@pytest.mark.parametrize("query", ["Kim Jung Il", "Park Bong-su", "Choi Ryong-su"])
def test_another_korean_name_is_no_match(romanized: Screener, query: str) -> None:
    res = romanized.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert not res or not res[0].match, res[:1]


@pytest.fixture(scope="module")
def shortened() -> Screener:
    return listed(["LI Yong-ju", "KIM JUNG JONG", "RI U'N SO'NG", "CHO YON CHUN", "KIM Jong Un"],
                  ["Kim", "Ri", "Yong", "Jong", "Cho"])


@pytest.mark.parametrize("query,listed", [("LI Yon-ju", "LI Yong-ju"), ("Kim Chong", "KIM JUNG JONG"),
                                          ("Song Eun Ri", "RI U'N SO'NG"), ("Chun Yon Cho", "CHO YON CHUN")])
def test_romanization_only_adds_to_a_latin_name(shortened: Screener, query: str, listed: str) -> None:
    # a Latin name read as Korean keeps a Latin name's rules: a syllable dropped, misspelt
    # or the parts reordered is still met (the perturbed bench's queries every syllable
    # would lose, capped at 0.6)
    res = shortened.match(Query(schema="Person", names=[query]), threshold=0.7, limit=1)
    assert res and res[0].caption == listed and res[0].match, (query, res[:1])

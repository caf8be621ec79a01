"""Screening across languages and scripts: organization names in translation (lexicon.py),
names in other scripts (scripts.py), one-word organization names spelt otherwise, delisted
parties."""

from __future__ import annotations

import pytest

from tests.screening.conftest import ent
from tizim.registry.model import Designation
from tizim.screening import Query, Screener
from tizim.screening.lexicon import lexicon, translate, translations
from tizim.screening.scripts import abjad, latin_variants, syllabic


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = []
    orgs = ["ISLAMIC MOVEMENT OF UZBEKISTAN", "ISLAMIC JIHAD GROUP", "EAST TURKESTAN LIBERATION ORGANIZATION",
            "Muslim Brotherhood", "Kurdish People's Congress", "HIZBALLAH", "AL-SHABAAB", "EL HUEVO",
            "MINISTRY OF ATOMIC ENERGY INDUSTRY", "ISLAMIC STATE IN IRAQ AND THE LEVANT", "Democratic Choice of Kazakhstan"]
    for n, name in enumerate(orgs):
        entities.append(ent(f"o:{n}", "Organization", [name] + (["MAEI"] if name.startswith("MINISTRY") else []),
                            "x", f"o{n}"))
    entities.append(ent("c:1", "Company", ["HIZBALLAH TRADING"], "x", "c1"))
    people = ["KIM JONG UN", "CHOE RYONG HAE", "KIM YONG CHOL", "LI Wei", "WANG Xiaoming", "ABE Shinzo",
              "SADDAM HUSSEIN AL-TIKRITI", "IZZAT IBRAHIM AL-DURI", "TARIQ AZIZ", "Alexis TSIPRAS",
              "Binyamin NETANYAHU", "HUA Guofeng", "Mai Van Bin"]
    for n, name in enumerate(people):
        entities.append(ent(f"p:{n}", "Person", [name], "x", f"p{n}"))
    # common given names recur on real lists: weights as there
    for n, given in enumerate(["Muhammad", "Ahmad", "Ali", "Hasan", "Ibrahim", "Kim", "Li", "Wang", "Jong", "Chol"] * 3):
        entities.append(ent(f"b:{n}", "Person", [f"{given} Background{n}ov"], "x", f"b{n}"))
    taliban = ent("t:1", "Organization", ["Taliban", "Движение Талибан"], "kz", "taliban")
    taliban.designations = [Designation(list_name="kz", reference="taliban", listed_on="2005-03-15",
                                        delisted_on="2023-12-29")]
    entities.append(taliban)
    return Screener.from_entities(entities)


def best(screener: Screener, schema: str, name: str) -> tuple[str | None, float, bool, dict]:
    res = screener.match(Query(schema=schema, names=[name]), threshold=0.7, limit=1)
    if not res:
        return None, 0.0, False, {}
    return res[0].caption, res[0].score, res[0].match, res[0].explanation


# ---- translation --------------------------------------------------------------------------

def test_the_lexicon_reads_inflected_forms() -> None:
    lex = lexicon()
    assert lex.concept("движение") == lex.concept("движения") == lex.concept("қозғалысы") == "movement"
    assert lex.concept("харакати") == lex.concept("hareketi") == lex.concept("حركة") == "movement"
    assert lex.concept("исламского") == lex.concept("islomiy") == lex.concept("الإسلامية") == "islamic"
    assert lex.place("узбекистана") == "узбекистан" and lex.place("қазақстанның") == "қазақстан"
    assert lex.concept("каримов") is None


def test_a_given_name_is_translated_only_beside_another_lexicon_word() -> None:
    assert translate("Ислам Каримов", org=False) == "Ислам Каримов"
    assert translate("Ислам Харакати Узбекистана", org=False) == "islamic movement узбекистан"
    assert translations("Исламское движение Узбекистана", org=True) == [["Исламское", "islamic"], ["движение", "movement"]]


@pytest.mark.parametrize(("query", "listed"), [
    ("Исламское движение Узбекистана", "ISLAMIC MOVEMENT OF UZBEKISTAN"),
    ("Ислам Харакати Узбекистана", "ISLAMIC MOVEMENT OF UZBEKISTAN"),
    ("O'zbekiston islomiy harakati", "ISLAMIC MOVEMENT OF UZBEKISTAN"),
    ("Организация освобождения Восточного Туркестана", "EAST TURKESTAN LIBERATION ORGANIZATION"),
    ("Братья мусульмане", "Muslim Brotherhood"),
    ("Курдский народный конгресс", "Kurdish People's Congress"),
    ("Қазақстанның демократиялық таңдауы", "Democratic Choice of Kazakhstan"),
    ("الدولة الإسلامية في العراق والشام", "ISLAMIC STATE IN IRAQ AND THE LEVANT"),
])
def test_an_organization_named_in_another_language(screener: Screener, query: str, listed: str) -> None:
    caption, score, match, expl = best(screener, "Organization", query)
    assert caption == listed and match, (query, caption, score)
    assert expl["translated"], expl


def test_the_russian_imu_name_scores_as_the_english_one(screener: Screener) -> None:
    caption, score, match, expl = best(screener, "Thing", "Исламское движение Узбекистана")
    assert caption == "ISLAMIC MOVEMENT OF UZBEKISTAN" and score >= 0.95 and match
    assert ["движение", "movement"] in expl["translated"]


# ---- scripts ------------------------------------------------------------------------------

def test_latin_readings_of_each_script() -> None:
    assert latin_variants("习近平") == ("xi jinping",)
    assert latin_variants("欧阳修")[0] == "ouyang xiu"
    assert latin_variants("김정은") == ("kim jeong eun", "kim jong un")
    assert latin_variants("최룡해") == ("choi ryong hae", "choe ryong hae")
    assert "abe shinzou" in latin_variants("安倍晋三")
    assert latin_variants("やまだ たろう") == ("yamada tarou",)
    assert latin_variants("Αλέξης Τσίπρας") == ("Alexis Tsipras",)
    assert latin_variants("صدام حسين التكريتي") == ("sdam hsin al-tkriti",)
    assert latin_variants("Иван Петров") == () and latin_variants("Ivan Petrov") == ()
    assert syllabic("华 伍") and not syllabic("Hua Wu") and abjad("בנימין") and not abjad("华")


@pytest.mark.parametrize(("query", "listed"), [
    ("김정은", "KIM JONG UN"),  # McCune-Reischauer as the UN writes DPRK names
    ("최룡해", "CHOE RYONG HAE"),
    ("王小明", "WANG Xiaoming"),  # pinyin, family name first, given name glued
    ("安倍晋三", "ABE Shinzo"),  # a Japanese name in kanji
    ("صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI"),  # consonants and long vowels only
    ("عزت ابراهيم الدوري", "IZZAT IBRAHIM AL-DURI"),
    ("Αλέξης Τσίπρας", "Alexis TSIPRAS"),
])
def test_a_person_named_in_another_script(screener: Screener, query: str, listed: str) -> None:
    caption, score, match, expl = best(screener, "Person", query)
    assert caption == listed and match, (query, caption, score)
    assert expl["written"] == query


@pytest.mark.parametrize("query", ["华 伍", "彬 麦", "김철", "李伟明"])
def test_a_single_syllable_never_makes_a_match(screener: Screener, query: str) -> None:
    # "华 伍" (hua wu) once froze a payment as EL HUEVO, "彬 麦" (bin mai) as MAEI; Kim Chol
    # is not KIM YONG CHOL, Li Weiming not LI Wei
    for schema in ("Person", "Thing"):
        caption, score, match, _ = best(screener, schema, query)
        assert not match, (query, schema, caption, score)


# ---- one-word organization names -------------------------------------------------------------

@pytest.mark.parametrize("query", ["Hezbollah", "Hizbullah", "Hizbollah"])
def test_a_one_word_organization_spelt_otherwise(screener: Screener, query: str) -> None:
    caption, score, match, _ = best(screener, "Organization", query)
    assert caption == "HIZBALLAH" and match, (query, score)


def test_a_company_is_spelt_as_its_owners_write_it(screener: Screener) -> None:
    res = screener.compare(Query(schema="Company", names=["HEZBOLLAH TRADING"]), Query(schema="Company", names=["HIZBALLAH TRADING"]))
    assert res.score < 0.7


def test_al_shabab(screener: Screener) -> None:
    caption, _, match, _ = best(screener, "Organization", "al-Shabab")
    assert caption == "AL-SHABAAB" and match


# ---- delisted ------------------------------------------------------------------------------------

def test_a_party_every_list_removed_is_found_but_no_match(screener: Screener) -> None:
    res = screener.match(Query(schema="Organization", names=["Taliban"]), threshold=0.7)
    taliban = next(r for r in res if r.caption == "Taliban")
    assert taliban.score == 1.0 and not taliban.match and taliban.explanation["delisted"] is True

"""Patronymics: two fathers' names are not two spellings of one word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tizim.registry.model import Designation, Entity, Name
from tizim.screening import Query
from tizim.screening.engine import Screener
from tizim.screening.features.patronymics import SUFFIXES, different_fathers, father
from tizim.screening.normalize import canon_token, fold_token


def fold(word: str) -> str:
    return fold_token(canon_token(word.lower()))


def test_the_father_is_read_from_each_kind_of_patronymic() -> None:
    assert father(fold("Maksimovich")) == fold("Maksim")
    assert father(fold("Kuzmich")) is not None and father(fold("Bekzatuly")) is not None
    assert father(fold("Vladimirovna")) and father(fold("Sergeevna"))
    assert father(fold("Kuznetsov")) is None and father(fold("Pich")) is None


def test_different_fathers_are_not_spellings_and_one_father_spelt_twice_is() -> None:
    assert different_fathers(fold("Maksimovich"), fold("Vadimovich"))
    assert different_fathers(fold("Vadimovna"), fold("Vladimirovna"))
    assert different_fathers(fold("Erlanovich"), fold("Almasovich"))
    assert not different_fathers(fold("Vladimirovich"), fold("Vladmirovich"))  # a letter dropped
    assert not different_fathers(fold("Aleksandrovich"), fold("Aleksandarovich"))
    assert not different_fathers(fold("Dmitrievich"), fold("Dmitriyevich"))
    assert not different_fathers(fold("Maksimovich"), fold("Maksimov"))  # not a patronymic


@given(st.text(alphabet="abdgiklmnrstuvz", min_size=3, max_size=9), st.sampled_from(SUFFIXES),
       st.text(alphabet="abdgiklmnrstuvz", min_size=3, max_size=9), st.sampled_from(SUFFIXES))
def test_the_rule_is_symmetric_and_never_separates_a_word_from_itself(a: str, sa: str, b: str, sb: str) -> None:
    x, y = a + sa, b + sb
    assert different_fathers(x, y) == different_fathers(y, x)
    assert not different_fathers(x, x)


def _screener(*names: str) -> Screener:
    entities = [Entity(id=f"e{i}", schema="Person", names=[Name(full=n, kind="primary")],
                       designations=[Designation(list_name="t", reference=str(i))])
                for i, n in enumerate(names)]
    return Screener.from_entities(entities)


def test_a_namesake_with_another_father_is_no_match_and_the_same_man_still_is() -> None:
    screener = _screener("Dmitri Vadimovich KUZNETSOV")
    other = screener.match(Query(schema="Person", names=["Кузнецов Дмитрий Максимович"]), limit=1)
    assert not other or other[0].score < 0.7
    same = screener.match(Query(schema="Person", names=["Кузнецов Дмитрий Вадимович"]), limit=1)
    assert same and same[0].score >= 0.9
    typo = screener.match(Query(schema="Person", names=["Kuznetsov Dmitriy Vadimovitch"]), limit=1)
    assert typo and typo[0].score >= 0.85

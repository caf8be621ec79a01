"""Patronymics: a father's name is not a spelling of another father's name.

East Slavic, Kazakh, Uzbek and other Central Asian names carry the father's given name with
a suffix (Dmitrievich, Vladimirovna, Kuzmich, Bekzatuly). Compared whole, two patronymics
share their long suffix and look like spellings of one word ("Maksimovich" / "Vadimovich",
"Erlanovich" / "Almasovich": 0.6-0.75 alike), so two namesakes with different fathers met
as one person. Here two patronymics are compared by the names they are made from: when
those are not spellings of one name (Vadim is not Vladimir), the two words are not paired
at all, and the names keep a part each that the other lacks, which is what they are.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from tizim.screening.features.base import EXPANSION_CACHE_MAX

# as the engine folds them (o -> u, e -> a, y -> i; normalize.fold_token), longest first:
# -ovich/-evich, -ovna/-evna, -ichna (Ilyinichna), -ich (Kuzmich), Kazakh -uly / -kyzy
SUFFIXES = ("inichna", "uvich", "avich", "ivich", "ichna", "uvna", "avna", "ivna", "kizi",
            "vich", "vna", "ich", "uli")
MIN_STEM = 3  # letters of the father's name left: "Kuzmich" is kuzm-ich, "Pich" no patronymic
SAME_NAME = 0.75  # stems at least this alike are one name spelt two ways (Aleksandr / Aleksandar)


@lru_cache(maxsize=EXPANSION_CACHE_MAX)  # asked of every word pair the alignment compares
def father(fold: str) -> str | None:
    """The father's name a folded patronymic is made from, or None if it is none."""
    for suffix in SUFFIXES:
        if fold.endswith(suffix) and len(fold) - len(suffix) >= MIN_STEM:
            return fold[: len(fold) - len(suffix)]
    return None


def different_fathers(a: str, b: str) -> bool:
    """Are two folded words patronymics of fathers with different names?"""
    if a == b:
        return False
    fa = father(a)
    if fa is None:
        return False
    fb = father(b)
    if fb is None or fa == fb:
        return False
    return OSA.normalized_similarity(fa, fb) < SAME_NAME

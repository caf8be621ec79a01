"""Nicknames and short forms of given names (Bill / William, Ted / Theodore, Sasha /
Aleksandr): a query's given name also meets the listed names it is short for, or the short
forms of it.

English: the `nicknames` package (a hand-curated, maintained dataset of English given names
and their nicknames, 2,600 pairs); Russian diminutives: data/nicknames_ru.yaml. Both sides
are compared as folds (normalize.py), so every romanization of a name meets the table's.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from importlib import resources

import yaml

from tizim.screening.normalize import canon_token, fold_token


def _fold(word: str) -> str:
    return fold_token(canon_token(word.lower()))


@lru_cache(maxsize=1)
def related() -> dict[str, frozenset[str]]:
    """fold of a given name -> folds of the names it is a short form or the full form of."""
    import nicknames

    out: dict[str, set[str]] = defaultdict(set)
    pairs: list[tuple[str, str]] = []
    for triplet in nicknames.name_triplets():
        if str(triplet.relationship) == "has_nickname":
            pairs.append((triplet.name1, triplet.name2))
    text = resources.files("tizim.screening").joinpath("data", "nicknames_ru.yaml").read_text(encoding="utf-8")
    for short, fulls in (yaml.safe_load(text) or {}).items():
        pairs.extend((str(full), str(short)) for full in fulls)
    for full, short in pairs:
        a, b = _fold(full), _fold(short)
        # a short form of one or two letters is an initial, not a name ("al", "ed")
        if a != b and len(a) > 2 and len(b) > 2:
            out[a].add(b)
            out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}

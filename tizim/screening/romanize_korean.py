"""One key for a Korean syllable however it is romanized.

A Hangul name is read in the Revised Romanization and in McCune-Reischauer (scripts.py),
but the lists mix the two within one name ("KIM Yong Bok": Yong is McCune-Reischauer, Bok
Revised; "PAK Jae-gyong"), and older spellings add their own (Young, Chul). The systems
differ in a few regular ways, which `korean_key()` folds onto one form, on a word already
folded as the lists' words are (`normalize.fold_token`: eo is au, o is u, y is i):

- plain stops voiced or not: g / k, d / t, b / p, j / ch (Gwang / Kwang, Bok / Pok);
- aspirates written with h or not: kh, th, ph (ph is f once folded);
- the vowels eo, eu, o, u one (Cheol / Chol / Chul, Geum / Kum);
- a first y before a vowel dropped (Yeong / Yong / Young, which folding leaves as aung
  and iung);
- r and l one (Ryong / Lyong), sh and s (Shin / Sin); a final h after a vowel dropped.

It is a key for comparing syllables of a name known to be Korean (written in Hangul), not
a spelling: two syllables with one key are the same Hangul syllable or near it.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from typing import Any

_STOPS = str.maketrans({"g": "k", "d": "t", "b": "p", "f": "p", "r": "l"})
# words longer than this are no syllables of a Korean name, nor two glued
MAX_LETTERS = 10


@lru_cache(maxsize=50_000)
def korean_key(fold: str) -> str:
    """The key of a romanized Korean syllable (or syllables glued), as folded."""
    k = fold.replace("au", "u").replace("ch", "j").replace("sh", "s")
    k = re.sub(r"([ktp])h", r"\1", k)
    k = k.translate(_STOPS).replace("j", "c")
    k = re.sub(r"^i(?=[aiu])", "", k)
    # a final h after a vowel, which canon_token drops from words of four letters or more
    k = re.sub(r"(?<=[aiu])h$", "", k)
    return re.sub(r"(.)\1+", r"\1", k)


_BY_INDEX: weakref.WeakKeyDictionary[Any, dict[str, list[int]]] = weakref.WeakKeyDictionary()


def by_key(index: Any) -> dict[str, list[int]]:
    """An index's words (vocabulary ids) of a Korean syllable's length by their key, built
    on first use (the first query in Hangul)."""
    got = _BY_INDEX.get(index)
    if got is None:
        got = {}
        for t, word in enumerate(index.vocab):
            if 2 <= len(word) <= MAX_LETTERS and word.isalpha():
                got.setdefault(korean_key(word), []).append(t)
        _BY_INDEX[index] = got
    return got

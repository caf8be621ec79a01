"""Organizations: a one-word name met by another romanization of it, and names made of
generic words alone.

An organization named by one distinctive word, met by a query of that one word with the same
consonants and other vowels, is a romanization of the same name: Hezbollah / Hizballah /
Hizbullah, al-Shabab / al-Shabaab (Arabic writes no short vowels); a word of four letters
only where both names write the article (Al-Qaeda / Al-Qaida). A company's own name is
spelt as its owners write it, and a short word is many names ("Zidco" / "Cidco").

A name met on generic or legal-form words alone ("Islamic Movement", "Trading Company LLC")
is capped at 0.5, except a listed company named by generic words and initials alone, met by
all of them ("S. GROUP AIRLINES LTD").
"""

from __future__ import annotations

import re

from tizim.screening.features.base import ANCHOR_WEIGHT, Alignment, Context, QueryName
from tizim.screening.normalize import skeleton

GENERIC_ONLY_CAP = 0.5
# a name that starts with the Arabic article, in Latin or Cyrillic letters
_ARTICLE_FIRST = re.compile(r"\s*(?:al|el|аль|эль|ал|әл)[-\s‐]", re.IGNORECASE)


def one_word_variant(ctx: Context, q: QueryName, i: int, t: int, rid: int) -> bool:
    """Is query part i, met by listed word t only as another name's near spelling, the
    one-word name of the organization `rid` romanized otherwise?"""
    idx = ctx.index
    if q.person:
        return False
    if t not in q.vowels[i] or len(idx.vocab[t]) < 5:
        # a shorter word is one Arabic word too where both names write it with the
        # article ("Al-Qaeda" / "Al-Qaida", four letters: "kada" / "kaida")
        word, mine = idx.vocab[t], q.folds[i]
        if len(word) < 4 or len(mine) < 4 or skeleton(word) != skeleton(mine) \
                or not _ARTICLE_FIRST.match(q.text) or not _ARTICLE_FIRST.match(idx.rec_name[rid]):
            return False
    if idx.cluster_schema[idx.rec_cluster[rid]] != "Organization":
        return False
    if sum(1 for w in q.weights if w > 0.1) != 1:
        return False
    vw = idx.vocab_weight
    return sum(1 for u in idx.rec_tokens[rid] if vw[u] > 0.1) == 1 and vw[t] >= ANCHOR_WEIGHT


def met_word_for_word(pairs: list[tuple[int, int, float]], nr: int) -> bool:
    """Is every part of a listed name of `nr` parts met, each at 0.95 or more?"""
    return len(pairs) == nr and all(sim >= 0.95 for _, _, sim in pairs)


def generic_only(q: QueryName, al: Alignment, score: float) -> str | None:
    """With no strong pair, the 0.5 cap's explanation (None: no cap): only generic words or
    other names' near spellings were met. A listed company named by generic words and
    initials alone is met by those words, all of them, and no other but generic ones, not
    initials ("S. GROUP AIRLINES LTD", "I.P.C. INTERNATIONAL LIMIkED"; "I.P.C.
    INTERNATIONAL" is not "CK INTERNATIONAL")."""
    if al.strong or score <= GENERIC_ONLY_CAP:
        return None
    nq, nr = len(q.folds), len(al.tids)
    if not q.person and nr >= 2 and met_word_for_word(al.pairs, nr) \
            and all(al.used_i >> i & 1 or q.generic[i] and len(q.folds[i]) > 1 for i in range(nq)):
        return None
    return "other names' near spellings only" if al.typo else "generic words only"

"""Spelling: how near two words are, as folded and as written.

Every feature compares words through these functions: optimal string alignment (a
transposition is one edit), a cut-off ending, letters left out inside a word, a letter
dropped from a short word, the words as typed before canonical spelling carried them apart
("LUCiSON" / "LUCKSON"), and a misspelled legal form ("LIMTIED", "Liabliity", "STCK").
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from tizim.screening.features.base import EXPANSION_CACHE_MAX
from tizim.screening.features.patronymics import different_fathers
from tizim.screening.normalize import (
    CONNECTORS,
    GENERIC_FOLDS,
    GENERIC_ORG_WORDS,
    GENERIC_ORG_WORDS_WRITTEN,
    canon_token,
    fold_token,
    raw_tokens,
)

# the generic words as folds, for spotting a misspelled one in a query ("LIMTIED", "STOeK")
GENERIC_FOLD_LIST = sorted({fold_token(w) for w in GENERIC_ORG_WORDS | CONNECTORS if len(w) >= 4})
# a swap keeps the letters as written: the legal-form words' letters, sorted
_GENERIC_LETTERS = frozenset("".join(sorted(w)) for w in GENERIC_ORG_WORDS_WRITTEN)
# the legal-form words of five letters or more as written with a letter dropped ("stck")
GENERIC_DROPPED = frozenset(w[:k] + w[k + 1:] for w in GENERIC_ORG_WORDS_WRITTEN if len(w) >= 5
                            for k in range(len(w))) - GENERIC_ORG_WORDS_WRITTEN
# -ov, -ev once folded (not -in: "Dulmatin" / "Dulmatine" is one man)
_MASCULINE_ENDS = ("uv", "av")


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def misspelled_generic(fold: str) -> bool:
    """A query word no list spells this way that is a generic word misspelled ("limtiad")."""
    if len(fold) < 4:
        return False
    # 0.79: rapidfuzz's normalized cutoff leaves out a score of exactly 0.8 (one edit in
    # five letters, "jaint" / "juint")
    return process.extractOne(fold, GENERIC_FOLD_LIST, scorer=OSA.normalized_similarity,
                              score_cutoff=0.79) is not None


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def written(name: str) -> dict[str, str]:
    """A name's words as written (lower-case ASCII), by their fold."""
    out: dict[str, str] = {}
    for token in raw_tokens(name):
        out.setdefault(fold_token(canon_token(token)), token)
    return out


def swapped_generic(name: str, fold: str) -> bool:
    """Is the query word a legal-form word typed with two adjacent letters swapped?"""
    raw = written(name).get(fold)
    if raw is None or "".join(sorted(raw)) not in _GENERIC_LETTERS:
        return False
    for k in range(len(raw) - 1):
        if raw[k] != raw[k + 1] and \
                fold_token(canon_token(raw[:k] + raw[k + 1] + raw[k] + raw[k + 2:])) in GENERIC_FOLDS:
            return True
    return False


def direct_similarity(f: str, lf: int, other: str) -> float:
    """Similarity of two words the index lookup did not pair (0.0 when below any use)."""
    lo = len(other)
    if lo < 4 or different_fathers(f, other):
        return 0.0
    short, long_ = (lf, lo) if lf < lo else (lo, lf)
    # lengths too far apart for any rule below (most pairs: skipped unscored)
    if (long_ - short) * 10 > 3 * long_ and (long_ - short > 3 or short < 5):
        return 0.0
    sim: float = OSA.normalized_similarity(f, other)
    # a cut-off ending, not a longer word built on it ("stepan" / "stepanovich")
    if short >= 5 and short >= 0.75 * long_ and (other.startswith(f) or f.startswith(other)):
        sim = max(sim, 0.8)
    # letters left out inside the word, first and last kept ("aleandr" / "aleksandr"): the
    # short one is a subsequence of the long one
    elif sim < 0.8 and short >= 5 and long_ - short <= 3 and f[0] == other[0] \
            and f[-1] == other[-1] and subsequence(*sorted((f, other), key=len)):
        sim = max(sim, fuzz.ratio(f, other) / 100.0)
    return sim


def swapped(a: str, b: str) -> bool:
    """Is b the word a with two adjacent letters swapped?"""
    if len(a) != len(b) or a == b:
        return False
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def gendered(a: str, b: str) -> bool:
    """Is one word the other's feminine form (Mikhailov / Mikhailova, Sergeev / Sergeeva)?"""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return long_ == short + "a" and short.endswith(_MASCULINE_ENDS)


def dropped_from_four(f: str, other: str) -> float:
    """A three-letter word that is a four-letter one with a letter dropped: scored by the
    letters kept (0.86); else 0.0."""
    if len(other) != 4 or not any(other[:k] + other[k + 1:] == f for k in range(4)):
        return 0.0
    return fuzz.ratio(f, other) / 100.0


def subsequence(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


def written_pair(query: str, fold: str, listed: str, listed_fold: str) -> tuple[str, str] | None:
    """A query word and a listed word as written (lower-case ASCII), or None where the
    listed name is in another script: it has no spelling of its own in Latin letters (and
    transliterating it for every candidate is slow)."""
    if not listed.isascii():
        return None
    a = written(query).get(fold)
    b = written(listed).get(listed_fold)
    return None if a is None or b is None else (a, b)


def as_written(query: str, fold: str, listed: str, listed_fold: str) -> float:
    """Similarity of two words as written (lower-case ASCII), when one edit apart in five
    letters or more, or the query's four letters are the listed five with one dropped
    ("Taal" -> tal / Talal); else 0.0."""
    pair = written_pair(query, fold, listed, listed_fold)
    if pair is None:
        return 0.0
    a, b = pair
    if len(a) < 4 or len(b) < 5 or abs(len(a) - len(b)) > 1:
        return 0.0
    if len(a) < 5:
        # scored by the letters kept, as a letter dropped is elsewhere (0.89)
        return fuzz.ratio(a, b) / 100.0 if any(b[:k] + b[k + 1:] == a for k in range(5)) else 0.0
    sim: float = OSA.normalized_similarity(a, b)
    return sim if sim >= 0.8 else 0.0


def far_as_written(query: str, fold: str, listed: str, listed_fold: str) -> bool:
    """Are two words, both in Latin letters, further apart as written (under 0.75) than
    their canonical spellings?"""
    pair = written_pair(query, fold, listed, listed_fold) if query.isascii() else None
    return pair is not None and OSA.normalized_similarity(*pair) < 0.75

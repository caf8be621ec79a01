"""Digits typed for letters: "Ig0r Sech1n" is Igor Sechin, "H1zb0llah" Hizbollah.

A query word that mixes letters and digits is also read with each digit as the letters it
stands for (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, 8 b); a reading counts only when it is, as a
whole, a word some listed name spells (then at 0.95), so it can raise a score, never lower
one, and a word that is not a listed name's ("3M", "A1", a street number) stays as it is.
A reading that is a listed word then meets what that word meets, its near spellings too
(weak ones stay weak): "H1zb0llah" reads Hizbollah, a romanization of HIZBALLAH.
"""

from __future__ import annotations

from itertools import product

from tizim.screening.features.base import Context, QueryName
from tizim.screening.features.lookup import expansion
from tizim.screening.features.spelling import written
from tizim.screening.normalize import canon_token, fold_token

DIGIT_SIM = 0.95
_LETTERS = {"0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"}
# at most this many digits in a word are read (2^3 readings of "1" at most)
_MAX_DIGITS = 3


def has_digit_letters(fold: str) -> bool:
    """A word of four characters or more mixing letters (two at least) and digits."""
    return len(fold) >= 4 and not fold.isalpha() and sum(c.isalpha() for c in fold) >= 2 \
        and any(c in _LETTERS for c in fold)


def readings(raw: str) -> set[str]:
    """The word as written with its digits read as letters (every combination)."""
    slots = [_LETTERS.get(c, c) if c.isdigit() else c for c in raw]
    if sum(1 for c in raw if c in _LETTERS) > _MAX_DIGITS:
        return set()
    return {"".join(p) for p in product(*slots)}


def digit_letters(ctx: Context, q: QueryName) -> None:
    """Query words with digits for letters also meet what their readings meet, where a
    reading is a word some listed name spells (its near spellings too, weak ones weak)."""
    known = ctx.ref.index.vocab_id
    for i, f in enumerate(q.folds):
        if not has_digit_letters(f):
            continue
        raw = written(q.text).get(f, f)
        read: list[str] = []
        added: set[int] = set()
        for reading in sorted(readings(raw)):
            if not reading.isalpha():
                continue
            fold = fold_token(canon_token(reading))
            if fold not in known:
                continue
            added.update(read_as(ctx, q, i, fold, DIGIT_SIM))
            read.append(reading)
        if read:
            q.widened.append(("digits for letters", f"{raw!r} read as {', '.join(read)}", i, frozenset(added)))


def read_as(ctx: Context, q: QueryName, i: int, fold: str, cap: float) -> dict[int, float]:
    """Query part i also meets what listed word `fold` meets (at `cap` at most; its near
    spellings too, weak ones weak) and, a word no list spells itself, weighs as that word
    where the lists know it. The listed words it meets."""
    exp, typos, vowels = expansion(ctx, fold)
    merged = dict(q.exps[i])
    for t, sim in exp.items():
        sim = min(sim, cap)
        if merged.get(t, 0.0) < sim:
            merged[t] = sim
    q.exps[i] = merged
    # the word it reads as is no other name's near spelling
    q.typos[i] = (q.typos[i] | typos) - {t for t, sim in exp.items() if sim >= 1.0}
    q.vowels[i] = q.vowels[i] | vowels
    q.any_typo = any(q.typos)
    known = ctx.ref.index.vocab_id
    if not ctx.known(q.folds[i]) and fold in known:
        # the word it reads as, not a word no list has
        w = ctx.ref.index.vocab_weight[known[fold]]
        q.total = (q.total + w - q.weights[i]) or 1.0
        q.weights[i] = w
    return exp

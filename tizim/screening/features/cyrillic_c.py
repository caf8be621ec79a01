"""Latin names written in Cyrillic letter for letter: "Скиенкес" is SCIENCES, "Нике" NICE,
"Хакиенда Киен" HACIENDA CIEN.

Spelling a foreign name letter for letter, Cyrillic writes a Latin c as к before any letter,
the soft c before e, i and y too, while the Latin name keeps its soft c (canonical spelling
makes only a hard c a k). Read back in Latin letters, a word is then also read with its k
before e, i or y as c (each one, or all of them), where that reading, as a whole, is a word
the listed names spell (then at 0.95). As digits for letters (digits.py), the reading can
raise a score, never lower one, and a Russian word such as "Никита" stays what it is unless
a listed name spells "Nicita".
"""

from __future__ import annotations

import re

from tizim.screening.features.base import Context, QueryName
from tizim.screening.features.digits import read_as
from tizim.screening.features.spelling import written
from tizim.screening.normalize import canon_token, fold_token

CYRILLIC_C_SIM = 0.95
# a Cyrillic k before a front vowel (speed: most names have none)
_CYRILLIC_SOFT_K = re.compile("[кК][еиыйэёюяієЕИЫЙЭЁЮЯІЄ]")
_SOFT_K = re.compile(r"k(?=[eiy])")
# at most this many k's in a word are read one at a time
_MAX_KS = 4


def soft_c_readings(raw: str) -> list[str]:
    """The word (lower-case ASCII) with all its k before e, i or y as c, then each alone."""
    spots = [m.start() for m in _SOFT_K.finditer(raw)]
    if not spots:
        return []
    out = [_SOFT_K.sub("c", raw)]
    if 1 < len(spots) <= _MAX_KS:
        out += [raw[:k] + "c" + raw[k + 1:] for k in spots]
    return out


def cyrillic_c(ctx: Context, q: QueryName) -> None:
    """Query words read from Cyrillic also meet the listed words their soft-c readings are."""
    if not _CYRILLIC_SOFT_K.search(q.text):
        return
    # (compare() scores against one entity: its words are the listed ones)
    listed = ctx.index.vocab_id
    words = written(q.text)
    for i, f in enumerate(q.folds):
        raw = words.get(f)
        if raw is None:
            continue
        for alt in soft_c_readings(raw):
            fold = fold_token(canon_token(alt))
            if fold != f and fold in listed:
                exp = read_as(ctx, q, i, fold, CYRILLIC_C_SIM)
                q.widened.append(("Latin in Cyrillic", f"{raw!r} read as {alt}", i, frozenset(exp)))
                break

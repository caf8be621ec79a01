"""Names read from another script (scripts.py gives the Latin readings).

A Chinese, Japanese or Korean name is a family name and one or two syllables, and one
syllable is many names: such a query matches only when the listed name *is* its syllables as
romanized, family name first or last and the given name's syllables split or glued ("kim
jong un" is KIM Jong-un; "kim su il" is not KIM Il-Su; "华 伍" is not "EL HUEVO"), else 0.6.

An Arabic, Persian or Hebrew name has its consonants and long vowels only, so each part also
meets the listed words with the same consonants at 0.85 ("mhmd" / Muhammad): a name starting
with alif or ayn with any first vowel, and letters the lists romanize two ways (jim as g,
qaf as g, dad and dhal as dh, tha as th, dad as z).
"""

from __future__ import annotations

import re

from tizim.screening import scripts
from tizim.screening.features.base import ABJAD_SIM, Context, Pair, QueryName, widen
from tizim.screening.normalize import canon_token, raw_tokens, skeleton

_ABJAD_LETTERS = (("j", "g"), ("k", "g"), ("d", "dh"), ("z", "dh"), ("t", "th"), ("s", "th"), ("d", "z"))
SYLLABLE_CAP = 0.6


def from_script(ctx: Context, q: QueryName, written: str) -> None:
    """Mark a query name read from another script: syllabic (Han, kana, Hangul), or abjad
    (Arabic, Persian, Hebrew) parts widened to the listed words of the same consonants."""
    q.written = written
    if scripts.syllabic(written):
        q.syllabic = True
        q.own_acronyms = set()
        return
    if not scripts.abjad(written):
        return
    idx = ctx.index
    for i, f in enumerate(q.folds):
        skel = skeleton(f)
        if len(skel) < 2 or len(f) < 3:
            continue
        # a name starting with alif or ayn starts with any vowel in Latin letters
        # (not a ya read as i: "iasr" is Yasir)
        keys = {skel} | ({v + skel[1:] for v in "aiu"} if skel[0] in "au" else set())
        # letters the lists romanize two ways: jim as g (Egypt: Ragab), qaf as g
        # (Algeria: Gasmi), dad and dhal as dh, tha as th, dad as z (Persian: Morteza)
        keys |= {key.replace(a, b) for key in list(keys) for a, b in _ABJAD_LETTERS if a in key}
        widen(ctx, q, i, {t: ABJAD_SIM for key in keys for t in idx.skeletons.get(key, ())
                          if len(idx.vocab[t]) > 3})


def every_syllable(ctx: Context, q: QueryName, pairs: list[Pair], rid: int) -> bool:
    """The listed name is the query's syllables, as romanized: its family name (the
    query's first part, or its last) and, in order, its given name's syllables, split
    or glued ("kim jong un" is KIM Jong-un, "xi jinping" XI Jin Ping; "kim su il" is not
    KIM Il-Su, nor "chang chen" CHEN Cheng, which folding e~a would make one)."""
    # as written, before particles: "Il-Su" is no Arabic article
    mine = [syllable_key(canon_token(t)) for t in raw_tokens(q.text)]
    listed = [syllable_key(canon_token(t)) for t in raw_tokens(ctx.index.rec_name[rid])]
    if len(mine) < 2:
        return False
    for fam, given in ((mine[0], mine[1:]), (mine[-1], mine[:-1])):
        if fam in listed:
            rest = list(listed)
            rest.remove(fam)
            if "".join(rest) == "".join(given):
                return True
    return False


def syllable_key(canon: str) -> str:
    """A romanized syllable as Chinese, Japanese and Korean names are written: o and u one
    (Tarou / Taro, Jong / Jung), other vowels kept (Chen is not Chang)."""
    return _collapse_letters(canon.replace("o", "u"))


def _collapse_letters(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)

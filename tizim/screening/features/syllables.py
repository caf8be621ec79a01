"""Names read from another script (scripts.py gives the Latin readings).

A Chinese, Japanese or Korean name is a family name and one or two syllables, and one
syllable is many names: such a query matches only when the listed name *is* its syllables as
romanized, family name first or last and the given name's syllables split or glued ("kim
jong un" is KIM Jong-un; "kim su il" is not KIM Il-Su; "华 伍" is not "EL HUEVO"), else 0.6.

An Arabic, Persian or Hebrew name has its consonants and long vowels only, so each part also
meets the listed words that are its reading with short vowels added, at 0.85 ("mhmd" /
Muhammad, "hsin" / Husain; not "mila" / Mula: a written long vowel is kept): a name starting
with alif or ayn with any first vowel, and letters the lists romanize two ways (jim as g,
qaf as g, dad and dhal as dh, tha as th, dad as z), a final ha or waw as a vowel (Persian
-zadeh, Habbo). Not a listed name itself written in those
letters: its letters are there to compare one by one, and two Arabic names of the same
consonants and other long vowels are two names ("ميلاء الشهابي" is no reading of another
listed Arabic name however its consonants fall).
"""

from __future__ import annotations

import re
from dataclasses import replace

from tizim.screening import romanize_abjad, romanize_korean, scripts
from tizim.screening.features.base import ABJAD_SIM, Context, Pair, QueryName, widen
from tizim.screening.normalize import canon_token, fold_token, name_tokens, raw_tokens, skeleton

_ABJAD_LETTERS = (("j", "g"), ("k", "g"), ("d", "dh"), ("z", "dh"), ("t", "th"), ("s", "th"), ("d", "z"))
SYLLABLE_CAP = 0.6
# a Korean syllable met in another romanization (Bok / Pok, Yeong / Yong)
KOREAN_SIM = 0.9


def from_script(ctx: Context, q: QueryName, written: str) -> None:
    """Mark a query name read from another script: syllabic (Han, kana, Hangul), or abjad
    (Arabic, Persian, Hebrew) parts widened to the listed words of the same consonants."""
    q.written = written
    if scripts.syllabic(written):
        q.syllabic = True
        q.own_acronyms = set()
        if "Hangul" in scripts.scripts_of(written):
            # the lists mix Korean romanizations within a name (KIM Yong Bok): each
            # syllable also meets its other spellings (romanize_korean)
            by_keys(ctx, q)
        return
    if not scripts.abjad(written):
        return
    idx = ctx.index
    q.consonants_only = [frozenset() for _ in q.folds]
    words = abjad_words(written)
    for i, f in enumerate(q.folds):
        arabic = words.get(f)
        if arabic is not None:
            # read from its letters, each spelled as the lists spell it (romanize_abjad)
            spelled = spelled_from(ctx, arabic)
            had = q.exps[i]
            if widen(ctx, q, i, spelled):
                q.consonants_only[i] = frozenset(t for t in spelled if had.get(t, 0.0) < ABJAD_SIM)
            continue
        skel = skeleton(f)
        if len(skel) < 2 or len(f) < 3:
            continue
        # a name starting with alif or ayn starts with any vowel in Latin letters
        # (not a ya read as i: "iasr" is Yasir)
        readings = {f} | ({v + f[1:] for v in "aiu"} if f[0] in "au" else set())
        # a final ha or waw after a consonant may be a written vowel: Persian -zadeh, -eh
        # ("hsnzadh" / Hassanzadeh), a final -o or -u ("hbv" / Habbo)
        if len(skel) >= 3 and f[-1] in "hv" and f[-2] not in "aiu":
            readings |= {r[:-1] for r in readings}
        # letters the lists romanize two ways: jim as g (Egypt: Ragab), qaf as g
        # (Algeria: Gasmi), dad and dhal as dh, tha as th, dad as z (Persian: Morteza)
        readings |= {r.replace(a, b) for r in list(readings) for a, b in _ABJAD_LETTERS if a in r}
        extra: dict[int, float] = {}
        for reading in readings:
            for t in idx.skeletons.get(skeleton(reading), ()):
                word = idx.vocab[t]
                # (a final vowel is written several ways: ى read a is Persian i, "hidra" /
                # Heidari)
                if len(word) > 3 and (fits(reading, word) or reading[-1] in "aiu" and fits(reading[:-1], word)):
                    extra[t] = ABJAD_SIM
        had = q.exps[i]
        if widen(ctx, q, i, extra):
            q.consonants_only[i] = frozenset(t for t in extra if had.get(t, 0.0) < ABJAD_SIM)


def romanized(ctx: Context, q: QueryName) -> QueryName | None:
    """A person's name in Latin letters that looks Korean or Chinese ("Kim Jung Eun", "Park
    Bong-ju", romanize_korean.looks_east_asian) meets the listed names that romanize its
    syllables otherwise (Kim Jong Un, Pak Pong Ju), as another spelling of each part: that
    reading, a copy of `q` widened (None when it adds nothing). It is scored beside `q`, the
    better kept: the keys only add ways to meet, never take away a pair the name as written
    makes (the greedy alignment could pair a part to a listed word its key meets and leave
    the part that spelt it unpaired; an unknown word takes the weight of its keys' words)."""
    folds = q.folds
    # (speed: this runs for every person's name in Latin letters; most have no Korean or
    # Chinese family name first or last)
    if not q.person or q.written is not None or not 2 <= len(folds) <= 4:
        return None
    families = romanize_korean.family_folds()
    if folds[0] not in families and folds[-1] not in families:
        return None
    parts = [t.lower() for t in raw_tokens(q.text)]
    if len(parts) != len(q.folds) or not romanize_korean.looks_east_asian(parts):
        return None
    # (not syllabic as a name written in Hangul is: a Latin name keeps its rules, a syllable
    # dropped from a given name included, "RI HYOK" / "RI SONG HYOK")
    east = replace(q, exps=list(q.exps), weights=list(q.weights), typos=list(q.typos), widened=list(q.widened),
                   direct={}, near={}, hits={}, hits_written={})
    return east if by_keys(ctx, east) else None


def by_keys(ctx: Context, q: QueryName) -> bool:
    """Each part also meets the listed words of its romanization key (a family name's, of
    any of its spellings), at KOREAN_SIM; True when any was added."""
    keyed = romanize_korean.by_key(ctx.index)
    vocab = ctx.index.vocab
    last = len(q.folds) - 1
    added = False
    for i, f in enumerate(q.folds):
        keys = romanize_korean.family_keys(f) if i in (0, last) else (romanize_korean.korean_key(f),)
        extra = {t: KOREAN_SIM for k in keys for t in keyed.get(k, ()) if vocab[t] != f}
        if widen(ctx, q, i, extra):
            added = True
            q.widened.append(("romanization", f"{f!r} also read as {', '.join(sorted({vocab[t] for t in extra}))}",
                              i, frozenset(extra)))
    return added


def abjad_words(written: str) -> dict[str, str]:
    """The query's folds read from Arabic-script or Hebrew words, each with its word as
    written (particles and words the reading spells as fixed Latin words left out)."""
    out: dict[str, str] = {}
    for word in (w for words in scripts.segmentations(written.replace("-", " ")) for w in words):
        if word in scripts.FIXED_WORDS or word in romanize_abjad.PARTICLES or not scripts.abjad(word):
            continue
        read = scripts.latin_variants(word)
        if not read:
            continue
        folds = [fold_token(canon_token(t)) for t in name_tokens(read[0], "Person")]
        if folds and folds[-1]:
            out.setdefault(folds[-1], word)
    return out


def spelled_from(ctx: Context, word: str) -> dict[int, float]:
    """Listed words (three letters or more) that spell `word`, by its letters' spellings
    (romanize_abjad.word_pattern), looked up by the consonant skeletons they may have."""
    pattern = romanize_abjad.word_pattern(word)
    if pattern is None:
        return {}
    idx = ctx.index
    vocab = idx.vocab
    extra: dict[int, float] = {}
    seen: set[int] = set()
    for key in romanize_abjad.consonant_keys(word):
        for head in ("", "a", "i", "u"):
            for t in idx.skeletons.get(head + key, ()):
                if t in seen:
                    continue
                seen.add(t)
                if len(vocab[t]) >= 3 and pattern.fullmatch(vocab[t]) is not None:
                    extra[t] = ABJAD_SIM
    return extra


_VOWELS = frozenset("aeiouy")


def fits(reading: str, word: str) -> bool:
    """Is `word` the reading with short vowels added: its letters (consonants and the long
    vowels Arabic writes), in order, with only vowels between ("mhmd" / muhamad, "hsin" /
    husain; not "mila" / mula, whose written long vowel differs, nor "shabi" / sahib)?"""
    k = 0
    n = len(reading)
    for ch in word:
        if k < n and ch == reading[k]:
            k += 1
        elif ch not in _VOWELS:
            return False
    return k == n


def every_syllable(ctx: Context, q: QueryName, pairs: list[Pair], rid: int) -> bool:
    """The listed name is the query's syllables, as romanized: its family name (the
    query's first part, or its last) and, in order, its given name's syllables, split
    or glued ("kim jong un" is KIM Jong-un, "xi jinping" XI Jin Ping; "kim su il" is not
    KIM Il-Su, nor "chang chen" CHEN Cheng, which folding e~a would make one)."""
    # as written, before particles: "Il-Su" is no Arabic article
    korean = q.written is not None and "Hangul" in scripts.scripts_of(q.written)
    mine = [_key(t, korean) for t in raw_tokens(q.text)]
    listed = [_key(t, korean) for t in raw_tokens(ctx.index.rec_name[rid])]
    if len(mine) < 2:
        return False
    # a Korean family name in any of its spellings (Choi / Choe, Lee / Ri)
    family = romanize_korean.family_key if korean else _same
    families = [family(k) for k in listed]
    for fam, given in ((mine[0], mine[1:]), (mine[-1], mine[:-1])):
        fk = family(fam)
        if fk in families:
            rest = list(listed)
            del rest[families.index(fk)]
            if "".join(rest) == "".join(given):
                return True
    return False


def _same(key: str) -> str:
    return key


def _key(token: str, korean: bool) -> str:
    canon = canon_token(token)
    return romanize_korean.korean_key(fold_token(canon)) if korean else syllable_key(canon)


def syllable_key(canon: str) -> str:
    """A romanized syllable as Chinese, Japanese and Korean names are written: o and u one
    (Tarou / Taro, Jong / Jung), other vowels kept (Chen is not Chang)."""
    return _collapse_letters(canon.replace("o", "u"))


def _collapse_letters(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)

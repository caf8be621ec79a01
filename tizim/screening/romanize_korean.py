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
- r and l one (Ryong / Lyong), sh and s (Shin / Sin); a final h after a vowel dropped;
- and Wade-Giles's ts / tz for z, a first hs for x (Tse / Ze, Hsiao / Xiao), which Korean
  never writes.

A family name has spellings no rule makes one (최 Choi / Choe, 이 Lee / Ri / Yi, 박 Park /
Pak; 周 Zhou / Chou): `family_key()` gives each family name's spellings one key.

A name in Latin letters `looks_east_asian()` when it is two to four parts, each one or two
syllables of a Korean or Chinese romanization, with a family name first or last ("Kim Jung
Eun", "Park Bong-ju"): such a name is compared by keys too, syllable for syllable.

It is a key for comparing syllables of a name known to be Korean (written in Hangul), not
a spelling: two syllables with one key are the same Hangul syllable or near it.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from itertools import groupby
from typing import Any

_STOPS = str.maketrans({"g": "k", "d": "t", "b": "p", "f": "p", "r": "l"})
# words longer than this are no syllables of a Korean name, nor two glued
MAX_LETTERS = 10


@lru_cache(maxsize=50_000)
def korean_key(fold: str) -> str:
    """The key of a romanized Korean syllable (or syllables glued), as folded."""
    # (string methods, not patterns: by_key() runs this over a whole index's words)
    k = fold.replace("au", "u").replace("ch", "j").replace("sh", "s")
    k = k.replace("kh", "k").replace("th", "t").replace("ph", "p").replace("ts", "z").replace("tz", "z")
    if k.startswith("hs"):
        k = k[1:]
    k = k.translate(_STOPS).replace("j", "c")
    if len(k) > 1 and k[0] == "i" and k[1] in "aiu":
        k = k[1:]
    if len(k) > 1 and k[-1] == "h" and k[-2] in "aiu":
        # a final h after a vowel, which canon_token drops from words of four letters or more
        k = k[:-1]
    return "".join(ch for ch, _ in groupby(k))


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


# common Chinese family names: pinyin, Wade-Giles and other spellings of one name
_CHINESE_FAMILIES = (
    ("li", "lee"), ("wang",), ("zhang", "chang", "cheung"), ("liu", "lau"), ("chen", "chan", "ch'en"),
    ("yang", "yeung"), ("huang", "hwang", "wong"), ("zhao", "chao", "chiu"), ("wu", "ng"), ("zhou", "chou", "chow"),
    ("xu", "hsu", "tsui"), ("sun", "suen"), ("ma",), ("zhu", "chu"), ("hu", "woo"), ("guo", "kuo", "kwok"),
    ("he", "ho"), ("gao", "kao"), ("lin", "lam"), ("luo", "lo", "law"), ("zheng", "cheng"), ("liang", "leung"),
    ("xie", "hsieh", "tse"), ("song", "sung"), ("tang", "tong"), ("han",), ("feng", "fung"), ("deng", "teng", "tang"),
    ("cao", "tsao", "tso"), ("peng", "pang"), ("zeng", "tseng", "tsang"), ("xiao", "hsiao", "siu"), ("tian", "tien"),
    ("dong", "tung"), ("pan", "poon"), ("yuan",), ("cai", "tsai", "choi"), ("jiang", "chiang", "kong"),
    ("yu", "yue"), ("du", "tu", "to"), ("ye", "yeh", "yip"), ("cheng", "ching"), ("wei",), ("su", "soo"),
    ("lu", "luk"), ("ding", "ting"), ("ren", "jen", "yam"), ("shen", "shum"), ("yao",), ("lu", "lui"),
    ("jiang", "chiang"), ("cui", "tsui", "choi"), ("zhong", "chung"), ("tan", "tam"), ("mao",), ("qian", "chien"),
    ("xi", "hsi"), ("kang",), ("bai", "pai"), ("qin", "chin"), ("shi", "shih", "sze"), ("kong", "kung"),
)


def _fold(word: str) -> str:
    from tizim.screening.normalize import canon_token, fold_token

    return fold_token(canon_token(re.sub(r"[^a-z]", "", word.lower())))


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """Each family name spelling's key -> the key its name is known by (the smallest of its
    spellings' keys): Korean from scripts.py's tables, Chinese from the list above."""
    from tizim.screening import scripts

    groups: list[set[str]] = []
    for ch, spellings in scripts._SURNAMES.items():
        read = {scripts._syllable(ch, scripts._INITIAL_RR, scripts._VOWEL_RR),
                scripts._syllable(ch, scripts._INITIAL_MR, scripts._VOWEL_MR)}
        groups.append({korean_key(_fold(w)) for w in (*spellings, *read)})
    groups += [{korean_key(_fold(w)) for w in names} for names in _CHINESE_FAMILIES]
    out: dict[str, str] = {}
    for group in groups:
        for key in group:
            # a spelling of two names (Choi: 최 and 蔡) keeps the first it was given
            out.setdefault(key, min(group))
    return out


@lru_cache(maxsize=1)
def family_folds() -> frozenset[str]:
    """The family names' spellings, folded (a set to test a query's first and last part
    against before anything else: most names are no Korean or Chinese name)."""
    from tizim.screening import scripts

    spellings = {w for pair in scripts._SURNAMES.values() for w in pair}
    spellings |= {w for names in _CHINESE_FAMILIES for w in names}
    return frozenset(_fold(w) for w in spellings)


def family_key(key: str) -> str:
    """The key a family name is known by, from one of its spellings' keys (korean_key);
    another syllable's key as it is."""
    return _families().get(key, key)


def family_keys(fold: str) -> frozenset[str]:
    """Every key a spelling of this family name has (Choi: choi, choe, chwe ...)."""
    key = korean_key(fold)
    canonical = family_key(key)
    return frozenset(k for k, c in _families().items() if c == canonical) | {key}


_PINYIN_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh",
                    "r", "z", "c", "s", "y", "w")
_PINYIN_FINALS = ("a", "o", "e", "i", "u", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "er", "ia",
                  "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong", "ua", "uo", "uai", "ui", "uan", "un",
                  "uang", "ueng", "ue", "ve")
_WADE_INITIALS = ("", "p", "m", "f", "t", "n", "l", "k", "h", "ch", "hs", "j", "ts", "tz", "s", "ss", "sz", "y", "w")
_WADE_FINALS = ("a", "o", "e", "eh", "ih", "i", "u", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ung", "erh",
                "ia", "ieh", "iao", "iu", "ien", "in", "iang", "ing", "iung", "ua", "uo", "uai", "ui", "uei", "uan",
                "un", "uang", "ueh", "uan", "ueh")


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Syllables as Korean and Chinese names are romanized (Revised, McCune-Reischauer,
    customary family names; pinyin and Wade-Giles, a superset of the real ones)."""
    from tizim.screening import scripts

    out: set[str] = set()
    for cp in range(0xAC00, 0xD7A4):
        for initial, vowel in ((scripts._INITIAL_RR, scripts._VOWEL_RR), (scripts._INITIAL_MR, scripts._VOWEL_MR)):
            out.add(scripts._syllable(chr(cp), initial, vowel))
    out |= {w for pair in scripts._SURNAMES.values() for w in pair}
    out |= {w for names in _CHINESE_FAMILIES for w in names}
    out |= {a + b for a in _PINYIN_INITIALS for b in _PINYIN_FINALS}
    out |= {a + b for a in _WADE_INITIALS for b in _WADE_FINALS}
    return frozenset(w.replace("'", "") for w in out)


def _one_or_two(part: str) -> bool:
    known = syllables()
    return part in known or any(part[:k] in known and part[k:] in known for k in range(1, len(part)))


def looks_east_asian(parts: list[str]) -> bool:
    """Is a name (its parts as written, lower case) a Korean or Chinese name in Latin
    letters: two to four parts of one or two syllables each, a family name first or last?"""
    if not 2 <= len(parts) <= 4 or not all(p.isascii() and p.isalpha() for p in parts):
        return False
    families = family_folds()
    if _fold(parts[0]) not in families and _fold(parts[-1]) not in families:
        return False
    return all(_one_or_two(p) for p in parts)

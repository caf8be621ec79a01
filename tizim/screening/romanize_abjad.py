"""The Latin spellings an Arabic, Persian or Hebrew word may have, as a pattern over folds.

Arabic and Hebrew letters write the consonants and (Arabic always, Hebrew sometimes) the long
vowels; short vowels are not written, and each letter has several spellings in the lists,
which differ by language and habit: ش is sh in English and ch in French (Akkacha,
Mouchaweh), و a vowel (Mahmoud) or a consonant (Kowsari, Fadavi, Djouadi), ث th or s
(Thaqib / Saqib), ظ z, dh or th (Kathim), ق q, k or g (Belgacem). Reading a word once
into one Latin spelling and comparing that loses most of these, and folding the reading
as a Latin word makes it worse ("زهير" read zhir folds to jir, Russian zh; "شهاب" read
shhab folds to shab; "مددی" read mdd folds to md).

So each word is read into a *pattern*: per letter the spellings it may have (as
`normalize.fold_token` spells listed words: kh is h, q is k, w is v, y is i, e is a, o is
u), a short vowel or none between letters (short vowels are not written; a diphthong is
written with ya or waw: حسن is no Hussain), the written long vowels kept ("ميلاء" is no
reading of Mula). `word_pattern()` gives it as a regular expression
over a listed word's fold, and `consonant_keys()` the consonant skeletons a listed word
may have, to look candidates up by (`normalize.skeleton`).

Where letters are silent or merge: the article's alif inside a word (the alif of -allah in
"اسدالله" Asadollah, of "ذوالقدر" Zulqadr) is any vowel; two same consonants in a row
may be one doubled ("الله"); a final ha or ta marbuta may be unwritten in Latin (Fatima,
Hamza, Salah after `canon_token` drops a final h); an article written onto its word
may be there or not (Essabar / "الصبار").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

# per Arabic-script letter: its spellings as folds ("" where it may be silent or a short
# vowel); long vowels: alif a, waw u or v, ya i
_ARABIC: dict[str, tuple[str, ...]] = {
    "ا": ("a",), "آ": ("a",), "أ": ("",), "إ": ("",), "ٱ": ("",), "ء": ("",), "ئ": ("",),
    "ؤ": ("",), "ع": ("",),
    "ب": ("b",), "پ": ("p", "b"), "ت": ("t",), "ټ": ("t",), "ث": ("th", "s", "t", "c"),
    "ج": ("j", "g"), "چ": ("ch",), "ح": ("h",), "خ": ("h", "k"), "د": ("d",), "ډ": ("d",),
    "ذ": ("dh", "z", "d"), "ر": ("r",), "ړ": ("r",), "ز": ("z",), "ژ": ("j", "z"),
    "ږ": ("j", "g"), "س": ("s", "c"), "ش": ("sh", "ch"), "ښ": ("sh", "h"),
    "ص": ("s", "c"), "ض": ("d", "dh", "z"), "ط": ("t",), "ظ": ("z", "dh", "th", "d"),
    "غ": ("g",), "ف": ("f",), "ق": ("k", "g"), "ك": ("k",), "ک": ("k",), "گ": ("g", "k"),
    "ل": ("l",), "م": ("m",), "ن": ("n",), "ڼ": ("n",), "ں": ("n",),
    "ه": ("h",), "ھ": ("h",), "ہ": ("h",), "ۀ": ("h",), "ة": ("", "t"),
    "و": ("u", "v"), "ي": ("i",), "ی": ("i",), "ې": ("i",), "ۍ": ("i",), "ے": ("i", ""),
    "ى": ("i", ""),
}
# Hebrew writes vowels only now and then: waw and yod may be silent
_HEBREW: dict[str, tuple[str, ...]] = {
    "א": ("",), "ע": ("",), "ב": ("b", "v"), "ג": ("g",), "ד": ("d",), "ה": ("h", ""),
    "ו": ("v", "u", ""), "ז": ("z",), "ח": ("h", "ch"), "ט": ("t",), "י": ("i", "j", ""),
    "כ": ("k", "ch", "h"), "ך": ("k", "ch", "h"), "ל": ("l",), "מ": ("m",), "ם": ("m",),
    "נ": ("n",), "ן": ("n",), "ס": ("s",), "פ": ("p", "f"), "ף": ("f", "p"),
    "צ": ("ts", "tz", "z", "s"), "ץ": ("ts", "tz", "z", "s"), "ק": ("k",), "ר": ("r",),
    "ש": ("sh", "s", "sch", "ch"), "ת": ("t", "s", "th"),
}
LETTERS = {**_ARABIC, **_HEBREW}
_FOLD_VOWELS = "aiu"
_V = f"[{_FOLD_VOWELS}]?"
# at most this many consonant skeletons a word is looked up by
MAX_KEYS = 64
# words the lists read as particles (son of, tribe of, father of), not spelled out
PARTICLES = frozenset({"بن", "ابن", "بنت", "ولد", "ابو", "أبو", "ابي", "أبي", "ام", "أم", "بنو", "بني",
                       "آل"})


# a zero-width non-joiner ends a Persian word inside a name written as one ("خامنه‌ای"
# Khamenei: the ha before it is a final one)
ZWNJ = "\u200c"


def _letters(word: str) -> str:
    """The word's letters without short-vowel marks and tatweel (and ZWNJ, kept)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", word)
                   if not unicodedata.combining(ch) and ch != "ـ" and (ch in LETTERS or ch == ZWNJ))


def core(word: str) -> tuple[bool, str]:
    """(article, the word without the conjunction wa-, the article al- and Abd): the part
    the lists spell as the name ("والكواري" -> al-, كواري)."""
    w = _letters(word)
    if w.startswith("وال") and len(w) > 4:
        w = w[1:]
    if w.startswith("عبد") and len(w) > 4:
        w = w[3:]
    if w.startswith("ال") and len(w) > 3:
        return True, w[2:]
    return False, w


def slots(letters: str) -> list[tuple[str, ...]]:
    """Per letter of an Arabic-script or Hebrew word (as core() leaves it), the folds it
    may be spelled with."""
    out: list[tuple[str, ...]] = []
    n = len(letters)
    for k, ch in enumerate(letters):
        alts = LETTERS.get(ch)
        if alts is None:
            if ch == ZWNJ and out and "h" in out[-1] and "" not in out[-1]:
                out[-1] = (*out[-1], "")  # a final ha before it: a written vowel
            continue
        if ch == "ا" and (k == 0 or _glued_article(letters, k)):
            # a first alif is any vowel; the article's alif inside a word is silent
            # (Asad-ollah, Zul-qadr)
            alts = ("",)
        elif ch in "وي" and k == 0:
            alts = ("v", "u") if ch == "و" else ("i",)
        elif ch in "يی" and 0 < k < n - 1:
            # a ya between letters is also how canon_token leaves Latin "ay"/"ey" before a
            # vowel (Sayed -> sad, Tayeb -> tab); after alif, nothing (Fayez -> faz)
            alts = ("i", "") if letters[k - 1] == "ا" else ("i", "a")
        elif k == n - 1 and k > 0 and ch in "یو" and letters[k - 1] not in "اوي":
            # a final Persian ya after a consonant may be an alif maqsura (Mojtaba, Musa,
            # Morteza), a final waw silent (Amr)
            alts = (*alts, "")
        elif k == n - 1 and "h" in alts and sum(1 for a in out if "" not in a) >= 2:
            # a final ha may be a written vowel (-zadeh, Hamza) or dropped after one
            # (not in a word of two letters: Taha)
            alts = (*alts, "")
        if out and alts == out[-1] and alts != ("",):
            # the same letter twice: one doubled consonant (الله), or two
            out.append((*alts, ""))
            continue
        out.append(alts)
    return out


def _glued_article(letters: str, k: int) -> bool:
    """Is the alif at k the article of a name glued after another ("اسدالله" Asad-ollah,
    "ذوالقدر" Zul-qadr, "صلاحالدين"), not a long vowel before a lam ("جلال" Jalal)?"""
    rest = letters[k:]
    return k >= 2 and rest.startswith("ال") and (rest in ("الله", "اللہ", "اله") or len(rest) >= 5)


@lru_cache(maxsize=20_000)
def word_pattern(word: str) -> re.Pattern[str] | None:
    """The folds a listed word may have to be this word's reading: its letters' spellings
    in order, a short vowel or none between; an article written onto it may be kept
    ("Essabar"). None for a word with fewer than two letters that are not silent, or no
    consonant always written."""
    article, letters = core(word)
    parts = slots(letters)
    if sum(1 for alts in parts if any(alts)) < 2 or not any(all(a and a not in _FOLD_VOWELS for a in alts)
                                                          for alts in parts):
        return None
    frags = ["(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")" if len(alts) > 1 else alts[0]
             for alts in parts]
    body = ""
    for k in range(len(parts)):
        if k and _zh(parts, k - 1):
            continue
        if k:
            body += _V
        # z then h: canon_token reads a Latin "zh" as j (Mazhari -> majari, Azhar)
        body += f"(?:{frags[k]}{_V}{frags[k + 1]}|j)" if _zh(parts, k) else frags[k]
    # vowels before the first letter only where it is silent (alif, ayn): "همدان" is no
    # Ahmadian
    head = ("(?:[aiu]l?)?" if article else "") + (_V if "" in parts[0] else "")
    # a final short vowel, not an i: a nisba's -i is written (Asad is not Asadi)
    return re.compile(f"{head}{body}[au]*")


def _zh(parts: list[tuple[str, ...]], k: int) -> bool:
    """Is slot k a z the next slot's h may follow?"""
    return k + 1 < len(parts) and "z" in parts[k] and "h" in parts[k + 1]


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=20_000)
def consonant_keys(word: str) -> tuple[str, ...]:
    """The consonant skeletons (no vowels, doubled letters once) a listed word spelling
    this word may have, at most MAX_KEYS of them: the ways its ambiguous letters go."""
    _, letters = core(word)
    parts = slots(letters)
    options = []
    for k, alts in enumerate(parts):
        if k and _zh(parts, k - 1):
            continue
        if _zh(parts, k):
            alts = (*(a + b for a in alts for b in parts[k + 1]), "j")
        options.append(tuple(dict.fromkeys(a.strip(_FOLD_VOWELS) if a not in _FOLD_VOWELS else "" for a in alts)))
    options = [o for o in options if o != ("",)]
    keys: list[str] = []
    for combo in product(*options):
        key = _collapse("".join(combo))
        if key and key not in keys:
            keys.append(key)
            if len(keys) >= MAX_KEYS:
                break
    return tuple(keys)


def fits(pattern: re.Pattern[str], fold: str) -> bool:
    """Is a listed word (its fold) a spelling of the pattern's word?"""
    return pattern.fullmatch(fold) is not None

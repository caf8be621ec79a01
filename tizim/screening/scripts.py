"""Names written in scripts other than Latin and Cyrillic, as the Latin names lists give.

`latin_variants(name)` returns the Latin renderings of a name to screen (empty for a name in
Latin or Cyrillic letters, which normalize.py reads itself):

- Han (Chinese characters): Mandarin pinyin from ICU's Han-Latin transform (PyICU, already a
  dependency), tones dropped, written as the lists write Chinese names: the family name
  (one character, or a two-character compound surname such as 欧阳) and the given name
  glued ("习近平" -> "xi jinping"); a name written with spaces keeps its parts. A name of
  Han characters only may be Japanese: its Japanese reading (pykakasi, a maintained
  kanji/kana dictionary; ICU reads kanji as Mandarin) is a second variant.
- Kana (Japanese): Hepburn romaji from pykakasi ("やまだ たろう" -> "yamada tarou").
- Hangul (Korean): syllable by syllable, in the Revised Romanization (the South's) and in the
  McCune-Reischauer form the DPRK and the UN write ("김정은" -> "gim jeong eun" and "kim jong
  un"; ㅋ k, as canon_token would read kh as h), the family name as it is customarily written (김 Kim, 이 Lee / 리 Ri, 박 Park / Pak,
  최 Choi / Choe). No maintained library romanizes McCune-Reischauer; a Hangul syllable is
  Unicode arithmetic over 19 initials, 21 vowels and 28 finals, so the tables are here.
- Greek (ICU's UNGEGN transform), Hebrew, Arabic and Persian, Thai, Devanagari and the other
  scripts: ICU's Any-Latin, then Latin-ASCII.

Chinese, Japanese and Korean names are syllabic: a name is a family name of one syllable
and a given name of one or two, and a single syllable meets many names. `syllabic(name)`
tells the engine to require every syllable of such a name met, and every part of the listed
name, before it calls a match ("华 伍" is not "EL HUEVO", "彬 麦" not "MAEI").
East Asian order (family name first) needs nothing more: names are aligned part by part in
either order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# scripts by Unicode block ranges: enough to route a name, not a general classifier
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"),
    (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"),
    (0x20000, 0x2FA1F, "Han"),
)
SYLLABIC = frozenset({"Han", "Kana", "Hangul"})


def _script_of(ch: str) -> str | None:
    cp = ord(ch)
    if cp < 0x0370:
        return None  # Latin, digits, punctuation
    if 0x0400 <= cp <= 0x052F:
        return "Cyrillic"
    for lo, hi, name in _RANGES:
        if lo <= cp <= hi:
            return name
    return "Other" if ch.isalpha() else None


def scripts_of(name: str) -> set[str]:
    """The scripts other than Latin a name's letters are written in."""
    return {s for s in map(_script_of, name) if s is not None}


def syllabic(name: str) -> bool:
    """Written in Chinese characters, kana or Hangul."""
    return bool(scripts_of(name) & SYLLABIC)


ABJADS = frozenset({"Arabic", "Hebrew"})


def abjad(name: str) -> bool:
    """Written in Arabic or Persian script, or Hebrew: short vowels are not written, so the
    Latin reading has the consonants of the name and only its long vowels."""
    return bool(scripts_of(name) & ABJADS)


def primary_latin(name: str) -> str | None:
    """The first Latin rendering of a name (pinyin for Chinese characters, the Revised
    Romanization for Hangul), as listed names are indexed; None for Latin and Cyrillic."""
    read = latin_variants(name, japanese=False)
    return read[0] if read else None


@lru_cache(maxsize=20_000)
def latin_variants(name: str, japanese: bool = True) -> tuple[str, ...]:
    """The Latin renderings of a name to screen; () for Latin and Cyrillic names.
    `japanese`: also a name in kanji alone read as Japanese (pykakasi loads its dictionary,
    a second or so, on first use)."""
    found = scripts_of(name) - {"Cyrillic"}
    if not found:
        return ()
    text = unicodedata.normalize("NFKC", name).strip()
    # brackets and quotes are no part of a name ("(金铁三)")
    text = " ".join(_BRACKETS.sub(" ", text).split())
    latin, foreign = _pieces(text)
    if latin and foreign:
        # a name written in two scripts ("PAK Kwang Hun 박광훈", "Hael al-Asad (هاىلالأسد)")
        # is two names: each read alone, and both together as one name to index
        read = latin_variants(foreign, japanese)
        return tuple(dict.fromkeys([f"{latin} {read[0]}" if read else latin, latin, *read]))
    if "Hangul" in found:
        return _hangul(text)
    if "Kana" in found:
        return (_japanese(text),)
    if "Han" in found:
        out = [_chinese(text)]
        kanji = _japanese_kanji(text) if japanese else None
        if kanji and kanji not in out:
            out.append(kanji)
        return tuple(out)
    if found == {"Arabic"}:
        return tuple(dict.fromkeys(_arabic(" ".join(words)) for words in segmentations(text)))
    tid = "Greek-Latin/UNGEGN; Latin-ASCII" if found == {"Greek"} else "Any-Latin; Latin-ASCII"
    return (_icu(tid).transliterate(text),)


_BRACKETS = re.compile(r"[()\[\]{}<>\"«»“”]")


def _pieces(text: str) -> tuple[str, str]:
    """(the words in Latin or Cyrillic letters, the words in other scripts) of a name that
    has both, each of them with a word of two letters or more; else ("", "")."""
    latin: list[str] = []
    foreign: list[str] = []
    for word in text.split():
        found = scripts_of(word)
        if found - {"Cyrillic"}:
            foreign.append(word)
        elif any(ch.isalpha() for ch in word):
            latin.append(word)
    if not latin or not foreign or max(len(w) for w in latin) < 2:
        return "", ""
    return " ".join(latin), " ".join(foreign)


@lru_cache(maxsize=8)
def _icu(tid: str) -> Any:
    import icu

    return icu.Transliterator.createInstance(tid)


# ---- Chinese ----------------------------------------------------------------------------

# two-character (compound) surnames: 欧阳 Ouyang, 司马 Sima, ...
_COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文", "夏侯", "公孙", "轩辕", "端木", "歐陽", "司馬", "諸葛", "長孫"])
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\s]+")


def _pinyin(chars: str) -> str:
    """Toneless pinyin of characters, one syllable glued to the next."""
    return "".join(_icu("Han-Latin; Latin-ASCII").transliterate(ch) for ch in chars).replace(" ", "")


def _chinese(text: str) -> str:
    parts = text.split()
    if len(parts) == 1 and len(text) >= 2 and all(_script_of(c) == "Han" for c in text):
        cut = 2 if text[:2] in _COMPOUND_SURNAMES and len(text) > 2 else 1
        return f"{_pinyin(text[:cut])} {_pinyin(text[cut:])}"
    out = []
    for part in parts:
        out.append(" ".join(_pinyin(run) if _script_of(run[0]) == "Han" else run for run in _HAN_RUN.findall(part)))
    return " ".join(out)


# ---- Japanese ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()


def _japanese_kanji(text: str) -> str | None:
    """The Japanese reading of a name in kanji alone, where it reads as Japanese: every
    character read, and a word of two characters or more in the dictionary (a family name:
    山田, 安倍). A Chinese name reads character by character, or not at all (习近平)."""
    items = [item for item in _kakasi().convert(text) if item["orig"].strip()]
    if not items or any(not item["hepburn"] or not item["hepburn"].isascii() for item in items):
        return None
    if not any(len(item["orig"]) >= 2 for item in items):
        return None
    return " ".join(item["hepburn"] for item in items)


def _japanese(text: str) -> str:
    words = [item["hepburn"] for item in _kakasi().convert(text)]
    return " ".join(" ".join(words).split())


# ---- Korean -----------------------------------------------------------------------------

# Revised Romanization (RR) and McCune-Reischauer as the DPRK writes it (MR: no breves,
# ㅈ j, aspirates th / ph / kh), per jamo
_INITIAL_RR = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "-", "j", "jj", "ch", "k", "t", "p", "h"]
# (ㅋ k, not kh: canon_token reads kh as h)
_INITIAL_MR = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "-", "j", "jj", "ch", "k", "th", "ph", "h"]
_VOWEL_RR = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"]
_VOWEL_MR = ["a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"]
_FINAL = ["-", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "l", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "h"]
# family names as customarily written: (South, DPRK)
_SURNAMES: dict[str, tuple[str, str]] = {
    "김": ("kim", "kim"), "이": ("lee", "ri"), "리": ("lee", "ri"), "박": ("park", "pak"),
    "최": ("choi", "choe"), "정": ("jung", "jong"), "강": ("kang", "kang"), "조": ("cho", "jo"),
    "윤": ("yoon", "yun"), "장": ("jang", "jang"), "임": ("lim", "rim"), "림": ("lim", "rim"),
    "한": ("han", "han"), "오": ("oh", "o"), "서": ("seo", "so"), "신": ("shin", "sin"),
    "권": ("kwon", "kwon"), "황": ("hwang", "hwang"), "안": ("ahn", "an"), "송": ("song", "song"),
    "류": ("ryu", "ryu"), "유": ("yoo", "yu"), "전": ("jeon", "jon"), "홍": ("hong", "hong"),
    "고": ("ko", "ko"), "문": ("moon", "mun"), "양": ("yang", "ryang"), "량": ("yang", "ryang"),
    "손": ("son", "son"), "배": ("bae", "pae"), "백": ("baek", "paek"), "허": ("heo", "ho"),
    "노": ("noh", "ro"), "로": ("noh", "ro"), "남": ("nam", "nam"), "심": ("shim", "sim"),
    "하": ("ha", "ha"), "주": ("joo", "ju"), "구": ("koo", "ku"), "곽": ("kwak", "kwak"),
    "성": ("sung", "song"), "차": ("cha", "cha"), "우": ("woo", "u"), "민": ("min", "min"),
    "진": ("jin", "jin"), "지": ("ji", "ji"), "엄": ("eom", "om"), "채": ("chae", "chae"),
    "원": ("won", "won"), "천": ("cheon", "chon"), "방": ("bang", "pang"), "공": ("kong", "kong"),
    "현": ("hyun", "hyon"), "함": ("ham", "ham"), "변": ("byun", "pyon"), "염": ("yeom", "yom"),
    "석": ("seok", "sok"), "선": ("sun", "son"), "설": ("seol", "sol"), "마": ("ma", "ma"),
    "길": ("gil", "kil"), "연": ("yeon", "yon"), "표": ("pyo", "pyo"), "명": ("myung", "myong"),
    "기": ("ki", "ki"), "반": ("ban", "pan"), "왕": ("wang", "wang"), "금": ("keum", "kum"),
    "옥": ("ok", "ok"), "육": ("yuk", "yuk"), "인": ("in", "in"), "제": ("je", "je"),
    "탁": ("tak", "thak"), "국": ("kook", "kuk"), "용": ("yong", "ryong"), "태": ("tae", "thae"),
    "계": ("kye", "kye"), "경": ("kyung", "kyong"), "봉": ("bong", "pong"), "도": ("do", "to"),
    "라": ("ra", "ra"), "나": ("na", "ra"), "여": ("yeo", "ryo"), "려": ("yeo", "ryo"),
}
_COMPOUND_KOREAN = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문"})


def _syllable(ch: str, initial: list[str], vowel: list[str]) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    i, rest = divmod(code, 588)
    v, f = divmod(rest, 28)
    return (initial[i] + vowel[v] + _FINAL[f]).replace("-", "")


def _hangul(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for k, (initial, vowel) in enumerate(((_INITIAL_RR, _VOWEL_RR), (_INITIAL_MR, _VOWEL_MR))):
        parts = []
        for n, word in enumerate(text.split()):
            syllables = [_syllable(ch, initial, vowel) for ch in word if ch.isalpha()]
            if not syllables:
                continue
            if n == 0 and len(text.split()) <= 2:
                # a name written as one word, or family name then given name: the family
                # name as customarily written, then its syllables one by one
                cut = 2 if word[:2] in _COMPOUND_KOREAN and len(word) > 2 else 1
                family = _SURNAMES.get(word[0], ("", ""))[k] if cut == 1 else ""
                parts.append(family or "".join(syllables[:cut]))
                parts.extend(syllables[cut:])
            else:
                parts.extend(syllables)
        variant = " ".join(parts)
        if variant and variant not in out:
            out.append(variant)
    return tuple(out)


# ---- Arabic and Persian -------------------------------------------------------------------

# letters as English-language lists romanize them; a long vowel written with alif, waw or
# ya is read as a vowel inside a word, as a consonant at its start
_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j",
    "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "ة": "a", "ى": "a", "ء": "", "ئ": "", "ؤ": "u", "پ": "p",
    "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "i", "ي": "i", "و": "u", "ـ": "",
    "ھ": "h", "ہ": "h", "ۀ": "h", "ې": "i", "ۍ": "i", "ټ": "t", "ډ": "d", "ړ": "r", "ښ": "sh",
    "ږ": "zh", "ڼ": "n",
}
_ARABIC_WORDS = {"بن": "bin", "ابن": "ibn", "بنت": "bint", "عبد": "abd", "ابو": "abu", "أبو": "abu",
                 "ابي": "abi", "أبي": "abi", "ام": "umm", "أم": "umm", "الله": "allah", "ولد": "ould"}
# words read as fixed Latin words, not spelled letter by letter
FIXED_WORDS = frozenset(_ARABIC_WORDS)


def _arabic_word(word: str) -> str:
    if word in _ARABIC_WORDS:
        return _ARABIC_WORDS[word]
    prefix = ""
    if word.startswith("وال") and len(word) > 4:
        word = word[1:]  # "and the ...": the conjunction is no part of the name
    if word.startswith("ال") and len(word) > 3:
        prefix, word = "al-", word[2:]
    elif word.startswith("عبد") and len(word) > 4:
        prefix, word = "abd ", word[3:]
        if word in _ARABIC_WORDS:
            return prefix + _ARABIC_WORDS[word]
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
    out = []
    for k, ch in enumerate(word):
        if ch in "وي" and (k == 0 or word[k + 1:k + 2] == "ا" or ch == "و" and word[k + 1:k + 2] in "یي"):
            # a consonant at the start of a word or before alif (Zawahiri, Bayan), a waw
            # before ya (Parviz, Huwaysh)
            out.append("w" if ch == "و" else "y")
        elif k == 0 and ch == "ع":
            out.append("a")
        else:
            out.append(_ARABIC.get(ch, ch if ch.isascii() else ""))
    return prefix + "".join(out)


def _arabic(text: str) -> str:
    text = "".join(ch for ch in text if not unicodedata.combining(ch))  # the short-vowel marks
    # (each side of a hyphen a word: "عباس-علی" is Abbas-Ali)
    return " ".join("-".join(_arabic_word(p) for p in w.split("-")) for w in text.split())


# Persian and Afghan compound given names, written glued or apart whatever the Latin does
# ("محمدرضا" / Mohammad-Reza, "هدايت الله" / HIDAYATULLAH): the name's words as written,
# and read the other way (a head glued to a name split off, -allah and -addin glued on)
_COMPOUND_HEADS = ("محمد", "احمد", "علی", "علي", "غلام", "امیر")
_COMPOUND_TAILS = frozenset({"الله", "اللہ", "اله", "الدين", "الدین"})


def segmentations(text: str) -> list[list[str]]:
    """The words of an Arabic-script name as written, and (when it differs) with compound
    given names split or glued the other way."""
    words = text.split()
    other: list[str] = []
    for word in words:
        if word in _COMPOUND_TAILS and other and other[-1] not in _ARABIC_WORDS:
            other[-1] += word
            continue
        head = next((h for h in _COMPOUND_HEADS if word.startswith(h)), None)
        rest = word[len(head):] if head else ""
        # (not a nisba: Mohammadi, Mohammadian)
        if head and len(rest) >= 3 and rest[0] not in "یي":
            other.extend((head, rest))
        else:
            other.append(word)
    return [words, other] if other != words else [words]

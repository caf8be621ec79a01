"""Name normalization: scripts to Latin, romanization variants to one canonical spelling.

The pipeline for one name (both listed names and queries go through it, so any lossy step
is symmetric):

1. NFKC + casefold; person honorifics / organization legal forms removed (rigour).
2. Cyrillic (Russian, Kazakh, Uzbek, Kyrgyz, Tajik, Ukrainian) to Latin with our own table:
   normality's ISO-9 output (Ш -> S, Х -> H) does not meet English-language list spellings,
   and it has nothing for ә ғ қ ң ө ұ ү һ і. Kazakh Latin 2021 / Turkish / Uzbek Latin
   letters (ş ç ğ ñ ä ö ü ū ı oʻ gʻ) are spelled out before the ASCII fold for the same reason.
3. normality.ascii_text for every other script and diacritic.
4. Arabic name particles: articles (al-/el-/ul-) and sun-letter assimilation
   (ad-din, as-sayyid, ash-shabaab, -uddin), Abd/Abdul/Abdel/Abdur, bin/ibn/ben.
5. Per token, a canonical form that unifies romanization conventions
   (GOST / BGN-PCGN / ICAO / English: dzh=dj=zh=j, kh=h, q=k, x=ks, w=v, y=i, ou=oo=u, ee=i,
   "-yev" = "-ev", doubled letters, final -ah) and a "fold" that also merges the vowels
   Arabic romanizations disagree on (e~a, o~u: Mohammed = Muhammad = Mohamed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from normality import ascii_text
from rigour.names import remove_org_types, remove_person_prefixes

from tizim.screening.lexicon import translate
from tizim.screening.numbers import numbers_as_digits
from tizim.screening.scripts import primary_latin

# Cyrillic -> Latin: one fixed target close to BGN/PCGN and English-language list spellings;
# the canonical token rules below then absorb GOST/ICAO/Kazakh-2021 differences.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Uzbek / Tajik / Kyrgyz / Ukrainian / Belarusian
    "ў": "o", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "є": "ye", "ї": "yi", "ґ": "g",
    "ҫ": "s", "ӊ": "ng", "ӈ": "ng",
}
# Latin letters whose ASCII fold would lose a sound the other conventions spell out.
_LATIN = {
    "ş": "sh", "ș": "sh", "ç": "ch", "ğ": "g", "ñ": "ng", "ä": "a", "ə": "a", "ö": "o",
    "ü": "u", "ū": "u", "ı": "i", "ß": "ss", "œ": "oe", "æ": "ae", "ø": "o", "đ": "d",
    "ł": "l", "þ": "th", "š": "sh", "ž": "zh", "č": "ch",
    # apostrophes and modifier letters: Uzbek oʻ/gʻ, O'Brien, Ma'ruf, Ismaʿil
    "'": "", "’": "", "‘": "", "`": "", "ʻ": "", "ʼ": "", "ʿ": "", "ʾ": "", "´": "",
    "ʹ": "",
}
_CHAR_MAP = str.maketrans({**_CYRILLIC, **_LATIN})

_NON_WORD = re.compile(r"[^a-z0-9]+")
# "Abdullah", "Abd Allah", "Abdalla" all name the same word
_ABDALLAH = re.compile(r"\babd[\s-]?[aeiou]?ll?ah?\b")
# Arabic article "al-" / "el-" / "ul-" before a word, "il-" only hyphenated to it (the
# Korean "Kwang-il Kim" ends its given name in "il")
_ARTICLE = re.compile(r"\b(?:[aeu]l[-\s]+|il - )(?=[a-z])")
# religious titles rigour's person prefixes lack, said before the names of this field's
# people ("Sheikh Abubakar Ahmed", "Mullah Omar", "Haji Abdul Basir"), and military ranks:
# removed only at the head of a name, so the family name Al ash-Sheikh stays
_TITLES = re.compile(
    r"^\W*(\(?(?:sheikh|shaikh|shaykh|sheykh|sheik|shaik|mullah|mulla|mullo|maulavi|mawlawi|maulvi|"
    r"moulavi|mawlavi|maulawi|molvi|maulana|mawlana|moulana|haji|hajji|alhaji|al[-\s]hajj?|"
    r"hadji|qari|mufti|шейх|шайх|мулла|муллах|хаджи|"
    # and military ranks, as the EU list writes them ("Major General Amer AL-ACHI")
    r"lieutenant|lt|brigadier|major|colonel|col|general|gen|admiral|captain|capt|commander|"
    r"marshal|генерал|полковник|подполковник|майор|капитан)\.?\)?[\s-]+)+(?=\w)",
    re.IGNORECASE)
# ranks at the end of a name written in reverse ("AL-RAHMOUN Khaled General Major"): two
# of them, or one no family name is (not "John Major")
_RANKS_AT_END = re.compile(
    r"(?:(?:[\s-]+(?:lieutenant|brigadier|major|colonel|general|генерал|полковник|майор)){2,}"
    r"|[\s-]+(?:lieutenant|brigadier|colonel|полковник))\W*$", re.IGNORECASE)
# a list's note written into a name ("Mohammad Ishaq Akhund born in 1963"): lower case, as
# the lists write notes and not names
_NAME_NOTE = re.compile(r"\s+\(?born (?:in |on )?.*$")
# Sun-letter assimilation: ad-din, as-sayyid, ash-shabaab, ar-rahman, an-nusra
_SUN = re.compile(r"\b[aeu](t|th|d|dh|r|z|s|sh|n)[-\s]+(?=\1)")
# a sun-letter article written with a hyphen before a vowel, where it cannot assimilate
# ("Asbat an-Ansar" = Asbat al-Ansar): only with the hyphen, so the Korean family name An stays
_SUN_HYPHEN = re.compile(r"\b[aeu](?:n|d|r|s|t|z|sh|th|dh) - (?=[aeiou])")
# Abd + joined article: Abdul Rahman, Abdel-Aziz, Abdurrahman, Abdulaziz -> abd rahman
_ABD = re.compile(r"\babd(?!allah\b)(?:[aeiou]l|[aeiou](?=([tdrzsn])\1)|[aeiou](?=[tdrzsn]))?[\s-]*(?=[a-z]{3,})")
# Joined "-uddin" / "-eddine": Nuruddin -> nur din
_UDDIN = re.compile(r"\b([a-z]{2,}?)[aeiou]dd(?:in|een|ine)\b")
# the article joined to the word before it: Salahud-Din, Nurul-Din -> salah din, nur din
# (only with the hyphen, "Mahmoud Din" is two names; not -al, "Jamal-Din" is Jamal)
_UD_DIN = re.compile(r"\b([a-z]{3,}?)u[dl] - d(?:in|een|ine)\b")
# Abd typed with its first letters swapped ("Adbul", "Adbel"): no name starts so
_ADB = re.compile(r"\badb(?=ul|el|ur)")
_HARD_C = re.compile(r"c(?![heiy])")
_BIN = re.compile(r"\b(?:ibn|ben|bin|bint|binti|ibnu)\b")

PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ovic|uly|ulu|kyzy|kizi|kyzi|qizi|ogly|oglu|ugli|ogli)$")
ACRONYM_STOP = frozenset(["of", "the", "and", "for", "in", "de", "la", "le", "des", "du", "al", "el", "ul", "wa", "va"])


def script_to_latin(text: str) -> str:
    """Any script to lower-case ASCII words (no canonicalization yet)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    if not text.isascii():
        # Chinese, Japanese, Korean, Arabic, Greek ... as lists romanize them (scripts.py)
        text = primary_latin(text) or ascii_text(text) or ""
        if not text.isascii():
            text = ascii_text(text) or ""
        text = text.lower()
    return text


def _particles(text: str) -> str:
    # speed (the index build normalizes every listed name): a pattern runs only when the
    # letters it needs are there
    hyphen = "-" in text
    if hyphen:
        text = text.replace("-", " - ")
    if "adb" in text:
        text = _ADB.sub("abd", text)
    if "abd" in text:
        text = _ABDALLAH.sub("abdallah", text)
    if "l" in text:
        text = _ARTICLE.sub(" ", text)
    if not text.isalnum():
        text = _SUN.sub(" ", text)
    if hyphen:
        text = _SUN_HYPHEN.sub(" ", text)
    if "dd" in text:
        text = _UDDIN.sub(r"\1 din", text)
    if hyphen and "d" in text:
        text = _UD_DIN.sub(r"\1 din", text)
    if "abd" in text:
        text = _ABD.sub("abd ", text)
    if "b" in text:
        text = _BIN.sub("bin", text)
    return text


@lru_cache(maxsize=200_000)
def canon_token(tok: str) -> str:
    """One spelling for the romanization variants of a token (already ASCII, lower case).

    Applied until nothing changes, so the canonical form is a fixed point ("oou", "qh")."""
    prev, t = None, tok
    for _ in range(4):
        if t == prev:
            break
        prev, t = t, _canon_once(t)
    return t


def _canon_once(tok: str) -> str:
    t = tok
    # Uzbek Latin x = kh (Xodjaev); inside English words x stays ks (Alexander)
    if t.startswith("x"):
        t = "h" + t[1:]
    for a, b in (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("tch", "ch"), ("kh", "h"), ("gh", "g"),
                 ("ph", "f"), ("ck", "k"), ("q", "k"), ("x", "ks"), ("w", "v")):
        if a in t:
            t = t.replace(a, b)
    # hard c is k (Company = Kompaniya): c before anything but h, e, i, y
    if "c" in t:
        t = _HARD_C.sub("k", t)
    # BGN "-yev"/"ye-" vs GOST/ICAO "-ev"/"e-": Nazarbayev = Nazarbaev, Yevgeniy = Evgenii
    if "ye" in t:
        t = re.sub(r"(^|[aeiouy])ye", r"\1e", t)
    for a, b in (("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i")):
        if a in t:
            t = t.replace(a, b)
    t = _collapse(t)
    # Fatimah = Fatima, Abdallah = Abdalla
    if len(t) > 3 and t.endswith("h") and t[-2] in "aeiou":
        t = t[:-1]
    return t


def _collapse(t: str) -> str:
    if len(t) < 2:
        return t
    out = [t[0]]
    for ch in t[1:]:
        # (a number's digits are all its own: 44 is not 4)
        if ch != out[-1] or ch.isdigit():
            out.append(ch)
    return "".join(out)


# Honorific / connector / generic words: weighted down so they never make a match alone.
_GENERIC_ORG_WORDS = (
    ["organization", "organisation", "organizatsiya", "organizatsiia", "tashkiloti", "uyushmasi", "party", "partiya", "partiia", "movement", "harakat", "harakati", "dvizhenie", "dvizheniye", "group", "groups", "gruppa", "company", "companies", "co", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "gmbh", "ag", "sa", "sarl", "bv", "jsc", "ojsc", "cjsc", "ooo", "ao", "oao", "zao", "too", "tov", "front", "fronti", "brigade", "brigades", "battalion", "battalions", "army", "council", "committee", "association", "society", "union", "foundation", "fund", "trust", "centre", "center", "institute", "international", "national", "islamic", "islam", "al", "the", "of", "and", "for", "in", "de", "la", "le", "des", "du", "el", "der", "die", "das", "und", "trading", "trade", "enterprise", "enterprises", "industries", "industry", "holding", "holdings", "services", "service", "network", "jamaat", "jamiat", "jamaah", "jama", "bank", "shipping", "ship", "vessel", "airlines", "aviation",
     # legal-form words in English and Russian (also as Cyrillic transliterations of English)
     "liability", "joint", "stock", "public", "private", "closed", "open", "obshchestvo", "obshestvo",
     "ogranichennoi", "ogranichennoy", "ogranichennoj", "otvetstvennostyu", "otvetstvennostiu",
     "aktsionernoe", "aktsionernoye", "publichnoe", "zakrytoe", "otkrytoe", "nauchno", "proizvodstvennoe",
     "obschestvo", "tovarishchestvo", "firma", "firm", "scientific", "production", "research", "plant", "factory",
     "zavod", "kombinat", "concern", "kontsern", "obedinenie", "federal", "unitary",
     # Romanian and Moldovan: Societatea cu Raspundere Limitata (SRL) (not "comerciala":
     # folded, it is Spanish "comercial", which names companies)
     "societatea", "societate", "raspundere", "limitata",
     # legal forms as initials (Russian NPK/NPO/PAO/FGUP, Latin American LTDA/SAS, Gulf FZE)
     "npk", "npo", "npp", "pao", "pjsc", "nao", "fgup", "gup", "ltda", "sas", "srl", "spa",
     "pte", "fze", "fzco", "fzc", "dmcc", "bhd", "sdn", "kg", "ohg", "oy", "ab", "as", "nv"]
)
_CONNECTORS = (["bin", "bint", "abu", "umm", "ould", "of", "the", "and", "de", "la", "le", "du", "des", "van", "von", "der"])
# the word lists in canonical form, so the index's fold_token() of them meets the folds of
# real names ("company" -> "kompani", Cyrillic "Компанй" -> "kompani")
GENERIC_ORG_WORDS = frozenset(canon_token(w) for w in _GENERIC_ORG_WORDS)
GENERIC_ORG_WORDS_WRITTEN = frozenset(_GENERIC_ORG_WORDS)  # as written, before canonical spelling
CONNECTORS = frozenset(canon_token(w) for w in _CONNECTORS)


# Arabic compound names: Abd al-Aziz, Nur ad-Din, and a kunya (Abu Sarah, Umm Sayyaf),
# which a name written in reverse puts after its word ("Mohammed Abu" for Abu Mohammed)
_BINDS_NEXT = frozenset({"abd", "abu", "um"})
_BINDS_PREVIOUS = frozenset({"din", "abu", "um"})


def bound_mask(folds: Sequence[str]) -> int:
    """Bit k set when part k is bound into a compound name ("aziz" in Abd al-Aziz, "sara"
    in Abu Sarah, "nur" in Nur ad-Din): Abdulaziz is not Aziz, nor Abu Sarah Sarah."""
    mask = 0
    last = len(folds) - 1
    for k in range(len(folds)):
        if (k and folds[k - 1] in _BINDS_NEXT) or (k < last and folds[k + 1] in _BINDS_PREVIOUS):
            mask |= 1 << k
    return mask


@lru_cache(maxsize=200_000)
def fold_token(canon: str) -> str:
    """Merge the vowels romanizations disagree on: e~a, o~u (Mohammed ~ Muhammad)."""
    return _collapse(canon.replace("e", "a").replace("o", "u"))


# the word lists as folds, as the index and a query's parts are spelled
GENERIC_FOLDS = frozenset(fold_token(w) for w in GENERIC_ORG_WORDS)
CONNECTOR_FOLDS = frozenset(fold_token(w) for w in CONNECTORS)
# PATRONYMIC's endings after fold_token (-ovich -> -uvich, -evna -> -avna, -ogly -> -ugli)
_PATRONYMIC_FOLD = re.compile(r"(?:[au]vich|[au]vna|[au]vik|..ugl[iu]|..kizi)$")


def is_patronymic_fold(fold: str) -> bool:
    return bool(_PATRONYMIC_FOLD.search(fold))


_VOWELS = str.maketrans("", "", "aeiou")


@lru_cache(maxsize=200_000)
def skeleton(fold: str) -> str:
    """First letter plus consonants: a phonetic key for candidate generation."""
    if not fold:
        return fold
    return _collapse(fold[0] + fold[1:].translate(_VOWELS))


def is_org_schema(schema: str | None) -> bool:
    return schema in ("Organization", "LegalEntity", "Company", "PublicBody")


def raw_tokens(name: str, schema: str | None = None) -> list[str]:
    """ASCII tokens of a name before particle handling (for acronyms)."""
    return [t for t in _NON_WORD.split(script_to_latin(name)) if t]


def name_tokens(name: str, schema: str | None = None) -> list[str]:
    """Canonical tokens of a name, in order (bin kept: it is down-weighted, not dropped)."""
    return list(_name_tokens(name, schema))


@lru_cache(maxsize=100_000)
def _name_tokens(name: str, schema: str | None) -> tuple[str, ...]:
    text = name
    if schema == "Person":
        if "born " in text:
            text = _NAME_NOTE.sub("", text) or text
        text = remove_person_prefixes(text) or text
        bare = _RANKS_AT_END.sub("", _TITLES.sub("", text))
        # a title stays where it is most of the name ("Major General Nazih", "Mullah Omar":
        # one word is no name to screen)
        if len(bare.split()) >= 2:
            text = bare
    org = is_org_schema(schema) or schema is None
    if org:
        # legal forms in the source script (ТОО, ООО) and after transliteration (LLC, Ltd)
        stripped = remove_org_types(unicodedata.normalize("NFKC", text).casefold()).strip()
        text = stripped or text
        # translated, not only transliterated: "движение" is movement (lexicon.py)
        text = translate(text, schema is not None)
        # numbers in words or with an ordinal suffix as digits: "First" / "1st" (numbers.py)
        text = numbers_as_digits(text)
    text = script_to_latin(text)
    if org:
        stripped = remove_org_types(text).strip()
        text = stripped or text
    text = _particles(text)
    out = []
    for tok in _NON_WORD.split(text):
        if not tok:
            continue
        c = canon_token(tok)
        if c:
            out.append(c)
    joined = " ".join(out)
    if joined != name and out:
        # canonical spelling can reveal a prefix or particle the first pass could not see
        # ("THE:0", "Mß:0", "YLϏA" -> "il a"): the canonical form is a fixed point
        again = _name_tokens(joined, schema)
        if again and again != tuple(out):
            return again
    return tuple(out)


def normalize_name(name: str, schema: str | None = None) -> str:
    """The canonical form of a whole name: canonical tokens joined by spaces."""
    return " ".join(name_tokens(name, schema))


# No listed name is longer than this (the longest single names on the UN, OFAC, UK and EU
# lists are about 30 words, their longest word 34 letters): a query is screened on its first
# MAX_NAME_WORDS words of at most MAX_WORD_LETTERS letters each, so the work per name is
# bounded however long the input (acronym prefixes and one-letter deletions grow with the
# square of the words and letters).
MAX_NAME_WORDS = 40
MAX_WORD_LETTERS = 50
# Free text (remittance information, an article) is screened on its first this many characters.
MAX_TEXT_CHARS = 20_000
TRUNCATED_NAME = (f"the name was screened on its first {MAX_NAME_WORDS} words of at most "
                  f"{MAX_WORD_LETTERS} letters each: no listed name is longer")
TRUNCATED_TEXT = f"the text was screened on its first {MAX_TEXT_CHARS} characters"


def bound_name(name: str) -> tuple[str, bool]:
    """`name` cut to MAX_NAME_WORDS words of MAX_WORD_LETTERS letters, and whether it was cut."""
    words = name.split(maxsplit=MAX_NAME_WORDS)
    if len(words) <= MAX_NAME_WORDS and all(len(w) <= MAX_WORD_LETTERS for w in words):
        return name, False
    return " ".join(w[:MAX_WORD_LETTERS] for w in words[:MAX_NAME_WORDS]), True


def bound_text(text: str) -> tuple[str, bool]:
    """Free text cut to MAX_TEXT_CHARS characters (at a space where there is one), and whether it was."""
    if len(text) <= MAX_TEXT_CHARS:
        return text, False
    cut = text[:MAX_TEXT_CHARS]
    space = cut.rfind(" ", MAX_TEXT_CHARS // 2)
    return (cut[:space] if space > 0 else cut), True


def acronyms(name: str, prefixes: bool = True) -> set[str]:
    """Acronyms an organization is known by: IMU, HuT (hizb ut tahrir), JCAM, PKK."""
    toks = raw_tokens(bound_name(name)[0])
    toks = [t for t in toks if not t.isdigit()][:MAX_NAME_WORDS]
    if len(toks) < 2:
        return set()
    out = set()
    full = "".join(t[0] for t in toks)
    content = "".join(t[0] for t in toks if t not in ACRONYM_STOP)
    for acr in (full, content):
        if len(acr) >= 3:
            out.add(acr)
    if not prefixes:
        return out
    # lists add descriptive tails the acronym leaves out: Hizb ut-Tahrir (al-Islami) = HuT
    for k in range(3, len(toks)):
        out.add("".join(t[0] for t in toks[:k]))
    return out


def without_legal_form(name: str) -> str:
    """The name without its legal form (SA, LLC, ТОО): "Robert Schneider SA" has no "RSS"."""
    stripped = remove_org_types(script_to_latin(name)).strip()
    return stripped or name


def looks_like_acronym(name: str) -> str | None:
    """A one-token query of 2-6 letters (IMU, HuT, PKK) as a lower-case acronym key."""
    compact = re.sub(r"[\s.\-]", "", name.strip())
    if 2 <= len(compact) <= 6 and compact.isalpha() and " " not in name.strip(" ."):
        letters = script_to_latin(compact)
        if letters.isalpha() and len(letters) == len(compact):
            return letters
    return None


def is_patronymic(tok: str) -> bool:
    return bool(PATRONYMIC.search(tok))

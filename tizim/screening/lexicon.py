"""Translation of the words organization names are made of (data/org_lexicon.yaml).

Transliteration alone leaves "Исламское движение Узбекистана" as "islamskoe dvijenie
uzbekistana", far from "Islamic Movement of Uzbekistan". Here each word the lexicon knows, in
Russian, Kazakh, Uzbek, Kyrgyz, Tajik, Arabic, Persian or Turkish and in its inflected forms,
becomes one English concept word before the name is transliterated, so both read "islamic
movement uzbekistan" and are scored like any other pair of names. `translations()` names
the words translated, for the explanation ("движение" = movement).

Only organization names, and names of unknown kind, are translated; a person's name never
is. A word that is also a given name (Islam, Davlat) is translated in a name of unknown kind
only beside another lexicon word: "Ислам Харакати" is the Islamic Movement, "Ислам Каримов"
a person.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_WORD = re.compile(r"[^\W\d_]+(?:['ʻʼ’][^\W\d_]+)?")
_ARABIC_ARTICLE = "ال"
_ARABIC_AND = "و"


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


class Lexicon:
    """Word forms -> concept, read from the YAML data file (see its header for the format)."""

    def __init__(self, data: dict[str, Any]) -> None:
        endings: dict[str, list[str]] = {k: [str(e) for e in v] for k, v in (data.get("endings") or {}).items()}
        self.words: dict[str, str] = {}
        self.names_too: dict[str, str] = {}
        for concept, langs in (data.get("concepts") or {}).items():
            for lang, forms in langs.items():
                for form in forms:
                    for word in _expand(str(form), endings, f"{concept}.{lang}"):
                        if len(word) > 1:  # a one-letter word is an initial
                            self.words.setdefault(word, concept)
        for concept, forms in (data.get("names_too") or {}).items():
            for form in forms:
                self.names_too.setdefault(_fold(str(form)), concept)
        self.place_endings: list[tuple[str, str]] = sorted(
            ((_fold(stem), _fold(str(end))) for stem, ends in (data.get("place_endings") or {}).items() for end in ends),
            key=lambda se: -len(se[1]))
        self.concepts = frozenset(self.words.values()) | frozenset(self.names_too.values())

    def concept(self, word: str) -> str | None:
        """The concept of one word (folded), or None."""
        got = self.words.get(word)
        if got is None and word.startswith(_ARABIC_AND) and len(word) > 3:
            word = word[1:]  # wa-: "and the Levant"
            got = self.words.get(word)
        if got is None and word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            got = self.words.get(word[2:])
        return got

    def place(self, word: str) -> str | None:
        """A place name in -stan without its case ending (Узбекистана -> узбекистан)."""
        for stem, end in self.place_endings:
            if word.endswith(stem + end) and len(word) >= len(stem) + len(end) + 3:
                return word[: len(word) - len(end)]
        return None


def _expand(form: str, endings: dict[str, list[str]], where: str) -> list[str]:
    stem, sep, group = form.partition("|")
    if not sep:
        return [_fold(stem)]
    if group not in endings:
        raise ValueError(f"org_lexicon.yaml, {where}: unknown ending set {group!r}")
    return [_fold(stem + end) for end in endings[group]]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    text = resources.files("tizim.screening").joinpath("data", "org_lexicon.yaml").read_text(encoding="utf-8")
    return Lexicon(yaml.safe_load(text))


def _plan(text: str, org: bool) -> list[tuple[int, int, str, str]]:
    """(start, end, word as written, replacement) for each word to translate."""
    lex = lexicon()
    found: list[tuple[int, int, str, str, bool]] = []
    for m in _WORD.finditer(text):
        word = _fold(m.group())
        concept = lex.concept(word)
        if concept is not None:
            found.append((m.start(), m.end(), m.group(), concept, False))
            continue
        concept = lex.names_too.get(word)
        if concept is not None:
            found.append((m.start(), m.end(), m.group(), concept, True))
            continue
        bare = lex.place(word)
        if bare is not None:
            found.append((m.start(), m.end(), m.group(), bare, False))
    if not found:
        return []
    translated = [f for f in found if f[3] in lex.concepts]
    if not org and not any(not f[4] for f in translated) and len(translated) < 2:
        return []  # a name of unknown kind with a given name alone ("Ислам Каримов")
    if not org and not translated:
        return []
    keep_names = org or len(translated) >= 2
    return [(s, e, w, c) for s, e, w, c, name in found if keep_names or not name]


@lru_cache(maxsize=50_000)
def translate(text: str, org: bool) -> str:
    """The name with each lexicon word as its English concept word ("Исламское движение
    Узбекистана" -> "islamic movement Узбекистан"); `org`: the name is an organization's
    (else of unknown kind)."""
    plan = _plan(text, org)
    if not plan:
        return text
    out = []
    last = 0
    for start, end, _, concept in plan:
        out.append(text[last:start])
        out.append(concept)
        last = end
    out.append(text[last:])
    return "".join(out)


def translations(text: str, org: bool) -> list[list[str]]:
    """[word as written, concept] for each word translate() replaces (not the place endings)."""
    lex = lexicon()
    return [[w, c] for _, _, w, c in _plan(text, org) if c in lex.concepts and _fold(w) != c]

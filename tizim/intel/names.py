"""Name spans in running text: capitalised candidates, places, acronyms and name keys.

These work without any list: they find "Islamic Front of Kazakhstan" or "Boz Kurt" as
candidates whether or not a registry knows them. Linking to the registry is the screening
engine's job (see `mentions.py`); these spans are what is left unlinked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from tizim.registry.countries import country_code

# A capitalised word, Latin or Cyrillic, with inner hyphens/apostrophes ("ut-Tahrir", "Lashkar-e-Toiba").
_CAP = r"(?:[A-ZА-ЯЁÖÄÜ][\w’'\-]*\w|[A-ZА-ЯЁ])"
# Lower-case particles that sit inside names ("Movement of Uzbekistan", "Hizb ut-Tahrir", "Asbat an-Ansar").
_PARTICLE = r"(?:of|ut|al|an|e|the|de|bin|ibn|ul|el|for|on|and\s+(?=[A-Z][a-z]+\s+(?:Organi[sz]ation|Center|Centre)))"
NAME_RE = re.compile(
    rf"(?<![\w\-]){_CAP}(?:[ \-](?:{_PARTICLE}[ \-])*(?:{_CAP}|(?:ut|al|an|e)-{_CAP}))*(?![\w])"
)
_ACRONYM = re.compile(r"^(?:[A-Z][a-z]?){1,3}[A-Z]$")

ORG_WORDS = frozenset(
    ["movement", "front", "party", "organization", "organisation", "society", "brotherhood", "group", "jamaat", "hizb", "committee", "court", "council", "center", "centre", "union", "army", "brigade", "network", "jihad", "mujahedins", "mujahideen", "taliban", "qaeda", "ansar", "toiba", "tahrir", "institute", "agency", "service", "ministry", "office", "association", "league", "coalition", "initiative", "forum", "conference", "church", "community"]
)
# Capitalised words that open sentences or precede names ("President Nazarbayev").
LEAD = frozenset(
    ["The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "After", "Before", "During", "Since", "While", "When", "Although", "However", "This", "That", "These", "These", "Those", "It", "Its", "They", "Their", "He", "His", "She", "Her", "We", "Our", "Both", "Some", "Many", "Most", "Other", "According", "Additionally", "Upon", "Over", "Three", "Two", "Four", "One", "Ten", "Mr", "Mrs", "Dr", "First", "Second", "Also", "Then", "If", "Because", "Today", "Police", "President", "Government", "Minister", "Speaker", "Judge", "Deputy", "Chairman", "Secretary", "Senator", "General", "Professor", "Prime", "Vice", "Ambassador", "Prosecutor-General", "Congressman", "Imam", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Kazakh", "Uzbek", "Kyrgyz", "Russian", "Kazakhstani", "Tajik", "Chinese", "Singaporean", "Indian", "Turkmen"]
)
# Words that are no name on their own.
SOLO = LEAD | frozenset(["Islamic", "Muslim", "Islam", "Christian", "Jewish", "Soviet", "Western", "Central"])
_FUNCTION = frozenset({"of", "the", "and", "for", "in", "on"})


@dataclass
class Span:
    start: int
    end: int
    text: str


def candidates(text: str) -> list[Span]:
    """Capitalised name spans, with leading title words and "The" trimmed off."""
    spans: list[Span] = []
    for match in NAME_RE.finditer(text):
        start, value = match.start(), match.group()
        words = value.split(" ")
        while len(words) > 1 and words[0] in LEAD and words[0] not in SOLO - LEAD:
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1] in _FUNCTION:
            words = words[:-1]
        if not words or (len(words) == 1 and words[0] in SOLO):
            continue
        value = " ".join(words)
        if len(value) < 2:
            continue
        spans.append(Span(start, start + len(value), value))
    return spans


def strip_name(raw: str) -> str:
    """A list item as a name: no article, no parenthesis, no trailing punctuation."""
    value = re.sub(r"\([^)]*\)", "", raw)
    value = value.strip(" \t\n.,;:\"'“”")
    value = re.sub(r"^(?:the|The)\s+", "", value)
    return " ".join(value.split())


def name_key(name: str) -> str:
    """Spelling-insensitive key: "Hizb-ut-Tahrir" and "Hizb ut-Tahrir" share one."""
    value = strip_name(name).lower()
    return re.sub(r"[^\w]|_", "", value)


def is_acronym(word: str) -> bool:
    return bool(_ACRONYM.match(word)) and len(word) <= 6


def initials(name: str) -> set[str]:
    """Sorted initials of a long name, with and without its function words."""
    words = [w for w in re.split(r"[\s\-]+", strip_name(name)) if w]
    full = "".join(sorted(w[0].lower() for w in words))
    content = "".join(sorted(w[0].lower() for w in words if w.lower() not in _FUNCTION))
    return {full, content}


def acronym_matches(acronym: str, name: str) -> bool:
    """"HuT" ~ "Hizb ut-Tahrir", "JCMA" ~ "Jamaat of Central Asian Mujahedins" (any order)."""
    if not is_acronym(acronym) or len(name.split()) < 2:
        return False
    return "".join(sorted(acronym.lower())) in initials(name)


@lru_cache(maxsize=4096)
def place_code(name: str) -> str | None:
    """Country code for a country, demonym or well-known place name, else None."""
    cleaned = re.sub(r"['’]s$", "", strip_name(name))
    # Two-letter words are prepositions far more often than codes ("In" is not India).
    if not cleaned or (len(cleaned) < 4 and not (cleaned.isupper() and len(cleaned) == 3)):
        return None
    code = country_code(cleaned)
    if code:
        return code
    last = cleaned.split(",")[-1].strip()
    return country_code(last) if last != cleaned else None


def is_org_like(name: str) -> bool:
    # Drop a possessive ("Hizb ut-Tahrir's"), not every leading or trailing "s" ("Society").
    words = {re.sub(r"['’]s?$", "", w.lower()) for w in re.split(r"[\s\-]+", name)}
    return bool(words & ORG_WORDS) or is_acronym(name)


def focus_country(text: str) -> str | None:
    """The country a document is about: the one it names most often."""
    counts: Counter[str] = Counter()
    for match in re.finditer(r"\b[A-Z][a-z]{3,}\b", text):
        code = place_code(match.group())
        if code:
            counts[code] += 1
    return counts.most_common(1)[0][0] if counts else None

"""Mentions and party links: names in a document, linked to the registry by the screening engine.

The screening engine's free-text mode finds listed names in every spelling, acronym and
script it indexes; the capitalised-span finder in `names.py` finds the names it passes over
(each matched on its own) and, where nothing on any list fits, reports them as unlinked
candidates, so an analyst sees "Boz Kurt" although no list has it.

A link is kept only when the names agree token for token, not merely score high: every
distinctive word of the text's name pairs with a word of the listed name and every
distinctive word of the listed name is paired ("Taliban" is not "Kurdish Taliban", "NATO" is
not "NATA", "Kazakhstan" is not "Islamic Front of Kazakhstan"); a name made only of words
that describe an institution ("Defense Ministry"), a place, or one given name links to
nothing, and a word inside a longer name ("Jihad" of "Islamic Jihad") is matched as that
whole name. A party may sit on
several lists as separate entries (al-Qaeda on the national list and the UN list): a link
keeps every entry that passes, with all their entity ids and lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tizim.intel.names import LEAD, SOLO, candidates, is_acronym, is_org_like, place_code
from tizim.intel.sentences import Sentence

if TYPE_CHECKING:
    from tizim.screening import Result, Screener

# A link must score at least this on the screening engine's scale, and pass `plausible`.
LINK_THRESHOLD = 0.8
# Paired words must be at least this alike ("Turkestan" ~ "Turkistan", not "NATO" ~ "NATA").
PAIR_SIMILARITY = 0.85
# Words that describe an institution rather than name one.
DESCRIPTIVE = frozenset(
    ["ministry", "defense", "defence", "interior", "security", "committee", "service", "services", "council",
     "national", "state", "foreign", "justice", "affairs", "office", "department", "agency", "court",
     "police", "army", "forces", "armed", "border", "guard", "government", "parliament", "assembly", "bank",
     "central", "people", "peoples", "republic", "emergency", "situations", "intelligence", "general",
     "staff", "supreme", "city", "municipal", "regional", "prosecutor", "navy", "air", "force", "federal",
     "special", "public", "house", "lower", "upper", "union", "international", "organization",
     "organisation", "center", "centre", "institute", "university", "nations", "united"]
)
_FILLER = frozenset(["the", "of", "and", "for", "in", "on", "al", "el", "an", "ul", "ut", "e", "de", "wa"])


@dataclass
class Link:
    """The registry entries one name stands for (several lists may hold the same party)."""

    entity_id: str  # the best entry
    caption: str
    score: float
    schema: str
    ids: list[str]  # every entry's id, across lists
    lists: list[str]


def _content(name: str, schema: str | None) -> set[str]:
    from tizim.screening.normalize import fold_token, name_tokens

    folded_filler = {fold_token(w) for w in _FILLER}
    return {fold_token(t) for t in name_tokens(name, schema) if len(t) > 2 and fold_token(t) not in folded_filler}


def descriptive(name: str) -> bool:
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", name)]
    words = [w for w in words if w not in _FILLER]
    return bool(words) and all(w in DESCRIPTIVE for w in words)


def plausible(result: Result, name: str, schema: str | None = None) -> bool:
    """Whether a screening result names the same party as `name`, word for word."""
    if result.score < LINK_THRESHOLD or descriptive(name):
        return False
    expl = result.explanation or {}
    pairs = [(str(a), str(b), float(sim)) for a, b, sim in expl.get("tokens") or []]
    if not pairs or any(sim < PAIR_SIMILARITY for _, _, sim in pairs):
        return False
    listed = str(expl.get("matched_name") or result.caption)
    mine, theirs = {a for a, _, _ in pairs}, {b for _, b, _ in pairs}
    wanted = _content(name, schema)
    if result.schema == "Person" and len(wanted) < 2:
        return False  # a given name alone ("John", "Ahmad") identifies no one
    return wanted <= mine and _content(listed, schema) <= theirs


class Linker:
    """Links names to registry entries with one screener, remembering each answer."""

    def __init__(self, screener: Screener) -> None:
        self.screener = screener
        self._cache: dict[tuple[str, str], Link | None] = {}

    def link(self, name: str, schema: str = "Organization") -> Link | None:
        key = (name, schema)
        if key not in self._cache:
            from tizim.screening import Query

            results = self.screener.match(Query(schema=schema, names=[name]), threshold=LINK_THRESHOLD, limit=10)
            self._cache[key] = self.from_results(results, name, schema)
        return self._cache[key]

    @staticmethod
    def from_results(results: list[Result], name: str, schema: str | None = None) -> Link | None:
        good = [r for r in results if r.designated and plausible(r, name, schema)]
        if not good:
            return None
        good.sort(key=lambda r: (-r.score, r.entity_id))
        ids: list[str] = []
        for r in good:
            for member in r.members or [r.entity_id]:
                if member not in ids:
                    ids.append(member)
        lists = sorted({name for r in good for name in r.lists})
        best = good[0]
        return Link(best.entity_id, best.caption, round(float(best.score), 3), best.schema, ids, lists)


def default_linker(url: str | None = None) -> Linker | None:
    """A linker over the registry at `url` (the configured one by default); None without screening."""
    try:
        from tizim.screening import Screener, get_screener
    except ImportError:
        return None
    from tizim.settings import get_settings

    if url is None or url == get_settings().database_url:
        return Linker(get_screener())
    return Linker(Screener.from_registry(url))


@dataclass
class Mention:
    sentence_seq: int
    start: int  # document offsets
    end: int
    text: str
    label: str  # organization | person | place | candidate
    entity_id: str | None = None
    caption: str | None = None
    score: float | None = None
    lists: list[str] = field(default_factory=list)
    schema: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence_seq, "start": self.start, "end": self.end, "text": self.text,
            "label": self.label, "entity_id": self.entity_id, "caption": self.caption,
            "score": self.score, "lists": self.lists,
        }


def _label(name: str, schema: str | None) -> str:
    if schema in ("Person",):
        return "person"
    if schema in ("Organization", "LegalEntity", "Company"):
        return "organization"
    if place_code(name):
        return "place"
    if is_org_like(name):
        return "organization"
    return "person" if 2 <= len(name.split()) <= 4 else "candidate"


def _name_like(text: str) -> bool:
    words = text.split()
    # "Islamic Movement of Uzbekistan" is a name; "Islamic" alone or "The ..." is not.
    return (bool(words) and text[0].isupper() and len(text) >= 3 and words[0] not in LEAD
            and not (len(words) == 1 and words[0] in SOLO))


def _linked(text: str, sentence: Sentence, a: int, b: int, found: Link) -> Mention:
    start, end = sentence.start + a, sentence.start + b
    return Mention(sentence.seq, start, end, text[start:end], _label(text[start:end], found.schema),
                   entity_id=found.entity_id, caption=found.caption, score=found.score, lists=found.lists,
                   schema=found.schema)


def find_mentions(text: str, sentences: list[Sentence], link: bool = True,
                  linker: Linker | None = None) -> list[Mention]:
    """Names in every content sentence: linked spans first, then the unlinked candidates."""
    if link and linker is None:
        linker = default_linker()
    mentions: list[Mention] = []
    for sentence in sentences:
        if sentence.meta:
            continue
        linked: list[tuple[int, int]] = []
        names = candidates(sentence.text)
        if linker is not None:
            for span in linker.screener.screen_text(sentence.text):
                # A word inside a longer name ("John" of "John MacLeod", "Jihad" of "Islamic
                # Jihad") is that name's part: the whole name is matched below.
                inside = any(c.start <= span.start and span.end <= c.end and c.end - c.start > span.end - span.start
                             for c in names)
                if inside or not _name_like(span.text) or place_code(span.text):
                    continue
                found = Linker.from_results(span.results, span.text)
                if found is not None:
                    linked.append((span.start, span.end))
                    mentions.append(_linked(text, sentence, span.start, span.end, found))
        for cand in names:
            if any(cand.start < b and cand.end > a for a, b in linked):
                continue
            name = re.sub(r"['’]s$", "", cand.text)
            if linker is not None and _name_like(name) and (len(name.split()) > 1 or is_org_like(name)
                                                             or is_acronym(name)) and not place_code(name):
                found = linker.link(name, "Organization" if is_org_like(name) else "Thing")
                if found is not None:
                    linked.append((cand.start, cand.start + len(name)))
                    mentions.append(_linked(text, sentence, cand.start, cand.start + len(name), found))
                    continue
            start, end = sentence.start + cand.start, sentence.start + cand.end
            mentions.append(Mention(sentence.seq, start, end, cand.text, _label(cand.text, None)))
    mentions.sort(key=lambda m: m.start)
    return mentions

"""Mentions: names in a document, linked to the registry by the screening engine.

The screening engine's free-text mode finds listed names in every spelling, acronym and
script it indexes; what it does not link, the capitalised-span finder in `names.py` still
reports as an unlinked candidate, so an analyst sees "Boz Kurt" although no list has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from tizim.intel.names import SOLO, candidates, is_acronym, is_org_like, place_code
from tizim.intel.sentences import Sentence

# A linked mention must score at least this; the text mode's own threshold admits looser
# matches, which in prose are mostly coincidences between common words.
LINK_THRESHOLD = 0.8


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


def _screen(sentences: list[Sentence]) -> dict[int, list[Any]]:
    """Spans the screening engine links, per sentence; empty when screening is not installed."""
    try:
        from tizim.screening import get_screener
    except ImportError:
        return {}
    screener = get_screener()
    out: dict[int, list[Any]] = {}
    for sentence in sentences:
        if sentence.meta:
            continue
        out[sentence.seq] = screener.screen_text(sentence.text)
    return out


def _plausible(span_text: str, caption: str, score: float) -> bool:
    """Prose is full of common words that resemble some listed name; keep only name-like spans."""
    text = span_text.strip()
    words = text.split()
    if not text or not text[0].isupper() or not words or words[0] in SOLO or len(text) < 3:
        return False
    if is_acronym(text) or score >= 0.97:
        return True
    return len(words) >= 2 and fuzz.token_set_ratio(text.lower(), caption.lower()) >= 85


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


def find_mentions(text: str, sentences: list[Sentence], link: bool = True) -> list[Mention]:
    screened = _screen(sentences) if link else {}
    mentions: list[Mention] = []
    for sentence in sentences:
        if sentence.meta:
            continue
        linked: list[tuple[int, int]] = []
        for span in screened.get(sentence.seq, []):
            best = max(span.results, key=lambda r: r.score, default=None)
            if best is None or best.score < LINK_THRESHOLD or not _plausible(span.text, best.caption, best.score):
                continue
            start, end = sentence.start + span.start, sentence.start + span.end
            linked.append((span.start, span.end))
            mentions.append(Mention(
                sentence.seq, start, end, text[start:end], _label(span.text, best.schema),
                entity_id=best.entity_id, caption=best.caption, score=round(float(best.score), 3),
                lists=list(best.lists), schema=best.schema,
            ))
        for cand in candidates(sentence.text):
            if any(cand.start < b and cand.end > a for a, b in linked):
                continue
            start, end = sentence.start + cand.start, sentence.start + cand.end
            mentions.append(Mention(sentence.seq, start, end, cand.text, _label(cand.text, None)))
    mentions.sort(key=lambda m: m.start)
    return mentions

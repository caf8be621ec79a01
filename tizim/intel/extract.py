"""The pipeline for one document: sentences, dates, mentions, facts (nothing stored here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tizim.intel.dates import DateMention, DateResolver
from tizim.intel.documents import Document
from tizim.intel.mentions import Linker, Mention, default_linker, find_mentions
from tizim.intel.names import focus_country, is_acronym, is_org_like, name_key, place_code
from tizim.intel.patterns import COOPERATION_KINDS, Context, Extractor, Fact
from tizim.intel.sentences import Sentence, split_sentences


@dataclass
class Extraction:
    sentences: list[Sentence]
    dates: dict[int, list[DateMention]]
    mentions: list[Mention]
    facts: list[Fact] = field(default_factory=list)


def _report_year(title: str | None) -> int | None:
    match = re.search(r"\b((?:19|20)\d\d)\b", title or "")
    return int(match.group(1)) if match else None


def _party_schema(fact: Fact, role: str) -> str | None:
    """What kind of party a fact's subject or object is; None when it is no party to link."""
    name = getattr(fact, role)
    if not name or fact.kind in COOPERATION_KINDS or (len(name) == 2 and name.islower()):
        return None  # cooperation parties and extradition countries are country codes
    if fact.kind == "relationship":
        if fact.action == "trained_in":
            return None  # a place, and a description of who
        if role == "subject" and fact.action in ("leader_of", "member_of"):
            return "Person"
        return "Organization"
    if fact.kind in ("designation", "raid"):
        return "Organization"
    if is_org_like(name) or is_acronym(name):
        return "Organization"
    return None if place_code(name) else "Person"


def link_facts(facts: list[Fact], linker: Linker) -> None:
    """Give each fact's parties the registry entries their names stand for, on every list."""
    for fact in facts:
        for role in ("subject", "object"):
            schema = _party_schema(fact, role)
            if schema is None:
                continue
            found = linker.link(getattr(fact, role), schema)
            if found is None:
                continue
            fact.data[f"{role}_id"] = found.entity_id
            fact.data[f"{role}_caption"] = found.caption
            fact.data[f"{role}_ids"] = found.ids
            fact.data[f"{role}_lists"] = found.lists


def extract(doc: Document, link: bool = True, linker: Linker | None = None) -> Extraction:
    sentences = split_sentences(doc.text)
    resolver = DateResolver()
    dates = {s.seq: resolver.resolve(s) for s in sentences}
    if link and linker is None:
        linker = default_linker()
    mentions = find_mentions(doc.text, sentences, link=link, linker=linker)
    linked = {name_key(m.text): (m.entity_id, m.caption or m.text) for m in mentions if m.entity_id}

    def context() -> Context:
        return Context(focus=focus_country(doc.text), report_year=_report_year(doc.title),
                       linked=dict(linked))

    # First pass: which organizations the document designates, so that "member of" and
    # "leader of" are kept only for parties of interest (not ministries or newspapers).
    first = Extractor(context()).run(sentences, dates)
    designated = {name_key(f.subject) for f in first if f.kind == "designation" and f.subject}
    ctx = context()
    ctx.designated_keys = designated
    facts = Extractor(ctx).run(sentences, dates)
    if link and linker is not None:
        link_facts(facts, linker)
    return Extraction(sentences, dates, mentions, facts)

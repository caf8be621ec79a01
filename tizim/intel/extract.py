"""The pipeline for one document: sentences, dates, mentions, facts (nothing stored here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tizim.intel.dates import DateMention, DateResolver
from tizim.intel.documents import Document
from tizim.intel.mentions import Mention, find_mentions
from tizim.intel.names import focus_country, name_key
from tizim.intel.patterns import Context, Extractor, Fact
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


def extract(doc: Document, link: bool = True) -> Extraction:
    sentences = split_sentences(doc.text)
    resolver = DateResolver()
    dates = {s.seq: resolver.resolve(s) for s in sentences}
    mentions = find_mentions(doc.text, sentences, link=link)
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
    for fact in facts:
        for role in ("subject", "object"):
            value = getattr(fact, role)
            if value and name_key(value) in linked:
                fact.data[f"{role}_id"], fact.data[f"{role}_caption"] = linked[name_key(value)]
    return Extraction(sentences, dates, mentions, facts)

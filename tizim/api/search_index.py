"""Free-text search over the registry: an in-memory token index, refreshed on list changes.

The registry has no text index of its own and SQL LIKE cannot fold case or script the same
way on SQLite and PostgreSQL, so the API keeps a small per-process index keyed by the
registry's state token, checked at most every `CHECK_SECONDS`.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from normality import normalize

from tizim.registry.service import Registry
from tizim.store import per_database

CHECK_SECONDS = 5.0


def tokens(text: str) -> set[str]:
    """Tokens of a name: case-folded as written, and transliterated to Latin."""
    out: set[str] = set()
    for latinize in (False, True):
        norm = normalize(text, lowercase=True, latinize=latinize) or ""
        out.update(t for t in norm.split() if t)
    return out


@dataclass
class Doc:
    id: str
    list_name: str
    schema: str
    caption: str
    countries: list[str]
    names: list[str]
    data: dict[str, Any]


@dataclass
class SearchHit:
    doc: Doc
    score: float


@dataclass
class _Index:
    token: str
    docs: list[Doc] = field(default_factory=list)
    # Sorted vocabulary, for prefix lookups, and token -> doc positions.
    vocab: list[str] = field(default_factory=list)
    postings: dict[str, set[int]] = field(default_factory=dict)
    full_names: dict[int, set[str]] = field(default_factory=dict)


class SearchIndex:
    def __init__(self, url: str | None = None) -> None:
        self.registry = Registry(url)
        self._index: _Index | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def _current(self) -> _Index:
        now = time.monotonic()
        index = self._index
        if index is not None and now - self._checked < CHECK_SECONDS:
            return index
        with self._lock:
            state = self.registry.state_token()
            self._checked = time.monotonic()
            if self._index is None or self._index.token != state:
                self._index = self._build(state)
            return self._index

    def _build(self, state: str) -> _Index:
        index = _Index(token=state)
        for entity in self.registry.iter_entities():
            data = entity.to_dict()
            lists = [d.list_name for d in entity.designations] or ["(unlisted)"]
            doc = Doc(
                id=entity.id,
                list_name=lists[0],
                schema=entity.schema,
                caption=entity.caption,
                countries=sorted(set(entity.countries) | set(entity.nationalities)),
                names=[n.full for n in entity.names],
                data=data,
            )
            pos = len(index.docs)
            index.docs.append(doc)
            fulls: set[str] = set()
            for name in doc.names:
                for tok in tokens(name):
                    index.postings.setdefault(tok, set()).add(pos)
                fulls.add(normalize(name, latinize=True) or "")
            index.full_names[pos] = fulls
        index.vocab = sorted(index.postings)
        return index

    def search(
        self,
        q: str,
        lists: list[str] | None = None,
        schemata: list[str] | None = None,
        countries: list[str] | None = None,
    ) -> tuple[list[SearchHit], dict[str, Counter[str]]]:
        """Entities whose names hold every query token (as a word prefix), best first,
        with facet counts over all hits."""
        index = self._current()
        query_tokens = sorted(tokens(q)) if q.strip() else []
        if query_tokens:
            # A token written in Cyrillic is also looked up in its Latin form; each query
            # word must match in at least one of its forms.
            words = (normalize(q, latinize=False) or "").split()
            candidates: set[int] | None = None
            for word in words:
                forms = tokens(word)
                hit: set[int] = set()
                for form in forms:
                    hit |= self._prefix(index, form)
                candidates = hit if candidates is None else candidates & hit
            positions = candidates or set()
        else:
            positions = set(range(len(index.docs)))
        full_q = normalize(q, latinize=True) or ""
        hits: list[SearchHit] = []
        facets: dict[str, Counter[str]] = {"lists": Counter(), "schema": Counter(), "countries": Counter()}
        for pos in positions:
            doc = index.docs[pos]
            doc_lists = list(_refs(doc.data)) or [doc.list_name]
            if lists is not None and not set(lists) & set(doc_lists):
                continue
            if schemata and doc.schema not in schemata:
                continue
            if countries and not set(countries) & set(doc.countries):
                continue
            facets["lists"].update(doc_lists)
            facets["schema"][doc.schema] += 1
            facets["countries"].update(doc.countries)
            score = 1.0 if full_q and full_q in index.full_names[pos] else 0.5
            hits.append(SearchHit(doc=doc, score=score))
        hits.sort(key=lambda h: (-h.score, len(h.doc.caption), h.doc.caption, h.doc.id))
        return hits, facets

    @staticmethod
    def _prefix(index: _Index, form: str) -> set[int]:
        out: set[int] = set()
        start = bisect.bisect_left(index.vocab, form)
        for tok in index.vocab[start:]:
            if not tok.startswith(form):
                break
            out |= index.postings[tok]
        return out


def _refs(data: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(d["list"] for d in data.get("designations") or []))


get_search_index = per_database(SearchIndex)

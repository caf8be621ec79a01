"""Storing documents and facts, review (accept/reject) and the timeline.

An accepted designation becomes a new version of a national list: the list's current
entities plus the fact's organization with a designation event that keeps the citation,
imported with Registry.import_parsed. An accepted relationship becomes a registry
relationship (Registry.add_relationship); parties no list holds are kept, undesignated, in
the "intel-parties" list so the relationship has both ends in the registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from tizim.errors import InputError, NotFound
from tizim.intel import tables as t
from tizim.intel.documents import load_document
from tizim.intel.extract import extract
from tizim.intel.mentions import default_linker
from tizim.intel.names import name_key
from tizim.intel.patterns import COOPERATION_KINDS, EVENT_KINDS, KINDS
from tizim.registry.dates import date_start
from tizim.registry.model import (
    Citation,
    Designation,
    DesignationEvent,
    Entity,
    ListEvent,
    ParsedList,
    Relationship,
)
from tizim.registry.service import Registry
from tizim.store import transaction

PARTIES_LIST = "intel-parties"
KIND_GROUPS = {"event": EVENT_KINDS, "incident": EVENT_KINDS, "cooperation": COOPERATION_KINDS}


def _now() -> datetime:
    return datetime.now(UTC)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


class Intel:
    def __init__(self, url: str | None = None) -> None:
        self.url = url

    # ---- ingest ----------------------------------------------------------------------

    def ingest(self, path: Path, link: bool = True) -> dict[str, Any]:
        doc = load_document(path)
        with transaction(self.url) as conn:
            row = conn.execute(select(t.documents.c.id).where(t.documents.c.sha256 == doc.sha256)).first()
            if row is not None:
                return {"document": row.id, "path": str(path), "created": False}
        result = extract(doc, link=link, linker=default_linker(self.url) if link else None)
        now = _now()
        with transaction(self.url) as conn:
            doc_id = conn.execute(insert(t.documents).values(
                sha256=doc.sha256, path=doc.path, format=doc.format, title=doc.title,
                publisher=doc.publisher, published_at=doc.published_at, text=doc.text, ingested_at=now,
            ).returning(t.documents.c.id)).scalar_one()
            if result.sentences:
                conn.execute(insert(t.sentences), [
                    {"document_id": doc_id, "seq": s.seq, "start": s.start, "end": s.end,
                     "paragraph": s.paragraph, "section": s.section, "text": s.text}
                    for s in result.sentences
                ])
            if result.mentions:
                conn.execute(insert(t.mentions), [
                    {"document_id": doc_id, "sentence_seq": m.sentence_seq, "start": m.start, "end": m.end,
                     "text": m.text, "label": m.label, "entity_id": m.entity_id, "caption": m.caption,
                     "score": m.score, "lists": m.lists}
                    for m in result.mentions
                ])
            if result.facts:
                conn.execute(insert(t.facts), [
                    {"document_id": doc_id, "sentence_seq": f.sentence.seq, "kind": f.kind,
                     "action": f.action, "subject": f.subject, "subject_id": f.data.get("subject_id"),
                     "object": f.object, "object_id": f.data.get("object_id"), "date": f.date,
                     "place": f.place, "numbers": f.numbers,
                     "data": {k: v for k, v in f.data.items() if v is not None and not k.endswith(("_id",))},
                     "start": f.sentence.start, "end": f.sentence.end, "sentence": f.sentence.text,
                     "status": "pending", "created_at": now}
                    for f in result.facts
                ])
        return {"document": doc_id, "path": str(path), "created": True, "title": doc.title,
                "publisher": doc.publisher, "published_at": doc.published_at,
                "sentences": len(result.sentences), "mentions": len(result.mentions),
                "linked": sum(1 for m in result.mentions if m.entity_id), "facts": len(result.facts)}

    # ---- reading ---------------------------------------------------------------------

    def _fact_dict(self, row: Any, doc: Any) -> dict[str, Any]:
        return {
            "id": row.id, "kind": row.kind, "action": row.action,
            "subject": row.subject, "subject_id": row.subject_id,
            "object": row.object, "object_id": row.object_id,
            "date": row.date, "place": row.place, "numbers": row.numbers or {},
            "details": row.data or {}, "status": row.status, "outcome": row.outcome,
            "citation": {"document": doc.path, "document_id": doc.id, "title": doc.title,
                         "sha256": doc.sha256, "sentence_index": row.sentence_seq,
                         "start": row.start, "end": row.end, "sentence": row.sentence},
        }

    def facts(self, kind: str | None = None, status: str | None = None,
              entity: str | None = None, collapse: bool = True) -> list[dict[str, Any]]:
        """Stored facts; a statement repeated by several documents is one fact with every
        citation (`citations`, `ids`) unless `collapse` is False."""
        query = select(t.facts).order_by(t.facts.c.id)
        if kind:
            kinds = KIND_GROUPS.get(kind, (kind,))
            if not set(kinds) <= set(KINDS):
                raise InputError(f"unknown fact kind {kind!r} (kinds: {', '.join(KINDS)}, event, cooperation)",
                                 field="kind")
            query = query.where(t.facts.c.kind.in_(list(kinds)))
        if status:
            query = query.where(t.facts.c.status == status)
        with transaction(self.url) as conn:
            docs = {d.id: d for d in conn.execute(select(
                t.documents.c.id, t.documents.c.path, t.documents.c.title, t.documents.c.sha256))}
            rows = conn.execute(query).all()
        out = [self._fact_dict(r, docs[r.document_id]) for r in rows]
        if collapse:
            out = collapse_facts(out)
        if entity:
            out = [f for f in out if _about(f, entity)]
        return out

    def fact(self, fact_id: int) -> dict[str, Any]:
        with transaction(self.url) as conn:
            row = conn.execute(select(t.facts).where(t.facts.c.id == fact_id)).first()
            if row is None:
                raise NotFound(f"no fact with id {fact_id}")
            doc = conn.execute(select(t.documents).where(t.documents.c.id == row.document_id)).one()
        found = self._fact_dict(row, doc)
        group = next((f for f in self.facts() if fact_id in f["ids"]), None)
        if group is not None:
            found["ids"], found["citations"] = group["ids"], group["citations"]
        return found

    def timeline(self, entity: str | None = None) -> list[dict[str, Any]]:
        facts = [f for f in self.facts(entity=entity) if f["date"] and f["status"] != "rejected"]
        return sorted(facts, key=lambda f: (date_start(f["date"]), f["id"]))

    def mentions(self, document_id: int | None = None) -> list[dict[str, Any]]:
        query = select(t.mentions).order_by(t.mentions.c.document_id, t.mentions.c.start)
        if document_id is not None:
            query = query.where(t.mentions.c.document_id == document_id)
        with transaction(self.url) as conn:
            return [{k: v for k, v in dict(r._mapping).items() if k != "id"} for r in conn.execute(query)]

    # ---- review ----------------------------------------------------------------------

    def reject(self, fact_id: int) -> dict[str, Any]:
        fact = self.fact(fact_id)
        if fact["status"] != "pending":
            raise InputError(f"fact {fact_id} is already {fact['status']}")
        self._decide(fact_id, "rejected", None)
        return self.fact(fact_id)

    def accept(self, fact_id: int, list_name: str | None = None) -> dict[str, Any]:
        fact = self.fact(fact_id)
        if fact["status"] != "pending":
            raise InputError(f"fact {fact_id} is already {fact['status']}")
        citation = Citation(source=fact["citation"]["document"],
                            record=f"sentence {fact['citation']['sentence_index']} "
                                   f"[{fact['citation']['start']}:{fact['citation']['end']}]",
                            quote=fact["citation"]["sentence"])
        if fact["kind"] == "designation":
            outcome = self._accept_designation(fact, citation, list_name)
        elif fact["kind"] == "relationship":
            outcome = self._accept_relationship(fact, citation)
        else:
            raise InputError(f"fact {fact_id} is a {fact['kind']}: only designations and relationships "
                             "enter the registry; reject it or leave it for the timeline")
        self._decide(fact_id, "accepted", outcome)
        return self.fact(fact_id)

    def _decide(self, fact_id: int, status: str, outcome: dict[str, Any] | None) -> None:
        """Decide a fact and its repetitions in other documents (one statement, one decision)."""
        group = next((f["ids"] for f in self.facts() if fact_id in f["ids"]), [fact_id])
        with transaction(self.url) as conn:
            conn.execute(update(t.facts).where(t.facts.c.id.in_(group))
                         .values(status=status, decided_at=_now(), outcome=outcome))

    def _current(self, registry: Registry, list_name: str) -> tuple[list[Entity], list[Relationship], list[ListEvent]]:
        if list_name not in registry.list_names():
            return [], [], []
        entities = list(registry.iter_entities(lists=[list_name]))
        rels = [Relationship(kind=r["kind"], source_id=r["source_id"], target_id=r["target_id"],
                             start_date=r["start_date"], end_date=r["end_date"], note=r["note"],
                             citation=Citation.from_dict(r["citation"]))
                for r in registry.iter_relationships() if r["list_name"] == list_name]
        events = [ListEvent(action=e["action"], date=e["date"], authority=e["authority"], count=e["count"],
                            description=e["description"], citation=Citation.from_dict(e["citation"]))
                  for e in registry.events(list_name)]
        return entities, rels, events

    def _import(self, registry: Registry, list_name: str, entities: list[Entity], rels: list[Relationship],
                events: list[ListEvent], source: str) -> Any:
        payload = json.dumps([e.to_dict() for e in entities] + [source], sort_keys=True, default=str)
        parsed = ParsedList(list_name=list_name, source_file=source,
                            file_hash=hashlib.sha256(payload.encode()).hexdigest(),
                            entities=entities, relationships=rels, events=events)
        if list_name == PARTIES_LIST:
            parsed.title = "Parties named in accepted intelligence"
            parsed.record_count = 0
        return registry.import_parsed(parsed)

    def _accept_designation(self, fact: dict[str, Any], citation: Citation, list_name: str | None) -> dict[str, Any]:
        details = fact["details"]
        jurisdiction = details.get("jurisdiction") or "kz"
        list_name = list_name or ("kz-supreme-court" if jurisdiction == "kz" else f"{jurisdiction}-national")
        registry = Registry(self.url)
        entities, rels, events = self._current(registry, list_name)
        source = f"intel:fact:{fact['id']}"
        event = DesignationEvent(action=fact["action"] or "designated", date=fact["date"],
                                 authority=details.get("authority"), citation=citation)
        if fact["subject"] is None:
            events.append(ListEvent(action=fact["action"] or "designated", date=fact["date"],
                                    authority=details.get("authority"), count=details.get("count"),
                                    description=fact["citation"]["sentence"], citation=citation))
            result = self._import(registry, list_name, entities, rels, events, source)
            return {"list": list_name, "version": result.version, "list_event": fact["action"]}
        key = name_key(fact["subject"])
        target = next((e for e in entities if any(name_key(n.full) == key for n in e.names)), None)
        if target is None:
            target = Entity(id=f"{list_name}-intel-{_slug(fact['subject'])}", schema="Organization")
            target.add_name(fact["subject"])
            entities.append(target)
        designation = next((d for d in target.designations if d.list_name == list_name), None)
        if designation is None:
            designation = Designation(list_name=list_name, reference=target.id,
                                      authority=details.get("authority"), citation=citation)
            target.designations.append(designation)
        if fact["action"] != "requested" and designation.listed_on is None:
            designation.listed_on = fact["date"]
        designation.events.append(event)
        result = self._import(registry, list_name, entities, rels, events, source)
        return {"list": list_name, "version": result.version, "entity_id": target.id}

    def _party(self, registry: Registry, name: str, known_id: str | None) -> str:
        if known_id:
            return known_id
        entities, rels, events = self._current(registry, PARTIES_LIST)
        key = name_key(name)
        for entity in registry.iter_entities():
            if any(name_key(n.full) == key for n in entity.names):
                return entity.id
        entity = Entity(id=f"intel-{_slug(name)}", schema="LegalEntity")
        entity.add_name(name)
        entities.append(entity)
        self._import(registry, PARTIES_LIST, entities, rels, events, f"intel:party:{entity.id}")
        return entity.id

    def _accept_relationship(self, fact: dict[str, Any], citation: Citation) -> dict[str, Any]:
        if not fact["subject"] or not fact["object"]:
            raise InputError(f"fact {fact['id']} lacks a named party on one side")
        registry = Registry(self.url)
        source = self._party(registry, fact["subject"], fact["subject_id"])
        target = self._party(registry, fact["object"], fact["object_id"])
        rel = Relationship(kind=fact["action"], source_id=source, target_id=target,
                           start_date=fact["date"], note=f"accepted from intel fact {fact['id']}",
                           citation=citation)
        registry.add_relationship("intel", rel)
        return {"relationship": rel.id, "entity_id": source, "target_id": target}


def _about(fact: dict[str, Any], entity: str) -> bool:
    details = fact["details"] or {}
    outcome = fact["outcome"] or {}
    return (entity in (fact["subject_id"], fact["object_id"], outcome.get("entity_id"), outcome.get("target_id"))
            or entity in (details.get("subject_ids") or []) or entity in (details.get("object_ids") or []))


def statement_key(fact: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two documents' facts one statement: same kind, action, parties, date and
    (for events) place and route; cooperation by its date and parties."""
    details = fact["details"] or {}
    subj = name_key(fact["subject"]) if fact["subject"] else None
    obj = name_key(fact["object"]) if fact["object"] else None
    if fact["kind"] in COOPERATION_KINDS:
        return (fact["kind"], fact["date"], tuple(details.get("parties") or ()))
    if fact["kind"] in EVENT_KINDS:
        place = name_key(fact["place"]) if fact["place"] else None
        return (fact["kind"], subj, obj, fact["date"], place, details.get("from"), details.get("to"))
    return (fact["kind"], fact["action"], subj, obj, fact["date"], details.get("jurisdiction"))


def collapse_facts(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One fact per statement across documents, keeping every citation.

    Inside one document the extractor already said each statement once; two facts of the same
    document stay apart (two undated arrests in one report are two arrests), and an event
    without a date is never taken for another document's.
    """
    groups: list[dict[str, Any]] = []
    open_groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for fact in facts:
        fact = dict(fact, ids=[fact["id"]], citations=[fact["citation"]])
        key = statement_key(fact)
        undated_event = fact["kind"] in EVENT_KINDS and not fact["date"]
        docs = fact["citation"]["document_id"]
        target = None if undated_event else next(
            (g for g in open_groups.get(key, []) if docs not in {c["document_id"] for c in g["citations"]}), None)
        if target is None:
            groups.append(fact)
            open_groups.setdefault(key, []).append(fact)
            continue
        target["ids"].append(fact["id"])
        target["citations"].append(fact["citation"])
        for role in ("subject_id", "object_id"):
            target[role] = target[role] or fact[role]
    return groups

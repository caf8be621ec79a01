"""The registry's data model: what every importer produces and every consumer reads.

It follows FollowTheMoney (schemata Person, Organization, LegalEntity, Vessel, Airplane;
property names where they exist) so entities round-trip to FtM JSON lines, but keeps the
parts FtM has no place for: the kind and script of each name, and designations with their
list reference, authority and citation.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMATA = ("Person", "Organization", "LegalEntity", "Company", "Vessel", "Airplane")

NameKind = Literal["primary", "alias", "weak_alias", "former", "spelling"]
NAME_KINDS: tuple[str, ...] = ("primary", "alias", "weak_alias", "former", "spelling")

RelationKind = Literal["member_of", "leader_of", "affiliated_with", "tied_to", "same_as"]
RELATION_KINDS: tuple[str, ...] = ("member_of", "leader_of", "affiliated_with", "tied_to", "same_as")


def detect_script(text: str) -> str:
    """The dominant Unicode script of a name: Latn, Cyrl, Arab, Hani, ... or Zyyy."""
    if text.isascii():
        # Most list names are plain ASCII; every ASCII letter is Latin (and this is the hot path).
        return "Latn" if any(c.isalpha() for c in text) else "Zyyy"
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        try:
            uname = unicodedata.name(char)
        except ValueError:
            continue
        head = uname.split(" ", 1)[0]
        script = _SCRIPT_PREFIXES.get(head, "Zyyy")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "Zyyy"
    return max(counts.items(), key=lambda kv: kv[1])[0]


_SCRIPT_PREFIXES = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "ARABIC": "Arab",
    "CJK": "Hani",
    "HIRAGANA": "Jpan",
    "KATAKANA": "Jpan",
    "HANGUL": "Hang",
    "GREEK": "Grek",
    "HEBREW": "Hebr",
    "DEVANAGARI": "Deva",
    "GEORGIAN": "Geor",
    "ARMENIAN": "Armn",
    "THAI": "Thai",
    "ETHIOPIC": "Ethi",
    "PERSIAN": "Arab",
}


@dataclass
class Citation:
    """Where a fact comes from: a source file and record, or a document and its passage."""

    source: str
    record: str | None = None
    quote: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"source": self.source, "record": self.record, "quote": self.quote, "url": self.url}
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Citation | None:
        if not data:
            return None
        return cls(**{k: data.get(k) for k in ("source", "record", "quote", "url")})  # type: ignore[arg-type]


@dataclass
class Name:
    full: str
    kind: str = "primary"
    script: str = ""
    lang: str | None = None
    quality: str | None = None  # the list's own quality mark, e.g. UN "Good"/"Low"

    def __post_init__(self) -> None:
        self.full = " ".join(self.full.split())
        if not self.script:
            self.script = detect_script(self.full)

    def to_dict(self) -> dict[str, Any]:
        return {"full": self.full, "kind": self.kind, "script": self.script, "lang": self.lang,
                "quality": self.quality}


@dataclass
class Identifier:
    type: str  # passport, national_id, iin, imo, tax_id, registration, swift_bic, other
    value: str
    country: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value, "country": self.country, "note": self.note}


@dataclass
class DesignationEvent:
    """One step in a designation's history: requested, added, revised, removed..."""

    action: str
    date: str | None = None  # ISO 8601, partial where the source is ("2006-03", "2005")
    authority: str | None = None
    note: str | None = None
    citation: Citation | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action, "date": self.date}
        if self.authority:
            data["authority"] = self.authority
        if self.note:
            data["note"] = self.note
        if self.citation:
            data["citation"] = self.citation.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DesignationEvent:
        return cls(
            action=data["action"],
            date=data.get("date"),
            authority=data.get("authority"),
            note=data.get("note"),
            citation=Citation.from_dict(data.get("citation")),
        )


@dataclass
class Designation:
    list_name: str
    reference: str
    programme: str | None = None
    authority: str | None = None
    legal_basis: str | None = None
    listed_on: str | None = None
    delisted_on: str | None = None
    citation: Citation | None = None
    events: list[DesignationEvent] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "reference": self.reference,
            "programme": self.programme,
            "authority": self.authority,
            "legal_basis": self.legal_basis,
            "listed_on": self.listed_on,
            "delisted_on": self.delisted_on,
            "citation": self.citation.to_dict() if self.citation else None,
            "events": [e.to_dict() for e in self.events],
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Designation:
        return cls(
            list_name=data["list"],
            reference=data["reference"],
            programme=data.get("programme"),
            authority=data.get("authority"),
            legal_basis=data.get("legal_basis"),
            listed_on=data.get("listed_on"),
            delisted_on=data.get("delisted_on"),
            citation=Citation.from_dict(data.get("citation")),
            events=[DesignationEvent.from_dict(e) for e in data.get("events") or []],
            note=data.get("note"),
        )


@dataclass
class Entity:
    """A listed party (or a party related to one) as one list describes it."""

    id: str
    schema: str
    names: list[Name] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # "1951-06-19", "1951", "1950/1955"
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-2, lower case
    countries: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    gender: str | None = None
    notes: list[str] = field(default_factory=list)
    # Further FtM properties (title, position, imoNumber, flag, ...).
    properties: dict[str, list[str]] = field(default_factory=dict)
    designations: list[Designation] = field(default_factory=list)

    @property
    def caption(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.full
        return self.names[0].full if self.names else self.id

    def add_name(self, full: str | None, kind: str = "primary", **extra: Any) -> None:
        if not full:
            return
        name = Name(full=full, kind=kind, **extra)
        if not name.full:
            return
        if any(n.full == name.full for n in self.names):
            return
        self.names.append(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "names": [n.to_dict() for n in self.names],
            "birth_dates": self.birth_dates,
            "birth_places": self.birth_places,
            "nationalities": self.nationalities,
            "countries": self.countries,
            "addresses": self.addresses,
            "identifiers": [i.to_dict() for i in self.identifiers],
            "gender": self.gender,
            "notes": self.notes,
            "properties": self.properties,
            "designations": [d.to_dict() for d in self.designations],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            id=data["id"],
            schema=data["schema"],
            names=[Name(**n) for n in data.get("names") or []],
            birth_dates=list(data.get("birth_dates") or []),
            birth_places=list(data.get("birth_places") or []),
            nationalities=list(data.get("nationalities") or []),
            countries=list(data.get("countries") or []),
            addresses=list(data.get("addresses") or []),
            identifiers=[Identifier(**i) for i in data.get("identifiers") or []],
            gender=data.get("gender"),
            notes=list(data.get("notes") or []),
            properties={k: list(v) for k, v in (data.get("properties") or {}).items()},
            designations=[Designation.from_dict(d) for d in data.get("designations") or []],
        )

    def to_json(self) -> str:
        """The stored document; to_dict's key order is fixed, so equal content, equal text."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def content_hash(self, document: str | None = None) -> str:
        """A hash of what the list says about the entity; changes mark a new version."""
        payload = document if document is not None else self.to_json()
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()


@dataclass
class Relationship:
    kind: str
    source_id: str
    target_id: str
    start_date: str | None = None
    end_date: str | None = None
    note: str | None = None
    citation: Citation | None = None

    @property
    def id(self) -> str:
        raw = f"{self.kind}|{self.source_id}|{self.target_id}|{self.start_date or ''}"
        return "rel-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass
class ListEvent:
    """Something that happened to a list as a whole (a list approved, a batch designated)."""

    action: str
    date: str | None = None
    authority: str | None = None
    count: int | None = None
    description: str | None = None
    citation: Citation | None = None


@dataclass
class ParsedList:
    """One source file: its header read, its entities in `entities` or still to be read.

    A streamed list (`stream` set, see `importers.open_list`) yields its entities as the
    importer reads the file; the importer fills `relationships`, `events`, `record_count`
    (and `publisher` where the file says it only in its records) as it goes, so they are
    complete once the stream is exhausted. `materialize()` reads the rest into `entities`.
    """

    list_name: str
    source_file: str
    file_hash: str
    title: str | None = None
    publisher: str | None = None
    published_at: str | None = None
    entities: list[Entity] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    events: list[ListEvent] = field(default_factory=list)
    # Records the list holds: usually len(entities); counted as the source counts them.
    record_count: int | None = None
    # sanctions, pep, watchlist or other when the source says (registry/kinds.py); None: by name
    kind: str | None = None
    # the entities not read yet (read once, after `entities`); None: all are in `entities`
    stream: Iterator[Entity] | None = field(default=None, repr=False, compare=False)
    # tizim's own FtM export carries the list's version history: every version's record as
    # `Registry.versions` gives it (version, published_at, imported_at, file_hash,
    # source_file, entities, added, removed, changed, history), oldest first, and the version
    # each entity first appeared in; imported into a database that never held the list, the
    # versions are restored as they were and the entities written to the one in force
    versions: list[dict[str, Any]] = field(default_factory=list)
    first_versions: dict[str, int] = field(default_factory=dict)

    @property
    def streamed(self) -> bool:
        return self.stream is not None

    def each_entity(self) -> Iterator[Entity]:
        """Every entity, the read ones first; the stream is consumed (read once)."""
        yield from self.entities
        stream, self.stream = self.stream, None
        if stream is not None:
            yield from stream

    def materialize(self) -> ParsedList:
        """Read the whole stream into `entities` (for callers that look at them all)."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            self.entities.extend(stream)
        return self

"""FollowTheMoney JSON lines (OpenSanctions exports, yente fixtures, tizim's own export).

The followthemoney model supplies the schemata: parties (Person, Organization, LegalEntity,
Company, Vessel, Airplane and their descendants) become entities; each Sanction becomes a
Designation on the entity it names; Ownership, Directorship, Membership, Employment,
UnknownLink, Family and Associate become Relationships; Address, Passport/Identification and
Occupancy/Position entities are folded into the party they describe. A party is listed (gets a
designation) when a Sanction names it or the export marks it `"target": true`.

Entity ids: an FtM id that already starts with "<list>-" is kept; others become
make_id(list, id).

tizim's own export (tizim.registry.ftm_export) marks every line with a `tizim` key outside
`properties`: the line's list, and what FtM could not carry. Such a file is read back whole
(`parse_all`): one ParsedList per list it holds, under the same names, with the same ids,
names and kinds, identifiers, designations with their history, and relationships.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from followthemoney import model
from followthemoney.schema import Schema

from tizim.errors import InputError
from tizim.registry.importers.base import file_hash, make_id
from tizim.registry.kinds import kind_from_topics
from tizim.registry.model import (
    RELATION_KINDS,
    SCHEMATA,
    Citation,
    Designation,
    Entity,
    Identifier,
    ParsedList,
    Relationship,
)

LISTS: tuple[str, ...] = ("ftm",)
ANY_LIST_NAME = True

LINKS = {
    "Ownership": ("owner", "asset", "affiliated_with"),
    "Directorship": ("director", "organization", "leader_of"),
    "Membership": ("member", "organization", "member_of"),
    "Employment": ("employee", "employer", "member_of"),
    "UnknownLink": ("subject", "object", "tied_to"),
    "Family": ("person", "relative", "tied_to"),
    "Associate": ("person", "associate", "tied_to"),
}
NAME_PROPS = {"name": "primary", "alias": "alias", "weakAlias": "weak_alias", "previousName": "former"}
IDENT_PROPS = {
    "passportNumber": "passport", "idNumber": "national_id", "registrationNumber": "registration",
    "taxNumber": "tax_id", "imoNumber": "imo", "innCode": "inn", "ogrnCode": "ogrn", "kppCode": "kpp",
    "okpoCode": "okpo", "leiCode": "lei", "swiftBic": "swift_bic", "unscId": "un_reference",
}
# Model fields filled from these properties; everything else lands in Entity.properties.
FIELD_PROPS = {"birthDate", "birthPlace", "nationality", "citizenship", "country", "jurisdiction", "address",
               "addressEntity", "gender", "notes"}
SUFFIXES = (".json", ".jsonl", ".ndjson", ".ftm")
# tizim's export key outside `properties` (tizim.registry.ftm_export.EXTENSION).
EXTENSION = "tizim"


def sniff(path: Path, head: bytes) -> str | None:
    if not head or not path.name.lower().endswith(SUFFIXES):
        return None
    first = head.split(b"\n", 1)[0].strip()
    try:
        data = json.loads(first)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("properties"), dict) and model.get(str(data.get("schema"))) is not None):
        return None
    datasets = data.get("datasets") or []
    return _list_name(str(datasets[0])) if datasets else "ftm"


def _list_name(dataset: str) -> str:
    # Prefixed so an OpenSanctions copy ("eu_fsf") never replaces tizim's own import of a list.
    return "os-" + (re.sub(r"[^a-z0-9]+", "-", dataset.lower()).strip("-") or "ftm")


def _schema_name(schema: Schema) -> str | None:
    """tizim's schema for an FtM party schema; None for things that are not parties."""
    for name in ("Vessel", "Airplane", "Person", "Company", "Organization", "LegalEntity"):
        if schema.is_a(name):
            return name
    return None


def _records(path: Path) -> list[tuple[int, dict[str, Any], Schema]]:
    records = list(_iter_records(path))
    if not records:
        raise InputError("no FtM entities in the file", file=str(path))
    return records


def _iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any], Schema]]:
    """The file's FtM entities one line at a time, checked as `_records` checks them."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise InputError(f"not a JSON object ({exc.__class__.__name__}: {exc}); truncated file?", file=str(path), line=number) from exc
            except RecursionError as exc:
                raise InputError("JSON nested too deeply to be an FtM entity", file=str(path), line=number) from exc
            if not isinstance(data, dict) or not data.get("id") or not isinstance(data.get("properties"), dict):
                raise InputError("an FtM entity needs 'id', 'schema' and 'properties'", file=str(path), line=number)
            schema = model.get(str(data.get("schema")))
            if schema is None:
                raise InputError(f"unknown FtM schema {data.get('schema')!r}", file=str(path), line=number, record=str(data["id"]), field="schema")
            for prop, values in list(data["properties"].items()):
                # A property the installed FtM model lacks (newer exports, e.g. deathPlace) is
                # kept as data, not refused: it is schema drift, not a broken file.
                # Some real exports write a lone value without its list; accept it as one value.
                if isinstance(values, (str, int, float)) and not isinstance(values, bool):
                    values = [str(values)]
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    if prop not in schema.properties:
                        del data["properties"][prop]  # nested extras of a newer export: no FtM meaning
                        continue
                    raise InputError("property values must be a list of strings", file=str(path), line=number, record=str(data["id"]), field=prop)
                data["properties"][prop] = values
            if EXTENSION in data and not isinstance(data[EXTENSION], dict):
                raise InputError(f"'{EXTENSION}' must be an object", file=str(path), line=number, record=str(data["id"]), field=EXTENSION)
            yield number, data, schema


def _is_export(path: Path) -> bool:
    """tizim's own export marks every line; its first line says so."""
    first = next(_iter_records(path), None)
    if first is None:
        raise InputError("no FtM entities in the file", file=str(path))
    return EXTENSION in first[1]


def parse(path: Path, list_name: str) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str) -> ParsedList:
    """One list of the file: of tizim's export, streamed (`_stream_export`); any other FtM
    file is read whole (its Sanction and link entities may come anywhere)."""
    if _is_export(path):
        lists = _stream_export(path)
        if list_name in lists:
            return lists[list_name]
        if len(lists) == 1:
            # tizim's export of one list, imported under another name.
            return _renamed(next(iter(lists.values())), list_name)
        raise InputError(
            f"this tizim export holds the lists {', '.join(lists)}; import it without --source to load them all",
            file=str(path),
        )
    return _parse_foreign(path, _records(path), list_name)


def parse_all(path: Path) -> list[ParsedList]:
    """Every list the file holds: each list of a tizim export (streamed), else the one
    list it is."""
    if _is_export(path):
        return list(_stream_export(path).values())
    records = _records(path)
    datasets = records[0][1].get("datasets") or []
    return [_parse_foreign(path, records, _list_name(str(datasets[0])) if datasets else "ftm")]


def _renamed(parsed: ParsedList, list_name: str) -> ParsedList:
    old = parsed.list_name
    parsed.list_name = list_name

    def rename(entity: Entity) -> Entity:
        for designation in entity.designations:
            if designation.list_name == old:
                designation.list_name = list_name
        return entity

    parsed.entities = [rename(e) for e in parsed.entities]
    if parsed.stream is not None:
        parsed.stream = map(rename, parsed.stream)
    return parsed


def _parse_foreign(path: Path, records: list[tuple[int, dict[str, Any], Schema]], list_name: str) -> ParsedList:
    def eid(ftm_id: str) -> str:
        return ftm_id if ftm_id.startswith(f"{list_name}-") else make_id(list_name, ftm_id)

    by_ftm = {data["id"]: (number, data, schema) for number, data, schema in records}
    entities: dict[str, Entity] = {}
    targets: set[str] = set()
    for number, data, schema in records:
        tizim_schema = _schema_name(schema)
        if tizim_schema is None:
            continue
        entity = entity_from_ftm(data, tizim_schema, eid(data["id"]), by_ftm)
        if data["id"] in entities:
            raise InputError(f"entity id {data['id']} appears twice", file=str(path), line=number, record=str(data["id"]))
        entities[data["id"]] = entity
        if data.get("target"):
            targets.add(data["id"])

    relationships: list[Relationship] = []
    for number, data, schema in records:
        props = data["properties"]
        if schema.name == "Sanction":
            for target in props.get("entity", []):
                sanctioned = entities.get(target)
                if sanctioned is not None:
                    sanctioned.designations.append(designation_from_ftm(data, list_name, path, number))
        elif schema.name in LINKS:
            relationships.extend(relationships_from_ftm(data, schema, path, number, eid))
        elif schema.name == "Occupancy":
            for holder in props.get("holder", []):
                holder_entity = entities.get(holder)
                for post in props.get("post", []):
                    if holder_entity is None or post not in by_ftm:
                        continue
                    for title in by_ftm[post][1]["properties"].get("name", []):
                        positions = holder_entity.properties.setdefault("position", [])
                        if title not in positions:
                            positions.append(title)
        elif schema.is_a("Identification"):
            for holder in props.get("holder", []):
                party = entities.get(holder)
                for value in props.get("number", []):
                    if party is not None:
                        kind = "passport" if schema.name == "Passport" else "national_id"
                        party.identifiers.append(Identifier(type=kind, value=value, country=_first(props, "country")))

    # A target without any Sanction is still an entry of the list (e.g. a PEP dataset).
    for ftm_id in targets:
        entity = entities[ftm_id]
        if not entity.designations:
            data = by_ftm[ftm_id][1]
            entity.designations.append(
                Designation(
                    list_name=list_name,
                    reference=str(ftm_id),
                    programme=", ".join(entity.properties.get("topics", [])) or None,
                    listed_on=None,
                    citation=Citation(source=str(path), record=f"line {by_ftm[ftm_id][0]}, {ftm_id}"),
                    note=f"FtM target in datasets {', '.join(data.get('datasets') or []) or '?'}",
                )
            )
    datasets = [str(d) for d in (records[0][1].get("datasets") or [])]
    return ParsedList(
        list_name=list_name,
        source_file=str(path),
        file_hash=file_hash(path),
        title=f"FollowTheMoney entities ({path.name})",
        entities=list(entities.values()),
        relationships=relationships,
        # sanctions only when the dataset says so (its targets' topics), see registry/kinds.py
        kind=kind_from_topics(
            [list(by_ftm[i][1]["properties"].get("topics", [])) + list(by_ftm[i][1].get("topics") or [])
             for i in targets], datasets[0] if datasets else ""),
    )


class _NotInExportOrder(Exception):
    """A Sanction apart from the entity it names: the file is read whole instead."""


class _Export:
    """What reading tizim's export builds, line by line: its lists (their records, versions,
    relationships) and, from each line, the entity, designation or links it states."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = file_hash(path)
        self.lists: dict[str, ParsedList] = {}

    def list_of(self, number: int, data: dict[str, Any]) -> ParsedList:
        ext = data.get(EXTENSION) or {}
        name = ext.get("list") or (data.get("datasets") or [None])[0]
        if not isinstance(name, str) or not name:
            raise InputError("a line of a tizim export needs its list", file=str(self.path), line=number,
                             record=str(data["id"]), field=f"{EXTENSION}.list")
        parsed = self.lists.get(name)
        if parsed is None:
            # one version per list of the file: its digest with the list's name, hashed to the
            # 64 characters a version's digest has
            list_digest = hashlib.sha256(f"{self.digest}:{name}".encode()).hexdigest()
            parsed = self.lists[name] = ParsedList(list_name=name, source_file=str(self.path), file_hash=list_digest)
        return parsed

    def entity(self, number: int, data: dict[str, Any], schema: Schema, tizim_schema: str) -> tuple[Entity, ParsedList]:
        """A party line: the entity with what FtM lost restored, and its list, which takes the
        line's list facts (catalog, the entity's first version); relationships the export
        kept outside FtM go to the lists they name."""
        path, ext = self.path, data.get(EXTENSION) or {}
        parsed = self.list_of(number, data)
        entity = entity_from_ftm(data, schema.name if schema.name in SCHEMATA else tizim_schema, str(data["id"]), {})
        for key, value in (ext.get("entity") or {}).items():
            restored = Entity.from_dict({"id": entity.id, "schema": entity.schema, key: value})
            setattr(entity, key, getattr(restored, key))
        first = ext.get("first_version")
        if first is not None:
            if not isinstance(first, int) or isinstance(first, bool) or first < 1:
                raise InputError("a version number (1, 2 ...) is expected", file=str(path), line=number,
                                 record=str(data["id"]), field=f"{EXTENSION}.first_version")
            parsed.first_versions[entity.id] = first
        catalog = ext.get("catalog")
        if isinstance(catalog, dict):
            parsed.title = catalog.get("title")
            parsed.publisher = catalog.get("publisher")
            parsed.versions = _versions(catalog.get("versions"), path, number, str(data["id"]))
            current = [v for v in parsed.versions if not v.get("history")] or parsed.versions
            parsed.published_at = current[-1].get("published_at") if current else None
            if catalog.get("kind"):
                parsed.kind = catalog["kind"]
        for rel in ext.get("relationships") or []:
            self.list_of(number, {"id": data["id"], EXTENSION: {"list": rel.get("list")}}).relationships.append(
                relationship_from_dict(rel))
        return entity, parsed

    def designation(self, number: int, data: dict[str, Any]) -> Designation:
        """A Sanction line's designation, with what FtM lost restored."""
        designation = designation_from_ftm(data, self.list_of(number, data).list_name, self.path, number)
        return Designation.from_dict({**designation.to_dict(), **((data.get(EXTENSION) or {}).get("designation") or {})})

    def links(self, number: int, data: dict[str, Any], schema: Schema) -> None:
        """A link line's relationships, added to its list."""
        parsed = self.list_of(number, data)
        for rel in relationships_from_ftm(data, schema, self.path, number, lambda x: x):
            fixed = {**relationship_dict(rel), **((data.get(EXTENSION) or {}).get("relationship") or {})}
            parsed.relationships.append(relationship_from_dict(fixed))

    def twice(self, number: int, data: dict[str, Any]) -> InputError:
        return InputError(f"entity id {data['id']} appears twice", file=str(self.path), line=number, record=str(data["id"]))


def _stream_export(path: Path) -> dict[str, ParsedList]:
    """tizim's own export, read once: each entity with the Sanction lines that follow it
    (the exporter writes them so) is written to its list's spool file on disk, and each
    list's entities then stream from there into the registry. Kept in memory: the ids met
    (to refuse one given twice), relationships and list records. A file whose Sanctions
    stand apart from their entities is read whole (`_parse_export`)."""
    try:
        return _spool_export(path)
    except _NotInExportOrder:
        return _parse_export(path, _records(path))


def _spool_export(path: Path) -> dict[str, ParsedList]:
    reader = _Export(path)
    spools: dict[str, IO[bytes]] = {}
    met: set[str] = set()
    named_before: set[str] = set()  # Sanction targets not met yet
    pending: tuple[Entity, str] | None = None

    def flush() -> None:
        if pending is not None:
            entity, name = pending
            spool = spools.get(name)
            if spool is None:
                spool = spools[name] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _spooled or on error; removed when closed)
            spool.write(entity.to_json().encode("utf-8") + b"\n")

    try:
        for number, data, schema in _iter_records(path):
            tizim_schema = _schema_name(schema)
            if tizim_schema is not None:
                flush()
                entity, parsed = reader.entity(number, data, schema, tizim_schema)
                if entity.id in met:
                    raise reader.twice(number, data)
                if entity.id in named_before:
                    raise _NotInExportOrder
                met.add(entity.id)
                pending = (entity, parsed.list_name)
            elif schema.name == "Sanction":
                designation = reader.designation(number, data)
                for target in data["properties"].get("entity", []):
                    if pending is not None and target == pending[0].id:
                        pending[0].designations.append(designation)
                    elif target in met:
                        raise _NotInExportOrder
                    else:
                        named_before.add(target)
            elif schema.name in LINKS:
                reader.links(number, data, schema)
        flush()
    except BaseException:
        for spool in spools.values():
            spool.close()
        raise
    if not met:
        raise InputError("no entities in this tizim export", file=str(path))
    for name, spool in spools.items():
        reader.lists[name].stream = _spooled(spool)
    return reader.lists


def _spooled(spool: IO[bytes]) -> Iterator[Entity]:
    """A list's entities back from its spool file, which is closed (and so removed) after."""
    try:
        spool.seek(0)
        for line in spool:
            yield Entity.from_dict(json.loads(line))
    finally:
        spool.close()


def _parse_export(path: Path, records: list[tuple[int, dict[str, Any], Schema]]) -> dict[str, ParsedList]:
    """tizim's own export read whole: each line's list from its `tizim` key, what FtM lost
    restored, Sanctions and links wherever they stand."""
    reader = _Export(path)
    entities: dict[str, Entity] = {}
    for number, data, schema in records:
        tizim_schema = _schema_name(schema)
        if tizim_schema is None:
            continue
        entity, parsed = reader.entity(number, data, schema, tizim_schema)
        if entity.id in entities:
            raise reader.twice(number, data)
        entities[entity.id] = entity
        parsed.entities.append(entity)
    for number, data, schema in records:
        if schema.name == "Sanction":
            designation = reader.designation(number, data)
            for target in data["properties"].get("entity", []):
                if target in entities:
                    entities[target].designations.append(designation)
        elif schema.name in LINKS:
            reader.links(number, data, schema)
    return reader.lists


_VERSION_INTS = ("version", "entities", "added", "removed", "changed")
_VERSION_TEXT_LENGTH = {"published_at": 32, "file_hash": 64, "source_file": 4096}  # as list_versions stores them
_VERSION_TEXTS = tuple(_VERSION_TEXT_LENGTH)


def _versions(value: Any, path: Path, number: int, record: str) -> list[dict[str, Any]]:
    """A list's version history as tizim's export writes it, checked field by field."""
    where = f"{EXTENSION}.catalog.versions"
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("a list of versions is expected", file=str(path), line=number, record=record, field=where)
    out: list[dict[str, Any]] = []
    for i, version in enumerate(value):
        def fail(key: str, message: str, i: int = i) -> InputError:
            return InputError(message, file=str(path), line=number, record=record, field=f"{where}[{i}].{key}")

        if not isinstance(version, dict):
            raise fail("", "a version must be an object")
        for key in _VERSION_INTS:
            got = version.get(key, 0)
            if not isinstance(got, int) or isinstance(got, bool) or got < 0 or got > 2**31 - 1:
                raise fail(key, "a whole number is expected")
        for key in _VERSION_TEXTS:
            got = version.get(key)
            if got is not None and (not isinstance(got, str) or len(got) > _VERSION_TEXT_LENGTH[key]):
                raise fail(key, "a text is expected" + (" (a date)" if key == "published_at" else ""))
        try:
            datetime.fromisoformat(str(version.get("imported_at")))
        except ValueError:
            raise fail("imported_at", "an ISO date and time is expected") from None
        if version["version"] < 1 or any(v["version"] >= version["version"] for v in out):
            raise fail("version", "versions are numbered 1, 2 ... in order")
        out.append(dict(version))
    return out


def relationship_dict(rel: Relationship) -> dict[str, Any]:
    """A relationship as the plain dict tizim's export writes and compares."""
    return {
        "kind": rel.kind, "source_id": rel.source_id, "target_id": rel.target_id, "start_date": rel.start_date,
        "end_date": rel.end_date, "note": rel.note, "citation": rel.citation.to_dict() if rel.citation else None,
    }


def relationship_from_dict(data: dict[str, Any]) -> Relationship:
    return Relationship(
        kind=data["kind"], source_id=data["source_id"], target_id=data["target_id"],
        start_date=data.get("start_date"), end_date=data.get("end_date"), note=data.get("note"),
        citation=Citation.from_dict(data.get("citation")),
    )


def relationships_from_ftm(
    data: dict[str, Any], schema: Schema, path: Path, number: int, eid: Callable[[str], str]
) -> list[Relationship]:
    """The relationships an FtM link entity (Ownership, Membership, UnknownLink...) states."""
    props = data["properties"]
    source_prop, target_prop, kind = LINKS[schema.name]
    # tizim's own export writes the exact kind of an UnknownLink as its role.
    kind = next((r for r in props.get("role", []) if r in RELATION_KINDS), kind)
    out = []
    for source in props.get(source_prop, []):
        for target in props.get(target_prop, []):
            note = "; ".join(props.get("relationship", []) + [r for r in props.get("role", []) if r not in RELATION_KINDS] + props.get("summary", [])) or None
            out.append(
                Relationship(
                    kind=kind,
                    source_id=eid(source),
                    target_id=eid(target),
                    start_date=_first(props, "startDate"),
                    end_date=_first(props, "endDate"),
                    note=f"{schema.name}: {note}" if note else schema.name,
                    citation=Citation(source=str(path), record=f"line {number}, {data['id']}"),
                )
            )
    return out


def _first(props: dict[str, list[str]], key: str) -> str | None:
    values = props.get(key) or []
    return values[0] if values else None


def entity_from_ftm(data: dict[str, Any], schema: str, entity_id: str, by_ftm: dict[str, tuple[int, dict[str, Any], Schema]]) -> Entity:
    """A party as an FtM entity describes it (its other entities looked up in `by_ftm`)."""
    props: dict[str, list[str]] = data["properties"]
    entity = Entity(id=entity_id, schema=schema)
    for prop, kind in NAME_PROPS.items():
        for value in props.get(prop, []):
            entity.add_name(value, kind if kind != "primary" or not entity.names else "primary")
    if not entity.names and data.get("caption"):
        entity.add_name(str(data["caption"]), "primary")
    entity.birth_dates = list(dict.fromkeys(props.get("birthDate", [])))
    entity.birth_places = list(dict.fromkeys(props.get("birthPlace", [])))
    entity.nationalities = list(dict.fromkeys(props.get("nationality", []) + props.get("citizenship", [])))
    entity.countries = list(dict.fromkeys(props.get("country", []) + props.get("jurisdiction", [])))
    entity.addresses = list(dict.fromkeys(props.get("address", [])))
    for ref in props.get("addressEntity", []):
        if ref in by_ftm:
            for full in by_ftm[ref][1]["properties"].get("full", []):
                if full not in entity.addresses:
                    entity.addresses.append(full)
    gender = _first(props, "gender")
    entity.gender = gender
    entity.notes = list(props.get("notes", []))
    for prop, kind in IDENT_PROPS.items():
        for value in props.get(prop, []):
            entity.identifiers.append(Identifier(type=kind, value=value))
    for prop, values in props.items():
        if prop in NAME_PROPS or prop in FIELD_PROPS or prop in IDENT_PROPS:
            continue
        entity.properties[prop] = list(values)
    for prop in ("imoNumber",):
        if props.get(prop):
            entity.properties[prop] = list(props[prop])
    if data.get("topics"):
        entity.properties.setdefault("topics", list(data["topics"]))
    return entity


def designation_from_ftm(data: dict[str, Any], list_name: str, path: Path, number: int) -> Designation:
    """The designation a Sanction entity states."""
    props: dict[str, list[str]] = data["properties"]
    reference = _first(props, "authorityId") or _first(props, "unscId") or str(data["id"])
    return Designation(
        list_name=list_name,
        reference=reference,
        programme=_first(props, "program") or _first(props, "programId"),
        authority=_first(props, "authority"),
        legal_basis=_first(props, "provisions"),
        listed_on=_first(props, "listingDate") or _first(props, "startDate"),
        delisted_on=_first(props, "endDate"),
        citation=Citation(
            source=_first(props, "description") or str(path),
            record=_first(props, "recordId") or f"line {number}, {data['id']}",
            quote=_first(props, "summary"),
            url=_first(props, "sourceUrl"),
        ),
        note=_first(props, "reason"),
    )

"""Registry -> FollowTheMoney JSON lines (`tizim entity export --format ftm`), and FtM
properties for the API.

Each entity becomes an FtM entity of its schema, each designation a Sanction entity naming it,
each relationship between two exported entities an FtM link (Membership, Directorship,
UnknownLink). Every value written under `properties` is valid for its property's type
(followthemoney cleans it; one it refuses, e.g. an over-long identifier or a vessel owner
given as a name where an entity id belongs, is left out of `properties`), every entity
reference points to an entity of the export, and ids are unique.

Lossless: what FtM has no place for lives outside `properties`, in the line's `tizim` key.
The exporter reads each line back with the FtM importer (tizim.registry.importers.ftm) and
writes there exactly the fields that did not come back the same (a name's kind "spelling",
an identifier's type and country, a designation's history, a value FtM refused...), plus the
entity's list and the version it first appeared in and, on the first line of each list, the
list itself (title, publisher, kind, and its version history: every version's dates, file,
digest and counts). Importing the export into an empty database gives the same lists with the
same versions, entities, designations and relationships; other FtM readers simply ignore the
key. (What an export cannot give back: entries removed before it was made, and the content an
entry had at earlier versions; the versions keep their recorded counts.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney import model, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from sqlalchemy import select

from tizim.registry import tables as t
from tizim.registry.importers.base import slug
from tizim.registry.importers.ftm import relationship_dict, relationship_from_dict
from tizim.registry.model import Designation, Entity, Relationship
from tizim.registry.service import Registry

NAME_PROP = {"primary": "name", "alias": "alias", "spelling": "alias", "weak_alias": "weakAlias", "former": "previousName"}
IDENT_PROP = {
    "passport": "passportNumber", "national_id": "idNumber", "iin": "idNumber", "registration": "registrationNumber",
    "tax_id": "taxNumber", "imo": "imoNumber", "inn": "innCode", "ogrn": "ogrnCode", "kpp": "kppCode",
    "okpo": "okpoCode", "lei": "leiCode", "swift_bic": "swiftBic",
}
LINK = {
    "member_of": ("Membership", "member", "organization"),
    "leader_of": ("Directorship", "director", "organization"),
    "affiliated_with": ("UnknownLink", "subject", "object"),
    "tied_to": ("UnknownLink", "subject", "object"),
    "same_as": ("UnknownLink", "subject", "object"),
}
# The model fields of an entity the `tizim` key may carry (those FtM did not bring back).
ENTITY_FIELDS = ("names", "birth_dates", "birth_places", "nationalities", "countries", "addresses",
                 "identifiers", "gender", "notes", "properties")
# The key outside `properties` that carries what FtM has no place for.
EXTENSION = "tizim"


def clean_value(prop: Property, value: Any) -> str | None:
    """The value as FtM writes it for `prop`, or None when FtM refuses it for the type."""
    if value is None:
        return None
    cleaned = prop.type.clean(str(value))
    if cleaned is None or len(cleaned) > prop.type.max_length:
        return None
    return cleaned


def clean_properties(schema_name: str, props: dict[str, Any]) -> dict[str, list[str]]:
    """Properties as valid FtM: names the schema has, values valid for their type; entity
    references are left out (they only mean something inside one export)."""
    schema = model.get(schema_name)
    out: dict[str, list[str]] = {}
    if schema is None:
        return out
    for key, values in props.items():
        prop = schema.get(key)
        if prop is None or prop.type == registry.entity:
            continue
        kept: list[str] = []
        for value in values if isinstance(values, list | tuple) else [values]:
            cleaned = clean_value(prop, value)
            if cleaned is not None and cleaned not in kept:
                kept.append(cleaned)
        if kept:
            out[key] = kept
    return out


class _Props:
    """An FtM entity's properties being filled: only valid values, each once."""

    def __init__(self, schema: Schema, entity_ids: set[str] | None = None) -> None:
        self.schema = schema
        self.entity_ids = entity_ids
        self.data: dict[str, list[str]] = {}

    def add(self, key: str, values: Any) -> None:
        prop = self.schema.get(key)
        if prop is None or values is None:
            return  # a property this schema lacks (e.g. passportNumber on a Vessel)
        for value in values if isinstance(values, list | tuple) else [values]:
            if value is None or value == "":
                continue
            if prop.type == registry.entity:
                # A reference must name an entity of the export (not, say, an owner's name).
                cleaned = str(value) if self.entity_ids is not None and str(value) in self.entity_ids else None
            else:
                cleaned = clean_value(prop, value)
            if cleaned is not None:
                bucket = self.data.setdefault(key, [])
                if cleaned not in bucket:
                    bucket.append(cleaned)


def entity_properties(entity: Entity, entity_ids: set[str] | None = None) -> dict[str, list[str]]:
    """An entity's FtM properties (valid values only)."""
    schema = model.get(entity.schema) or model.get("LegalEntity")
    assert schema is not None
    props = _Props(schema, entity_ids)
    for name in entity.names:
        props.add(NAME_PROP.get(name.kind, "alias"), name.full)
    props.add("birthDate", entity.birth_dates)
    props.add("birthPlace", entity.birth_places)
    props.add("nationality", entity.nationalities)
    props.add("country", entity.countries)
    props.add("address", entity.addresses)
    props.add("gender", entity.gender)
    props.add("notes", entity.notes)
    for ident in entity.identifiers:
        if ident.type == "un_reference":
            continue  # carried by the Sanction's unscId
        props.add(IDENT_PROP.get(ident.type, "idNumber"), ident.value)
    for key, values in entity.properties.items():
        if key != "topics":
            props.add(key, values)
    props.add("topics", entity.properties.get("topics", ["sanction"] if entity.designations else []))
    if schema.is_a("LegalEntity") and "name" not in props.data:
        # FtM requires a name; a list entry known only by its reference is named by it.
        props.add("name", entity.caption)
    return props.data


def entity_to_ftm(entity: Entity, entity_ids: set[str] | None = None) -> dict[str, Any]:
    return {"id": entity.id, "schema": entity.schema, "properties": entity_properties(entity, entity_ids)}


def sanction_id(entity: Entity, designation: Designation) -> str:
    return f"{entity.id}-sanction-{slug(designation.list_name)}-{slug(designation.reference)}"


def sanction_to_ftm(entity: Entity, designation: Designation, sanction_id_: str | None = None) -> dict[str, Any]:
    schema = model.get("Sanction")
    assert schema is not None
    props = _Props(schema, {entity.id})
    props.add("entity", entity.id)
    props.add("authority", designation.authority)
    props.add("authorityId", designation.reference)
    props.add("program", designation.programme)
    props.add("provisions", designation.legal_basis)
    props.add("startDate", designation.listed_on)
    props.add("listingDate", designation.listed_on)
    props.add("endDate", designation.delisted_on)
    props.add("reason", designation.note)
    props.add("unscId", [i.value for i in entity.identifiers if i.type == "un_reference"])
    if designation.citation:
        props.add("description", designation.citation.source)
        props.add("recordId", designation.citation.record)
        props.add("summary", designation.citation.quote)
        props.add("sourceUrl", designation.citation.url)
    return {"id": sanction_id_ or sanction_id(entity, designation), "schema": "Sanction", "properties": props.data}


def relationship_to_ftm(rel: Relationship, rel_id: str, entity_ids: set[str] | None = None) -> dict[str, Any]:
    schema_name, source_prop, target_prop = LINK.get(rel.kind, LINK["tied_to"])
    schema = model.get(schema_name)
    assert schema is not None
    props = _Props(schema, entity_ids)
    props.add(source_prop, rel.source_id)
    props.add(target_prop, rel.target_id)
    props.add("startDate", rel.start_date)
    props.add("endDate", rel.end_date)
    props.add("summary", rel.note)
    if schema_name == "UnknownLink":
        props.add("role", rel.kind)
    return {"id": rel_id, "schema": schema_name, "properties": props.data}


def _differences(original: dict[str, Any], back: dict[str, Any], keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {k: original[k] for k in keys if original.get(k) != back.get(k)}


def list_catalog(registry_: Registry, lists: list[str] | None = None) -> list[dict[str, Any]]:
    """Each list with its title, publisher, kind and its whole version history (oldest
    first, each version as `Registry.versions` gives it: dates, file, counts)."""
    with registry_._tx() as conn:
        query = select(t.lists).order_by(t.lists.c.name)
        if lists is not None:
            query = query.where(t.lists.c.name.in_(lists))
        rows = conn.execute(query).all()
    return [
        {"name": row.name, "title": row.title, "publisher": row.publisher, "kind": row.kind,
         "versions": registry_.versions(row.name)}
        for row in rows
    ]


def export_ftm(registry_: Registry, lists: list[str] | None) -> Iterator[dict[str, Any]]:
    """Every current entity of the lists (all lists when None), its sanctions and links."""
    from tizim.registry.importers import ftm as reader

    with registry_._tx() as conn:  # (_tx: the bundled lists are part of every registry)
        query = (
            select(t.entities.c.id, t.entities.c.list_name, t.entities.c.designated, t.entities.c.data,
                   t.list_versions.c.seq)
            .join(t.list_versions, t.list_versions.c.id == t.entities.c.first_version_id)
            .where(t.entities.c.removed_version_id.is_(None))
        )
        if lists is not None:
            query = query.where(t.entities.c.list_name.in_(lists))
        rows = [(r.id, r.list_name, bool(r.designated), r.data, r.seq)
                for r in conn.execute(query.order_by(t.entities.c.list_name, t.entities.c.id))]
    ids = {r[0] for r in rows}
    rels_by_source: dict[str, list[tuple[str, str, Relationship]]] = {}
    for row in registry_.iter_relationships():
        if row["source_id"] in ids:
            rels_by_source.setdefault(row["source_id"], []).append((row["id"], row["list_name"], relationship_from_dict(row)))
    catalog = {c["name"]: c for c in list_catalog(registry_, lists)}
    used: set[str] = set()
    here = Path("")

    def unique(candidate: str) -> str:
        out, n = candidate, 1
        while out in used:
            n += 1
            out = f"{candidate}-{n}"
        used.add(out)
        return out

    used.update(ids)
    started: set[str] = set()
    for entity_id, list_name, designated, data, first_version in rows:
        entity = Entity.from_dict(data)
        line = entity_to_ftm(entity, ids)
        back = reader.entity_from_ftm(line, entity.schema, entity.id, {})
        ext: dict[str, Any] = {"list": list_name, "designated": designated, "first_version": first_version}
        changed = _differences(entity.to_dict(), back.to_dict(), ENTITY_FIELDS)
        if changed:
            ext["entity"] = changed
        if list_name not in started:
            started.add(list_name)
            if list_name in catalog:
                ext["catalog"] = catalog[list_name]
        outside = []
        links = []
        for rel_id, rel_list, rel in rels_by_source.get(entity_id, []):
            if rel.target_id in ids:
                links.append((rel_id, rel_list, rel))
            else:
                # No FtM link can point outside the export: kept whole, for the round trip.
                outside.append({**relationship_dict(rel), "list": rel_list})
        if outside:
            ext["relationships"] = outside
        yield {**line, "datasets": [list_name], "target": designated, EXTENSION: ext}
        for designation in entity.designations:
            sanction = sanction_to_ftm(entity, designation, unique(sanction_id(entity, designation)))
            read = reader.designation_from_ftm(sanction, designation.list_name, here, 0)
            sext: dict[str, Any] = {"list": designation.list_name}
            changed = _differences(designation.to_dict(), read.to_dict(), list(designation.to_dict()))
            if changed:
                sext["designation"] = changed
            yield {**sanction, "datasets": [designation.list_name], EXTENSION: sext}
        for rel_id, rel_list, rel in links:
            link = relationship_to_ftm(rel, unique(rel_id), ids)
            schema = model.get(link["schema"])
            assert schema is not None
            got = reader.relationships_from_ftm(link, schema, here, 0, lambda x: x)
            lext: dict[str, Any] = {"list": rel_list}
            if len(got) != 1 or relationship_dict(got[0]) != relationship_dict(rel):
                lext["relationship"] = _differences(relationship_dict(rel), relationship_dict(got[0]) if got else {}, list(relationship_dict(rel)))
            yield {**link, "datasets": [rel_list], EXTENSION: lext}

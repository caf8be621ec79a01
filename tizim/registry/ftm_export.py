"""Registry -> FollowTheMoney JSON lines (`tizim entity export --format ftm`).

Each entity becomes an FtM entity of its schema, each designation a Sanction entity naming it,
each relationship an FtM link (Membership, Directorship, UnknownLink...). Every dict passes
through followthemoney's `model.make_entity`, so property names and values are valid FtM.
Ids are kept, so the export re-imports (tizim.registry.importers.ftm) to the same entities.
What FtM has no place for is approximated: a "spelling" name is an alias, designation events
and list events are not exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from tizim.registry.importers.base import slug
from tizim.registry.model import Designation, Entity
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


def _add(proxy: EntityProxy, prop: str, values: Any) -> None:
    if prop not in proxy.schema.properties:
        return  # a property this schema lacks (e.g. passportNumber on a Vessel)
    for value in values if isinstance(values, list) else [values]:
        if value:
            proxy.add(prop, value, cleaned=False, quiet=True)


def entity_to_ftm(entity: Entity) -> dict[str, Any]:
    proxy = model.make_entity(entity.schema)
    proxy.id = entity.id
    for name in entity.names:
        _add(proxy, NAME_PROP.get(name.kind, "alias"), name.full)
    _add(proxy, "birthDate", entity.birth_dates)
    _add(proxy, "birthPlace", entity.birth_places)
    _add(proxy, "nationality", entity.nationalities)
    _add(proxy, "country", entity.countries)
    _add(proxy, "address", entity.addresses)
    _add(proxy, "gender", entity.gender)
    _add(proxy, "notes", entity.notes)
    for ident in entity.identifiers:
        if ident.type == "un_reference":
            continue  # carried by the Sanction's unscId
        _add(proxy, IDENT_PROP.get(ident.type, "idNumber"), ident.value)
    for prop, values in entity.properties.items():
        if prop != "topics":
            _add(proxy, prop, values)
    _add(proxy, "topics", entity.properties.get("topics", ["sanction"] if entity.designations else []))
    return proxy.to_dict()


def sanction_to_ftm(entity: Entity, designation: Designation) -> dict[str, Any]:
    proxy = model.make_entity("Sanction")
    proxy.id = f"{entity.id}-sanction-{slug(designation.list_name)}-{slug(designation.reference)}"
    _add(proxy, "entity", entity.id)
    _add(proxy, "authority", designation.authority)
    _add(proxy, "authorityId", designation.reference)
    _add(proxy, "program", designation.programme)
    _add(proxy, "provisions", designation.legal_basis)
    _add(proxy, "startDate", designation.listed_on)
    _add(proxy, "listingDate", designation.listed_on)
    _add(proxy, "endDate", designation.delisted_on)
    _add(proxy, "reason", designation.note)
    un_refs = [i.value for i in entity.identifiers if i.type == "un_reference"]
    _add(proxy, "unscId", un_refs)
    if designation.citation:
        _add(proxy, "description", designation.citation.source)
        _add(proxy, "recordId", designation.citation.record)
        _add(proxy, "summary", designation.citation.quote)
        _add(proxy, "sourceUrl", designation.citation.url)
    return proxy.to_dict()


def export_ftm(registry: Registry, lists: list[str] | None) -> Iterator[dict[str, Any]]:
    """Every current entity of the lists (all lists when None), its sanctions and links."""
    ids: set[str] = set()
    for entity in registry.iter_entities(lists):
        ids.add(entity.id)
        yield entity_to_ftm(entity)
        for designation in entity.designations:
            yield sanction_to_ftm(entity, designation)
    for rel in registry.iter_relationships():
        # A link belongs to the export when its source entity does (targets may be elsewhere).
        if rel["source_id"] not in ids:
            continue
        schema, source_prop, target_prop = LINK[rel["kind"]]
        proxy = model.make_entity(schema)
        proxy.id = rel["id"]
        _add(proxy, source_prop, rel["source_id"])
        _add(proxy, target_prop, rel["target_id"])
        _add(proxy, "startDate", rel["start_date"])
        _add(proxy, "endDate", rel["end_date"])
        _add(proxy, "summary", rel["note"])
        if schema == "UnknownLink":
            _add(proxy, "role", rel["kind"])
        yield proxy.to_dict()

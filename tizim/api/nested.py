"""GET /entities/{id}?nested=true as yente answers it: the entity merged across the lists
that hold it (the cluster /match returns, under the same id), with its Sanction entities and
the entities one link away nested in its properties, every value valid FtM.

Nested entities sit under the root's reverse property (a Sanction under `sanctions`, a
Membership under `membershipMember`...), without their own reference back to the root, as
yente writes them; nomenklatura's YenteEnricher walks exactly this shape when it expands a
match.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model

from tizim.api import facts as registry_facts
from tizim.registry.ftm_export import (
    LINK,
    entity_properties,
    relationship_to_ftm,
    sanction_id,
    sanction_to_ftm,
)
from tizim.registry.model import Citation, Entity, Relationship
from tizim.registry.service import Registry


def _members(entity_id: str) -> tuple[str, list[str], str | None]:
    """The id /match gives the entity, the list entries merged under it, and its schema."""
    from tizim.screening import get_screener

    index = get_screener().index
    ci = index.cluster_by_id.get(entity_id, index.member_cluster.get(entity_id))
    if ci is None:
        return entity_id, [entity_id], None  # not screened (e.g. only a relationship's end)
    cluster = index.clusters[ci]
    return cluster.id, list(cluster.members), cluster.schema


def _caption(schema: str, props: dict[str, list[Any]], fallback: str) -> str:
    proxy = model.get_proxy({"schema": schema, "properties": {k: v for k, v in props.items() if all(isinstance(x, str) for x in v)}})
    caption = proxy.caption
    return caption if caption and caption != proxy.schema.label else fallback


def _shape(ftm: dict[str, Any], datasets: list[str], facts: Any, members: list[str], target: bool) -> dict[str, Any]:
    """One entity in yente's EntityResponse shape."""
    return {
        "id": ftm["id"],
        "caption": _caption(ftm["schema"], ftm["properties"], ftm["id"]),
        "schema": ftm["schema"],
        "properties": ftm["properties"],
        "datasets": datasets,
        "referents": [m for m in members if m != ftm["id"]],
        "target": target,
        **registry_facts.dates(facts, members),
    }


def _merge(into: dict[str, list[Any]], props: dict[str, list[Any]]) -> None:
    for key, values in props.items():
        bucket = into.setdefault(key, [])
        for value in values:
            if value not in bucket:
                bucket.append(value)


def nested_entity(entity_id: str) -> dict[str, Any]:
    """The merged entity with its sanctions and adjacent entities nested (yente's shape)."""
    registry = Registry()
    facts = registry_facts.current()
    canonical, members, cluster_schema = _members(entity_id)
    found = [registry.entity(m) for m in members]
    root_schema = cluster_schema or found[0]["schema"]
    schema = model.get(root_schema)
    assert schema is not None
    props: dict[str, list[Any]] = {}
    datasets: list[str] = []
    sanctions: list[dict[str, Any]] = []
    for item in found:
        entity = Entity.from_dict(item["entity"])
        # Entries of a more specific schema (a Company under an Organization) keep only
        # what the merged entity's schema has.
        _merge(props, {k: v for k, v in entity_properties(entity).items() if schema.get(k) is not None})
        for name in [item["list"]] + [d.list_name for d in entity.designations]:
            if name not in datasets:
                datasets.append(name)
        for designation in entity.designations:
            sanction = sanction_to_ftm(entity, designation, sanction_id(entity, designation))
            sanction["properties"].pop("entity", None)  # the root: implied by nesting
            sanctions.append(_shape(sanction, [designation.list_name], facts, [entity.id], False))
    topics = registry_facts.topics(facts, members)
    if topics:
        props["topics"] = topics
    if sanctions and schema.get("sanctions") is not None:
        props["sanctions"] = sanctions
    seen_links: set[str] = set()
    for item in found:
        for rel in item["relationships"]:
            if rel["id"] in seen_links or rel["other_id"] in members:
                continue  # a link between two entries of this entity (e.g. same_as) is no neighbour
            link = _link(item["id"], item["list"], rel, schema, facts)
            if link is not None:
                seen_links.add(rel["id"])
                props.setdefault(link[0], []).append(link[1])
    target = any(f["designated"] for f in found)
    return _shape({"id": canonical, "schema": root_schema, "properties": props}, datasets, facts, members, target)


def _link(root_id: str, list_name: str, rel: dict[str, Any], root_schema: Any, facts: Any) -> tuple[str, dict[str, Any]] | None:
    """(the root's reverse property, the link entity with its other end nested)."""
    outgoing = rel["direction"] == "outgoing"
    relationship = Relationship(
        kind=rel["kind"],
        source_id=root_id if outgoing else rel["other_id"],
        target_id=rel["other_id"] if outgoing else root_id,
        start_date=rel["start_date"],
        end_date=rel["end_date"],
        note=rel["note"],
        citation=Citation.from_dict(rel["citation"]),
    )
    schema_name, source_prop, target_prop = LINK.get(rel["kind"], LINK["tied_to"])
    link_schema = model.get(schema_name)
    assert link_schema is not None
    root_prop, other_prop = (source_prop, target_prop) if outgoing else (target_prop, source_prop)
    reverse = link_schema.get(root_prop).reverse  # type: ignore[union-attr]
    if reverse is None or root_schema.get(reverse.name) is None:
        return None  # FtM gives this schema no such link (e.g. a vessel as a member)
    link = relationship_to_ftm(relationship, rel["id"], {relationship.source_id, relationship.target_id})
    link["properties"].pop(root_prop, None)
    if rel["other_caption"] is not None:
        other = Registry().entity(rel["other_id"])
        other_entity = Entity.from_dict(other["entity"])
        other_ftm = {"id": other_entity.id, "schema": other_entity.schema, "properties": entity_properties(other_entity)}
        link["properties"][other_prop] = [_shape(other_ftm, [other["list"]], facts, [other_entity.id], other["designated"])]
    else:
        link["properties"].pop(other_prop, None)  # an end outside the registry: no dangling id
    return reverse.name, _shape(link, [list_name], facts, [], False)

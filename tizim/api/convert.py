"""Registry entities as FollowTheMoney-shaped API entities (yente's EntityResponse)."""

from __future__ import annotations

from typing import Any

from followthemoney import model

from tizim.api import facts as registry_facts
from tizim.api.models import EntityResponse
from tizim.registry.ftm_export import entity_properties
from tizim.registry.model import Entity


def ftm_properties(data: dict[str, Any]) -> dict[str, list[Any]]:
    """FtM properties of a registry entity dict (`Entity.to_dict()`): FtM names, values valid
    for their type (the same mapping as `tizim entity export`)."""
    return dict(entity_properties(Entity.from_dict(data)))


def other_properties(data: dict[str, Any]) -> dict[str, list[str]]:
    """The entity's properties FtM has no name for in its schema (tizim's own, outside
    `properties`)."""
    schema = model.get(data["schema"])
    return {
        key: list(values)
        for key, values in (data.get("properties") or {}).items()
        if schema is None or schema.get(key) is None
    }


def refs_of(data: dict[str, Any]) -> dict[str, list[str]]:
    """List name -> the list's own references for the entity (UN QDe.010, OFAC 6725...)."""
    refs: dict[str, list[str]] = {}
    for designation in data.get("designations") or []:
        bucket = refs.setdefault(designation["list"], [])
        if designation["reference"] not in bucket:
            bucket.append(designation["reference"])
    return refs


def entity_response(data: dict[str, Any], list_name: str | None = None) -> EntityResponse:
    refs = refs_of(data)
    datasets = list(refs)
    if list_name and list_name not in datasets:
        datasets.insert(0, list_name)
    caption = next(
        (n["full"] for n in data.get("names") or [] if n.get("kind") == "primary"),
        (data.get("names") or [{"full": data["id"]}])[0]["full"],
    )
    facts = registry_facts.current()
    properties = ftm_properties(data)
    if not (data.get("properties") or {}).get("topics"):
        # Topics the list does not state come from its kind, as /match gives them.
        properties.pop("topics", None)
        topics = registry_facts.topics(facts, [data["id"]])
        if topics:
            properties["topics"] = topics
    return EntityResponse(
        id=data["id"],
        caption=caption,
        schema=data["schema"],
        properties=properties,
        datasets=datasets,
        referents=[],
        target=bool(refs),
        refs=refs,
        **registry_facts.dates(facts, [data["id"]]),
    )

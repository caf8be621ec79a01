"""Registry entities as FollowTheMoney-shaped API entities (yente's EntityResponse)."""

from __future__ import annotations

from typing import Any

from tizim.api.models import EntityResponse

# tizim name kinds -> the FtM property that holds them.
_NAME_PROPS = {
    "primary": "name",
    "alias": "alias",
    "spelling": "alias",
    "weak_alias": "weakAlias",
    "former": "previousName",
}
_IDENTIFIER_PROPS = {
    "passport": "passportNumber",
    "national_id": "idNumber",
    "iin": "idNumber",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "imo": "imoNumber",
    "swift_bic": "swiftBic",
}


def _add(props: dict[str, list[Any]], key: str, values: Any) -> None:
    if values is None:
        return
    if not isinstance(values, list):
        values = [values]
    bucket = props.setdefault(key, [])
    for value in values:
        if value not in (None, "") and value not in bucket:
            bucket.append(value)
    if not bucket:
        props.pop(key)


def ftm_properties(data: dict[str, Any]) -> dict[str, list[Any]]:
    """FtM properties of a registry entity dict (`Entity.to_dict()`)."""
    props: dict[str, list[Any]] = {}
    for name in data.get("names") or []:
        _add(props, _NAME_PROPS.get(name.get("kind", "primary"), "alias"), name.get("full"))
    _add(props, "birthDate", data.get("birth_dates"))
    _add(props, "birthPlace", data.get("birth_places"))
    _add(props, "nationality", data.get("nationalities"))
    _add(props, "country", data.get("countries"))
    _add(props, "address", data.get("addresses"))
    _add(props, "gender", data.get("gender"))
    _add(props, "notes", data.get("notes"))
    for ident in data.get("identifiers") or []:
        _add(props, _IDENTIFIER_PROPS.get(ident.get("type", ""), "idNumber"), ident.get("value"))
    for key, values in (data.get("properties") or {}).items():
        _add(props, key, values)
    return props


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
    return EntityResponse(
        id=data["id"],
        caption=caption,
        schema=data["schema"],
        properties=ftm_properties(data),
        datasets=datasets,
        referents=[],
        target=bool(refs),
        refs=refs,
    )

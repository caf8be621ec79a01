"""EU Financial Sanctions Files, the official XML (xmlFullSanctionsList_1_1) -> `eu-fsf`.

Layout (namespace http://eu.europa.ec/fpi/fsd/export): <export generationDate=...> holds
<sanctionEntity logicalId euReferenceNumber unitedNationId designationDate designationDetails>
with <regulation programme numberTitle publicationDate entryIntoForceDate><publicationUrl/>,
<subjectType code="person|enterprise|...">, <nameAlias wholeName firstName middleName lastName
nameLanguage strong gender function title>, <birthdate birthdate year city countryIso2Code
circa>, <citizenship countryIso2Code>, <identification identificationTypeCode number
countryIso2Code>, <address street city zipCode countryIso2Code> and <remark>. Attribute values
are read without regard to the namespace so the 1.0 and 1.1 exports both work.

Entity ids come from the entity's logicalId (the FSF's stable key); the EU reference
("EU.27.28") is the designation reference. A UN reference becomes an Identifier and a
`same_as` link to the UN list's entity, as in the UK importer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import file_hash, iter_xml, local, make_id, xml_header
from tizim.registry.model import (
    Citation,
    Designation,
    Entity,
    Identifier,
    ParsedList,
    Relationship,
)

LISTS: tuple[str, ...] = ("eu-fsf",)
LIST_NAME = "eu-fsf"
AUTHORITY = "Council of the European Union"
TITLE = "EU Financial Sanctions Files (consolidated list)"
SCHEMA = {
    "person": "Person",
    "enterprise": "Organization",
    "organisation": "Organization",
    "organization": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
IDENT_TYPE = {"passport": "passport", "id": "national_id", "fiscalcode": "tax_id", "regnumber": "registration",
              "swiftbic": "swift_bic", "imo": "imo", "ssn": "national_id"}


def sniff(path: Path, head: bytes) -> str | None:
    if not head:
        return None
    if b"<export" in head and (b"fpi/fsd/export" in head or b"<sanctionEntity" in head):
        return LIST_NAME
    return None


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if local(child.tag) == name]


def _line(node: etree._Element) -> int | None:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def _attr(node: etree._Element, name: str) -> str:
    return " ".join((node.get(name) or "").split())


def parse(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    """The root's generation date read now; the sanctionEntity records as they are taken."""
    root, _ = xml_header(path, RECORDS)
    if local(root.tag) != "export":
        raise InputError(f"root element is <{local(root.tag)}>, expected <export>", file=str(path), line=_line(root))
    parsed = ParsedList(
        list_name=list_name,
        source_file=str(path),
        file_hash=file_hash(path),
        title=TITLE,
        publisher=AUTHORITY,
        published_at=parse_date(_attr(root, "generationDate")),
    )
    parsed.stream = _entities(path, list_name, parsed)
    return parsed


RECORDS = ("sanctionEntity",)


def _entities(path: Path, list_name: str, into: ParsedList) -> Iterator[Entity]:
    seen: set[str] = set()
    for what, node in iter_xml(path, RECORDS):
        if what != "record":
            continue
        entity, un_ref = _entity(node, path, list_name)
        if entity.id in seen:
            raise InputError(f"logicalId {node.get('logicalId')} appears twice", file=str(path), line=_line(node), field="logicalId")
        seen.add(entity.id)
        if un_ref:
            into.relationships.append(Relationship(kind="same_as", source_id=entity.id, target_id=make_id("un-sc", un_ref),
                                                   note=f"EU record carries UN reference {un_ref}",
                                                   citation=Citation(source=str(path), record=entity.designations[0].reference)))
        yield entity
    if not seen:
        raise InputError("no <sanctionEntity> elements", file=str(path))
    into.record_count = len(seen)


def _entity(node: etree._Element, path: Path, list_name: str) -> tuple[Entity, str | None]:
    logical_id = _attr(node, "logicalId")
    reference = _attr(node, "euReferenceNumber") or logical_id
    if not logical_id:
        raise InputError("sanctionEntity without logicalId", file=str(path), line=_line(node), field="logicalId")
    subject = _children(node, "subjectType")
    code = _attr(subject[0], "code").lower() if subject else ""
    schema = SCHEMA.get(code)
    if schema is None:
        raise InputError(f"unknown subjectType code {code!r}", file=str(path), line=_line(node), record=reference, field="subjectType")
    entity = Entity(id=make_id(list_name, logical_id), schema=schema)

    names = _children(node, "nameAlias")
    for alias in names:
        whole = _attr(alias, "wholeName") or " ".join(
            p for p in (_attr(alias, "firstName"), _attr(alias, "middleName"), _attr(alias, "lastName")) if p
        )
        if not whole:
            continue
        strong = _attr(alias, "strong").lower() != "false"
        kind = "primary" if not entity.names else ("alias" if strong else "weak_alias")
        entity.add_name(whole, kind, lang=_attr(alias, "nameLanguage").lower() or None)
        gender = _attr(alias, "gender").upper()
        if gender in ("M", "F") and entity.gender is None:
            entity.gender = "male" if gender == "M" else "female"
        for attr, prop in (("function", "position"), ("title", "title")):
            text = _attr(alias, attr)
            if text and text not in entity.properties.setdefault(prop, []):
                entity.properties[prop].append(text)
    entity.properties = {k: v for k, v in entity.properties.items() if v}
    if not entity.names:
        raise InputError("no name (nameAlias wholeName/firstName/lastName)", file=str(path), line=_line(node), record=reference, field="nameAlias")

    for birth in _children(node, "birthdate"):
        value: str | None = parse_date(_attr(birth, "birthdate")) or parse_date(_attr(birth, "year"))
        if _attr(birth, "birthdate") and value is None:
            raise InputError(f"{_attr(birth, 'birthdate')!r} is not a date", file=str(path), line=_line(birth), record=reference, field="birthdate")
        if value and value not in entity.birth_dates:
            entity.birth_dates.append(value)
        place = ", ".join(p for p in (_attr(birth, "city"), _attr(birth, "place"), _attr(birth, "countryDescription")) if p)
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for cit in _children(node, "citizenship"):
        code_: str | None = country_code(_attr(cit, "countryIso2Code")) or country_code(_attr(cit, "countryDescription"))
        if code_ and code_ not in entity.nationalities:
            entity.nationalities.append(code_)
    for ident in _children(node, "identification"):
        number = _attr(ident, "number") or _attr(ident, "latinNumber")
        if not number:
            continue
        kind = IDENT_TYPE.get(_attr(ident, "identificationTypeCode").lower(), "other")
        entity.identifiers.append(Identifier(type=kind, value=number, country=country_code(_attr(ident, "countryIso2Code")),
                                             note=_attr(ident, "identificationTypeDescription") or None))
    for addr in _children(node, "address"):
        text = ", ".join(p for p in (_attr(addr, a) for a in ("street", "poBox", "zipCode", "city", "region", "place", "countryDescription")) if p)
        if text and text not in entity.addresses:
            entity.addresses.append(text)
        code_ = country_code(_attr(addr, "countryIso2Code"))
        if code_ and code_ not in entity.countries:
            entity.countries.append(code_)
    for remark in _children(node, "remark"):
        if remark.text and remark.text.strip():
            entity.notes.append(" ".join(remark.text.split()))

    un_ref = _attr(node, "unitedNationId") or None
    if un_ref:
        entity.identifiers.append(Identifier(type="un_reference", value=un_ref))
    regulations = _children(node, "regulation")
    programme = next((_attr(r, "programme") for r in regulations if _attr(r, "programme")), None)
    basis = "; ".join(
        f"{_attr(r, 'regulationType').capitalize() or 'Act'} {_attr(r, 'numberTitle')}".strip()
        for r in regulations if _attr(r, "numberTitle")
    )
    urls = [u.text.strip() for r in regulations for u in _children(r, "publicationUrl") if u.text and u.text.strip()]
    listed_on = parse_date(_attr(node, "designationDate"))
    if listed_on is None:
        dates = sorted(d for d in (parse_date(_attr(r, "entryIntoForceDate")) or parse_date(_attr(r, "publicationDate")) for r in regulations) if d)
        listed_on = dates[0] if dates else None
    entity.designations.append(
        Designation(
            list_name=list_name,
            reference=reference,
            programme=programme,
            authority=AUTHORITY,
            legal_basis=basis or None,
            listed_on=listed_on,
            citation=Citation(source=str(path), record=f"logicalId {logical_id}", url=urls[0] if urls else None),
            note=_attr(node, "designationDetails") or None,
        )
    )
    return entity, un_ref

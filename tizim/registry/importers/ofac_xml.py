"""OFAC's SDN XML (sdn.xml, root <sdnList>) -> `us-ofac-sdn`.

Written from OFAC's public schema (sdn.xsd, namespace "http://tempuri.org/sdnList.xsd" in
older files, the sanctionslistservice URL in current ones; both read the same). Entities get
the same ids as the legacy CSV (`make_id("us-ofac-sdn", uid)`), so versions imported from
either format line up. Remarks are parsed by the CSV importer's `parse_remarks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import file_hash, iter_xml, local, make_id, xml_header
from tizim.registry.importers.ofac import (
    PUBLISHER,
    SDN,
    TITLES,
    add_designation,
    linked_last,
    natural_order,
    parse_remarks,
)
from tizim.registry.model import Entity, Identifier, ParsedList

LISTS: tuple[str, ...] = (SDN,)
SCHEMATA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
# idType -> identifier type; anything else stays an identifier typed "other" with its label.
ID_TYPES: dict[str, str] = {
    "passport": "passport",
    "diplomatic passport": "passport",
    "national id no.": "national_id",
    "cedula no.": "national_id",
    "d.n.i.": "national_id",
    "c.u.r.p.": "national_id",
    "identification number": "national_id",
    "personal id card": "national_id",
    "tax id no.": "tax_id",
    "r.f.c.": "tax_id",
    "nit #": "tax_id",
    "ruc #": "tax_id",
    "rif #": "tax_id",
    "v.a.t. number": "tax_id",
    "registration number": "registration",
    "registration id": "registration",
    "business registration document #": "registration",
    "company number": "registration",
    "commercial registry number": "registration",
    "government gazette number": "registration",
    "unified social credit code (uscc)": "registration",
    "legal entity number": "lei",
    "vessel registration identification": "imo",
    "imo": "imo",
    "mmsi": "mmsi",
    "swift/bic": "swift_bic",
    "d-u-n-s number": "duns",
    "aircraft construction number (also called l/n or s/n or f/n)": "aircraft_serial",
    "aircraft manufacturer's serial number (msn)": "aircraft_serial",
    "aircraft tail number": "aircraft_tail",
}
# idList entries that are not documents but facts OFAC files in the same list.
_FACT_TYPES = ("gender", "email address", "website", "organization established date", "additional sanctions information -",
               "secondary sanctions risk:", "target type", "nationality of registration", "linked to")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def sniff(path: Path, head: bytes) -> str | None:
    if head and b"<sdnList" in head and (b"sdnEntry" in head or b"publshInformation" in head):
        return SDN
    return None


def _publish_date(text: str) -> str | None:
    # OFAC writes the publication date US-style, MM/DD/YYYY.
    match = _MDY.match(text.strip())
    if match:
        month, day, year = (int(g) for g in match.groups())
        return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    return parse_date(text)


class _Reader:
    """Namespace-agnostic access to one entry's children."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}" if self.ns else tag

    def text(self, node: etree._Element, tag: str) -> str:
        found = node.find(self.q(tag))
        if found is None or found.text is None:
            return ""
        return " ".join(found.text.split())

    def items(self, node: etree._Element, holder: str, item: str) -> list[etree._Element]:
        box = node.find(self.q(holder))
        return [] if box is None else list(box.iterfind(self.q(item)))


def _line(node: etree._Element) -> int | None:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def _full_name(r: _Reader, node: etree._Element, person: bool) -> str:
    first, last = r.text(node, "firstName"), r.text(node, "lastName")
    if person and first and last:
        return f"{last}, {first}"  # as the CSV writes it, so the two formats agree
    return last or first


def _entity(r: _Reader, node: etree._Element, path: Path) -> tuple[Entity, list[str]]:
    uid = r.text(node, "uid")
    if not uid:
        raise InputError("sdnEntry without uid", file=str(path), line=_line(node), field="uid")
    sdn_type = r.text(node, "sdnType").lower()
    schema = SCHEMATA.get(sdn_type)
    if schema is None:
        raise InputError(f"unknown sdnType {sdn_type!r}", file=str(path), line=_line(node), record=uid, field="sdnType")
    person = schema == "Person"
    name = _full_name(r, node, person)
    if not name:
        raise InputError("sdnEntry without a name", file=str(path), line=_line(node), record=uid, field="lastName")
    entity = Entity(id=make_id(SDN, uid), schema=schema)
    entity.add_name(name, "primary")
    if person:
        entity.add_name(natural_order(name), "spelling")

    for aka in r.items(node, "akaList", "aka"):
        alias = _full_name(r, aka, person)
        if not alias:
            continue
        aka_type = r.text(aka, "type").lower()
        category = r.text(aka, "category").lower()
        kind = "former" if aka_type.startswith("f.k.a") else ("weak_alias" if category == "weak" else "alias")
        entity.add_name(alias, kind, quality=category or None)
        if person:
            entity.add_name(natural_order(alias), kind, quality=category or None)

    remarks = parse_remarks(r.text(node, "remarks"))
    for kind, alias in remarks.names:
        entity.add_name(alias, kind)

    for item in r.items(node, "dateOfBirthList", "dateOfBirthItem"):
        born = parse_date(r.text(item, "dateOfBirth"))
        if born and born not in entity.birth_dates:
            entity.birth_dates.append(born)
    for item in r.items(node, "placeOfBirthList", "placeOfBirthItem"):
        place = r.text(item, "placeOfBirth")
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for holder, member in (("nationalityList", "nationality"), ("citizenshipList", "citizenship")):
        for nat in r.items(node, holder, member):
            code = country_code(r.text(nat, "country"))
            if code and code not in entity.nationalities:
                entity.nationalities.append(code)
            if code and holder == "citizenshipList":
                entity.properties.setdefault("citizenship", []).append(code)
    for address in r.items(node, "addressList", "address"):
        parts = [r.text(address, t) for t in ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")]
        text = ", ".join(p for p in parts if p)
        if text and text not in entity.addresses:
            entity.addresses.append(text)
        code = country_code(r.text(address, "country"))
        if code and code not in entity.countries:
            entity.countries.append(code)

    for ident in r.items(node, "idList", "id"):
        label, number = r.text(ident, "idType"), r.text(ident, "idNumber")
        low = label.lower()
        if low == "gender" and number.lower() in ("male", "female"):
            entity.gender = number.lower()
            continue
        if low.startswith(_FACT_TYPES):
            if number:
                entity.properties.setdefault(label.rstrip(" -:"), []).append(number)
            continue
        if not number:
            continue
        notes = [f"{word} {r.text(ident, tag)}" for word, tag in (("issued", "issueDate"), ("expires", "expirationDate"))
                 if r.text(ident, tag)]
        id_type = ID_TYPES.get(low, "other")
        if id_type == "other":
            notes.insert(0, label)
        entity.identifiers.append(
            Identifier(type=id_type, value=number.removeprefix("IMO ").strip(), country=country_code(r.text(ident, "idCountry")),
                       note="; ".join(notes) or None)
        )

    # Facts stated only in remarks (older files put DOB, documents there too).
    for born in remarks.birth_dates:
        if born not in entity.birth_dates:
            entity.birth_dates.append(born)
    for place in remarks.birth_places:
        if place not in entity.birth_places:
            entity.birth_places.append(place)
    for code in remarks.nationalities + remarks.citizenships:
        if code not in entity.nationalities:
            entity.nationalities.append(code)
    known = {(i.type, i.value) for i in entity.identifiers}
    entity.identifiers.extend(i for i in remarks.identifiers if (i.type, i.value) not in known)
    entity.gender = entity.gender or remarks.gender
    if remarks.other:
        entity.notes.append("; ".join(remarks.other))

    title = r.text(node, "title")
    if title:
        entity.properties["title" if person else "position"] = [title]
    vessel = node.find(r.q("vesselInfo"))
    if vessel is not None:
        for prop, tag in (("callSign", "callSign"), ("type", "vesselType"), ("owner", "vesselOwner"),
                          ("tonnage", "tonnage"), ("grossRegisteredTonnage", "grossRegisteredTonnage")):
            value = r.text(vessel, tag)
            if value:
                entity.properties[prop] = [value]
        flag = r.text(vessel, "vesselFlag")
        if flag:
            entity.properties["flag"] = [country_code(flag) or flag]

    programmes = [" ".join((p.text or "").split()) for p in r.items(node, "programList", "program")]
    add_designation(entity, SDN, uid, [p for p in programmes if p], path.name)
    return entity, remarks.linked_to


def parse(path: Path, list_name: str = SDN) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str = SDN) -> ParsedList:
    """The publication header read now; the sdnEntry records as the registry takes them."""
    if list_name != SDN:
        raise InputError(f"the OFAC SDN XML holds {SDN}, not {list_name!r}", file=str(path))
    if path.is_dir():
        raise InputError("the OFAC SDN XML is one file, not a folder", file=str(path))
    root, header = xml_header(path, RECORDS)
    if local(root.tag) != "sdnList":
        raise InputError(f"not an OFAC SDN XML file (root element <{local(root.tag)}>)", file=str(path), line=_line(root))
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    r = _Reader(ns)
    published_at: str | None = None
    declared: int | None = None
    info = next((node for node in header if local(node.tag) == "publshInformation"), None)
    if info is not None:
        published_at = _publish_date(r.text(info, "Publish_Date")) if r.text(info, "Publish_Date") else None
        count = r.text(info, "Record_Count")
        declared = int(count) if count.isdigit() else None
    parsed = ParsedList(
        list_name=SDN,
        source_file=path.name,
        file_hash=file_hash(path),
        title=TITLES[SDN],
        publisher=PUBLISHER,
        published_at=published_at,
    )
    parsed.stream = linked_last(_entries(path, r, declared, parsed), parsed, path.name)
    return parsed


RECORDS = ("sdnEntry",)


def _entries(path: Path, r: _Reader, declared: int | None, into: ParsedList) -> Iterator[tuple[Entity, list[str], str]]:
    seen: dict[str, int | None] = {}
    for what, node in iter_xml(path, RECORDS):
        if what != "record":
            continue
        entity, linked = _entity(r, node, path)
        ref = entity.designations[0].reference
        if ref in seen:
            raise InputError(f"uid {ref} occurs twice (first on line {seen[ref]})", file=str(path), line=_line(node), record=ref)
        seen[ref] = _line(node)
        yield entity, linked, ref
    if not seen:
        raise InputError("the file holds no sdnEntry records", file=str(path))
    # The header states how many entries the file holds; fewer means it was cut short.
    if declared is not None and declared != len(seen):
        raise InputError(f"publshInformation/Record_Count says {declared} entries, the file holds {len(seen)}",
                         file=str(path), field="Record_Count")
    into.record_count = len(seen)

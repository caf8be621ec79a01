"""UN Security Council Consolidated List (the official XML, sc-sanctions.xsd) -> `un-sc`.

One INDIVIDUAL is a Person, one ENTITY an Organization; the entity id comes from the UN's
own REFERENCE_NUMBER ("QDe.010"), which never changes for a listed party, so versions of the
list line up. Records are read one at a time as the registry writes them (`stream`); any record missing
what makes it a record (reference, name) is an `InputError` naming file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import bics_in_text, file_hash, iter_xml, make_id, xml_header
from tizim.registry.model import (
    Citation,
    Designation,
    DesignationEvent,
    Entity,
    Identifier,
    ParsedList,
)

LISTS: tuple[str, ...] = ("un-sc",)
LIST_NAME = "un-sc"
AUTHORITY = "UN Security Council"

# UN_LIST_TYPE -> the resolutions that establish the regime's list.
LEGAL_BASIS: dict[str, str] = {
    "Al-Qaida": "UNSCR 1267 (1999), 1989 (2011), 2253 (2015)",
    "Taliban": "UNSCR 1988 (2011)",
    "DPRK": "UNSCR 1718 (2006)",
    "Iran": "UNSCR 1737 (2006)",
    "Iraq": "UNSCR 1518 (2003)",
    "DRC": "UNSCR 1533 (2004)",
    "Libya": "UNSCR 1970 (2011)",
    "Somalia": "UNSCR 751 (1992), 2713 (2023)",
    "CAR": "UNSCR 2127 (2013)",
    "Haiti": "UNSCR 2653 (2022)",
    "Yemen": "UNSCR 2140 (2014)",
    "GB": "UNSCR 2048 (2012)",
    "Sudan": "UNSCR 1591 (2005)",
    "SouthSudan": "UNSCR 2206 (2015)",
    "Mali": "UNSCR 2374 (2017)",
    "Lebanon": "UNSCR 1636 (2005)",
}

# QUALITY of an alias -> name kind. Individuals carry Good/Low; entities only a.k.a./f.k.a.,
# and an entity's "a.k.a." is its plain alias (the UN marks no quality for entities).
ALIAS_KINDS: dict[str, str] = {
    "good": "alias",
    "low": "weak_alias",
    "a.k.a.": "alias",
    "aka": "alias",
    "f.k.a.": "former",
    "fka": "former",
}

_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


def sniff(path: Path, head: bytes) -> str | None:
    if not head:
        return None
    if b"<CONSOLIDATED_LIST" in head and (b"<INDIVIDUALS" in head or b"<ENTITIES" in head or b"sc-sanctions" in head):
        return LIST_NAME
    return None


def _text(node: etree._Element | None) -> str:
    if node is None or node.text is None:
        return ""
    return " ".join(node.text.split())


def _child(node: etree._Element, tag: str) -> str:
    return _text(node.find(tag))


def _values(node: etree._Element, tag: str) -> list[str]:
    """The VALUE texts under each <tag> (NATIONALITY, TITLE, DESIGNATION, LAST_DAY_UPDATED)."""
    out: list[str] = []
    for holder in node.iterfind(tag):
        for value in holder.iterfind("VALUE"):
            text = _text(value)
            if text and text not in out:
                out.append(text)
    return out


def _day(text: str) -> str | None:
    # LISTED_ON sometimes carries a zone offset: "2001-10-06-04:00".
    match = _ISO_PREFIX.match(text)
    return parse_date(match.group(0) if match else text)


def _birth_date(node: etree._Element) -> str | None:
    kind = _child(node, "TYPE_OF_DATE").upper()
    date, year = _child(node, "DATE"), _child(node, "YEAR")
    start, end = _child(node, "FROM_YEAR"), _child(node, "TO_YEAR")
    if kind == "BETWEEN" or (start and end):
        return parse_date(f"{start}/{end}") if start and end else parse_date(start or end)
    if date:
        return _day(date)
    if year:
        return parse_date(year)
    # Some records put the only date in the NOTE ("Nov. 1973"); a note that is no date is kept
    # as a note by the caller.
    return parse_date(_child(node, "NOTE"))


def _place(node: etree._Element) -> str:
    parts = [_child(node, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
    return ", ".join(p for p in parts if p)


def _doc_type(label: str) -> str:
    low = label.lower()
    if "passport" in low or "pasaporte" in low or "passeport" in low:
        return "passport"
    if "identif" in low or "identity" in low or "tazkira" in low or "id card" in low:
        return "national_id"
    if "birth certificate" in low:
        return "birth_certificate"
    return "other"


def _line(node: etree._Element) -> int | None:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def _require(value: str, node: etree._Element, path: Path, record: str | None, field: str) -> str:
    if not value:
        raise InputError("required element is missing or empty", file=str(path), line=_line(node), record=record, field=field)
    return value


def _entity(node: etree._Element, schema: str, path: Path) -> Entity:
    prefix = "INDIVIDUAL" if schema == "Person" else "ENTITY"
    dataid = _child(node, "DATAID") or None
    reference = _require(_child(node, "REFERENCE_NUMBER"), node, path, dataid, "REFERENCE_NUMBER")
    record = dataid or reference
    primary = " ".join(
        part for part in (_child(node, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")) if part
    )
    _require(primary, node, path, record, "FIRST_NAME")
    entity = Entity(id=make_id(LIST_NAME, reference), schema=schema)
    entity.add_name(primary, "primary")
    # Names in their original script (Arabic, Korean, ...) are aliases in that script.
    for original in node.iterfind("NAME_ORIGINAL_SCRIPT"):
        entity.add_name(_text(original), "alias")

    for alias in node.iterfind(f"{prefix}_ALIAS"):
        name = _child(alias, "ALIAS_NAME")
        if not name:
            continue
        quality = _child(alias, "QUALITY")
        kind = ALIAS_KINDS.get(quality.lower(), "alias")
        entity.add_name(name, kind, quality=quality or None)
        # An alias may come with the birth details used under that name.
        born = parse_date(_child(alias, "DATE_OF_BIRTH"))
        if born and born not in entity.birth_dates:
            entity.birth_dates.append(born)
        place = ", ".join(p for p in (_child(alias, "CITY_OF_BIRTH"), _child(alias, "COUNTRY_OF_BIRTH")) if p)
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)

    for dob in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        born = _birth_date(dob)
        if born and born not in entity.birth_dates:
            entity.birth_dates.append(born)
        note = _child(dob, "NOTE")
        if note and not (born and parse_date(note) == born):
            entity.notes.append(f"date of birth: {note}")

    for pob in node.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        place = _place(pob)
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)

    for nationality in _values(node, "NATIONALITY"):
        code = country_code(nationality)
        if code and code not in entity.nationalities:
            entity.nationalities.append(code)
        elif code is None:
            entity.properties.setdefault("nationality_text", []).append(nationality)

    for address in node.iterfind(f"{prefix}_ADDRESS"):
        text = _place(address)
        note = _child(address, "NOTE")
        if text:
            entity.addresses.append(f"{text} ({note})" if note else text)
        code = country_code(_child(address, "COUNTRY"))
        if code and code not in entity.countries:
            entity.countries.append(code)

    for doc in node.iterfind("INDIVIDUAL_DOCUMENT"):
        number = _child(doc, "NUMBER")
        label = _child(doc, "TYPE_OF_DOCUMENT")
        label2 = _child(doc, "TYPE_OF_DOCUMENT2")
        note_parts = [p for p in (label2, _child(doc, "NOTE")) if p]
        issued = _child(doc, "DATE_OF_ISSUE")
        if issued:
            note_parts.append(f"issued {_day(issued) or issued}")
        city = _child(doc, "CITY_OF_ISSUE")
        if city:
            note_parts.append(f"issued in {city}")
        country = _child(doc, "ISSUING_COUNTRY") or _child(doc, "COUNTRY_OF_ISSUE")
        if not number:
            # A document without a number is still a fact the list states.
            if label or note_parts:
                entity.notes.append("document: " + "; ".join(p for p in [label, country, *note_parts] if p))
            continue
        entity.identifiers.append(
            Identifier(
                type=_doc_type(f"{label} {label2}"),
                value=number,
                country=country_code(country),
                note="; ".join(note_parts) or None,
            )
        )

    # the UN list states banks' SWIFT codes only in its comments ("SWIFT/BIC: KUDBKPPY"):
    # as identifiers, a payment routed through the bank meets it by BIC
    for code in bics_in_text(_child(node, "COMMENTS1")):
        if not any(i.type == "swift_bic" and i.value == code for i in entity.identifiers):
            entity.identifiers.append(Identifier(type="swift_bic", value=code, note="stated in the list's comments"))

    gender = _child(node, "GENDER").lower()
    if gender in ("male", "female"):
        entity.gender = gender

    titles = _values(node, "TITLE")
    if titles:
        entity.properties["title"] = titles
    positions = _values(node, "DESIGNATION")
    if positions:
        entity.properties["position"] = positions

    programme = _child(node, "UN_LIST_TYPE") or None
    listed_on = _day(_child(node, "LISTED_ON"))
    citation = Citation(source=path.name, record=record)
    events = [DesignationEvent(action="listed", date=listed_on, authority=AUTHORITY, citation=citation)] if listed_on else []
    for updated in _values(node, "LAST_DAY_UPDATED"):
        day = _day(updated)
        if day:
            events.append(DesignationEvent(action="amended", date=day, authority=AUTHORITY, citation=citation))
    entity.designations.append(
        Designation(
            list_name=LIST_NAME,
            reference=reference,
            programme=programme,
            authority=AUTHORITY,
            legal_basis=LEGAL_BASIS.get(programme or ""),
            listed_on=listed_on,
            citation=citation,
            events=events,
            note=_child(node, "COMMENTS1") or None,
        )
    )
    return entity


def parse(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    """The header read now; the INDIVIDUAL and ENTITY records as they are read."""
    if path.is_dir():
        raise InputError("the UN list is one XML file, not a folder", file=str(path))
    root, _ = xml_header(path, RECORDS)
    if root.tag != "CONSOLIDATED_LIST":
        raise InputError(f"not a UN consolidated list (root element <{root.tag}>)", file=str(path), line=_line(root))
    generated = root.get("dateGenerated")
    parsed = ParsedList(
        list_name=list_name,
        source_file=path.name,
        file_hash=file_hash(path),
        title="UN Security Council Consolidated List",
        publisher=AUTHORITY,
        published_at=parse_date(generated) if generated else None,
        record_count=0,
    )
    parsed.stream = _records(path, parsed)
    return parsed


RECORDS = ("INDIVIDUAL", "ENTITY")


def _records(path: Path, into: ParsedList) -> Iterator[Entity]:
    for what, node in iter_xml(path, RECORDS):
        if what == "record":
            into.record_count = (into.record_count or 0) + 1
            yield _entity(node, "Person" if node.tag == "INDIVIDUAL" else "Organization", path)
    if not into.record_count:
        raise InputError("the file holds no INDIVIDUAL or ENTITY records", file=str(path))



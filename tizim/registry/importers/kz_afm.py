"""Kazakhstan AFM list ("organizations and persons associated with the financing of terrorism
and extremism") as the AFM's XML exports write it -> `kz-afm`. Layout: data/kz/AFM_FORMAT.md.

Category 1 holds <person> (lname, fname, mname, birthdate, iin, note, correction,
added_to_list) and <org> (org_name, org_name_en with names separated by "; ", note);
category 2 ("participants in terrorist activities") writes persons as <org> (org_name = full
name, org_iin, note, correction, added_to_list). A folder holding both exports is one version
of the list; a single file is taken as the whole list.

IINs are checked with the Kazakh check-digit algorithm; an invalid one is kept and reported as
a note on the person (the list is what it is; dropping the person would hide a listed party).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lxml import etree

from tizim.errors import InputError
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import file_hash, files_hash, local, make_id, parse_xml
from tizim.registry.model import Citation, Designation, Entity, Identifier, ParsedList

LISTS: tuple[str, ...] = ("kz-afm",)
LIST_NAME = "kz-afm"
AUTHORITY = "Financial Monitoring Agency of the Republic of Kazakhstan (AFM)"
LEGAL_BASIS = (
    'Law of the Republic of Kazakhstan No. 191-IV of 28 August 2009 "On Countering the Legalization '
    '(Laundering) of Proceeds from Crime and the Financing of Terrorism", Article 12'
)
TITLE = "List of organizations and persons associated with the financing of terrorism and extremism"
PROGRAMME = {1: "Category 1: financing of terrorism and extremism", 2: "Category 2: participants in terrorist activities"}

_INCLUDED = re.compile(r"включен[аоы]?\s+от\s+(\d{1,2}\.\d{1,2}\.\d{4})", re.IGNORECASE)
_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_problem(iin: str) -> str | None:
    """None for a valid IIN, else what is wrong with it (length, digits, check digit)."""
    if len(iin) != 12 or not iin.isdigit():
        return "is not 12 digits"
    digits = [int(c) for c in iin]
    check = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=False)) % 11
    if check == 10:
        # The second weight set is used when the first gives 10; a second 10 is never issued.
        check = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=False)) % 11
        if check == 10:
            return "has no valid check digit (both weight sets give 10)"
    if check != digits[11]:
        return f"check digit is {digits[11]}, expected {check}"
    return None


def iin_check_digit(first11: str) -> int | None:
    """The check digit that completes 11 digits into a valid IIN (None: no valid IIN exists)."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=False)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=False)) % 11
        if check == 10:
            return None
    return check


def _is_afm(head: bytes) -> bool:
    if b"<person" in head and b"<lname" in head:
        return True
    return b"<org" in head and b"<org_name" in head


def sniff(path: Path, head: bytes) -> str | None:
    if path.is_dir():
        files = sorted(path.glob("*.xml"))
        if not files:
            return None
        for file in files:
            with file.open("rb") as handle:
                if not _is_afm(handle.read(65536)):
                    return None
        return LIST_NAME
    return LIST_NAME if head and _is_afm(head) else None


def _text(node: etree._Element, tag: str) -> str:
    for child in node:
        if local(child.tag) == tag:
            return " ".join((child.text or "").split())
    return ""


def _line(node: etree._Element, tag: str | None = None) -> int | None:
    """The line of a record, or of one of its fields when `tag` is given."""
    if tag:
        node = next((child for child in node if local(child.tag) == tag), node)
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def parse(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    files = sorted(path.glob("*.xml")) if path.is_dir() else [path]
    if not files:
        raise InputError("no XML files in the folder", file=str(path))
    entities: dict[str, Entity] = {}
    for file in files:
        for entity in _parse_file(file, list_name):
            if entity.id in entities:
                # The same person in both exports: one entity, both designations' notes kept.
                entities[entity.id].notes.extend(n for n in entity.notes if n not in entities[entity.id].notes)
                continue
            entities[entity.id] = entity
    return ParsedList(
        list_name=list_name,
        source_file=str(path),
        file_hash=files_hash(files) if path.is_dir() else file_hash(path),
        title=TITLE,
        publisher=AUTHORITY,
        entities=list(entities.values()),
        record_count=len(entities),
    )


def _parse_file(path: Path, list_name: str) -> list[Entity]:
    root = parse_xml(path)
    records = [n for n in root.iter() if local(n.tag) in ("person", "org")]
    if not records:
        raise InputError("no <person> or <org> records (not an AFM list export?)", file=str(path), line=_line(root))
    # Category 2 writes persons as <org> with an IIN and list dates; category 1 orgs have neither.
    category = 2 if any(local(n.tag) == "org" and (_text(n, "org_iin") or _text(n, "added_to_list")) for n in records) else 1
    out = []
    for node in records:
        if local(node.tag) == "person":
            out.append(_person(node, path, list_name, category))
        elif category == 2:
            out.append(_category2_person(node, path, list_name))
        else:
            out.append(_org(node, path, list_name))
    return out


def _hash_ref(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha1("|".join(p.lower() for p in parts).encode("utf-8")).hexdigest()[:12]


def _listed_on(node: etree._Element, path: Path, record: str) -> str | None:
    added = _text(node, "added_to_list")
    if added:
        value = parse_date(added)
        if value is None:
            raise InputError(f"{added!r} is not a dd.mm.yyyy date", file=str(path), line=_line(node, "added_to_list"), record=record, field="added_to_list")
        return value
    match = _INCLUDED.search(_text(node, "correction"))
    return parse_date(match.group(1)) if match else None


def _designation(node: etree._Element, path: Path, list_name: str, reference: str, category: int) -> Designation:
    correction = _text(node, "correction")
    return Designation(
        list_name=list_name,
        reference=reference,
        programme=PROGRAMME[category],
        authority=AUTHORITY,
        legal_basis=LEGAL_BASIS,
        listed_on=_listed_on(node, path, reference),
        citation=Citation(source=str(path), record=f"line {_line(node)}" if _line(node) else reference),
        note=correction or None,
    )


def _add_iin(entity: Entity, iin: str, path: Path, node: etree._Element, field: str) -> None:
    if not iin:
        return
    problem = iin_problem(iin)
    entity.identifiers.append(Identifier(type="iin", value=iin, country="kz", note=f"invalid IIN: {problem}" if problem else None))
    if problem:
        entity.notes.append(f"IIN {iin} in <{field}> {problem} ({path.name} line {_line(node)}); kept as the list gives it.")


def _person(node: etree._Element, path: Path, list_name: str, category: int) -> Entity:
    last, first, middle = _text(node, "lname"), _text(node, "fname"), _text(node, "mname")
    if not (last or first):
        raise InputError("person without lname/fname", file=str(path), line=_line(node), field="lname")
    birth_raw = _text(node, "birthdate")
    birth = parse_date(birth_raw) if birth_raw else None
    if birth_raw and birth is None:
        raise InputError(f"{birth_raw!r} is not a dd.mm.yyyy date", file=str(path), line=_line(node, "birthdate"), record=f"{last} {first}", field="birthdate")
    iin = _text(node, "iin")
    reference = iin or _hash_ref("p-", last, first, middle, birth or "")
    entity = Entity(id=make_id(list_name, reference), schema="Person")
    entity.add_name(" ".join(p for p in (last, first, middle) if p), "primary")
    entity.add_name(" ".join(p for p in (first, middle, last) if p), "spelling")
    for prop, value in (("lastName", last), ("firstName", first), ("middleName", middle)):
        if value:
            entity.properties[prop] = [value]
    if birth:
        entity.birth_dates.append(birth)
    _add_iin(entity, iin, path, node, "iin")
    if _text(node, "note"):
        entity.notes.append(_text(node, "note"))
    entity.designations.append(_designation(node, path, list_name, reference, category))
    return entity


def _category2_person(node: etree._Element, path: Path, list_name: str) -> Entity:
    full = _text(node, "org_name")
    if not full:
        raise InputError("record without org_name", file=str(path), line=_line(node), field="org_name")
    iin = _text(node, "org_iin")
    birth = None
    if iin and iin_problem(iin) is None and iin[6] in "123456":
        # The IIN's first six digits are the birth date (YYMMDD); the 7th gives the century.
        century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[iin[6]]
        birth = parse_date(f"{century + int(iin[:2])}-{iin[2:4]}-{iin[4:6]}")
    reference = iin or _hash_ref("p-", full)
    entity = Entity(id=make_id(list_name, reference), schema="Person")
    entity.add_name(full, "primary")
    if birth:
        entity.birth_dates.append(birth)
    _add_iin(entity, iin, path, node, "org_iin")
    if _text(node, "note"):
        entity.notes.append(_text(node, "note"))
    entity.designations.append(_designation(node, path, list_name, reference, 2))
    return entity


def _org(node: etree._Element, path: Path, list_name: str) -> Entity:
    names = [n.strip() for n in _text(node, "org_name").split(";") if n.strip()]
    english = [n.strip() for n in _text(node, "org_name_en").split(";") if n.strip()]
    if not names and not english:
        raise InputError("org without org_name", file=str(path), line=_line(node), field="org_name")
    reference = _hash_ref("o-", (names or english)[0])
    entity = Entity(id=make_id(list_name, reference), schema="Organization")
    for i, name in enumerate(names + english):
        entity.add_name(name, "primary" if i == 0 else "alias", lang="eng" if name in english and name not in names else None)
    if _text(node, "note"):
        entity.notes.append(_text(node, "note"))
    entity.designations.append(_designation(node, path, list_name, reference, 1))
    return entity

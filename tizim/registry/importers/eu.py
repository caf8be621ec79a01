"""EU sanctions annexes as OpenSanctions curates them from the Official Journal -> `eu-fsf`.

One folder of CSV files (one per legal act, named by CELEX number) is one version. Each row
is one entry of an annex: its key is the act, the annex and the row's `recordId` (unique per
annex); rows without a recordId are keyed by the act, annex and a hash of schema + name. The
source repeats two entries of Regulation 881/2002 Annex I word for word but for punctuation;
such rows are merged into one entity, while the version still counts the rows the source has.

Multi-valued cells use "; " and "(a) ... (b) ..." enumerations, both split here.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import (
    check_csv_complete,
    files_hash,
    make_id,
    text_lines,
)
from tizim.registry.model import Citation, Designation, Entity, Identifier, ParsedList

LISTS: tuple[str, ...] = ("eu-fsf",)
LIST_NAME = "eu-fsf"
AUTHORITY = "Council of the European Union"
TITLE = "EU restrictive measures (annexes of the legal acts, Official Journal)"

REQUIRED = ("celex", "programkey", "schema", "name")
SCHEMA = {
    "Person": "Person",
    "LegalEntity": "LegalEntity",
    "Company": "Company",
    "Organization": "Organization",
    "Vessel": "Vessel",
    "Airplane": "Airplane",
    # Ports, a digital currency: listed things with a name but no FtM party schema in tizim.
    "Asset": "LegalEntity",
}
IDENTIFIER_COLUMNS = {
    "passportnumber": "passport",
    "idnumber": "national_id",
    "registrationnumber": "registration",
    "taxnumber": "tax_id",
    "inncode": "inn",
    "ogrncode": "ogrn",
    "kppcode": "kpp",
    "okpocode": "okpo",
    "leicode": "lei",
    "swiftbic": "swift_bic",
    "imonumber": "imo",
}
PROPERTY_COLUMNS = {
    "position": "position", "phone": "phone", "email": "email", "website": "website",
    "mmsi": "mmsi", "flag": "flag", "legalform": "legalForm", "sector": "sector",
    "incorporationdate": "incorporationDate", "fathername": "fatherName", "mothername": "motherName",
    "ethnicity": "ethnicity", "appearance": "appearance", "ticker": "ticker",
}
_ENUM = re.compile(r"(?:^|[\s,;])\(?[a-z]\)\s+")
_CELEX = re.compile(r"^3(\d{4})([RDL])(\d{4})$")


def sniff(path: Path, head: bytes) -> str | None:
    if not path.is_dir():
        return None
    files = sorted(path.glob("*.csv"))
    if not files:
        return None
    with files[0].open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", "replace").strip().lower()
    columns = {c.strip() for c in first.split(",")}
    return LIST_NAME if set(REQUIRED) <= columns and _CELEX.match(files[0].stem) else None


def split_values(text: str) -> list[str]:
    """'(a) 1.1.1958; (b) 1958' -> ['1.1.1958', '1958']; 'A; B' -> ['A', 'B']."""
    text = text.strip().strip('"').strip()
    if not text:
        return []
    parts = _ENUM.split(text) if _ENUM.search(text) else [text]
    out: list[str] = []
    for part in parts:
        for piece in part.split(";"):
            piece = piece.strip(" ,;.\u00a0")
            if piece and piece not in out:
                out.append(piece)
    return out


def legal_basis(celex: str) -> str:
    match = _CELEX.match(celex)
    if not match:
        return f"CELEX {celex}"
    year, kind, number = match.group(1), match.group(2), str(int(match.group(3)))
    act = {"R": "Council Regulation", "D": "Council Decision", "L": "Directive"}[kind]
    numbered = f"(EU) {year}/{number}" if int(year) >= 2015 else f"No {number}/{year}" if kind == "R" else f"{year}/{number}"
    return f"{act} {numbered} (CELEX {celex})"


_BETWEEN = re.compile(r"^between\s+(\d{4})\s+and\s+(\d{4})$", re.IGNORECASE)


def _birth_dates(value: str) -> list[str]:
    """'6.3.1955 or 15.3.1955', 'Between 1977 and 1982', '(probably) 1944' -> ISO dates."""
    value = re.sub(r"^\((?:probably|approximately|circa)\)\s*", "", value.strip(), flags=re.IGNORECASE)
    between = _BETWEEN.match(value)
    if between:
        found = parse_date(f"{between.group(1)} to {between.group(2)}")
        return [found] if found else []
    out = []
    for piece in re.split(r"\s+or\s+|,\s*\(?[ivx]+\)\s*", value):
        found = parse_date(piece)
        if found is None:
            return []  # one part unreadable: keep the whole statement as a note instead
        out.append(found)
    return out


def _key(row: dict[str, str]) -> str:
    if row.get("recordid"):
        return f"{row['celex']}-{row.get('annex', '')}-{row['recordid']}"
    digest = hashlib.sha1(f"{row['schema']}|{' '.join(row['name'].split()).lower()}".encode()).hexdigest()[:10]
    return f"{row['celex']}-{row.get('annex', '')}-{digest}"


def _fsf_xml(path: Path) -> bool:
    """`--source eu-fsf` reaches this module first; an FSF XML file belongs to eu_xml."""
    from tizim.registry.importers import eu_xml

    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return eu_xml.sniff(path, handle.read(65536)) is not None


def stream(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    """An FSF XML file streamed by eu_xml; an annex set (a few MB of CSV whose rows of one
    entry may lie in several files) read whole."""
    from tizim.registry.importers import eu_xml

    return eu_xml.stream(path, list_name) if _fsf_xml(path) else parse(path, list_name)


def parse(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    from tizim.registry.importers import eu_xml

    if _fsf_xml(path):
        return eu_xml.parse(path, list_name)
    if not path.is_dir():
        raise InputError("the EU annex set is a folder of CSV files named by CELEX number", file=str(path))
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InputError("no CSV files in the folder", file=str(path))
    entities: dict[str, Entity] = {}
    rows = 0
    for file in files:
        for line, row in _rows(file):
            rows += 1
            _add_row(entities, row, file, line, list_name)
    return ParsedList(
        list_name=list_name,
        source_file=str(path),
        file_hash=files_hash(files),
        title=TITLE,
        publisher=AUTHORITY,
        entities=list(entities.values()),
        record_count=rows,
    )


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    check_csv_complete(path)
    reader = csv.reader(text_lines(path), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file (no header row)", file=str(path), line=1) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(path), line=1)
    out = []
    try:
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                raise InputError(f"{len(values)} values for {len(header)} columns (truncated file?)",
                                 file=str(path), line=reader.line_num)
            out.append((reader.line_num, {h: v.strip() for h, v in zip(header, values, strict=True) if v.strip()}))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from exc
    return out


def _add_row(entities: dict[str, Entity], row: dict[str, str], file: Path, line: int, list_name: str) -> None:
    for column in REQUIRED:
        if not row.get(column):
            raise InputError(f"{column!r} is empty", file=str(file), line=line, record=row.get("recordid"), field=column)
    schema = SCHEMA.get(row["schema"])
    if schema is None:
        raise InputError(f"unknown schema {row['schema']!r}", file=str(file), line=line, record=row.get("recordid"), field="schema")
    key = _key(row)
    entity = entities.get(key)
    if entity is None:
        entity = Entity(id=make_id(list_name, key), schema=schema)
        entities[key] = entity
        if row["schema"] == "Asset":
            entity.notes.append("Listed as an asset (not a person or organization) in the annex.")
        listed_on = None
        if row.get("startdate"):
            listed_on = parse_date(row["startdate"])
            if listed_on is None:
                raise InputError(f"{row['startdate']!r} is not a date", file=str(file), line=line, record=row.get("recordid"), field="startDate")
        annex = row.get("annex")
        entity.designations.append(
            Designation(
                list_name=list_name,
                reference=key,
                programme=row["programkey"],
                authority=AUTHORITY,
                legal_basis=legal_basis(row["celex"]) + (f", Annex {annex}" if annex else ""),
                listed_on=listed_on,
                citation=Citation(source=str(file), record=f"line {line}" + (f", recordId {row['recordid']}" if row.get("recordid") else "")),
                note="; ".join(p for p in (row.get("measure"), row.get("reason")) if p) or None,
            )
        )
    entity.add_name(row["name"], "primary")
    for column, kind in (("alias", "alias"), ("weakalias", "weak_alias"), ("previousname", "former")):
        for value in split_values(row.get(column, "")):
            entity.add_name(value, kind)
    for value in split_values(row.get("birthdate", "")):
        parsed = _birth_dates(value)
        if not parsed:
            note = f"Birth date as the annex states it: {value}"
            if note not in entity.notes:
                entity.notes.append(note)
        for day in parsed:
            if day not in entity.birth_dates:
                entity.birth_dates.append(day)
    for value in split_values(row.get("birthplace", "")):
        if value not in entity.birth_places:
            entity.birth_places.append(value)
    for column, target in (("nationality", entity.nationalities), ("country", entity.countries), ("jurisdiction", entity.countries)):
        for value in split_values(row.get(column, "")):
            code = country_code(value) or country_code(value.split(" since ")[0])
            if code and code not in target:
                target.append(code)
    for column, kind in IDENTIFIER_COLUMNS.items():
        for value in split_values(row.get(column, "")):
            if not any(i.type == kind and i.value == value for i in entity.identifiers):
                entity.identifiers.append(Identifier(type=kind, value=value))
            if kind == "imo":
                entity.properties.setdefault("imoNumber", [])
                if value not in entity.properties["imoNumber"]:
                    entity.properties["imoNumber"].append(value)
    for column, prop in PROPERTY_COLUMNS.items():
        for value in split_values(row.get(column, "")):
            values = entity.properties.setdefault(prop, [])
            if value not in values:
                values.append(value)
    address = row.get("address", "").strip('"').strip()
    if address and address not in entity.addresses:
        entity.addresses.append(address)
    gender = row.get("gender", "").lower()
    if gender in ("male", "female"):
        entity.gender = gender
    notes = row.get("notes")
    if notes and notes not in entity.notes:
        entity.notes.append(notes)

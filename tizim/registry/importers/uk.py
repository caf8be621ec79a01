"""UK Sanctions List (FCDO), as the normalised CSV tables of one folder -> `uk-fcdo`.

The folder holds subjects.csv (one row per listed party, keyed by the UK's unique_id such as
"AQD0164", with the OFSI group id and the UN reference number) and four child tables keyed by
unique_id: subject_names, subject_dobs, subject_identifiers, subject_countries. The child
tables repeat rows (one per source record they came from), so values are de-duplicated.

The UN reference is kept twice: as an Identifier (type "un_reference") and as a `same_as`
relationship to the entity the UN importer gives that reference (`make_id("un-sc", ref)`), so
screening can merge the UK and UN records of one party even when the UN list is loaded later.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
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
from tizim.registry.model import (
    Citation,
    Designation,
    Entity,
    Identifier,
    ParsedList,
    Relationship,
)

LISTS: tuple[str, ...] = ("uk-fcdo",)
LIST_NAME = "uk-fcdo"
AUTHORITY = "UK Foreign, Commonwealth & Development Office (FCDO); asset freezes by OFSI (HM Treasury)"
LEGAL_BASIS = "Sanctions and Anti-Money Laundering Act 2018 and the regime's regulations"
TITLE = "UK Sanctions List"

TABLES: dict[str, tuple[str, ...]] = {
    "subjects.csv": ("unique_id", "subject_type", "un_reference_number", "ofsi_group_id", "date_designated", "last_updated"),
    "subject_names.csv": ("unique_id", "name_type", "alias_strength", "full_name"),
    "subject_dobs.csv": ("unique_id", "year", "month", "day", "precision"),
    "subject_identifiers.csv": ("unique_id", "raw_value", "identifier_type", "additional_info"),
    "subject_countries.csv": ("unique_id", "raw_value", "country_type", "iso"),
}
REQUIRED_TABLES = ("subjects.csv", "subject_names.csv")

SCHEMA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
NAME_KIND = {"primary": "primary", "primary_variation": "spelling"}
ALIAS_KIND = {"good_quality_aka": "alias", "low_quality_aka": "weak_alias", "": "alias"}
IDENTIFIER_TYPE = {
    "passport": "passport",
    "national": "national_id",
    "business_registration_numbers": "registration",
    "imo": "imo",
}

# The regime is the unique_id's three-letter prefix.
REGIMES = {
    "AFG": "Afghanistan",
    "AQD": "ISIL (Da'esh) and Al-Qaida",
    "BEL": "Belarus",
    "BIH": "Bosnia and Herzegovina",
    "CAF": "Central African Republic",
    "CHW": "Chemical Weapons",
    "CTD": "Counter-Terrorism (Domestic)",
    "CTI": "Counter-Terrorism (International)",
    "CYB": "Cyber",
    "DPR": "Democratic People's Republic of Korea",
    "DRC": "Democratic Republic of the Congo",
    "GAC": "Global Anti-Corruption",
    "GHR": "Global Human Rights",
    "GIM": "Global Irregular Migration",
    "GUB": "Guinea-Bissau",
    "HAI": "Haiti",
    "INU": "Iran (Nuclear)",
    "IRN": "Iran",
    "IRQ": "Iraq",
    "LIB": "Libya",
    "MAL": "Mali",
    "MYA": "Myanmar",
    "NIC": "Nicaragua",
    "RUS": "Russia",
    "SOM": "Somalia",
    "SSU": "South Sudan",
    "SUD": "Sudan",
    "SYR": "Syria",
    "VEN": "Venezuela",
    "YEM": "Yemen",
}


def sniff(path: Path, head: bytes) -> str | None:
    if not path.is_dir():
        return None
    subjects = path / "subjects.csv"
    if not (subjects.is_file() and (path / "subject_names.csv").is_file()):
        return None
    with subjects.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", "replace").strip().lower()
    columns = [c.strip() for c in first.split(",")]
    return LIST_NAME if set(TABLES["subjects.csv"]) <= set(columns) else None


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of one table with their line numbers; a short (truncated) row is an error."""
    check_csv_complete(path)
    reader = csv.reader(text_lines(path), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("the table is empty (no header row)", file=str(path), line=1) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(path), line=1)
    # Only the columns the importer reads are kept: the tables are large.
    wanted = [(c, header.index(c)) for c in required]
    width = len(header)
    try:
        for values in reader:
            if not values:
                continue
            if len(values) != width:
                raise InputError(
                    f"{len(values)} values for {width} columns (truncated file?)",
                    file=str(path), line=reader.line_num,
                )
            yield reader.line_num, {c: values[i].strip() for c, i in wanted}
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from exc


def _uk_date(value: str, path: Path, line: int, record: str, field: str) -> str | None:
    if not value:
        return None
    day, _, rest = value.partition("/")
    month, _, year = rest.partition("/")
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise InputError(f"{value!r} is not a dd/mm/yyyy date", file=str(path), line=line, record=record, field=field) from None


def parse(path: Path, list_name: str = LIST_NAME) -> ParsedList:
    if not path.is_dir():
        raise InputError("the UK list is a folder of CSV tables (subjects.csv, subject_names.csv, ...)", file=str(path))
    for table in REQUIRED_TABLES:
        if not (path / table).is_file():
            raise InputError(f"{table} is missing from the folder", file=str(path))
    present = [path / t for t in TABLES if (path / t).is_file()]

    entities: dict[str, Entity] = {}
    latest = ""
    subjects = path / "subjects.csv"
    relationships: list[Relationship] = []
    for line, row in _rows(subjects, TABLES["subjects.csv"]):
        uid = row["unique_id"]
        if not uid:
            raise InputError("unique_id is empty", file=str(subjects), line=line, field="unique_id")
        if uid in entities:
            raise InputError(f"unique_id {uid} appears twice", file=str(subjects), line=line, record=uid, field="unique_id")
        schema = SCHEMA.get(row["subject_type"].lower())
        if schema is None:
            raise InputError(f"unknown subject_type {row['subject_type']!r}", file=str(subjects), line=line, record=uid, field="subject_type")
        entity = Entity(id=make_id(list_name, uid), schema=schema)
        listed_on = _uk_date(row["date_designated"], subjects, line, uid, "date_designated")
        updated = _uk_date(row["last_updated"], subjects, line, uid, "last_updated")
        latest = max(latest, updated or "")
        group = row["ofsi_group_id"]
        un_ref = row["un_reference_number"]
        if group:
            entity.properties["ofsiGroupId"] = [group]
        if un_ref:
            entity.identifiers.append(Identifier(type="un_reference", value=un_ref))
            entity.properties["unscId"] = [un_ref]
            relationships.append(
                Relationship(
                    kind="same_as",
                    source_id=entity.id,
                    target_id=make_id("un-sc", un_ref),
                    note=f"UK record {uid} carries UN reference {un_ref}",
                    citation=Citation(source=str(subjects), record=uid),
                )
            )
        regime = uid[:3].upper()
        entity.designations.append(
            Designation(
                list_name=list_name,
                reference=uid,
                programme=REGIMES.get(regime, regime),
                authority=AUTHORITY,
                legal_basis=LEGAL_BASIS,
                listed_on=listed_on,
                citation=Citation(source=str(subjects), record=uid),
                note=f"OFSI group ID {group}" if group else None,
            )
        )
        entities[uid] = entity

    def owner(table: Path, line: int, row: dict[str, str]) -> Entity:
        entity = entities.get(row["unique_id"])
        if entity is None:
            raise InputError(f"unique_id {row['unique_id']!r} is not in subjects.csv", file=str(table), line=line, record=row["unique_id"], field="unique_id")
        return entity

    names = path / "subject_names.csv"
    for line, row in _rows(names, TABLES["subject_names.csv"]):
        entity = owner(names, line, row)
        name_type = row["name_type"].lower()
        if name_type == "alias":
            kind = ALIAS_KIND.get(row["alias_strength"].lower())
        else:
            kind = NAME_KIND.get(name_type)
        if kind is None:
            raise InputError(f"unknown name type {row['name_type']!r}/{row['alias_strength']!r}", file=str(names), line=line, record=row["unique_id"], field="name_type")
        entity.add_name(row["full_name"], kind)

    dobs = path / "subject_dobs.csv"
    if dobs.is_file():
        for line, row in _rows(dobs, TABLES["subject_dobs.csv"]):
            entity = owner(dobs, line, row)
            if not row["year"]:
                continue  # the normaliser could not read the date at all; nothing to keep
            parts = [row["year"]]
            for part in (row["month"], row["day"]):
                if not part:
                    break  # precision ends at the first missing part ("1958-09", "1968")
                parts.append(part.zfill(2))
            value = parse_date("-".join(parts))
            if value is None:
                raise InputError(f"not a date: {'-'.join(parts)}", file=str(dobs), line=line, record=row["unique_id"], field="year")
            if value not in entity.birth_dates:
                entity.birth_dates.append(value)

    idents = path / "subject_identifiers.csv"
    if idents.is_file():
        for line, row in _rows(idents, TABLES["subject_identifiers.csv"]):
            entity = owner(idents, line, row)
            kind = IDENTIFIER_TYPE.get(row["identifier_type"].lower(), "other")
            value = row["raw_value"]
            if not value:
                continue
            if kind == "imo":
                value = value.upper().removeprefix("IMO").strip()
                imo = entity.properties.setdefault("imoNumber", [])
                if value not in imo:
                    imo.append(value)
            if any(i.type == kind and i.value == value for i in entity.identifiers):
                continue
            entity.identifiers.append(Identifier(type=kind, value=value, note=row["additional_info"] or None))

    countries = path / "subject_countries.csv"
    if countries.is_file():
        for line, row in _rows(countries, TABLES["subject_countries.csv"]):
            entity = owner(countries, line, row)
            code = row["iso"].lower() or country_code(row["raw_value"])
            if not code:
                continue  # an unmapped place name ("Kosovo" region text): no code to keep
            kind = row["country_type"].lower()
            if kind == "nationality":
                target = entity.nationalities
            elif kind == "birth":
                target = entity.properties.setdefault("birthCountry", [])
            else:
                target = entity.countries
            if code not in target:
                target.append(code)

    for uid, entity in entities.items():
        if not entity.names:
            raise InputError("subject has no name in subject_names.csv", file=str(subjects), record=uid, field="full_name")
    return ParsedList(
        list_name=list_name,
        source_file=str(path),
        file_hash=files_hash(present),
        title=TITLE,
        publisher=AUTHORITY,
        published_at=latest or None,
        entities=list(entities.values()),
        relationships=relationships,
        record_count=len(entities),
    )

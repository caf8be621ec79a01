"""OFAC legacy CSV files -> `us-ofac-sdn` (sdn.csv set) and `us-ofac-cons` (cons_prim.csv set).

The legacy layout has no header row and writes "-0-" (often "-0- ") for an empty field. A set
is the main file plus optional supplements sharing its ent_num key: add (addresses), alt
(aliases) and comments (the tail of a Remarks field longer than 1000 characters, cut
mid-word). Much of what OFAC knows sits in Remarks as "; "-separated phrases (DOB, POB,
nationality, documents, a.k.a., Linked To), which `parse_remarks` turns into fields.

The whole set is read and checked before an entity is built: wrong column counts, control
bytes and unterminated quotes (a truncated file) raise `InputError` naming file and line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import check_csv_complete, file_hash, files_hash, make_id
from tizim.registry.model import Citation, Designation, Entity, Identifier, ParsedList, Relationship

SDN = "us-ofac-sdn"
CONS = "us-ofac-cons"
LISTS: tuple[str, ...] = (SDN, CONS)
AUTHORITY = "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)"
PUBLISHER = "U.S. Department of the Treasury, OFAC"
TITLES = {
    SDN: "OFAC Specially Designated Nationals and Blocked Persons List (SDN)",
    CONS: "OFAC Consolidated Sanctions List (non-SDN)",
}


@dataclass(frozen=True)
class CsvSet:
    main: str
    add: str
    alt: str
    comments: str


SETS: dict[str, CsvSet] = {
    SDN: CsvSet("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
    CONS: CsvSet("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}
MAIN_COLUMNS = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
ADD_COLUMNS = 6  # ent_num, add_num, address, city/state/postal, country, add_remarks
ALT_COLUMNS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
COMMENTS_COLUMNS = 2  # ent_num, remarks continued

SCHEMATA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization", "entity": "Organization"}

# Programme -> the authority it rests on, for the programmes whose basis is one instrument.
LEGAL_BASIS: dict[str, str] = {
    "SDGT": "Executive Order 13224",
    "FTO": "Immigration and Nationality Act, section 219 (8 U.S.C. 1189)",
    "SDT": "Executive Order 12947",
    "SDNT": "Executive Order 12978",
    "SDNTK": "Foreign Narcotics Kingpin Designation Act (21 U.S.C. 1901-1908)",
    "CUBA": "Cuban Assets Control Regulations (31 CFR part 515)",
    "NPWMD": "Executive Order 13382",
    "IRGC": "Executive Order 13224; Iran Freedom and Counter-Proliferation Act",
    "IFSR": "Iranian Financial Sanctions Regulations (31 CFR part 561)",
    "HRIT-IR": "Executive Order 13606",
    "DPRK": "Executive Order 13466",
    "SYRIA": "Executive Order 13572",
    "GLOMAG": "Executive Order 13818 (Global Magnitsky)",
    "TCO": "Executive Order 13581",
    "CYBER2": "Executive Order 13694, as amended by Executive Order 13757",
    "ILLICIT-DRUGS-EO14059": "Executive Order 14059",
}
_EO = re.compile(r"EO\s?(\d{5})")


def add_designation(entity: Entity, list_name: str, reference: str, programmes: list[str],
                    source: str) -> None:
    """The OFAC designation (CSV and XML alike): programmes, authority, legal basis, citation."""
    if programmes:
        entity.properties["programs"] = programmes
    entity.designations.append(
        Designation(
            list_name=list_name,
            reference=reference,
            programme="; ".join(programmes) or None,
            authority=AUTHORITY,
            legal_basis=legal_basis(programmes),
            citation=Citation(source=source, record=reference),
        )
    )


def legal_basis(programmes: list[str]) -> str | None:
    out: list[str] = []
    for prog in programmes:
        basis = LEGAL_BASIS.get(prog)
        if basis is None:
            match = _EO.search(prog)
            basis = f"Executive Order {match.group(1)}" if match else None
        if basis and basis not in out:
            out.append(basis)
    return "; ".join(out) or None


# ---- reading the CSV files -----------------------------------------------------------

_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def _empty(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _text(path: Path) -> str:
    """The file as text: latin-1 (OFAC's encoding), or UTF-8 when the bytes are valid UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # DOS end-of-file mark (Ctrl-Z) that OFAC's files end with.
    text = text.rstrip("\x1a")
    bad = _BAD_CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(
            f"not latin-1 CSV text (control character 0x{ord(bad.group()):02x}); is this a binary or UTF-16 file?",
            file=str(path),
            line=line,
        )
    return text


def read_rows(path: Path, columns: int) -> list[tuple[int, list[str]]]:
    """(line number, fields) for each row, all rows checked for the column count."""
    text = _text(path)
    check_csv_complete(path)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != columns:
                hint = ""
                for name, n in (("sdn.csv/cons_prim.csv", MAIN_COLUMNS), ("add.csv", ADD_COLUMNS), ("alt.csv", ALT_COLUMNS)):
                    if len(row) == n and n != columns:
                        hint = f" (this looks like an OFAC {name} row)"
                raise InputError(
                    f"expected {columns} columns, found {len(row)}{hint}; the file may be truncated or not this part of an OFAC set",
                    file=str(path),
                    line=start,
                    record=row[0].strip() or None,
                )
            if not row[0].strip().isdigit():
                raise InputError(f"ent_num {row[0]!r} is not a number", file=str(path), line=start, field="ent_num")
            rows.append((start, row))
    except csv.Error as exc:
        # An unterminated quote at end of file: the last record was cut off.
        raise InputError(f"malformed CSV ({exc}); the file may be truncated", file=str(path), line=line) from exc
    if text and not text.endswith(("\n", "\r")) and rows:
        # A truncated last line can still parse as a row when it was cut between fields.
        last_line, last = rows[-1]
        if len(last) == columns and not last[-1].strip():
            raise InputError("last line is incomplete (no line end, empty last field); the file looks truncated",
                             file=str(path), line=last_line)
    return rows


# ---- the remarks parser ---------------------------------------------------------------

# Document labels as OFAC writes them, longest first so "Diplomatic Passport" wins over
# "Passport"; each maps to an identifier type.
_ID_LABELS: list[tuple[str, str]] = sorted(
    [
        ("Passport", "passport"),
        ("Diplomatic Passport", "passport"),
        ("National ID No.", "national_id"),
        ("National Foreign ID Number", "national_id"),
        ("Cedula No.", "national_id"),
        ("D.N.I.", "national_id"),
        ("C.U.R.P.", "national_id"),
        ("Identification Number", "national_id"),
        ("Personal ID Card", "national_id"),
        ("Public Security and Immigration No.", "national_id"),
        ("Citizen's Card Number", "national_id"),
        ("Tax ID No.", "tax_id"),
        ("R.F.C.", "tax_id"),
        ("RFC", "tax_id"),
        ("NIT #", "tax_id"),
        ("RUC #", "tax_id"),
        ("RIF #", "tax_id"),
        ("C.U.I.T.", "tax_id"),
        ("C.U.I.", "tax_id"),
        ("V.A.T. Number", "tax_id"),
        ("US FEIN", "tax_id"),
        ("Italian Fiscal Code", "tax_id"),
        ("Registration Number", "registration"),
        ("Registration ID", "registration"),
        ("Business Registration Document #", "registration"),
        ("Business Registration Number", "registration"),
        ("Company Number", "registration"),
        ("UK Company Number", "registration"),
        ("Commercial Registry Number", "registration"),
        ("Government Gazette Number", "registration"),
        ("Unified Social Credit Code (USCC)", "registration"),
        ("Chamber of Commerce Number", "registration"),
        ("Istanbul Chamber of Comm. No.", "registration"),
        ("Trade License No.", "registration"),
        ("Economic Register Number (CBLS)", "registration"),
        ("Enterprise Number", "registration"),
        ("Folio Mercantil No.", "registration"),
        ("Matricula Mercantil No", "registration"),
        ("C.R. No.", "registration"),
        ("Central Registration System Number", "registration"),
        ("License", "registration"),
        ("Legal Entity Number", "lei"),
        ("Vessel Registration Identification IMO", "imo"),
        ("Vessel Registration Identification", "imo"),
        ("IMO", "imo"),
        ("MMSI", "mmsi"),
        ("SWIFT/BIC", "swift_bic"),
        ("BIK (RU)", "bik"),
        ("D-U-N-S Number", "duns"),
        ("Aircraft Construction Number (also called L/N or S/N or F/N)", "aircraft_serial"),
        ("Aircraft Manufacturer's Serial Number (MSN)", "aircraft_serial"),
        ("Aircraft Tail Number", "aircraft_tail"),
        ("Driver's License No.", "drivers_license"),
        ("Birth Certificate Number", "birth_certificate"),
        ("Electoral Registry No.", "voter_id"),
        ("Credencial electoral", "voter_id"),
        ("Cartilla de Servicio Militar Nacional", "military_id"),
        ("Digital Currency Address -", "crypto_wallet"),
    ],
    key=lambda kv: -len(kv[0]),
)
_ID_LABEL_TYPES = dict(_ID_LABELS)
# One alternation, longest label first, so each phrase costs one regex match.
_ID_LABEL_RE = re.compile("^(?:" + "|".join(re.escape(label) for label, _ in _ID_LABELS) + ")(?![A-Za-z0-9])")
_PAREN = re.compile(r"\(([^()]+)\)")
_NAME_PHRASE = re.compile(r"^\(?(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*(.*?)\)?$", re.IGNORECASE | re.DOTALL)
_NAME_KINDS = {"a.k.a.": "alias", "f.k.a.": "former", "n.k.a.": "alias"}
# A phrase separator: "; " but not inside a quoted name ('A; B' is rare but real).
_SPLIT = re.compile(r";\s+")


@dataclass
class Remarks:
    """What a Remarks field states, parsed; `other` keeps the phrases not understood."""

    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    linked_to: list[str] = field(default_factory=list)
    gender: str | None = None
    established: str | None = None
    emails: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def parse_ofac_date(text: str) -> str | None:
    """An OFAC DOB: "10 Dec 1948", "circa 1951", "1958 to 1960", "01 Jan 1961 to 31 Dec 1963"."""
    return parse_date(text)


def _quoted(text: str) -> str:
    """The name between the first and the last apostrophe ('ABD ALLAH, 'Issam' keeps inner ones)."""
    text = text.strip().rstrip(".;,)").strip()
    first, last = text.find("'"), text.rfind("'")
    if first != -1 and last > first:
        return text[first + 1 : last].strip()
    return text.strip("'").strip()


def _identifier(kind: str, label: str, rest: str) -> Identifier | None:
    rest = rest.strip().lstrip(":#").strip()
    if not rest:
        return None
    country = None
    note_parts: list[str] = []
    # "A123 (Egypt) issued 01 Jan 2000 expires 2010": value, country in brackets, dates after.
    value = rest
    for match in _PAREN.finditer(rest):
        code = country_code(match.group(1))
        if code:
            country = code
            value = rest[: match.start()].strip()
            tail = rest[match.end() :].strip()
            if tail:
                note_parts.append(tail)
            break
    else:
        tail_match = re.search(r"\s+(issued|expires)\b.*$", rest)
        if tail_match:
            value = rest[: tail_match.start()].strip()
            note_parts.append(tail_match.group(0).strip())
    if kind == "crypto_wallet":
        # "Digital Currency Address - XBT 1Kuf2..." : the currency is the first word.
        currency, _, address = value.partition(" ")
        if address:
            note_parts.insert(0, currency)
            value = address.strip()
    if kind == "imo":
        value = value.removeprefix("IMO").strip()
    if label.startswith("Diplomatic"):
        note_parts.insert(0, "diplomatic")
    if not value:
        return None
    return Identifier(type=kind, value=value, country=country, note="; ".join(note_parts) or None)


def parse_remarks(text: str | None) -> Remarks:
    """Parse an OFAC Remarks text. Never raises: phrases it does not know go to `other`."""
    out = Remarks()
    if not text:
        return out
    text = text.strip()
    if not text or text == "-0-":
        return out
    for raw in _SPLIT.split(text):
        phrase = raw.strip()
        if phrase.endswith(".") and not phrase.endswith(("a.k.a.", "Ltd.", "LTD.", "Inc.", "INC.", "S.A.", "Co.", "CO.", "C.V.")):
            phrase = phrase[:-1].rstrip()
        if not phrase:
            continue
        body = phrase[5:].strip() if phrase.lower().startswith("alt. ") else phrase
        low = body.lower()
        name_match = _NAME_PHRASE.match(body)
        if name_match:
            kind = _NAME_KINDS[name_match.group(1).lower()]
            name = _quoted(name_match.group(2))
            if name:
                out.names.append((kind, name))
            continue
        if low.startswith("linked to:"):
            target = body[len("linked to:") :].strip()
            if target:
                out.linked_to.append(target)
            continue
        if low.startswith("dob "):
            born = parse_ofac_date(body[4:])
            if born:
                if born not in out.birth_dates:
                    out.birth_dates.append(born)
            else:
                out.other.append(phrase)
            continue
        if low.startswith("pob "):
            place = body[4:].strip()
            if place and place not in out.birth_places:
                out.birth_places.append(place)
            continue
        if low.startswith(("nationality ", "citizen ")):
            word, _, country = body.partition(" ")
            code = country_code(country)
            target = out.nationalities if word.lower() == "nationality" else out.citizenships
            if code:
                if code not in target:
                    target.append(code)
            else:
                out.other.append(phrase)
            continue
        if low.startswith("gender "):
            gender = body[7:].strip().lower()
            if gender in ("male", "female"):
                out.gender = gender
            continue
        if low.startswith("organization established date "):
            out.established = parse_date(body[len("organization established date ") :]) or out.established
            continue
        if low.startswith(("email address", "email:")):
            email = body.split(" ", 2)[-1] if low.startswith("email address") else body[6:]
            out.emails.append(email.strip())
            continue
        if low.startswith("website "):
            out.websites.append(body[8:].strip())
            continue
        label_match = _ID_LABEL_RE.match(body)
        if label_match:
            label = label_match.group(0)
            ident = _identifier(_ID_LABEL_TYPES[label], label, body[len(label) :])
            if ident is not None:
                out.identifiers.append(ident)
                continue
        out.other.append(phrase)
    return out


# ---- building entities ----------------------------------------------------------------


def natural_order(name: str) -> str | None:
    """'AL-ZAWAHIRI, Ayman' -> 'Ayman AL-ZAWAHIRI' (OFAC writes individuals surname first)."""
    last, sep, first = name.partition(",")
    if not sep or not first.strip() or not last.strip() or "," in first:
        return None
    return f"{first.strip()} {last.strip()}"


def _programmes(raw: str) -> list[str]:
    # The Program column is "SDGT" or "FTO] [SDGT" (brackets between several).
    return [p.strip(" []") for p in re.split(r"\]\s*\[", raw) if p.strip(" []")]


@dataclass
class _Record:
    line: int
    row: list[str]
    remarks: str
    addresses: list[list[str]] = field(default_factory=list)
    aliases: list[list[str]] = field(default_factory=list)


def _resolve(path: Path, list_name: str) -> tuple[Path | None, dict[str, Path]]:
    """The main file and the supplements of the set at `path` (a file or a folder)."""
    names = SETS[list_name]
    if path.is_dir():
        main = path / names.main
        parts = {part: path / getattr(names, part) for part in ("add", "alt", "comments")}
        return (main if main.is_file() else None), {k: v for k, v in parts.items() if v.is_file()}
    return path, {}


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def sniff(path: Path, head: bytes) -> str | None:
    if path.is_dir():
        for list_name, names in SETS.items():
            if (path / names.main).is_file():
                return list_name
        return None
    if not head or not path.name.lower().endswith(".csv"):
        return None
    # The first row of a main file: ent_num,"NAME",type,"PROGRAM",... (12 fields).
    first = head.split(b"\n", 1)[0].decode("latin-1", "replace")
    try:
        row = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return None
    if len(row) != MAIN_COLUMNS or not row[0].strip().isdigit():
        return None
    # OFAC always writes the type column, "-0-" for entities; an empty one is some other CSV.
    if row[2].strip().lower() not in ("-0-", "individual", "vessel", "aircraft"):
        return None
    return CONS if path.name.lower().startswith("cons") else SDN


def parse(path: Path, list_name: str) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str) -> ParsedList:
    """The CSV set's rows are read and checked now (the side files join the main one by
    ent_num); the entities are built one at a time as the registry takes them."""
    if list_name not in SETS:
        raise InputError(f"the OFAC CSV importer reads {', '.join(LISTS)}, not {list_name!r}", file=str(path))
    if path.is_file() and list_name == SDN and _looks_like_xml(path):
        # `--source us-ofac-sdn` names the list, not the format: sdn.xml goes to its reader.
        from tizim.registry.importers import ofac_xml

        return ofac_xml.stream(path, list_name)
    names = SETS[list_name]
    main, parts = _resolve(path, list_name)
    if main is None:
        present = ", ".join(sorted(p.name for p in path.iterdir() if p.is_file())) or "nothing"
        raise InputError(
            f"no {names.main} in this folder (it holds {present}); the {', '.join((names.add, names.alt, names.comments))} "
            f"files only supplement {names.main} and cannot be imported alone",
            file=str(path),
        )
    records: dict[str, _Record] = {}
    for line, row in read_rows(main, MAIN_COLUMNS):
        key = row[0].strip()
        if key in records:
            raise InputError(f"ent_num {key} occurs twice (first on line {records[key].line})", file=str(main), line=line, record=key)
        records[key] = _Record(line=line, row=row, remarks=_empty(row[11]))

    def owner(part: Path, line: int, row: list[str]) -> _Record:
        record = records.get(row[0].strip())
        if record is None:
            raise InputError(
                f"ent_num {row[0].strip()} is not in {main.name}; the files are not one consistent set",
                file=str(part),
                line=line,
                record=row[0].strip(),
            )
        return record

    if "comments" in parts:
        for line, row in read_rows(parts["comments"], COMMENTS_COLUMNS):
            # The comment is the rest of a Remarks cut at 1000 characters, often mid-word.
            rec = owner(parts["comments"], line, row)
            rec.remarks += row[1] if rec.remarks else row[1].strip()
    if "add" in parts:
        for line, row in read_rows(parts["add"], ADD_COLUMNS):
            owner(parts["add"], line, row).addresses.append(row)
    if "alt" in parts:
        for line, row in read_rows(parts["alt"], ALT_COLUMNS):
            owner(parts["alt"], line, row).aliases.append(row)

    source = main.name if path.is_file() else f"{path.name}/{main.name}"
    all_files = [main, *parts.values()]
    parsed = ParsedList(
        list_name=list_name,
        source_file=source,
        # One file hashes as itself, so the file and its folder are the same version.
        file_hash=file_hash(main) if len(all_files) == 1 else files_hash(all_files),
        title=TITLES[list_name],
        publisher=PUBLISHER,
        published_at=None,  # the legacy CSVs do not state their date
        record_count=len(records),
    )

    def built() -> Iterator[tuple[Entity, list[str], str]]:
        for key in list(records):
            rec = records.pop(key)  # its rows go once the entity is built
            entity, links = _build(rec, key, list_name, source, main)
            yield entity, links, key

    parsed.stream = linked_last(built(), parsed, source)
    return parsed


def linked_last(built: Iterable[tuple[Entity, list[str], str]], into: ParsedList, source: str) -> Iterator[Entity]:
    """The entities as they are built, except those naming another entry ("Linked To:
    NAME"): held back until every entry's name is known, then given their relationships
    (added to `into`) and yielded last."""
    by_name: dict[str, str] = {}
    held: list[Entity] = []
    pending: list[tuple[Entity, str, str]] = []  # (entity, target name, its reference)
    for entity, links, key in built:
        by_name.setdefault(entity.caption.upper(), entity.id)
        if links:
            held.append(entity)
            pending.extend((entity, target, key) for target in links)
        else:
            yield entity
    into.relationships.extend(resolve_links(by_name, pending, into.list_name, source))
    yield from held


def _build(rec: _Record, key: str, list_name: str, source: str, main: Path) -> tuple[Entity, list[str]]:
    row = rec.row
    name = _empty(row[1])
    if not name:
        raise InputError("SDN_Name is empty", file=str(main), line=rec.line, record=key, field="SDN_Name")
    sdn_type = _empty(row[2]).lower()
    schema = SCHEMATA.get(sdn_type)
    if schema is None:
        raise InputError(f"unknown SDN_Type {row[2].strip()!r}", file=str(main), line=rec.line, record=key, field="SDN_Type")
    entity = Entity(id=make_id(list_name, key), schema=schema)
    entity.add_name(name, "primary")
    person = schema == "Person"
    if person:
        entity.add_name(natural_order(name), "spelling")

    remarks = parse_remarks(rec.remarks)
    for alt in rec.aliases:
        alt_name = _empty(alt[3])
        if not alt_name:
            continue
        alt_type = _empty(alt[2]).lower().replace(".", "")
        alt_note = _empty(alt[4]).lower()
        kind = "former" if alt_type == "fka" else "alias"
        if kind == "alias" and ("weak" in alt_note or "low quality" in alt_note):
            kind = "weak_alias"
        _add_name(entity, alt_name, kind, person)
    for kind, alias in remarks.names:
        _add_name(entity, alias, kind, person)

    entity.birth_dates = remarks.birth_dates
    entity.birth_places = remarks.birth_places
    entity.nationalities = list(dict.fromkeys(remarks.nationalities + remarks.citizenships))
    entity.identifiers = remarks.identifiers
    entity.gender = remarks.gender
    if remarks.citizenships:
        entity.properties["citizenship"] = remarks.citizenships
    if remarks.established:
        entity.properties["incorporationDate"] = [remarks.established]
    if remarks.emails:
        entity.properties["email"] = remarks.emails
    if remarks.websites:
        entity.properties["website"] = remarks.websites
    if remarks.other:
        entity.notes.append("; ".join(remarks.other))

    title = _empty(row[4])
    if title:
        entity.properties["title" if person else "position"] = [title]
    for prop, col in (("callSign", 5), ("type", 6), ("tonnage", 7), ("grossRegisteredTonnage", 8), ("owner", 10)):
        value = _empty(row[col])
        if value:
            entity.properties[prop] = [value]
    flag = _empty(row[9])
    if flag:
        entity.properties["flag"] = [country_code(flag) or flag]

    for add in rec.addresses:
        parts = [_empty(add[2]), _empty(add[3]), _empty(add[4])]
        text = ", ".join(p for p in parts if p)
        note = _empty(add[5])
        if text:
            text = f"{text} ({note})" if note else text
            if text not in entity.addresses:
                entity.addresses.append(text)
        code = country_code(_empty(add[4]))
        if code and code not in entity.countries:
            entity.countries.append(code)

    add_designation(entity, list_name, key, _programmes(row[3].strip()), source)
    return entity, remarks.linked_to


def _add_name(entity: Entity, name: str, kind: str, person: bool) -> None:
    entity.add_name(name, kind)
    if person:
        # Aliases of individuals are written surname-first too; keep the natural order beside.
        entity.add_name(natural_order(name), kind)


def resolve_links(by_name: dict[str, str], pending: list[tuple[Entity, str, str]], list_name: str,
                  source: str) -> list[Relationship]:
    """'Linked To: NAME' -> a tied_to relationship to the entity whose primary name (upper
    case, in `by_name`: the first entry of that name) is NAME."""
    out: list[Relationship] = []
    for entity, target, key in pending:
        wanted = target.upper()
        # The phrase's closing period may belong to the name ("CO., LTD.") or not.
        target_id = by_name.get(wanted) or by_name.get(wanted.rstrip(".").strip()) or by_name.get(wanted + ".")
        if target_id is None or target_id == entity.id:
            entity.notes.append(f"Linked To: {target}")
            continue
        out.append(
            Relationship(
                kind="tied_to",
                source_id=entity.id,
                target_id=target_id,
                citation=Citation(source=source, record=key, quote=f"Linked To: {target}"),
            )
        )
    return out

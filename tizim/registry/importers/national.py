"""National lists a user curates by hand: tizim's documented YAML format and its CSV variant.

The format is described in docs/national-list-format.md. YAML is validated strictly: unknown
keys, wrong types, unknown name kinds/actions/relationship kinds, dates that are no dates and
dangling relationship ends are `InputError`s naming the field path ("entities[3].names[0].kind")
and the line it sits on (from yaml's node marks), so a hand-edited file is easy to fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.registry.importers.base import check_csv_complete, decode, file_hash, make_id, text_lines
from tizim.registry.model import (
    NAME_KINDS,
    RELATION_KINDS,
    SCHEMATA,
    Citation,
    Designation,
    DesignationEvent,
    Entity,
    Identifier,
    ListEvent,
    Name,
    ParsedList,
    Relationship,
)

# The list name comes from the file (list.name) or --source; "national" only names the format,
# so `--source kz-supreme-court` on an FtM export is not routed to this parser.
LISTS: tuple[str, ...] = ("national",)
ANY_LIST_NAME = True

FORMAT_TAG = "tizim-national-list/1"
EVENT_ACTIONS = ("requested", "added", "revised", "removed", "reaffirmed")
_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_YAML_TOP = re.compile(rb"^(?:format:\s*tizim-national-list|list:\s*$)", re.MULTILINE)
_YAML_ENTITIES = re.compile(rb"^entities:", re.MULTILINE)

CSV_COLUMNS = (
    "list", "reference", "schema", "name", "aliases", "weak_aliases", "former_names",
    "birth_dates", "birth_places", "nationalities", "countries", "identifiers", "gender",
    "notes", "programme", "authority", "legal_basis", "listed_on", "delisted_on",
    "source", "quote",
)
CSV_REQUIRED = ("list", "reference", "schema", "name", "listed_on")


def sniff(path: Path, head: bytes) -> str | None:
    if not head:
        return None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        if not (_YAML_TOP.search(head) and _YAML_ENTITIES.search(head)):
            return None
        match = re.search(rb"^list:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*['\"]?([A-Za-z0-9-]+)", head, re.MULTILINE)
        return match.group(1).decode() if match else "national"
    if suffix == ".csv":
        first = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip()
        columns = {c.strip().lower() for c in first.split(",")}
        if set(CSV_REQUIRED) <= columns and columns <= set(CSV_COLUMNS):
            return _csv_list_name(head) or "national"
    return None


def _csv_list_name(head: bytes) -> str | None:
    text = head.decode("utf-8-sig", "replace")
    try:
        row = next(csv.DictReader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None  # parse() names the line at fault
    return (row.get("list") or "").strip() or None if row else None


def parse(path: Path, list_name: str) -> ParsedList:
    return stream(path, list_name).materialize()


def stream(path: Path, list_name: str) -> ParsedList:
    """A CSV table is read row by row as the registry writes it; a YAML file is one document
    (its entities refer to each other) and is read whole."""
    if path.suffix.lower() == ".csv":
        return _stream_csv(path, list_name)
    return _parse_yaml(path, list_name)


# ---- YAML ---------------------------------------------------------------------------


class _Doc:
    """The file's plain data plus the line of every field path, for errors."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines: dict[str, int] = {}
        try:
            node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster, same marks
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise InputError(
                f"not valid YAML: {exc.problem or exc.context}",
                file=str(path),
                line=mark.line + 1 if mark else None,
            ) from exc
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML: {exc}", file=str(path)) from exc
        if node is None:
            self.fail("", "the file is empty")
        self._constructor = yaml.SafeLoader("")
        self.data = self._build(node, "")

    def _build(self, node: yaml.Node, where: str) -> Any:
        self.lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self._fail_at(key_node, where, "mapping keys must be plain words")
                key = str(key_node.value)
                child = f"{where}.{key}" if where else key
                if key in out:
                    self._fail_at(key_node, child, f"key {key!r} appears twice")
                out[key] = self._build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self._fail_at(node, where, f"cannot read value: {exc.problem}")
        # Unquoted ISO dates load as date objects; the model keeps ISO strings.
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def _fail_at(self, node: yaml.Node, where: str, message: str) -> NoReturn:
        raise InputError(message, file=str(self.path), line=node.start_mark.line + 1, field=where or None)

    def line(self, where: str) -> int | None:
        # A missing key is reported at its parent's line.
        while where:
            if where in self.lines:
                return self.lines[where]
            where = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", where)
        return self.lines.get("")

    def fail(self, where: str, message: str) -> NoReturn:
        raise InputError(message, file=str(self.path), line=self.line(where), field=where or None)

    # ---- typed accessors ----

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                self.fail(f"{where}.{key}" if where else key, f"unknown key {key!r} (allowed: {', '.join(allowed)})")
        for key in required:
            if value.get(key) is None:
                self.fail(f"{where}.{key}" if where else key, f"{key!r} is required")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
        value = data.get(key)
        path = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.fail(path, f"{key!r} is required")
            return None
        if isinstance(value, (bool, dict, list)):
            self.fail(path, f"expected text, got {_kind(value)}")
        text = " ".join(str(value).split())
        if required and not text:
            self.fail(path, f"{key!r} must not be empty")
        return text or None

    def texts(self, data: dict[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key)
        path = f"{where}.{key}"
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            if isinstance(item, (dict, list, bool)) or item is None:
                self.fail(f"{path}[{i}]" if isinstance(value, list) else path, f"expected text, got {_kind(item)}")
            text = " ".join(str(item).split())
            if text:
                out.append(text)
        return out

    def date(self, data: dict[str, Any], key: str, where: str, required_key: bool = False) -> str | None:
        path = f"{where}.{key}" if where else key
        if key not in data:
            if required_key:
                self.fail(path, f"{key!r} is required (write null with a note when the source gives no date)")
            return None
        value = data[key]
        if value is None:
            return None
        parsed = parse_date(str(value))
        if parsed is None:
            self.fail(path, f"{value!r} is not a date (use ISO: 2006-10-12, 2006-03 or 2006)")
        return parsed


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number"}.get(type(value), "text")


_LIST_KEYS = ("name", "title", "publisher", "authority", "legal_basis", "programme", "url", "published_at", "notes",
              "kind")
_ENTITY_KEYS = (
    "reference", "id", "schema", "names", "birth_dates", "birth_places", "nationalities", "countries",
    "addresses", "identifiers", "gender", "notes", "properties", "designation", "designations",
)
_NAME_KEYS = ("name", "kind", "script", "lang", "note")
_DESIGNATION_KEYS = (
    "reference", "programme", "authority", "legal_basis", "listed_on", "delisted_on", "note",
    "citation", "events", "contested",
)
_EVENT_KEYS = ("action", "date", "authority", "note", "citation")
_CONTEST_KEYS = ("by", "date", "statement", "note", "citation", "replies")
_REPLY_KEYS = ("by", "date", "statement", "note", "citation")
_CITATION_KEYS = ("source", "quote", "record", "url")
_LIST_EVENT_KEYS = ("action", "date", "authority", "count", "description", "note", "citation")
_REL_KEYS = ("kind", "from", "to", "from_id", "to_id", "date", "end_date", "note", "citation")
_IDENT_KEYS = ("type", "value", "country", "note")


def _parse_yaml(path: Path, list_name: str) -> ParsedList:
    text = decode(path, path.read_bytes(), "utf-8")
    doc = _Doc(path, text)
    top = doc.mapping(
        doc.data, "", ("format", "list", "entities", "list_events", "relationships"), ("list", "entities")
    )
    fmt = top.get("format")
    if fmt is not None and fmt != FORMAT_TAG:
        doc.fail("format", f"unknown format {fmt!r} (this reader knows {FORMAT_TAG})")
    meta = doc.mapping(top["list"], "list", _LIST_KEYS, ("name",))
    own_name = doc.text(meta, "name", "list", required=True)
    assert own_name is not None
    if not _LIST_NAME.match(own_name):
        doc.fail("list.name", f"{own_name!r} is not a list name (lower-case letters, digits and '-')")
    name = list_name or own_name
    authority = doc.text(meta, "authority", "list")
    legal_basis = doc.text(meta, "legal_basis", "list")
    programme = doc.text(meta, "programme", "list")

    def citation(value: Any, where: str) -> Citation | None:
        if value is None:
            return None
        data = doc.mapping(value, where, _CITATION_KEYS, ("source",))
        return Citation(
            source=doc.text(data, "source", where, required=True) or "",
            quote=doc.text(data, "quote", where),
            record=doc.text(data, "record", where),
            url=doc.text(data, "url", where),
        )

    entities_raw = top["entities"]
    if not isinstance(entities_raw, list):
        doc.fail("entities", f"expected a list of entities, got {_kind(entities_raw)}")
    entities: list[Entity] = []
    refs: dict[str, str] = {}  # reference -> entity id
    ids: set[str] = set()
    for i, raw in enumerate(entities_raw):
        where = f"entities[{i}]"
        entity = _yaml_entity(doc, raw, where, name, citation, authority, legal_basis, programme)
        if entity.id in ids:
            doc.fail(f"{where}.reference", f"entity {_raw_ref(raw)!r} appears twice")
        ids.add(entity.id)
        refs[_raw_ref(raw)] = entity.id
        entities.append(entity)

    events: list[ListEvent] = []
    for i, raw in enumerate(_seq(doc, top, "list_events")):
        where = f"list_events[{i}]"
        data = doc.mapping(raw, where, _LIST_EVENT_KEYS, ("action",))
        count = data.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            doc.fail(f"{where}.count", "count must be a whole number")
        description = doc.text(data, "description", where)
        note = doc.text(data, "note", where)
        date = doc.date(data, "date", where, required_key=True)
        if date is None and not (note or description):
            doc.fail(f"{where}.date", "a null date needs a note saying why the source gives none")
        events.append(
            ListEvent(
                action=doc.text(data, "action", where, required=True) or "",
                date=date,
                authority=doc.text(data, "authority", where) or authority,
                count=count,
                description="; ".join(p for p in (description, note) if p) or None,
                citation=citation(data.get("citation"), f"{where}.citation"),
            )
        )

    relationships: list[Relationship] = []
    for i, raw in enumerate(_seq(doc, top, "relationships")):
        where = f"relationships[{i}]"
        data = doc.mapping(raw, where, _REL_KEYS, ("kind",))
        kind = doc.text(data, "kind", where, required=True)
        if kind not in RELATION_KINDS:
            doc.fail(f"{where}.kind", f"unknown relationship kind {kind!r} (allowed: {', '.join(RELATION_KINDS)})")
        ends: list[str] = []
        for end in ("from", "to"):
            end_ref = doc.text(data, end, where)
            other = doc.text(data, f"{end}_id", where)
            if bool(end_ref) == bool(other):
                doc.fail(f"{where}.{end}", f"give exactly one of {end!r} (a reference in this file) or '{end}_id' (an entity id in any list)")
            if end_ref:
                if end_ref not in refs:
                    doc.fail(f"{where}.{end}", f"no entity with reference {end_ref!r} in this file")
                ends.append(refs[end_ref])
            else:
                ends.append(other or "")
        relationships.append(
            Relationship(
                kind=kind or "",
                source_id=ends[0],
                target_id=ends[1],
                start_date=doc.date(data, "date", where),
                end_date=doc.date(data, "end_date", where),
                note=doc.text(data, "note", where),
                citation=citation(data.get("citation"), f"{where}.citation"),
            )
        )

    return ParsedList(
        list_name=name,
        source_file=str(path),
        file_hash=file_hash(path),
        title=doc.text(meta, "title", "list"),
        publisher=doc.text(meta, "publisher", "list") or authority,
        published_at=doc.date(meta, "published_at", "list"),
        entities=entities,
        relationships=relationships,
        events=events,
        # a national list says what it is (a terrorist list freezes; registry/kinds.py)
        kind=_list_kind(doc.text(meta, "kind", "list")),
    )


def _list_kind(value: str | None) -> str | None:
    if value is None:
        return None
    from tizim.registry.kinds import check_kind

    return check_kind(value)


def _raw_ref(raw: dict[str, Any]) -> str:
    return " ".join(str(raw.get("reference") or raw.get("id")).split())


def _seq(doc: _Doc, data: dict[str, Any], key: str, where: str = "") -> list[Any]:
    value = data.get(key)
    path = f"{where}.{key}" if where else key
    if value is None:
        return []
    if not isinstance(value, list):
        doc.fail(path, f"expected a list, got {_kind(value)}")
    return value


def _yaml_entity(
    doc: _Doc,
    raw: Any,
    where: str,
    list_name: str,
    citation: Callable[[Any, str], Citation | None],
    authority: str | None,
    legal_basis: str | None,
    programme: str | None,
) -> Entity:
    data = doc.mapping(raw, where, _ENTITY_KEYS, ("schema", "names"))
    ref = doc.text(data, "reference", where)
    given_id = doc.text(data, "id", where)
    if bool(ref) == bool(given_id):
        doc.fail(f"{where}.reference", "give exactly one of 'reference' or 'id'")
    schema = doc.text(data, "schema", where, required=True)
    if schema not in SCHEMATA:
        doc.fail(f"{where}.schema", f"unknown schema {schema!r} (allowed: {', '.join(SCHEMATA)})")
    entity = Entity(id=make_id(list_name, ref) if ref else str(given_id), schema=schema or "")
    names = _seq(doc, data, "names", where)
    if not names:
        doc.fail(f"{where}.names", "an entity needs at least one name")
    for j, item in enumerate(names):
        npath = f"{where}.names[{j}]"
        if isinstance(item, str):
            item = {"name": item}
        nd = doc.mapping(item, npath, _NAME_KEYS, ("name",))
        kind = doc.text(nd, "kind", npath) or ("primary" if j == 0 else "alias")
        if kind not in NAME_KINDS:
            doc.fail(f"{npath}.kind", f"unknown name kind {kind!r} (allowed: {', '.join(NAME_KINDS)})")
        full = doc.text(nd, "name", npath, required=True) or ""
        if any(n.full == full for n in entity.names):
            doc.fail(f"{npath}.name", f"name {full!r} is given twice")
        entity.names.append(Name(full=full, kind=kind, script=doc.text(nd, "script", npath) or "", lang=doc.text(nd, "lang", npath)))
    for key, target in (("birth_dates", entity.birth_dates),):
        for j, value in enumerate(doc.texts(data, key, where)):
            parsed = parse_date(value)
            if parsed is None:
                doc.fail(f"{where}.{key}[{j}]", f"{value!r} is not a date")
            target.append(parsed)
    entity.birth_places = doc.texts(data, "birth_places", where)
    entity.addresses = doc.texts(data, "addresses", where)
    for key, target in (("nationalities", entity.nationalities), ("countries", entity.countries)):
        for j, value in enumerate(doc.texts(data, key, where)):
            code = country_code(value)
            if code is None:
                doc.fail(f"{where}.{key}[{j}]", f"{value!r} is not a known country")
            if code not in target:
                target.append(code)
    for j, item in enumerate(_seq(doc, data, "identifiers", where)):
        ipath = f"{where}.identifiers[{j}]"
        idata = doc.mapping(item, ipath, _IDENT_KEYS, ("type", "value"))
        country = doc.text(idata, "country", ipath)
        entity.identifiers.append(
            Identifier(
                type=doc.text(idata, "type", ipath, required=True) or "",
                value=doc.text(idata, "value", ipath, required=True) or "",
                country=country_code(country) if country else None,
                note=doc.text(idata, "note", ipath),
            )
        )
    entity.gender = doc.text(data, "gender", where)
    entity.notes = doc.texts(data, "notes", where)
    props = data.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            doc.fail(f"{where}.properties", f"expected a mapping of FtM property -> values, got {_kind(props)}")
        for key in props:
            entity.properties[key] = doc.texts(props, key, f"{where}.properties")
    if data.get("designation") is not None and data.get("designations") is not None:
        doc.fail(f"{where}.designations", "give 'designation' or 'designations', not both")
    if data.get("designation") is not None:
        entity.designations.append(
            _yaml_designation(doc, data["designation"], f"{where}.designation", list_name, ref or str(given_id),
                              citation, authority, legal_basis, programme)
        )
    # several designations on one list: a terrorist and an extremist ban are two decisions
    for k, item in enumerate(_seq(doc, data, "designations", where)):
        entity.designations.append(
            _yaml_designation(doc, item, f"{where}.designations[{k}]", list_name, ref or str(given_id),
                              citation, authority, legal_basis, programme)
        )
    return entity


def _yaml_designation(
    doc: _Doc,
    raw: Any,
    where: str,
    list_name: str,
    ref: str,
    citation: Callable[[Any, str], Citation | None],
    authority: str | None,
    legal_basis: str | None,
    programme: str | None,
) -> Designation:
    data = doc.mapping(raw, where, _DESIGNATION_KEYS)
    events: list[DesignationEvent] = []
    for k, item in enumerate(_seq(doc, data, "events", where)):
        epath = f"{where}.events[{k}]"
        ed = doc.mapping(item, epath, _EVENT_KEYS, ("action",))
        action = doc.text(ed, "action", epath, required=True)
        if action not in EVENT_ACTIONS:
            doc.fail(f"{epath}.action", f"unknown action {action!r} (allowed: {', '.join(EVENT_ACTIONS)})")
        date = doc.date(ed, "date", epath, required_key=True)
        note = doc.text(ed, "note", epath)
        if date is None and not note:
            doc.fail(f"{epath}.date", "a null date needs a note saying why the source gives none")
        events.append(DesignationEvent(action=action or "", date=date, authority=doc.text(ed, "authority", epath),
                                       note=note, citation=citation(ed.get("citation"), f"{epath}.citation")))
    # Criticism of a designation, and replies to it, are kept as events of their own kinds.
    for k, item in enumerate(_seq(doc, data, "contested", where)):
        cpath = f"{where}.contested[{k}]"
        cd = doc.mapping(item, cpath, _CONTEST_KEYS, ("by", "statement"))
        events.append(_statement_event(doc, cd, cpath, "contested", citation))
        for m, reply in enumerate(_seq(doc, cd, "replies", cpath)):
            rpath = f"{cpath}.replies[{m}]"
            rd = doc.mapping(reply, rpath, _REPLY_KEYS, ("by", "statement"))
            events.append(_statement_event(doc, rd, rpath, "reply", citation))
    listed_on = doc.date(data, "listed_on", where)
    if listed_on is None:
        added = sorted(e.date for e in events if e.action == "added" and e.date)
        listed_on = added[0] if added else None
    delisted_on = doc.date(data, "delisted_on", where)
    if delisted_on is None:
        removed = sorted(e.date for e in events if e.action == "removed" and e.date)
        if removed and (listed_on is None or removed[-1] >= listed_on):
            delisted_on = removed[-1]
    if listed_on is None and not any(e.action in ("added", "revised", "reaffirmed") for e in events):
        doc.fail(f"{where}.listed_on", "a designation needs 'listed_on' or an 'added' event")
    return Designation(
        list_name=list_name,
        reference=doc.text(data, "reference", where) or ref,
        programme=doc.text(data, "programme", where) or programme,
        authority=doc.text(data, "authority", where) or authority,
        legal_basis=doc.text(data, "legal_basis", where) or legal_basis,
        listed_on=listed_on,
        delisted_on=delisted_on,
        citation=citation(data.get("citation"), f"{where}.citation"),
        events=events,
        note=doc.text(data, "note", where),
    )


def _statement_event(
    doc: _Doc, data: dict[str, Any], where: str, action: str, citation: Callable[[Any, str], Citation | None]
) -> DesignationEvent:
    statement = doc.text(data, "statement", where, required=True)
    note = doc.text(data, "note", where)
    return DesignationEvent(
        action=action,
        date=doc.date(data, "date", where),
        authority=doc.text(data, "by", where, required=True),
        note=" ".join(p for p in (statement, f"({note})" if note else None) if p),
        citation=citation(data.get("citation"), f"{where}.citation"),
    )


# ---- CSV ----------------------------------------------------------------------------


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


def _csv_header(path: Path) -> list[str]:
    reader = csv.reader(text_lines(path), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("the file is empty", file=str(path), line=1) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=str(path), line=1) from exc
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)} (allowed: {', '.join(CSV_COLUMNS)})", file=str(path), line=1)
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(path), line=1)
    return header


def _stream_csv(path: Path, list_name: str) -> ParsedList:
    """The header checked now; the rows read as the entities are taken (`ParsedList.stream`)."""
    check_csv_complete(path, machine_made=False)
    header = _csv_header(path)
    parsed = ParsedList(list_name=list_name, source_file=str(path), file_hash=file_hash(path))
    parsed.stream = _csv_entities(path, list_name, header, parsed)
    return parsed


def _csv_entities(path: Path, list_name: str, header: list[str], into: ParsedList) -> Iterator[Entity]:
    reader = csv.reader(text_lines(path), strict=True)  # streamed: a national CSV may be large
    next(reader)  # the header, checked by _csv_header
    own_name: str | None = None
    try:
        for row_values in reader:
            line = reader.line_num
            if not any(v.strip() for v in row_values):
                continue
            if len(row_values) != len(header):
                raise InputError(f"{len(row_values)} values for {len(header)} columns (truncated or unquoted comma?)", file=str(path), line=line)
            row = {h: " ".join(v.split()) for h, v in zip(header, row_values, strict=True)}

            def fail(column: str, message: str, row: dict[str, str] = row, line: int = line) -> NoReturn:
                raise InputError(message, file=str(path), line=line, record=row.get("reference") or None, field=column)

            for column in CSV_REQUIRED:
                if not row.get(column):
                    fail(column, f"{column!r} is required")
            if own_name is None:
                own_name = row["list"]
            elif row["list"] != own_name:
                fail("list", f"every row must name the same list ({own_name!r}, not {row['list']!r})")
            name = list_name or own_name
            if row["schema"] not in SCHEMATA:
                fail("schema", f"unknown schema {row['schema']!r} (allowed: {', '.join(SCHEMATA)})")
            ref = row["reference"]  # a reference given twice: the registry names its line
            entity = Entity(id=make_id(name, ref), schema=row["schema"])
            entity.add_name(row["name"], "primary")
            for column, kind in (("aliases", "alias"), ("weak_aliases", "weak_alias"), ("former_names", "former")):
                for alias in _split(row.get(column)):
                    entity.add_name(alias, kind)
            for value in _split(row.get("birth_dates")):
                parsed = parse_date(value)
                if parsed is None:
                    fail("birth_dates", f"{value!r} is not a date")
                entity.birth_dates.append(parsed)
            entity.birth_places = _split(row.get("birth_places"))
            for column, target in (("nationalities", entity.nationalities), ("countries", entity.countries)):
                for value in _split(row.get(column)):
                    code = country_code(value)
                    if code is None:
                        fail(column, f"{value!r} is not a known country")
                    if code not in target:
                        target.append(code)
            for value in _split(row.get("identifiers")):
                kind, sep, number = value.partition(":")
                if not sep or not kind.strip() or not number.strip():
                    fail("identifiers", f"{value!r} is not TYPE:VALUE")
                entity.identifiers.append(Identifier(type=kind.strip(), value=number.strip()))
            entity.gender = row.get("gender") or None
            entity.notes = _split(row.get("notes"))
            dates = {}
            for column in ("listed_on", "delisted_on"):
                if row.get(column):
                    parsed = parse_date(row[column])
                    if parsed is None:
                        fail(column, f"{row[column]!r} is not a date")
                    dates[column] = parsed
            source = row.get("source") or path.name
            entity.designations.append(
                Designation(
                    list_name=name,
                    reference=ref,
                    programme=row.get("programme") or None,
                    authority=row.get("authority") or None,
                    legal_basis=row.get("legal_basis") or None,
                    listed_on=dates.get("listed_on"),
                    delisted_on=dates.get("delisted_on"),
                    citation=Citation(source=source, record=None if row.get("source") else f"line {line}",
                                      quote=row.get("quote") or None),
                )
            )
            if into.publisher is None and entity.designations[0].authority:
                into.publisher = entity.designations[0].authority  # the list's publisher: the first authority
            yield entity
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from exc
    if own_name is None:
        raise InputError("no entities in the file", file=str(path), line=1)

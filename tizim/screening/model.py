"""What goes into the screener (Query) and what comes out (Result, TextSpan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tizim.errors import InputError
from tizim.registry.countries import country_code
from tizim.registry.dates import parse_date
from tizim.screening.normalize import bound_name

# Schemata a query may name. LegalEntity is FtM's parent of Person and Organization, and
# Thing stands for "anything" (free text does not know what a name names).
QUERY_SCHEMATA = ("Person", "Organization", "LegalEntity", "Company", "PublicBody", "Vessel",
                  "Airplane", "Thing")

# Which listed schemata a query schema may meet: a person never matches a vessel.
_PARTY = {"Person", "Organization", "LegalEntity", "Company", "PublicBody"}
_ORG = {"Organization", "LegalEntity", "Company", "PublicBody"}
COMPATIBLE: dict[str, frozenset[str]] = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Organization": frozenset(_ORG),
    "Company": frozenset(_ORG),
    "PublicBody": frozenset(_ORG),
    "LegalEntity": frozenset(_PARTY),
    "Vessel": frozenset({"Vessel"}),
    "Airplane": frozenset({"Airplane"}),
    "Thing": frozenset(_PARTY | {"Vessel", "Airplane"}),
}

# FtM properties the screener reads; any other property the FtM schema knows is accepted
# and ignored, one it does not know is an error.
_NAME_PROPS = ("name", "alias", "weakAlias", "previousName", "firstName", "lastName")
_DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
_COUNTRY_PROPS = ("nationality", "country", "citizenship", "jurisdiction", "flag", "mainCountry")
_ID_PROPS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "innCode": "tax_id",
    "taxNumber": "tax_id",
    "registrationNumber": "registration",
    "imoNumber": "imo",
    "swiftBic": "swift_bic",
    "leiCode": "lei",
    "ogrnCode": "registration",
    "vatCode": "tax_id",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "serialNumber": "serial",
}
_SIMPLE_KEYS = {"id", "schema", "name", "aliases", "birth_date", "birth_dates", "country",
                "countries", "id_numbers", "identifiers", "nationality"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    return [value] if value != "" else []


@dataclass
class Query:
    """A party to screen: names in any script plus whatever else is known about it."""

    schema: str = "Thing"
    names: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    id: str | None = None
    # Set when a name was longer than any listed name and was cut (normalize.bound_name).
    truncated: bool = False

    def __post_init__(self) -> None:
        if self.schema not in QUERY_SCHEMATA:
            raise InputError(
                f"unknown schema {self.schema!r} (one of {', '.join(QUERY_SCHEMATA)})",
                record=self.id, field="schema",
            )
        bounded = [bound_name(n.strip()) for n in self.names if n and n.strip()]
        self.names = [n for n, _ in bounded]
        self.truncated = self.truncated or any(cut for _, cut in bounded)
        self.birth_dates = [d for d in (parse_date(str(x)) for x in self.birth_dates) if d]
        self.countries = [c for c in (country_code(str(x)) for x in self.countries) if c]
        self.identifiers = [(str(t or "other"), str(v)) for t, v in self.identifiers if v]

    @classmethod
    def from_dict(cls, obj: dict[str, Any], line: int | None = None, file: str | None = None) -> Query:
        """A JSONL input line, simple (`name`, `aliases`, ...) or yente/FtM (`properties`)."""
        if not isinstance(obj, dict):
            raise InputError("a query must be a JSON object", file=file, line=line)
        qid = obj.get("id")
        qid = str(qid) if qid is not None else None
        schema = obj.get("schema") or "Thing"
        if not isinstance(schema, str) or schema not in QUERY_SCHEMATA:
            raise InputError(
                f"unknown schema {schema!r} (one of {', '.join(QUERY_SCHEMATA)})",
                file=file, line=line, record=qid, field="schema",
            )
        if "properties" in obj:
            return cls._from_ftm(obj, schema, qid, line, file)
        unknown = set(obj) - _SIMPLE_KEYS
        if unknown:
            raise InputError(
                f"unknown field(s) {', '.join(sorted(unknown))}", file=file, line=line,
                record=qid, field=sorted(unknown)[0],
            )
        names = _as_list(obj.get("name")) + _as_list(obj.get("aliases"))
        if not names:
            raise InputError("a query needs a name", file=file, line=line, record=qid, field="name")
        ids: list[tuple[str, str]] = []
        for item in _as_list(obj.get("id_numbers")) + _as_list(obj.get("identifiers")):
            if isinstance(item, dict):
                ids.append((str(item.get("type") or "other"), str(item.get("value") or "")))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                ids.append((str(item[0]), str(item[1])))
            else:
                ids.append(("other", str(item)))
        return cls(
            schema=schema,
            names=[str(n) for n in names],
            birth_dates=_as_list(obj.get("birth_date")) + _as_list(obj.get("birth_dates")),
            countries=_as_list(obj.get("country")) + _as_list(obj.get("countries"))
            + _as_list(obj.get("nationality")),
            identifiers=ids,
            id=qid,
        )

    @classmethod
    def _from_ftm(cls, obj: dict[str, Any], schema: str, qid: str | None, line: int | None,
                  file: str | None) -> Query:
        from followthemoney import model

        props = obj.get("properties")
        if not isinstance(props, dict):
            raise InputError("properties must be an object", file=file, line=line, record=qid,
                             field="properties")
        ftm_schema = model.get(schema)
        names: list[str] = []
        dates: list[str] = []
        countries: list[str] = []
        ids: list[tuple[str, str]] = []
        first = last = ""
        for prop, values in props.items():
            if ftm_schema is not None and ftm_schema.get(prop) is None:
                raise InputError(f"schema {schema} has no property {prop!r}", file=file,
                                 line=line, record=qid, field=f"properties.{prop}")
            vals = [str(v) for v in _as_list(values)]
            if prop == "firstName":
                first = " ".join(vals)
            elif prop == "lastName":
                last = " ".join(vals)
            elif prop in _NAME_PROPS:
                names.extend(vals)
            elif prop in _DATE_PROPS:
                dates.extend(vals)
            elif prop in _COUNTRY_PROPS:
                countries.extend(vals)
            elif prop in _ID_PROPS:
                ids.extend((_ID_PROPS[prop], v) for v in vals)
        if first or last:
            names.append(f"{first} {last}".strip())
        if not names:
            raise InputError("a query needs a name property", file=file, line=line, record=qid,
                             field="properties.name")
        return cls(schema=schema, names=names, birth_dates=dates, countries=countries,
                   identifiers=ids, id=qid)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "names": self.names,
            "birth_dates": self.birth_dates,
            "countries": self.countries,
            "identifiers": [list(i) for i in self.identifiers],
        }


@dataclass
class Result:
    """One listed party (a cluster of list entries) a query may be."""

    entity_id: str
    caption: str
    schema: str
    score: float
    match: bool
    lists: list[str]
    refs: dict[str, list[str]]
    explanation: dict[str, Any]
    designated: bool = True
    members: list[str] = field(default_factory=list)
    properties: dict[str, list[str]] = field(default_factory=dict)

    @property
    def datasets(self) -> list[str]:
        return self.lists

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "caption": self.caption,
            "schema": self.schema,
            "score": self.score,
            "match": self.match,
            "lists": self.lists,
            "refs": self.refs,
            "explanation": self.explanation,
        }


@dataclass
class TextSpan:
    """A stretch of free text that names a listed party."""

    start: int
    end: int
    text: str
    results: list[Result]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "results": [r.to_dict() for r in self.results],
        }

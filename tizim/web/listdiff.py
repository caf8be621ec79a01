"""The Lists page's diff viewer: between two versions of a list, the entries added, removed
and changed, and for each what it said before and after, field by field (from the
registry's per-entity content history, tizim/registry/history.py), a page at a time."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tizim.api.keys import Principal
from tizim.errors import InputError
from tizim.registry.history import changed_entries, changed_fields, contents_at, field_changes
from tizim.registry.service import Registry
from tizim.store import transaction
from tizim.web.i18n import gettext_for, language_of
from tizim.web.render import page
from tizim.web.session import PageRoute, finish, require_page_role
from tizim.web.vocab import label

router = APIRouter(route_class=PageRoute)

PAGE_SIZE = 20
KINDS = ("changed", "added", "removed")
# an entry's top-level fields, as its stored document names them
TOP_FIELDS = ("schema", "names", "birth_dates", "birth_places", "nationalities", "countries", "addresses",
              "identifiers", "gender", "notes", "properties", "designations")


def _number(raw: str | None, label: str) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    if not raw.strip().isdigit():
        raise InputError(f"{label} {raw!r} is not a number", field=label)
    return int(raw)


def field_labels(_: Any) -> dict[str, str]:
    """What each field of an entry is called on the page, in the reader's language."""
    return {
        "schema": _("Type"), "gender": _("Gender"), "names": _("Names and aliases"),
        "birth_dates": _("Birth dates"), "birth_places": _("Birth places"), "nationalities": _("Nationalities"),
        "countries": _("Countries"), "addresses": _("Addresses"), "notes": _("Notes"),
        "identifiers": _("Identifiers"), "property": _("Other details"), "properties": _("Other details"),
        "designations": _("Designations"),
        "designation.programme": _("Programme"), "designation.authority": _("Authority"),
        "designation.legal_basis": _("Legal basis"), "designation.listed_on": _("Listed on"),
        "designation.delisted_on": _("Delisted on"), "designation.note": _("Designation note"),
        "designation.citation": _("Source"), "designation.events": _("Designation history"),
        "order": _("Order of values only"),
    }


def localized(fields: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Field changes with the codes inside their values (a name's kind, an identifier's type)
    in the reader's language; history.field_changes writes them as the data holds them."""
    def name(value: str) -> str:
        parts = value.split(" · ")
        return " · ".join([parts[0], *(label(p, language) for p in parts[1:2]), *parts[2:]])

    def identifier(value: str) -> str:
        kind, _, rest = value.partition(" ")
        return f"{label(kind, language)} {rest}".strip()

    shown = {"names": name, "identifiers": identifier}
    out = []
    for change in fields:
        show = shown.get(change["field"])
        out.append(change if show is None else {**change, "removed": [show(v) for v in change["removed"]],
                                                "added": [show(v) for v in change["added"]]})
    return out


def _entries(conn: Any, name: str, kind: str, frm: int, to: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's entries with their field changes: both sides for a changed entry, the
    content it came with for an added one, the content it had for a removed one."""
    if kind == "changed":
        return changed_entries(conn, name, frm, to, rows)
    seq = to if kind == "added" else frm
    contents = contents_at(conn, name, seq, [r["id"] for r in rows]) if seq > 0 else {}
    out = []
    for row in rows:
        data = contents.get(row["id"])
        fields = [] if data is None else field_changes({}, data) if kind == "added" else field_changes(data, {})
        out.append({**row, "recorded": data is not None, "fields": fields})
    return out


@router.get("/lists/{name}/diff")
def list_diff(request: Request, name: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    _ = gettext_for(request)
    params = request.query_params
    registry = Registry()
    versions = registry.versions(name)
    diff = registry.diff(name, _number(params.get("from"), "from"), _number(params.get("to"), "to"))
    frm, to = diff["from"], diff["to"]
    counts = {kind: len(diff[kind]) for kind in KINDS}
    kind = params.get("show") or next((k for k in KINDS if counts[k]), "changed")
    if kind not in KINDS:
        raise InputError(f"show {kind!r} is not one of {', '.join(KINDS)}", field="show")
    search = (params.get("q") or "").strip()[:200]
    rows = diff[kind]
    if search:
        needle = search.casefold()
        rows = [r for r in rows if needle in r["caption"].casefold() or needle in r["id"].casefold()]
    # which fields the changed entries changed: counts for the filter, read from the deltas
    wanted = (params.get("field") or "").strip()
    with transaction() as conn:
        fields_of = changed_fields(conn, name, frm, to) if counts["changed"] else {}
    changed_ids = {r["id"] for r in diff["changed"]}
    field_counts: dict[str, int] = {}
    for entity_id, fields in fields_of.items():
        if entity_id in changed_ids:
            for f in fields:
                field_counts[f] = field_counts.get(f, 0) + 1
    if wanted:
        if wanted not in field_counts and wanted not in TOP_FIELDS:
            raise InputError(f"field {wanted!r} is not one of {', '.join(TOP_FIELDS)}", field="field")
        if kind == "changed":
            rows = [r for r in rows if wanted in fields_of.get(r["id"], ())]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = min(max(_number(params.get("page"), "page") or 1, 1), pages)
    shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    with transaction() as conn:
        entries = _entries(conn, name, kind, frm, to, shown)
    language = language_of(request)
    entries = [{**e, "fields": localized(e["fields"], language)} for e in entries]

    def link(**change: Any) -> str:
        query = {"from": frm, "to": to, "show": kind, "q": search, "field": wanted, "page": number} | change
        return f"/ui/lists/{name}/diff?" + urlencode({k: v for k, v in query.items() if v not in ("", None)})

    return page(
        request, "diff.html", title=f"{name}: " + _("changes"), name=name, diff=diff, versions=versions,
        counts=counts, kind=kind, search=search, entries=entries, total=len(rows), page_number=number,
        pages=pages, link=link, labels=field_labels(_), field=wanted,
        field_options=[(f, n) for f, n in sorted(field_counts.items(), key=lambda fn: (-fn[1], fn[0]))],
    )


CSV_COLUMNS = ("change", "entity_id", "caption", "field", "scope", "before", "after")


@router.get("/lists/{name}/diff.csv")
def list_diff_csv(request: Request, name: str, me: Principal = Depends(require_page_role("viewer"))) -> Response:
    """The whole diff between two versions as a spreadsheet: one row per changed field of
    each entry (an added entry's values under after, a removed one's under before)."""
    from tizim.monitoring.audit import csv_safe

    params = request.query_params
    registry = Registry()
    diff = registry.diff(name, _number(params.get("from"), "from"), _number(params.get("to"), "to"))
    frm, to = diff["from"], diff["to"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for kind in KINDS:
        for start in range(0, len(diff[kind]), 500):
            with transaction() as conn:
                entries = _entries(conn, name, kind, frm, to, diff[kind][start : start + 500])
            for e in entries:
                fields = e["fields"] or [{"field": "" if e["recorded"] else "not recorded", "scope": None,
                                          "removed": [], "added": []}]
                for f in fields:
                    writer.writerow([csv_safe(v) for v in (kind, e["id"], e["caption"], f["field"], f["scope"] or "",
                                                           "; ".join(f["removed"]), "; ".join(f["added"]))])
    filename = f"{name}-diff-{frm}-{to}.csv"
    return finish(request, Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                                    headers={"Content-Disposition": f'attachment; filename="{filename}"'}))

"""Designation lists: summary, versions, diff between versions, entries in force on a date, import."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path as FilePath
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tizim.api.auth import Principal, require_role
from tizim.api.models import ErrorResponse
from tizim.errors import InputError
from tizim.registry.service import Registry
from tizim.settings import get_settings

router = APIRouter(prefix="/lists", tags=["Lists"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such list or version"}}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# a file name as the importers see it: no folders, nothing hidden
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@router.post(
    "/import",
    summary="Import a list file (admin): one all-or-nothing transaction, one new list version",
    status_code=201,
    responses={
        200: {"description": "Identical to the latest version: nothing imported"},
        400: {"model": ErrorResponse, "description": "Not a list file tizim reads; the error names file, line, field"},
        409: {"model": ErrorResponse, "description": "Held back: the import would remove too many entries (allow_shrink)"},
        413: {"model": ErrorResponse, "description": "Larger than TIZIM_MAX_IMPORT_BYTES"},
    },
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def import_list(
    request: Request,
    filename: str = Query(..., description="The file's name (its extension tells the format): sdn.csv, "
                          "consolidated.xml, national.yaml; a .zip holds a folder of CSV tables (UK, EU, OFAC sets)",
                          examples=["UN_consolidated.xml"]),
    source: str | None = Query(None, description="List name; detected from the content when omitted."),
    allow_shrink: bool = Query(False, description="Import even when the new version removes more than "
                               "TIZIM_MAX_SHRINK (10 %) of the list's entries, or adds nothing while removing many; "
                               "otherwise such an import is held back with 409 and nothing is written."),
    _: Principal = Depends(require_role("admin")),
) -> JSONResponse:
    if not _FILENAME.match(filename):
        raise HTTPException(status_code=422, detail=f"{filename!r} is not a plain file name")
    body = await request.body()  # the access middleware caps its size
    if not body:
        raise HTTPException(status_code=422, detail="the request body is empty: send the list file")
    result = await run_in_threadpool(_import_bytes, body, filename, source, allow_shrink)
    return JSONResponse(status_code=201 if result["created"] else 200, content=result)


def _import_bytes(body: bytes, filename: str, source: str | None, allow_shrink: bool = False) -> dict[str, Any]:
    from tizim.registry.importers import open_list  # the importers load only when a list is sent

    with tempfile.TemporaryDirectory(prefix="tizim-import-") as tmp:
        target = FilePath(tmp) / filename
        target.write_bytes(body)
        try:
            if filename.lower().endswith(".zip"):
                target = _unzip(target, FilePath(tmp) / filename[:-4])
            parsed = open_list(target, source)  # read as it is written
            parsed.source_file = filename  # the version records the file as it was sent
            return Registry().import_parsed(parsed, allow_shrink=allow_shrink).to_dict()
        except InputError as exc:
            # name the file as the client sent it, not the temporary folder it was put in
            if exc.file and exc.file.startswith(tmp):
                shown = exc.file[len(tmp):].lstrip("/")
                raise InputError(exc.reason, file=shown, line=exc.line, record=exc.record, field=exc.field) from exc
            raise


def _unzip(archive: FilePath, into: FilePath) -> FilePath:
    """A folder of list tables from a zip, refusing paths that leave the folder and archives
    that inflate past the import limit."""
    limit = get_settings().max_import_bytes
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > limit:
                raise InputError(f"the archive inflates past {limit} bytes", file=archive.name)
            into.mkdir()
            for m in members:
                dest = (into / m.filename).resolve()
                if not dest.is_relative_to(into.resolve()):
                    raise InputError("a member's path leaves the archive's folder", file=archive.name, field=m.filename)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(m))
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a zip archive: {exc}", file=archive.name) from exc
    # an archive of one folder: the tables are in it
    entries = list(into.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into


@router.get("", summary="Every list with its size, versions and last import")
def lists(_: Principal = Depends(require_role("viewer"))) -> list[dict[str, Any]]:
    return Registry().summary()


@router.get("/{name}/versions", summary="The imported versions of a list", responses=_NOT_FOUND)
def versions(name: str, _: Principal = Depends(require_role("viewer"))) -> list[dict[str, Any]]:
    return Registry().versions(name)


@router.get(
    "/{name}/diff",
    summary="Entities added, removed and changed between two versions",
    responses=_NOT_FOUND,
)
def diff(
    name: str,
    from_version: int | None = Query(None, alias="from", ge=0, description="Default: the one before `to`."),
    to_version: int | None = Query(None, alias="to", ge=1, description="Default: the latest."),
    _: Principal = Depends(require_role("viewer")),
) -> dict[str, Any]:
    return Registry().diff(name, from_version, to_version)


@router.get(
    "/{name}/asof/{day}",
    summary="Entries of a list in force on a date",
    responses={**_NOT_FOUND, 422: {"model": ErrorResponse, "description": "Not an ISO date"}},
)
def asof(
    name: str,
    day: str = Path(..., description="ISO date: 2006-11-17 (or 2006-11, 2006)", examples=["2006-11-17"]),
    _: Principal = Depends(require_role("viewer")),
) -> dict[str, Any]:
    if not _DATE.match(day):
        raise HTTPException(status_code=422, detail=f"{day!r} is not an ISO date (YYYY-MM-DD)")
    entries = Registry().asof(name, day)
    return {"list": name, "date": day, "total": len(entries), "entries": entries}

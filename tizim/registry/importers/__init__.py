"""Importers: one module per source format, each with `sniff` and `parse`.

`open_list(path, source)` picks the importer from the source name, or from the file's
content when no source is given, and returns the file's `ParsedList` with its header read
and its entities streamed (an importer with a `stream` function yields them as it reads the
file; the registry writes them a chunk at a time). `load(path, source)` reads them all.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from tizim.errors import InputError
from tizim.registry.model import ParsedList


class Importer(Protocol):
    # List names this importer produces (the first is its default).
    LISTS: tuple[str, ...]

    def sniff(self, path: Path, head: bytes) -> str | None:
        """The list name if this importer reads the file, else None."""

    def parse(self, path: Path, list_name: str) -> ParsedList: ...


# An importer may also offer `stream(path, list_name) -> ParsedList`: the header read, the
# entities yielded as the file is read (`ParsedList.stream`); `parse` is then its
# materialized form.


# Module names under tizim.registry.importers, in the order sniffing tries them.
IMPORTER_MODULES = (
    "un",
    "ofac",
    "ofac_xml",
    "uk",
    "eu",
    "eu_xml",
    "kz_afm",
    "ftm",
    "national",
)


def importers() -> list[Importer]:
    found: list[Importer] = []
    for name in IMPORTER_MODULES:
        try:
            module = importlib.import_module(f"tizim.registry.importers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"tizim.registry.importers.{name}":
                continue
            raise
        found.append(module)
    return found


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with path.open("rb") as handle:
        return handle.read(65536)


def detect(path: Path) -> tuple[Importer, str]:
    head = _head(path)
    for importer in importers():
        list_name = importer.sniff(path, head)
        if list_name:
            return importer, list_name
    raise InputError("format not recognised; pass --source LIST to name it", file=str(path))


def for_source(source: str) -> Importer:
    for importer in importers():
        if source in importer.LISTS:
            return importer
    known = sorted({name for imp in importers() for name in imp.LISTS})
    raise InputError(f"unknown source {source!r} (known: {', '.join(known)})")


def load(path: Path, source: str | None = None) -> ParsedList:
    """Parse a list file whole; one that holds no records is refused (it would delist everything)."""
    parsed = open_list(path, source).materialize()
    if not parsed.entities:
        raise InputError(
            f"no records in the file (an empty or cut-off {parsed.list_name} file would delist every entry)",
            file=str(path),
        )
    return parsed


def open_list(path: Path, source: str | None = None) -> ParsedList:
    """The list a file holds, its entities streamed (the registry refuses an empty stream)."""
    if not path.exists():
        raise InputError("no such file or directory", file=str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("the file is empty (0 bytes)", file=str(path))
    if source and any(source in imp.LISTS for imp in importers()):
        return _open(for_source(source), path, source)
    importer, list_name = detect(path)
    if source:
        # Formats that carry any list (national YAML/CSV, FtM) take the name given.
        if not getattr(importer, "ANY_LIST_NAME", False):
            raise InputError(
                f"source {source!r} is not a list this {importer.__name__.rsplit('.', 1)[-1]} file can hold",  # type: ignore[attr-defined]
                file=str(path),
            )
        list_name = source
    return _open(importer, path, list_name)


def open_all(path: Path, source: str | None = None) -> list[ParsedList]:
    """Every list a file holds: one, except tizim's own FtM export, which holds each list it
    exported (imported without --source, it gives them all back under their names)."""
    if source is None and path.is_file() and path.stat().st_size > 0:
        importer, _ = detect(path)
        parse_all = getattr(importer, "parse_all", None)
        if parse_all is not None:
            found: list[ParsedList] = parse_all(path)
            return found
    return [open_list(path, source)]


def load_all(path: Path, source: str | None = None) -> list[ParsedList]:
    """`open_all`, every list read whole."""
    return [parsed.materialize() for parsed in open_all(path, source)]


def _open(importer: Importer, path: Path, list_name: str) -> ParsedList:
    stream = getattr(importer, "stream", None)
    opened: ParsedList = stream(path, list_name) if stream is not None else importer.parse(path, list_name)
    if opened.stream is None:
        # read whole by its importer: handed over as a stream all the same, so the registry
        # treats every file alike (one with no records is refused)
        opened.stream, opened.entities = iter(opened.entities), []
    return opened

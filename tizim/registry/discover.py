"""Find list files in a data folder and load them with the bundled national list."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from tizim.errors import InputError
from tizim.output import console, progress
from tizim.registry.dates import date_start, parse_date
from tizim.registry.importers import detect, open_list
from tizim.registry.model import ParsedList
from tizim.registry.service import ImportResult, Registry, ShrinkHeld
from tizim.settings import get_settings

BUNDLED = Path(__file__).parent / "data"


def bundled_lists() -> list[Path]:
    """The national lists shipped inside the package."""
    return sorted(p for p in BUNDLED.glob("*.yaml"))


def discover(data_dir: Path) -> list[Path]:
    """Files and CSV-set folders under `data_dir` that an importer recognises."""
    found: list[Path] = []
    for root, dirs, files in os.walk(data_dir):
        folder = Path(root)
        try:
            detect(folder)
        except InputError:
            pass
        else:
            found.append(folder)
            dirs[:] = []  # the folder is one list version; its files are parts of it
            continue
        dirs.sort()
        for name in sorted(files):
            path = folder / name
            try:
                detect(path)
            except InputError:
                continue
            found.append(path)
    return found


def version_date(published_at: str | None, mtime: float) -> str:
    """What orders versions of one list: the publication date, else the file's date."""
    day = parse_date(published_at)
    return date_start(day) if day else datetime.fromtimestamp(mtime, UTC).date().isoformat()


def bootstrap(registry: Registry, data_dir: Path | None = None) -> list[ImportResult]:
    """Load the bundled lists, then every list found in the data folder, oldest first."""
    data_dir = data_dir or get_settings().data_dir
    parsed: list[tuple[ParsedList, float]] = []
    paths = bundled_lists() + (discover(data_dir) if data_dir and data_dir.is_dir() else [])
    results = []
    with progress() as bar:
        task = bar.add_task("parsing lists", total=len(paths))
        for path in paths:
            bar.update(task, description=f"parsing {path.name}")
            parsed.append((open_list(path), path.stat().st_mtime))  # entities read at import
            bar.advance(task)
        # Several versions of one list (two SDN files) go in oldest first: by publication
        # date, else the file's date (the import time orders the rest); an older file than
        # the current version is kept as history by the registry, never made current.
        parsed.sort(key=lambda pm: (pm[0].list_name, version_date(pm[0].published_at, pm[1]), pm[1]))
        task = bar.add_task("importing", total=len(parsed))
        for item, _ in parsed:
            bar.update(task, description=f"importing {item.list_name}")
            try:
                results.append(registry.import_parsed(item))
            except ShrinkHeld as exc:
                # one file that would delist much (a cut copy in the folder) holds back only
                # itself; the operator imports it with --allow-shrink if it is right
                console.print(f"[yellow]{exc}[/]", highlight=False)
            bar.advance(task)
    for r in results:
        state = (f"version {r.version}, +{r.added} -{r.removed} ~{r.changed}" if r.created
                 else f"older than the current version, kept as history (version {r.version})" if r.history
                 else f"unchanged (version {r.version})")
        console.print(f"{r.list_name}: {state} <- {r.source_file}", highlight=False)
    return results

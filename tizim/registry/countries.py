"""Country names and codes as lists write them, to lower-case ISO 3166-1 alpha-2 codes.

rigour's territory table does the work (it knows "Iran (Islamic Republic of)", "Russian
Federation", "Korea, Democratic People's Republic of", codes and many spellings); it is the
table FollowTheMoney's country type uses. Building rigour's name index transliterates
thousands of names (about 3 s), which every `tizim lists import` would pay, so the finished
name -> code table is kept in the user cache folder, keyed by rigour's version.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache, lru_cache
from pathlib import Path

import rigour
from platformdirs import user_cache_dir
from rigour.territories import lookup_territory
from rigour.territories.lookup import lookup_by_identifier
from rigour.territories.util import normalize_territory_name


def _cache_file() -> Path:
    version = getattr(rigour, "__version__", "unknown")
    return Path(user_cache_dir("tizim", appauthor=False)) / f"territory-names-{version}.json"


@cache
def _name_table() -> dict[str, str] | None:
    """Normalized territory name -> code, as rigour's own lookup keys them (None: use rigour)."""
    path = _cache_file()
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    try:
        from rigour.territories.lookup import _get_territory_names
    except ImportError:  # rigour reorganised its internals: fall back to its public lookup
        return None
    table = {name: territory.code for name, territory in _get_territory_names().items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(table, handle)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: the table is rebuilt next time, nothing else changes
    return table


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """'Uzbekistan' -> 'uz'; None when the text names no known country or territory."""
    if not text:
        return None
    cleaned = " ".join(text.split()).strip(" .,;")
    if not cleaned:
        return None
    territory = lookup_by_identifier(cleaned)
    if territory is not None:
        return territory.code
    table = _name_table()
    if table is None:
        found = lookup_territory(cleaned)
        return found.code if found is not None else None
    return table.get(normalize_territory_name(cleaned))


def country_codes(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Codes for several names, de-duplicated in order, unknown names dropped."""
    out: list[str] = []
    for text in texts:
        code = country_code(text)
        if code and code not in out:
            out.append(code)
    return out

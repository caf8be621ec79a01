"""Scopes: `default` means every list; anything else must name a list."""

from __future__ import annotations

import time

from tizim.errors import NotFound
from tizim.registry.service import Registry
from tizim.settings import get_settings

DEFAULT_SCOPES = ("default", "all")
_CACHE_SECONDS = 5.0
# database URL -> (expires, list names); spares a query on every /match call.
_names: dict[str, tuple[float, list[str]]] = {}


def list_names() -> list[str]:
    url = get_settings().database_url
    now = time.monotonic()
    cached = _names.get(url)
    if cached is not None and cached[0] > now:
        return cached[1]
    names = Registry().list_names()
    _names[url] = (now + _CACHE_SECONDS, names)
    return names


def resolve_scope(scope: str) -> list[str] | None:
    """The lists a scope covers, or None for all of them; NotFound (404) for an unknown list."""
    if scope in DEFAULT_SCOPES:
        return None
    names = list_names()
    if scope not in names:
        # The list may have been imported within the cache window.
        _names.pop(get_settings().database_url, None)
        names = list_names()
    if scope not in names:
        raise NotFound(f"no list named {scope!r} (known: {', '.join(names) or 'none'}; or 'default')")
    return [scope]

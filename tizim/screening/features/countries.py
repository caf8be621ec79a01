"""Countries: a shared country +0.02, disjoint countries -0.05 (nationality, residence)."""

from __future__ import annotations

from collections.abc import Sequence


def country_adjustment(query: Sequence[str], listed: Sequence[str]) -> tuple[float, str | None]:
    """(adjustment, explanation line), (0.0, None) when a side has no country."""
    if not query or not listed:
        return 0.0, None
    shared = sorted(set(query) & set(listed))
    if shared:
        return 0.02, f"shared {', '.join(shared)}"
    return -0.05, f"query {', '.join(query)}, listed {', '.join(listed)}"

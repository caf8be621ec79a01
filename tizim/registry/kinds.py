"""What kind of list a list is: sanctions, pep, watchlist or other.

Only a designated entry of a `sanctions` list can freeze funds; a PEP list asks for enhanced
due diligence (OBSERVE); a watchlist or anything else only observes. The kind is set at
import: by the importer when the source format says (FollowTheMoney topics `sanction`,
`role.pep`), else by the list's name for the official lists tizim reads (UN, OFAC, EU, UK,
the national terrorist lists), else `other`; `tizim lists import --kind` overrides it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tizim.errors import InputError

KINDS = ("sanctions", "pep", "watchlist", "other")

# Lists tizim imports from official sanctions sources (keep in step with migration 0008).
SANCTIONS_LISTS = frozenset({"un-sc", "us-ofac-sdn", "us-ofac-cons", "eu-fsf", "uk-fcdo", "kz-afm",
                             "kz-supreme-court"})

# FollowTheMoney topics that put an entry on a watchlist (not a sanctions list).
_WATCH_TOPICS = ("crime", "debarment", "poi", "wanted", "export.control", "corp.disqual", "sanction.linked")


def check_kind(kind: str) -> str:
    value = kind.strip().lower()
    if value not in KINDS:
        raise InputError(f"unknown list kind {kind!r} (one of {', '.join(KINDS)})", field="--kind")
    return value


def kind_for_name(list_name: str) -> str:
    """The kind of a list known by name; `other` for any list that does not say."""
    return "sanctions" if list_name in SANCTIONS_LISTS else "other"


def kind_from_topics(topics: Iterable[list[str]], dataset: str = "") -> str:
    """The kind of an FtM dataset from its targets' topics: `pep` when they are PEPs,
    `sanctions` when most targets carry `sanction`, `watchlist` when some carry a
    sanction, crime or debarment topic, else `other`."""
    counts: Counter[str] = Counter()
    targets = 0
    for entry in topics:
        targets += 1
        counts.update(set(entry))
    if counts["role.pep"] or {"pep", "peps"} & set(dataset.lower().replace("_", "-").split("-")):
        return "pep"
    if targets and counts["sanction"] * 2 > targets:
        return "sanctions"
    if counts["sanction"] or any(counts[t] for t in _WATCH_TOPICS):
        return "watchlist"
    return "other"

"""Country names and codes as lists write them, to lower-case ISO 3166-1 alpha-2 codes.

rigour's territory table does the work (it knows "Iran (Islamic Republic of)", "Russian
Federation", "Korea, Democratic People's Republic of", codes and many spellings). It is the
table FollowTheMoney's country type uses, without loading the whole FtM model (seconds).
"""

from __future__ import annotations

from functools import lru_cache

from rigour.territories import lookup_territory


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """'Uzbekistan' -> 'uz'; None when the text names no known country or territory."""
    if not text:
        return None
    cleaned = " ".join(text.split()).strip(" .,;")
    if not cleaned:
        return None
    territory = lookup_territory(cleaned)
    return territory.code if territory is not None else None


def country_codes(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Codes for several names, de-duplicated in order, unknown names dropped."""
    out: list[str] = []
    for text in texts:
        code = country_code(text)
        if code and code not in out:
            out.append(code)
    return out

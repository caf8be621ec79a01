"""Kazakh identity numbers (IIN/BIN) and IBANs: check digits, validation, construction.

IIN (individual identification number) and BIN (business identification number) are both
12 digits, the last a check digit over the first 11:

- IIN: YYMMDD (birth date), then a century/sex digit (1/2: 1800s male/female, 3/4: 1900s,
  5/6: 2000s), a 4-digit serial, the check digit.
- BIN: YYMM (registration), then the entity type (4 resident legal entity, 5 non-resident,
  6 joint venture/individual entrepreneur), an attribute digit (0 head office, 1 branch,
  2 representative office, 3 peasant farm), a 5-digit serial, the check digit.

The check digit is the weighted sum of the first 11 digits with weights 1..11, modulo 11; when
that is 10, the sum is taken again with weights 3..11, 1, 2; when that too is 10, the number is
never issued (the serial is skipped). The eleventh digit weighs 11 = 0 modulo 11 in the first
sum, so a typo there shows only when the second weights are used.

IBANs (ISO 13616): country code, 2 check digits, the country's BBAN; valid when the number,
moved and read as digits (A=10 .. Z=35), is 1 modulo 97. A Kazakh IBAN is 20 characters:
KZ, check digits, a 3-digit bank code, 13 alphanumerics. Country layouts come from
python-stdnum's copy of the SWIFT IBAN registry; the arithmetic is done here because the
importer validates millions of accounts (stdnum's validate costs ~70 us a call).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from operator import mul

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def iin_check_digit(first11: str) -> int | None:
    """The check digit of an IIN/BIN from its first 11 digits; None if no digit fits."""
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError(f"need 11 digits, got {first11!r}")
    return _check_digit(first11)


def _check_digit(first11: str) -> int | None:
    # map/mul rather than a generator: the synthetic books make a million of these.
    digits = list(map(int, first11))
    check = sum(map(mul, _WEIGHTS_1, digits)) % 11
    if check == 10:
        check = sum(map(mul, _WEIGHTS_2, digits)) % 11
        if check == 10:
            return None
    return check


def iin_is_valid(value: str) -> bool:
    """12 digits whose last is the IIN/BIN check digit of the first 11 (IINs and BINs alike)."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return _check_digit(value[:11]) == ord(value[11]) - 48


@dataclass(frozen=True)
class IinInfo:
    """What the structure of a valid IIN/BIN says."""

    kind: str  # "person" | "organization"
    birth_date: date | None = None  # persons
    sex: str | None = None  # "M" | "F", persons
    registered: str | None = None  # "YYYY-MM", organizations (century guessed: <= this year)
    entity_type: int | None = None  # 4, 5, 6 for organizations


def iin_info(value: str) -> IinInfo | None:
    """Read a valid IIN (birth date, sex) or BIN (registration month, type); None otherwise.

    A number whose check digit is right but whose date or type digits are impossible
    (month 13, century digit 9) is None too.
    """
    if not iin_is_valid(value):
        return None
    yy, mm = int(value[0:2]), int(value[2:4])
    fifth = int(value[4])
    if fifth in (4, 5, 6):
        if not 1 <= mm <= 12 or int(value[5]) > 3:
            return None
        year = 2000 + yy if 2000 + yy <= date.today().year else 1900 + yy
        return IinInfo(kind="organization", registered=f"{year:04d}-{mm:02d}", entity_type=fifth)
    century_digit = int(value[6])
    if century_digit not in _CENTURY:
        return None
    try:
        born = date(_CENTURY[century_digit] + yy, mm, int(value[4:6]))
    except ValueError:
        return None
    return IinInfo(kind="person", birth_date=born, sex="M" if century_digit % 2 else "F")


def make_iin(born: date, sex: str, serial: int) -> str | None:
    """The IIN of a person born on `born` with this 4-digit serial; None if never issued."""
    if not 1800 <= born.year <= 2099:
        raise ValueError(f"no IIN century digit for {born.year}")
    if sex not in ("M", "F") or not 0 <= serial <= 9999:
        raise ValueError(f"bad sex {sex!r} or serial {serial}")
    century = 1 + 2 * ((born.year - 1800) // 100) + (sex == "F")
    head = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}{century}{serial:04d}"
    check = _check_digit(head)
    return None if check is None else f"{head}{check}"


def make_bin(year: int, month: int, entity_type: int, attribute: int, serial: int) -> str | None:
    """The BIN of an organization registered in year/month; None if never issued."""
    if entity_type not in (4, 5, 6) or not 0 <= attribute <= 3 or not 0 <= serial <= 99999:
        raise ValueError(f"bad BIN parts {entity_type}, {attribute}, {serial}")
    if not 1 <= month <= 12:
        raise ValueError(f"bad month {month}")
    head = f"{year % 100:02d}{month:02d}{entity_type}{attribute}{serial:05d}"
    check = _check_digit(head)
    return None if check is None else f"{head}{check}"


# ---- IBAN -----------------------------------------------------------------------------

# Letters read as numbers for the mod-97 check: A=10 .. Z=35.
_LETTERS = str.maketrans({chr(65 + i): str(10 + i) for i in range(26)})
_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_PART = re.compile(r"(\d+)(!?)([nace])")
_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]", "e": " "}


@cache
def _bban_patterns() -> dict[str, re.Pattern[str]]:
    """Country code -> the regex of its BBAN, from stdnum's copy of the IBAN registry."""
    text = resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    patterns: dict[str, re.Pattern[str]] = {}
    for line in text.splitlines():
        match = re.match(r'([A-Z]{2}) .*bban="([^"]+)"', line)
        if not match:
            continue
        regex = "".join(
            f"{_CLASSES[cls]}{{{n}}}" if fixed else f"{_CLASSES[cls]}{{1,{n}}}"
            for n, fixed, cls in _PART.findall(match.group(2))
        )
        patterns[match.group(1)] = re.compile(regex)
    return patterns


def _mod97(text: str) -> int:
    return int(text if text.isdigit() else text.translate(_LETTERS)) % 97


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits of `country` + `bban`."""
    return f"{98 - _mod97(bban + country + '00'):02d}"


def make_iban(country: str, bban: str) -> str:
    """An IBAN (no spaces) from a country code and BBAN, with its check digits."""
    country, bban = country.upper(), bban.upper()
    body = bban if bban.isdigit() else bban.translate(_LETTERS)
    return f"{country}{98 - int(body + country.translate(_LETTERS) + '00') % 97:02d}{bban}"


def iban_compact(value: str) -> str:
    """An IBAN as written on paper ("KZ86 125K ZT50 ...") compacted to its characters."""
    return "".join(value.split()).upper()


def iban_is_valid(value: str) -> bool:
    """A well-formed IBAN: known country layout (SWIFT registry) and mod-97 check digits.

    Spaces and lower case are tolerated, as people write IBANs; countries the registry does
    not know are checked by shape and check digits only.
    """
    iban = iban_compact(value)
    if not iban.isascii() or not _SHAPE.fullmatch(iban):
        return False
    pattern = _bban_patterns().get(iban[:2])
    if pattern is not None and not pattern.fullmatch(iban[4:]):
        return False
    return _mod97(iban[4:] + iban[:4]) == 1

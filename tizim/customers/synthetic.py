"""Realistic synthetic customer books, with a known number of listed persons planted in them.

A book looks like a Kazakh bank's: most customers are Kazakh or Russian, written in Cyrillic
(Kazakh letters kept, or folded to Russian ones as older systems do), family name first with
a Russian (-ович/-овна) or Kazakh (-ұлы/-қызы) patronymic, and a Latin passport spelling as
an alias; Uzbek and Uyghur customers the same way (Uzbek sometimes in Uzbek Latin); Chinese
customers in Han characters with a pinyin alias; Arabic and English names in Latin, some with
a Cyrillic spelling. Persons have birth dates and, when resident, an IIN whose date, sex and
check digit agree; organizations a BIN, owners (with shares) and directors that are person
customers of the same book or bare names. Everyone has 1-3 Kazakh IBANs, unique in the book.

Names are drawn from pools (`data/names.yaml`, `data/places.yaml`) with Zipf-like weights, so
common names recur as they do in a real book. Everything follows from `seed`: the same
arguments give the same book, byte for byte.

Planted customers are listed persons (or organizations) from `listed`, written as a bank
might hold them: transliterated into Cyrillic, family name first, a middle name dropped, a
typo, an alias used. Their records carry `_planted_entity` and `_planted_variant`, which
`write_book` strips into the truth file.
"""

from __future__ import annotations

import csv
import random
import re
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson
import yaml

from tizim.customers.identifiers import iin_is_valid, make_bin, make_iban, make_iin
from tizim.customers.model import COLUMNS

__all__ = ["COLUMNS", "VARIANTS", "generate", "listed_from_registry", "spell", "write_book"]


# Who a Kazakh bank's persons are (shares of the person customers).
CULTURE_SHARES = {
    "kazakh": 0.58, "russian": 0.20, "uzbek": 0.07, "uyghur": 0.04,
    "chinese": 0.04, "arabic": 0.03, "english": 0.04,
}
NATIONALITIES: dict[str, tuple[tuple[str, float], ...]] = {
    "kazakh": (("KZ", 0.97), ("RU", 0.01), ("UZ", 0.01), ("CN", 0.01)),
    "russian": (("KZ", 0.85), ("RU", 0.15)),
    "uzbek": (("KZ", 0.55), ("UZ", 0.45)),
    "uyghur": (("KZ", 0.88), ("CN", 0.10), ("KG", 0.02)),
    "chinese": (("CN", 0.85), ("KZ", 0.15)),
    "arabic": (("SA", 0.2), ("AE", 0.15), ("EG", 0.15), ("JO", 0.1), ("SY", 0.1), ("IQ", 0.1),
               ("LB", 0.05), ("MA", 0.05), ("TN", 0.05), ("QA", 0.05)),
    "english": (("GB", 0.45), ("US", 0.35), ("CA", 0.08), ("AU", 0.07), ("IE", 0.05)),
}
# Kazakh banks' 3-digit IBAN bank codes, illustrative (the real ones are the banks' own).
BANK_CODES = ("601", "722", "965", "998", "826", "551", "948", "886", "914", "125", "856",
              "832", "443", "070", "949", "319")

# Cyrillic Kazakh letters folded to Russian ones, as systems without them store names.
_KAZ_TO_RU = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_CYR_LOWER = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ў": "u", "ҳ": "h",
}


def _table(lower: dict[str, str]) -> dict[int, str]:
    out = {ord(k): v for k, v in lower.items()}
    out.update({ord(k.upper()): v.capitalize() for k, v in lower.items() if k.upper() != k})
    return out


# ICAO Doc 9303 (Kazakh and Russian passports since 2013) and the older popular spelling.
_TO_LATIN_ICAO = _table(_CYR_LOWER)
_TO_LATIN_POPULAR = _table({**_CYR_LOWER, "й": "y", "ю": "yu", "я": "ya", "ё": "yo", "ъ": "",
                            "ғ": "gh", "қ": "q", "ң": "ng", "ә": "ae", "ө": "oe", "ү": "ue"})
_TO_UZBEK_LATIN = _table({**_CYR_LOWER, "ж": "j", "х": "x", "й": "y", "ю": "yu", "я": "ya",
                          "ё": "yo", "ъ": "'", "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
                          "ц": "ts", "щ": "sh"})
_VOWEL_E = re.compile(r"(?<=[аеёиоуыэюяәөұүіАЕЁИОУЫЭЮЯ])е|\bЕ(?=[а-яё])|\bе")

_LATIN_TO_CYR = {
    "shch": "щ", "sch": "ш", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц", "ya": "я",
    "yu": "ю", "yo": "ё", "ye": "е", "ee": "и", "oo": "у", "ph": "ф", "th": "т", "gh": "г",
    "dj": "дж", "ou": "у", "ck": "к", "ai": "ай", "ei": "ей", "oi": "ой", "ay": "ай", "ey": "ей",
    "oy": "ой", "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф",
    "g": "г", "h": "х", "i": "и", "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "у", "x": "кс",
    "y": "и", "z": "з", "'": "", "`": "",
}
_LATIN_UNIT = re.compile(
    "|".join(sorted((k for k in _LATIN_TO_CYR if len(k) > 1), key=len, reverse=True)) + "|.",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"\b([Aa]l|[Ee]l)-")


def to_latin(text: str, system: str = "icao") -> str:
    """A Cyrillic name in Latin letters: 'icao' (passports), 'popular' or 'uzbek'."""
    if system == "popular":
        text = _VOWEL_E.sub(lambda m: "Ye" if m.group(0) == "Е" else "ye", text)
        return text.translate(_TO_LATIN_POPULAR)
    if system == "uzbek":
        return text.translate(_TO_UZBEK_LATIN)
    return text.translate(_TO_LATIN_ICAO)


def to_cyrillic(text: str) -> str:
    """A Latin name as a Russian-speaking clerk would write it in Cyrillic."""
    text = _ARTICLE.sub(lambda m: ("Аль-" if m.group(1)[0] in "Aa" else "Эль-"), text)

    def unit(m: re.Match[str]) -> str:
        chunk = m.group(0)
        out = _LATIN_TO_CYR.get(chunk.lower())
        if out is None:
            return chunk
        if chunk[0].isupper():
            return out.upper() if chunk.isupper() and len(chunk) > 1 else out.capitalize()
        return out

    # a word-final y after a vowel is й (Sayy -> Сай), else и: handled by the default table
    converted = _LATIN_UNIT.sub(unit, text)
    return re.sub(r"(?<=[аеиоуАЕИОУ])и\b", "й", converted)


def fold_kazakh(text: str) -> str:
    return text.translate(_KAZ_TO_RU)


# ---- pools ------------------------------------------------------------------------------


class _Pool:
    """Items drawn with Zipf-like weights by rank (the first is the most common)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Iterable[Any], flatten: float = 8.0) -> None:
        self.items = list(dict.fromkeys(items))
        if not self.items:
            raise ValueError("empty pool")
        self.cum = list(accumulate(1.0 / (rank + flatten) for rank in range(len(self.items))))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("tizim.customers").joinpath("data", name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class _Pools:
    first: dict[tuple[str, str], _Pool]  # (culture, "M"|"F")
    family: dict[str, _Pool]
    cities: _Pool
    streets: _Pool
    foreign: dict[str, list[str]]
    legal_forms: _Pool
    org_names: _Pool
    org_trades: _Pool
    chinese_orgs: _Pool
    chinese_kinds: _Pool


@cache
def _pools() -> _Pools:
    names = _load("names.yaml")
    places = _load("places.yaml")

    def split(items: list[str]) -> list[tuple[str, ...]]:
        return [tuple(item.split("|")) for item in items]

    first: dict[tuple[str, str], _Pool] = {}
    family: dict[str, _Pool] = {}
    for culture, data in names.items():
        convert = split if culture == "chinese" else (lambda xs: list(xs))
        first[(culture, "M")] = _Pool(convert(data["male"]))
        first[(culture, "F")] = _Pool(convert(data["female"]))
        family[culture] = _Pool(convert(data["family"]), flatten=15.0)
    foreign: dict[str, list[str]] = {}
    for item in places["foreign"]:
        country, line = item.split("|", 1)
        foreign.setdefault(country, []).append(line)
    return _Pools(
        first=first, family=family,
        cities=_Pool(split(places["cities"]), flatten=2.0),
        streets=_Pool(split(places["streets"]), flatten=10.0),
        foreign=foreign,
        legal_forms=_Pool(split(places["legal_forms"]), flatten=1.0),
        org_names=_Pool(split(places["org_names"]), flatten=20.0),
        org_trades=_Pool(split(places["org_trades"]), flatten=20.0),
        chinese_orgs=_Pool(split(places["chinese_orgs"])),
        chinese_kinds=_Pool(split(places["chinese_org_kinds"])),
    )


# ---- name forms ---------------------------------------------------------------------------

_FEMININE = (("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ёв", "ёва"), ("ев", "ева"),
             ("ин", "ина"), ("ын", "ына"))


def feminine(family: str) -> str:
    """The feminine of a Russian-style family name (Ахметов -> Ахметова); others unchanged."""
    for masc, fem in _FEMININE:
        if family.endswith(masc):
            return family[: -len(masc)] + fem
    return family


# Russian given names ending in a vowel whose patronymic is irregular.
_IRREGULAR_PATRONYMICS = {
    "Илья": ("Ильич", "Ильинична"), "Никита": ("Никитич", "Никитична"),
    "Кузьма": ("Кузьмич", "Кузьминична"), "Фома": ("Фомич", "Фоминична"),
    "Лука": ("Лукич", "Лукинична"), "Данила": ("Данилович", "Даниловна"),
    "Савва": ("Саввич", "Саввична"), "Яков": ("Яковлевич", "Яковлевна"),
    "Лев": ("Львович", "Львовна"), "Пётр": ("Петрович", "Петровна"),
    "Павел": ("Павлович", "Павловна"),
}


def patronymic_ru(father: str, sex: str) -> str:
    """Russian-style patronymic: Сергей -> Сергеевич/Сергеевна, Иван -> Иванович, Илья -> Ильич,
    Абдулла -> Абдуллаевич; a Kazakh father's name is folded to Russian letters first."""
    father = fold_kazakh(father)
    irregular = _IRREGULAR_PATRONYMICS.get(father)
    if irregular is not None:
        return irregular[0] if sex == "M" else irregular[1]
    if father.endswith("ий"):
        stem = father[:-2] + "ь"
    elif father.endswith(("й", "ь")):
        stem = father[:-1]
    elif father.endswith(("а", "я", "и", "е", "о", "у", "ы", "э", "ю")):
        stem = father
    else:
        return father + ("ович" if sex == "M" else "овна")
    return stem + ("евич" if sex == "M" else "евна")


# The pools are finite: each word's forms are computed once.
_latin = cache(to_latin)
_cyrillic = cache(to_cyrillic)
_folded = cache(fold_kazakh)
_feminine = cache(feminine)
_patronymic = cache(patronymic_ru)


# ---- the book -------------------------------------------------------------------------------


def _weighted(options: tuple[tuple[str, float], ...]) -> Callable[[random.Random], str]:
    values = [v for v, _ in options]
    cum = list(accumulate(w for _, w in options))
    total = cum[-1]
    return lambda rng: values[min(bisect(cum, rng.random() * total), len(values) - 1)]


_CULTURE = _weighted(tuple(CULTURE_SHARES.items()))
_NATIONALITY = {c: _weighted(opts) for c, opts in NATIONALITIES.items()}
_PASSPORT_PREFIX = {"KZ": "N", "RU": "75", "UZ": "AA", "CN": "E", "KG": "AC", "GB": "",
                    "US": "", "SA": "A", "AE": "P", "EG": "A", "JO": "N", "SY": "N", "IQ": "A",
                    "LB": "RL", "MA": "U", "TN": "M", "QA": "Q", "CA": "G", "AU": "P", "IE": "P",
                    "DE": "C", "TR": "U", "KR": "M"}
_FIRST_BORN = date(1941, 1, 1).toordinal()
_LAST_BORN = date(2007, 12, 31).toordinal()
# Account numbers: a bijection of a unique serial modulo 10**13 (multiplier coprime with 10).
_ACCOUNT_MULT = 7_306_094_323_451
_ACCOUNT_MOD = 10**13


@dataclass
class _Person:
    """What a person customer's record, and an organization's owner name, is made from."""

    culture: str
    sex: str
    name: str
    aliases: list[str]
    family_latin: str
    first_latin: str


class _Book:
    def __init__(self, n: int, seed: int, orgs_share: float) -> None:
        self.n = n
        self.seed = seed
        self.orgs_share = orgs_share
        self.rng = random.Random(seed)
        self.pools = _pools()
        self.person_ids: list[int] = []
        self.iin_serials: dict[int, int] = {}
        self.bin_serials: dict[int, int] = {}
        self.account_offset = random.Random(seed * 7919 + 1).randrange(_ACCOUNT_MOD)

    # -- names

    def person_name(self, culture: str, sex: str) -> _Person:
        rng, pools = self.rng, self.pools
        first = pools.first[(culture, sex)].draw(rng)
        family = pools.family[culture].draw(rng)
        r = rng.random()
        if culture == "chinese":
            (f_han, f_pin), (g_han, g_pin) = family, first
            name = f_han + g_han
            if r < 0.6:
                aliases = [f"{f_pin} {g_pin}".upper()]
            elif r < 0.85:
                aliases = [f"{f_pin} {g_pin}"]
            else:
                aliases = [f"{f_pin} {g_pin}".upper(), f"{g_pin} {f_pin}"]
            return _Person(culture, sex, name, aliases, f_pin, g_pin)
        if culture in ("arabic", "english"):
            middle = pools.first[(culture, "M")].draw(rng) if rng.random() < 0.5 else ""
            if culture == "arabic" and middle and rng.random() < 0.3:
                middle = ("bin " if sex == "M" else "bint ") + middle
            name = f"{first} {middle} {family}" if middle else f"{first} {family}"
            aliases = []
            if rng.random() < 0.3:
                aliases.append(f"{_cyrillic(first)} {_cyrillic(family)}")
            if rng.random() < 0.2:
                aliases.append(f"{family} {first}".upper())
            return _Person(culture, sex, name, aliases, family, first)
        # Cyrillic: Kazakh, Russian, Uzbek, Uyghur
        family_form = _feminine(family) if sex == "F" else family
        father = pools.first[(culture, "M")].draw(rng)
        if culture == "kazakh" and r < 0.3:
            patronymic = father + ("ұлы" if sex == "M" else "қызы")
        elif culture == "uzbek" and r < 0.15:
            patronymic = father + (" ўғли" if sex == "M" else " қизи")
        elif r < 0.9 or culture == "russian":
            patronymic = _patronymic(father, sex)
        else:
            patronymic = ""
        parts = [family_form, first, patronymic] if patronymic else [family_form, first]
        if culture != "russian" and rng.random() < 0.35:
            parts = [_folded(part) for part in parts]
        name = " ".join(parts)
        if rng.random() < 0.3:
            name = name.upper()
        system = "popular" if rng.random() < 0.4 else "icao"
        family_latin = _latin(family_form, system)
        first_latin = _latin(first, system)
        aliases = []
        if culture == "uzbek" and rng.random() < 0.4:
            uz = [_latin(family_form, "uzbek"), _latin(first, "uzbek")]
            if patronymic.endswith(("ўғли", "қизи")):
                uz.append(_latin(patronymic, "uzbek"))
            aliases.append(" ".join(uz))
        if rng.random() < 0.6:
            aliases.append(f"{family_latin} {first_latin}".upper())
        if rng.random() < 0.1:
            aliases.append(f"{first_latin} {family_latin}")
        return _Person(culture, sex, name, aliases, family_latin, first_latin)

    # -- identifiers

    def iin(self, born: date, sex: str) -> str:
        key = born.toordinal() * 2 + (sex == "F")
        serial = self.iin_serials.get(key)
        if serial is None:
            serial = (key * 7919 + self.seed) % 5000
        while True:
            iin = make_iin(born, sex, serial % 10000)
            serial += 1
            if iin is not None:
                self.iin_serials[key] = serial
                return iin

    def bin(self, year: int, month: int, entity_type: int, attribute: int) -> str:
        key = (year * 12 + month) * 40 + entity_type * 4 + attribute
        serial = self.bin_serials.get(key)
        if serial is None:
            serial = (key * 104729 + self.seed) % 50000
        while True:
            number = make_bin(year, month, entity_type, attribute, serial % 100000)
            serial += 1
            if number is not None:
                self.bin_serials[key] = serial
                return number

    def passport(self, country: str) -> str:
        prefix = _PASSPORT_PREFIX.get(country, "P")
        digits = 9 - len(prefix) if len(prefix) < 2 else 7
        return prefix + str(10 ** (digits - 1) + int(self.rng.random() * 9 * 10 ** (digits - 1)))

    def accounts(self, index: int) -> list[str]:
        rng = self.rng
        r = rng.random()
        count = 1 if r < 0.55 else 2 if r < 0.87 else 3
        out = []
        for k in range(count):
            serial = ((index * 3 + k + self.account_offset) * _ACCOUNT_MULT) % _ACCOUNT_MOD
            bank = BANK_CODES[bisect(_BANK_CUM, rng.random() * _BANK_CUM[-1])]
            if rng.random() < 0.3:
                body = ("KZT", "USD", "EUR")[k % 3] + f"{serial % 10**10:010d}"
            else:
                body = f"{serial:013d}"
            out.append(make_iban("KZ", bank + body))
        return out

    # -- addresses

    def address(self, country: str, org: bool = False) -> str:
        rng, pools = self.rng, self.pools
        if country != "KZ":
            lines = pools.foreign.get(country)
            if not lines:
                return ""
            line = lines[int(rng.random() * len(lines))]
            apartment = f", apt. {_int(rng, 1, 300)}" if rng.random() < 0.6 else ""
            return f"{line} {_int(rng, 1, 180)}{apartment}"
        city_kz, city_ru, city_lat = pools.cities.draw(rng)
        street_kz, street_ru = pools.streets.draw(rng)
        house = _int(rng, 1, 250)
        r = rng.random()
        flat = _int(rng, 1, 400) if rng.random() < 0.75 else None
        if r < 0.55:
            unit = (f", офис {flat}" if org else f", кв. {flat}") if flat else ""
            return f"г. {city_ru}, ул. {street_ru}, д. {house}{unit}"
        if r < 0.85:
            unit = (f", {flat} кеңсе" if org else f", {flat} пәтер") if flat else ""
            return f"{city_kz} қ., {street_kz} к-сі, {house} үй{unit}"
        unit = (f", office {flat}" if org else f", apt. {flat}") if flat else ""
        return f"{city_lat}, {_latin(street_ru, 'icao')} str. {house}{unit}"

    # -- records

    def person(self, index: int) -> dict[str, Any]:
        rng = self.rng
        culture = _CULTURE(rng)
        sex = "M" if rng.random() < 0.5 else "F"
        person = self.person_name(culture, sex)
        born = date.fromordinal(_int(rng, _FIRST_BORN, _LAST_BORN))
        nationality = _NATIONALITY[culture](rng)
        resident = nationality == "KZ" or rng.random() < 0.6
        country = "KZ" if resident else nationality
        if country == "KZ":
            id_number = self.iin(born, sex)
        else:
            id_number = self.passport(nationality) if rng.random() < 0.9 else ""
        birth_date = born.isoformat() if rng.random() < 0.97 else str(born.year)
        self.person_ids.append(index)
        return {
            "customer_id": customer_id(index), "type": "person", "name": person.name,
            "aliases": person.aliases, "birth_date": birth_date, "nationality": nationality,
            "country": country, "id_number": id_number, "address": self.address(country),
            "accounts": self.accounts(index), "owners": [], "directors": [],
        }

    def someone(self) -> tuple[str, str]:
        """An owner or director: (reference, surname) - a person customer of the book, or a name."""
        rng = self.rng
        if self.person_ids and rng.random() < 0.75:
            return customer_id(self.person_ids[int(rng.random() * len(self.person_ids))]), ""
        culture = _CULTURE(rng)
        person = self.person_name(culture, "M" if rng.random() < 0.7 else "F")
        return person.name, person.family_latin

    def organization(self, index: int) -> dict[str, Any]:
        rng, pools = self.rng, self.pools
        r = rng.random()
        owners_n = 1 if rng.random() < 0.6 else 2 if rng.random() < 0.7 else 3
        people = [self.someone() for _ in range(owners_n)]
        nationality = "KZ"
        entity_type, attribute = 4, (1 if rng.random() < 0.08 else 0)
        if r < 0.05:  # a Chinese company
            (w_han, w_pin), (k_han, k_en) = pools.chinese_orgs.draw(rng), pools.chinese_kinds.draw(rng)
            name, aliases = w_han + k_han, [f"{w_pin} {k_en}"]
            nationality, entity_type = "CN", 5
        elif r < 0.12:  # an individual entrepreneur: ИП + the owner's name
            culture = "kazakh" if rng.random() < 0.7 else "russian"
            owner = self.person_name(culture, "M" if rng.random() < 0.6 else "F")
            name, aliases = f"ИП {owner.name}", [f"IE {owner.family_latin} {owner.first_latin}"]
            entity_type, people = 6, [(owner.name, owner.family_latin)]
        else:
            stem_cyr, stem_lat = self.org_stem()
            form_kz, form_ru, form_lat = pools.legal_forms.draw(rng)
            style = rng.random()
            if style < 0.5:
                name = f'{form_ru} "{stem_cyr}"'
            elif style < 0.7:
                name = f'{form_kz} "{stem_cyr}"'
            elif style < 0.8:
                name = f'"{stem_cyr}" {form_kz}'
            elif style < 0.95:
                name = f"{stem_lat} {form_lat}"
            else:
                name = f"{stem_lat} Ltd"
            aliases = []
            if rng.random() < 0.5:
                aliases.append(f"{stem_lat} {form_lat}" if not name.startswith(stem_lat) else f'{form_ru} "{stem_cyr}"')
            if rng.random() < 0.2:
                aliases.append(f'{form_lat} "{stem_lat.upper()}"')
        year = _int(rng, 1995, 2024)
        month = _int(rng, 1, 12)
        shares = _shares(rng, len(people))
        owners = [f"{ref} ({share}%)" for (ref, _), share in zip(people, shares, strict=True)]
        directors = [people[0][0] if rng.random() < 0.6 else self.someone()[0]]
        return {
            "customer_id": customer_id(index), "type": "organization", "name": name,
            "aliases": aliases, "birth_date": "", "nationality": nationality, "country": "KZ",
            "id_number": self.bin(year, month, entity_type, attribute),
            "address": self.address("KZ", org=True), "accounts": self.accounts(index),
            "owners": owners, "directors": directors,
        }

    def org_stem(self) -> tuple[str, str]:
        """A company's own name as registers hold them: unique names, so a distinctive word,
        often with a trade ("Алтын-Строй", "Береке Групп", "КазТрансСервис"); a trade word
        alone ("Газ") is rare."""
        rng, names, trades = self.rng, self.pools.org_names, self.pools.org_trades
        (n1, m1), (n2, m2) = names.draw(rng), names.draw(rng)
        (t1, u1), (t2, u2) = trades.draw(rng), trades.draw(rng)
        r = rng.random()
        if r < 0.2 or (r < 0.3 and n1 == n2):
            return n1, m1
        if r < 0.45:
            return f"{n1} {t1}", f"{m1} {u1}"
        if r < 0.6:
            return f"{n1}-{t1}", f"{m1}-{u1}"
        if r < 0.7:
            return f"{n1} {n2}", f"{m1} {m2}"
        if r >= 0.97:
            return t1, u1
        if t1 == t2:
            return f"{n1} {t1}", f"{m1} {u1}"
        if r < 0.85:
            return (f"Каз{t1}{t2.lower()}".replace(" ", ""), f"Kaz{u1}{u2.lower()}".replace(" ", ""))
        return f"{t1} {t2}", f"{u1} {u2}"


_BANK_CUM = list(accumulate(1.0 / (i + 2) for i in range(len(BANK_CODES))))


def _shares(rng: random.Random, n: int) -> list[int]:
    """n whole-percent shares that add up to 100, the first the largest."""
    if n == 1:
        return [100]
    cuts = sorted(rng.sample(range(5, 96), n - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    if any(p <= 0 for p in parts):
        parts = [100 // n] * n
        parts[0] += 100 - sum(parts)
    return sorted(parts, reverse=True)


def _int(rng: random.Random, low: int, high: int) -> int:
    """randint's result without its cost (a third of the book's time went to randint)."""
    return low + int(rng.random() * (high - low + 1))


def customer_id(index: int) -> str:
    return f"C{index:07d}"


# ---- planted listed persons -------------------------------------------------------------

VARIANTS = ("as_listed", "cyrillic", "latin", "swapped", "dropped", "typo", "alias")
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_KEYBOARD_CYRILLIC = "йцукенгшщзхфывапролджэячсмитьбю"
_CYRILLIC_LETTER = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
_DATE_PART = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _latin_name(entry: dict[str, Any]) -> tuple[str, list[str]]:
    """The entry's name to start from (a Latin one where it has one), and its other names."""
    names = [entry["name"], *(entry.get("aliases") or [])]
    names = [" ".join(str(n).split()) for n in names if n and str(n).strip()]
    latin = [n for n in names if n.isascii()]
    base = latin[0] if latin else names[0]
    return base, [n for n in names if n != base]


def _birth_date(entry: dict[str, Any]) -> str:
    raw = entry.get("birth_dates", entry.get("birth_date")) or []
    for value in [raw] if isinstance(raw, str) else raw:
        m = _DATE_PART.match(str(value))
        if m:
            return m.group(0)
    return ""


def _typo(rng: random.Random, word: str) -> str:
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # a letter dropped
        return word[:pos] + word[pos + 1 :]
    if kind == 1:  # two letters swapped
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    if kind == 2:  # a letter doubled
        return word[:pos] + word[pos] + word[pos:]
    keyboard = _KEYBOARD_CYRILLIC if _CYRILLIC_LETTER.search(word) else _KEYBOARD
    letter = keyboard[rng.randrange(len(keyboard))]
    letter = letter.upper() if word[pos].isupper() else letter
    return word[:pos] + letter + word[pos + 1 :]


# Particles that belong to the word after them: moved or dropped with it.
_PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "abd", "abdul", "umm", "ould", "van",
              "von", "de", "da", "del", "di", "le", "la", "ul"}


def _groups(words: list[str]) -> list[str]:
    out: list[str] = []
    pending = ""
    for word in words:
        if word.lower() in _PARTICLES:
            pending = f"{pending} {word}".strip()
            continue
        out.append(f"{pending} {word}".strip())
        pending = ""
    if pending:
        out.append(pending)
    return out


def spell(rng: random.Random, entry: dict[str, Any], variant: str | None = None) -> tuple[str, str]:
    """(variant, name): a listed name written as a bank might hold it."""
    base, others = _latin_name(entry)
    if "," in base:  # "FAMILY, Given" as lists write it -> "Given FAMILY"
        family, _, given = base.partition(",")
        base = f"{given.strip()} {family.strip()}".strip()
    words = _groups(base.split())
    possible = ["as_listed", "swapped", "typo"]
    if base.isascii() and any(c.isalpha() for c in base):
        possible.append("cyrillic")
    elif _CYRILLIC_LETTER.search(base):
        possible.append("latin")
    if len(words) >= 3:
        possible.append("dropped")
    if others:
        possible.append("alias")
    if not any(len(w) >= 4 for w in base.split()):
        possible.remove("typo")
    if len(words) < 2:
        possible.remove("swapped")
    chosen = variant if variant in possible else possible[rng.randrange(len(possible))]
    if chosen == "latin":  # a Cyrillic listed name as the customer's passport spells it
        return chosen, _latin(base, "icao" if rng.random() < 0.6 else "popular").upper()
    if chosen == "cyrillic":
        return chosen, to_cyrillic(base.title() if base.isupper() else base)
    cyrillic_fio = bool(_CYRILLIC_LETTER.search(base))  # family name, given name, patronymic
    if chosen == "swapped":
        if cyrillic_fio:  # the given name first, as a Latin-minded clerk writes it
            return chosen, " ".join([*words[1:], words[0]])
        return chosen, " ".join([words[-1], *words[:-1]])
    if chosen == "dropped":
        if cyrillic_fio:  # the patronymic left out
            return chosen, " ".join(words[:-1])
        drop = rng.randrange(1, len(words) - 1)
        return chosen, " ".join(words[:drop] + words[drop + 1 :])
    if chosen == "typo":
        words = base.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 4]
        i = long_words[rng.randrange(len(long_words))]
        words[i] = _typo(rng, words[i])
        return chosen, " ".join(words)
    if chosen == "alias":
        return chosen, others[rng.randrange(len(others))]
    return "as_listed", base.upper() if rng.random() < 0.5 else base


def _planted_record(book: _Book, index: int, entry: dict[str, Any]) -> dict[str, Any]:
    rng = book.rng
    variant, name = spell(rng, entry)
    person = (entry.get("schema") or "Person") == "Person"
    nats = [str(c).upper() for c in entry.get("nationalities") or [] if len(str(c)) == 2]
    nationality = nats[0] if nats else ""
    country = "KZ" if rng.random() < 0.6 or not nationality else nationality
    birth_date = _birth_date(entry) if person else ""
    id_number = ""
    own_iin = [i for i in entry.get("id_numbers") or [] if iin_is_valid(str(i))]
    if person and country == "KZ" and own_iin and rng.random() < 0.7:
        id_number = own_iin[0]  # the bank holds the person's real IIN, as the list gives it
    elif person and country == "KZ" and len(birth_date) == 10:
        born = date.fromisoformat(birth_date)
        if 1800 <= born.year <= 2099:
            sex = "F" if (entry.get("gender") or "") == "female" else "M"
            id_number = book.iin(born, sex)
    elif person and nationality:
        id_number = book.passport(nationality)
    record = {
        "customer_id": customer_id(index), "type": "person" if person else "organization",
        "name": name, "aliases": [], "birth_date": birth_date, "nationality": nationality,
        "country": country, "id_number": id_number,
        "address": book.address(country, org=not person), "accounts": book.accounts(index),
        "owners": [], "directors": [],
    }
    if person:
        book.person_ids.append(index)
    else:
        ref = book.someone()[0]
        record["owners"], record["directors"] = [f"{ref} (100%)"], [ref]
    record["_planted_entity"] = entry["entity_id"]
    record["_planted_variant"] = variant
    return record


def designated_persons(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` made-up persons as the Kazakh AFM list writes them: LNAME, FNAME, MNAME in capital
    Russian letters, a birth date and a valid IIN (lname/fname/mname/birthdate/iin keys), for a
    synthetic national list whose new entries a book can be re-screened against. Not real
    people: drawn from the same name pools as the customers."""
    book = _Book(n, seed + 7_777_777, 0.0)
    rng = book.rng
    out = []
    shares = (("kazakh", 0.6), ("russian", 0.15), ("uzbek", 0.15), ("uyghur", 0.1))
    culture_of = _weighted(shares)
    for _ in range(n):
        culture = culture_of(rng)
        sex = "M" if rng.random() < 0.85 else "F"
        parts = fold_kazakh(book.person_name(culture, sex).name).upper().split()
        if len(parts) == 4:  # a two-word Uzbek patronymic ("... ЎҒЛИ")
            parts = [parts[0], parts[1], " ".join(parts[2:])]
        born = date.fromordinal(_int(rng, date(1955, 1, 1).toordinal(), date(2004, 12, 31).toordinal()))
        out.append({"lname": parts[0], "fname": parts[1] if len(parts) > 1 else "",
                    "mname": parts[2] if len(parts) > 2 else "", "birthdate": born.isoformat(),
                    "iin": book.iin(born, sex), "sex": sex})
    return out


def generate(
    n: int,
    seed: int = 0,
    planted: int = 0,
    listed: list[dict[str, Any]] | None = None,
    orgs_share: float = 0.1,
) -> Iterator[dict[str, Any]]:
    """`n` customer records (ids C0000001..), `planted` of them listed entries from `listed`.

    A planted record has the extra keys `_planted_entity` (the entry's entity_id) and
    `_planted_variant` (how its name was written); strip them before import (`write_book`
    does). Each entry of `listed` is a dict with at least `entity_id`, `name`, `aliases`,
    `schema` and `birth_dates` (or `birth_date`); `nationalities` and `gender` are used when
    present. Entries are drawn without repeats while there are enough of them.
    """
    if n < 0 or planted < 0:
        raise ValueError("n and planted must not be negative")
    if planted > n:
        raise ValueError(f"cannot plant {planted} listed entries in a book of {n}")
    if planted and not listed:
        raise ValueError("planting needs `listed` entries")
    if not 0.0 <= orgs_share <= 1.0:
        raise ValueError("orgs_share is a share between 0 and 1")
    book = _Book(n, seed, orgs_share)
    plan_rng = random.Random(f"planted:{seed}")
    slots = sorted(plan_rng.sample(range(1, n + 1), planted)) if planted else []
    entries: list[dict[str, Any]] = []
    if planted and listed:
        pool = list(listed)
        while len(entries) < planted:
            plan_rng.shuffle(pool)
            entries.extend(pool[: planted - len(entries)])
    plant_at = dict(zip(slots, entries, strict=True))
    rng = book.rng
    for index in range(1, n + 1):
        entry = plant_at.get(index)
        if entry is not None:
            yield _planted_record(book, index, entry)
        elif rng.random() < orgs_share:
            yield book.organization(index)
        else:
            yield book.person(index)


# ---- writing ------------------------------------------------------------------------------


def write_book(
    path: str | Path,
    n: int,
    seed: int = 0,
    planted: int = 0,
    listed: list[dict[str, Any]] | None = None,
    fmt: str = "csv",
    orgs_share: float = 0.1,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write a book to `path` (CSV or JSON lines) and its truth to `<path>.truth.json`.

    The truth: {"customers", "seed", "planted": [{"customer_id", "entity_id", "variant",
    "name"}], ...}; it is also returned. `on_progress(done)` is called every 10,000 records.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown format {fmt!r} (csv or jsonl)")
    path = Path(path)
    truth: list[dict[str, Any]] = []
    counts = {"person": 0, "organization": 0}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n") if fmt == "csv" else None
        if writer is not None:
            writer.writerow(COLUMNS)
        write = handle.write
        for done, record in enumerate(generate(n, seed, planted, listed, orgs_share), start=1):
            if on_progress is not None and done % 10_000 == 0:
                on_progress(done)
            counts[record["type"]] += 1
            entity = record.pop("_planted_entity", None)
            if entity is not None:
                truth.append({"customer_id": record["customer_id"], "entity_id": entity,
                              "variant": record.pop("_planted_variant"), "name": record["name"]})
            if writer is not None:
                writer.writerow([";".join(v) if isinstance(v, list) else v for v in record.values()])
            else:
                write(orjson.dumps(record).decode("utf-8"))
                write("\n")
    if on_progress is not None:
        on_progress(n)
    result = {
        "book": str(path), "format": fmt, "customers": n, "seed": seed,
        "persons": counts["person"], "organizations": counts["organization"],
        "planted": truth,
    }
    truth_path = path.with_name(path.name + ".truth.json")
    truth_path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return result


def listed_from_registry(
    url: str | None, n: int, seed: int = 0, lists: Iterable[str] | None = None,
    schemata: tuple[str, ...] = ("Person",),
) -> list[dict[str, Any]]:
    """`n` designated entries (persons by default) drawn from the registry's lists.

    By default the lists the registry marks as sanctions lists, or every list when none is
    marked; an entry counts when it has a designation not delisted. Same seed, same draw.
    """
    from sqlalchemy import select

    from tizim.registry import tables as t
    from tizim.registry.service import Registry
    from tizim.store import transaction

    registry = Registry(url)
    if lists is None:
        registry.list_names()  # loads the bundled lists into a fresh registry
        with transaction(url) as conn:
            rows = conn.execute(select(t.lists.c.name, t.lists.c.kind)).all()
        sanctions = [name for name, kind in rows if kind == "sanctions"]
        lists = sanctions or [name for name, _ in rows]
    candidates: list[dict[str, Any]] = []
    for entity in registry.iter_entities(lists=list(lists)):
        if entity.schema not in schemata or not entity.names:
            continue
        if not any(d.delisted_on is None for d in entity.designations):
            continue
        primary = entity.caption
        candidates.append({
            "entity_id": entity.id,
            "name": primary,
            "aliases": [nm.full for nm in entity.names
                        if nm.full != primary and nm.kind in ("alias", "spelling", "primary")],
            "schema": entity.schema,
            "birth_dates": list(entity.birth_dates),
            "nationalities": list(entity.nationalities),
            "gender": entity.gender,
            "lists": sorted({d.list_name for d in entity.designations}),
        })
    rng = random.Random(f"listed:{seed}")
    return rng.sample(candidates, min(n, len(candidates)))

"""Languages of the workspace: Kazakh, Russian and English from gettext catalogues (Babel).

The catalogues are `locale/<lang>/LC_MESSAGES/messages.po`; `make install` compiles them to
`.mo` (`pybabel compile`), and a catalogue whose `.mo` is missing or older than its `.po` is
compiled in memory at first use, so a checkout works either way.

A person's language is the one they chose (their account, or the language switch before
sign-in), else the best of the browser's Accept-Language, else English.
Dates are shown in the person's time zone (default `TIZIM_TIME_ZONE`, Asia/Almaty); numbers
and amounts the way the language writes them (CLDR data through Babel).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request

from tizim.settings import get_settings

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANG_COOKIE = "tizim_lang"


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    if language == "en" or language not in LANGUAGES:
        return NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain="messages")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def language_of(request: Request) -> str:
    cached = getattr(request.state, "language", None)
    if cached:
        return str(cached)
    from tizim.web.session import current_user

    user = current_user(request)
    chosen = (user.language if user else None) or request.cookies.get(LANG_COOKIE)
    if chosen not in LANGUAGES:
        chosen = _from_header(request.headers.get("accept-language", ""))
    request.state.language = chosen
    return str(chosen)


def _from_header(header: str) -> str:
    wanted: list[tuple[float, str]] = []
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            wanted.append((quality, tag.strip().replace("-", "_")))
    wanted.sort(key=lambda item: -item[0])
    found = negotiate_locale([tag for _, tag in wanted], list(LANGUAGES), sep="_")
    if found is None:
        # 'ru_KZ' or 'kk_Cyrl_KZ': the language part decides.
        for _, tag in wanted:
            if tag.split("_")[0].lower() in LANGUAGES:
                return tag.split("_")[0].lower()
    return found or DEFAULT_LANGUAGE


def time_zone_of(request: Request) -> ZoneInfo:
    from tizim.web.session import current_user

    user = current_user(request)
    name = (user.time_zone if user else None) or get_settings().time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def gettext_for(request: Request) -> Callable[[str], str]:
    return translations(language_of(request)).gettext


class Formatter:
    """Dates, numbers and amounts for one language and time zone (Jinja filters)."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self.zone = zone

    def when(self, value: Any, short: bool = False) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            local = value.astimezone(self.zone)
            text = format_datetime(local, "short" if short else "medium", locale=self.locale)
            return text if short else f"{text} {self._zone_label(local)}"
        if isinstance(value, date):
            return format_date(value, "medium", locale=self.locale)
        return str(value)

    def day(self, value: Any) -> str:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return value
        if isinstance(value, date):
            return format_date(value, "medium", locale=self.locale)
        return "" if value is None else str(value)

    @staticmethod
    def _zone_label(local: datetime) -> str:
        offset = local.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        sign = "+" if minutes >= 0 else "-"
        minutes = abs(minutes)
        return f"(UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"

    def number(self, value: Any, digits: int | None = None) -> str:
        if value is None or value == "":
            return ""
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        if digits is not None:
            return format_decimal(number, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                                  locale=self.locale)
        return format_decimal(number, locale=self.locale)

    def amount(self, value: Any, currency: str | None) -> str:
        if value is None or value == "":
            return ""
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return f"{value} {currency or ''}".strip()
        if not currency:
            return self.number(number, 2)
        try:
            return format_currency(number, currency, locale=self.locale)
        except Exception:  # an unknown currency code still shows its amount
            return f"{self.number(number, 2)} {currency}"


def formatter_for(request: Request) -> Formatter:
    return Formatter(language_of(request), time_zone_of(request))

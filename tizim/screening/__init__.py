"""Screening: name normalization and transliteration, the in-memory index, scoring with
explanations, remembered decisions and free-text screening (see docs/screening.md)."""

from tizim.screening.compiled import use_source_if_stale

use_source_if_stale()  # before the engine's first import: see compiled.py

from tizim.screening.engine import Screener, get_screener, reset_screeners  # noqa: E402
from tizim.screening.model import Query, Result, TextSpan  # noqa: E402

__all__ = ["Query", "Result", "Screener", "TextSpan", "get_screener", "reset_screeners"]

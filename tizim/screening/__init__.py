"""Screening: name normalization and transliteration, the in-memory index, scoring with
explanations, remembered decisions and free-text screening (see docs/screening.md)."""

from tizim.screening.engine import Screener, get_screener, reset_screeners
from tizim.screening.model import Query, Result, TextSpan

__all__ = ["Query", "Result", "Screener", "TextSpan", "get_screener", "reset_screeners"]

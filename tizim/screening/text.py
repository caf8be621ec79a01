"""Free-text screening: find listed names inside remittance information or an article.

A span is screened only when it looks like a name: up to six words, each capitalized or
written in capitals (lower-case particles such as al-, bin, of, de may sit inside), no
digits, and its first and last word resembling a listed, non-generic token. A span is
reported only when its match is strong on the span as a whole:
  - every name word of the span is aligned with a listed name part (similarity >= 0.8), so
    one shared word inside a longer span does not carry it;
  - a one-word span counts only as a standalone acronym in capitals (IMU, PKK) that a list
    spells as a name of the party (not the initials of a listed name: "USD"), or as a word of five or more letters equal to a one-word listed name
    (Hamas, Taliban); an ordinary word ("said", "a", "Juli", "1122") never matches alone.
The best non-overlapping matching spans are returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tizim.screening.model import Query, Result, TextSpan
from tizim.screening.normalize import CONNECTOR_FOLDS, CONNECTORS, fold_token, name_tokens
from tizim.settings import get_settings

if TYPE_CHECKING:
    from tizim.screening.engine import Screener

_WORD = re.compile(r"\w+(?:['’ʼ-]\w+)*")
MAX_WORDS = 6
HOT_WEIGHT = 0.3
ALIGNED_SIM = 0.8
# lower-case words that may sit inside a name ("Ayman al-Zawahiri", "Hizb ut-Tahrir")
_PARTICLES = frozenset(CONNECTORS | {"al", "el", "ul", "ut", "ad", "as", "ash", "ar", "an", "at",
                                     "az", "bin", "ibn", "ben", "bint", "wa", "da", "di", "y"})


def _name_like(word: str) -> bool:
    """Capitalized or in capitals, letters only (no digits), more than one letter."""
    if len(word) < 2 or any(c.isdigit() for c in word):
        return False
    head, sep, rest = word.partition("-")
    if sep and rest and head.lower() in _PARTICLES:
        word = rest  # "al-Zawahiri", "ut-Tahrir": the particle is written in lower case
    first = next((c for c in word if c.isalpha()), "")
    return bool(first) and first.isupper()


def _particle(word: str) -> bool:
    return word.lower().split("-", 1)[0] in _PARTICLES


def _acronym_word(word: str) -> bool:
    """A standalone acronym: 2-6 letters, in capitals (HuT allowed: one lower-case inside)."""
    letters = word.replace(".", "")
    return (2 <= len(letters) <= 6 and letters.isalpha()
            and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1))


def _strong_on_span(span_words: list[str], result: Result) -> bool:
    expl = result.explanation
    if expl.get("method") == "acronym" or not expl.get("tokens"):
        # initials of a listed name: in running text capitals are as often a currency or a
        # code (USD, VAT) as a name, so only an acronym the list itself spells counts
        return False
    aligned = {q for q, _, sim in expl["tokens"] if sim >= ALIGNED_SIM}
    folds = [fold_token(t) for w in span_words for t in name_tokens(w, None)]
    folds = [f for f in folds if f and f not in CONNECTOR_FOLDS]
    if not folds or any(f not in aligned for f in folds):
        return False
    if len(span_words) == 1:
        word = span_words[0]
        if _acronym_word(word):
            return True  # the listed name is spelled the same way (an alias "IMU")
        # one ordinary word: only a rare word that is itself a one-word listed name
        listed = [f for f in (fold_token(t) for t in name_tokens(str(expl.get("matched_name", "")), None))
                  if f and f not in CONNECTOR_FOLDS]
        return len(word) >= 5 and len(listed) == 1 and float(expl.get("name_score", 0)) >= 0.95
    return True


def find_spans(screener: Screener, text: str, threshold: float | None, lists: Sequence[str] | None,
               limit: int = 5) -> list[TextSpan]:
    threshold = get_settings().match_threshold if threshold is None else threshold
    idx = screener.index
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    name_like = [_name_like(w) for _, _, w in words]
    hot: list[bool] = []
    for k, (_, _, w) in enumerate(words):
        is_hot = False
        if name_like[k]:
            for tok in name_tokens(w, None):
                exp = screener._expand(fold_token(tok))
                if any(idx.vocab_weight[t] >= HOT_WEIGHT and s >= ALIGNED_SIM for t, s in exp.items()):
                    is_hot = True
        hot.append(is_hot or (name_like[k] and _acronym_word(w)))
    found: list[TextSpan] = []
    for i, (start, _, _) in enumerate(words):
        # a span starts at a name-like word and must hold a distinctive ("hot") one; generic
        # words may open or close it ("Sea Falcon", "Northern Liberation Front")
        if not name_like[i]:
            continue
        has_hot = False
        for j in range(i, min(len(words), i + MAX_WORDS)):
            if j > i and not (name_like[j] or _particle(words[j][2])):
                break  # a name does not run on through ordinary lower-case words
            has_hot = has_hot or hot[j]
            if not has_hot or not name_like[j]:
                continue
            end = words[j][1]
            span_text = text[start:end]
            span_words = [w for _, _, w in words[i:j + 1] if not _particle(w) or _name_like(w)]
            results = screener.match(Query(schema="Thing", names=[span_text]),
                                     threshold=threshold, limit=limit, lists=lists)
            results = [r for r in results if r.match and _strong_on_span(span_words, r)]
            if results:
                found.append(TextSpan(start=start, end=end, text=span_text, results=results))
    # keep the best non-overlapping spans: higher top score first, then longer
    found.sort(key=lambda s: (-s.results[0].score, -(s.end - s.start), s.start))
    chosen: list[TextSpan] = []
    for span in found:
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    chosen.sort(key=lambda s: s.start)
    return chosen

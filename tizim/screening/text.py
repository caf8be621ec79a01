"""Free-text screening: find listed names inside remittance information or an article.

Every word is looked up in the token index (cached, so cheap); only windows of up to six
words that start and end on a word resembling a listed, non-generic token are matched as
names. The best non-overlapping matching windows are returned as spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tizim.screening.model import Query, TextSpan
from tizim.screening.normalize import fold_token, name_tokens
from tizim.settings import get_settings

if TYPE_CHECKING:
    from tizim.screening.engine import Screener

_WORD = re.compile(r"\w+(?:['’ʼ-]\w+)*")
MAX_WORDS = 6
HOT_WEIGHT = 0.3


def find_spans(screener: Screener, text: str, threshold: float | None, lists: Sequence[str] | None,
               limit: int = 5) -> list[TextSpan]:
    threshold = get_settings().match_threshold if threshold is None else threshold
    idx = screener.index
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    hot: list[bool] = []
    for _, _, w in words:
        is_hot = False
        upper_acronym = w.isupper() and 2 <= len(w) <= 6
        for tok in name_tokens(w, None):
            exp = screener._expand(fold_token(tok))
            if any(idx.vocab_weight[t] >= HOT_WEIGHT and s >= 0.8 for t, s in exp.items()):
                is_hot = True
        hot.append(is_hot or upper_acronym)
    found: list[TextSpan] = []
    for i, (start, _, _) in enumerate(words):
        if not hot[i]:
            continue
        for j in range(i, min(len(words), i + MAX_WORDS)):
            if not hot[j]:
                continue
            end = words[j][1]
            span_text = text[start:end]
            # the article before a word ("al-" glued by a hyphen) belongs to the name
            results = screener.match(Query(schema="Thing", names=[span_text]),
                                     threshold=threshold, limit=limit, lists=lists)
            results = [r for r in results if r.match]
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

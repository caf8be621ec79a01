"""Nicknames and short forms: a person's given name also meets the names it is a nickname
or short form of, and its short forms, at 0.85 (Bill / William, Ted / Theodore, Sasha /
Aleksandr: the tables are tizim/screening/nicknames.py's)."""

from __future__ import annotations

from tizim.screening import nicknames
from tizim.screening.features.base import NICKNAME_SIM, Context, QueryName, widen


def add_nicknames(ctx: Context, q: QueryName) -> None:
    table = nicknames.related()
    vocab_id = ctx.index.vocab_id
    for i, f in enumerate(q.folds):
        names = table.get(f)
        if not names:
            continue
        extra: dict[int, float] = {}
        listed: list[str] = []
        for name in names:
            t = vocab_id.get(name)
            if t is not None:
                extra[t] = NICKNAME_SIM
                listed.append(name)
        if widen(ctx, q, i, extra):
            q.widened.append(("nickname", f"{f!r} also read as {', '.join(sorted(listed))}", i, frozenset(extra)))

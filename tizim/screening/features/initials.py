"""Initials: a person's initial meets a listed given name it begins ("A. Khamenei" is
KHAMENEI, Ali Husseini; "J.-C. Juncker" Jean-Claude JUNCKER), at 0.8; it names the person
only beside a rare part met exactly."""

from __future__ import annotations

from tizim.screening.features.base import ANCHOR_WEIGHT, INITIAL_SIM, Alignment, Context, QueryName


def pair_initials(ctx: Context, q: QueryName, al: Alignment) -> None:
    """Pair each query initial left unpaired with the first unpaired listed name part (not
    a connector) it begins."""
    if not q.initials or len(al.pairs) >= len(q.folds) or len(al.pairs) >= len(al.tids):
        return
    vocab, vw = ctx.index.vocab, ctx.index.vocab_weight
    tids = al.tids
    found: list[tuple[int, int]] = []
    used_j = al.used_j
    for i, f in enumerate(q.folds):
        if len(f) != 1 or al.used_i >> i & 1:
            continue
        for j, t in enumerate(tids):
            if not used_j >> j & 1 and len(vocab[t]) > 1 and vocab[t][0] == f and vw[t] > 0.1:
                used_j |= 1 << j
                found.append((i, j))
                break
    for i, j in found:
        al.pair(i, j, tids[j], INITIAL_SIM, q.weights[i], vw[tids[j]])
    if found and any(s >= 0.95 and vw[t] >= ANCHOR_WEIGHT for _, t, s in al.pairs):
        al.strong += len(found)

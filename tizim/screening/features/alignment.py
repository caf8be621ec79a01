"""Alignment: which query part meets which listed part.

Each query part is paired with at most one listed part, best similarity first (greedy, on
the similarities lookup.py found); parts the lookup could not pair are then compared
directly (two edits apart, a cut-off ending, letters left out: "nikuov" / "nikulov",
"anatolievi" / "anatolievich"), and a pair that canonical spelling left under 0.8 takes its
similarity as written where higher ("LUCiSON" / "LUCKSON").

A pair is strong when both parts are distinctive (weight 0.3 or more) and met at 0.8 or
more; a near spelling that is another name (lookup.py's weak ones, a company word near only
once canonical: "EXIM" / "AXIOM", four letters a letter off: "Solih" / "Salih") is weak. A
part of a compound name (Abd al-Aziz, Nooruddin) met by a free-standing one is neither.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from tizim.screening.features.base import (
    ANCHOR_WEIGHT,
    KNOWN_WORD_EDGE,
    MIN_TOKEN_SIM,
    NAME_PREFIXES,
    SHORT_WORD,
    STRONG_WEIGHT,
    Alignment,
    Context,
    QueryName,
)
from tizim.screening.features.organizations import one_word_variant
from tizim.screening.features.spelling import (
    as_written,
    direct_similarity,
    dropped_from_four,
    far_as_written,
)


def align(ctx: Context, q: QueryName, rid: int) -> Alignment:
    """The query name aligned with listed name `rid` (pairs, coverage sums, strong and weak
    pair counts)."""
    idx = ctx.index
    tids = idx.rec_tokens[rid]
    al = Alignment(rid, tids)
    qw = q.weights
    # speed: this runs for every candidate (about 30 a query), so used positions are
    # bit masks and the pairs stay numbers
    # (similarity, query position) per listed token, looked up once a query: the same
    # listed words recur across candidates
    hits = q.hits
    only = q.consonants_only
    if only and ctx.abjad_written(rid):
        # a listed name in Arabic letters: met letter for letter, not by consonants alone
        hits = q.hits_written
    else:
        only = []
    cand = []
    for j, t in enumerate(tids):
        h = hits.get(t)
        if h is None:
            h = hits[t] = [(s, i) for i, exp in enumerate(q.exps) if (s := exp.get(t))
                           and not (only and t in only[i])]
        for s, i in h:
            # (negated positions: equally near parts pair in written order, so a word
            # written twice leaves the other over where a split of it stands: "Mukhtar
            # Bel Mukhtar" / "Mokhtar Belmokhtar")
            cand.append((s, -i, -j))
    if len(cand) > 1:
        cand.sort(reverse=True)
    any_typo = q.any_typo
    # a part of a compound name met by a free-standing part, or the reverse, is another
    # name (Abdulaziz / Aziz, Nooruddin / Noor, Sara / Abu Sarah): not a strong pair
    qb, rb = q.bound, idx.rec_bound[rid]
    vw = idx.vocab_weight
    vocab = idx.vocab
    rec_name = idx.rec_name[rid]
    for s, ni, nj in cand:
        i, j = -ni, -nj
        bi, bj = 1 << i, 1 << j
        if al.used_i & bi or al.used_j & bj:
            continue
        t = tids[j]
        w = vw[t]
        if s < 0.8:
            # canonical spelling can carry a typo further off than it is as written
            # ("LUCiSON" -> lucisun / LUCKSON -> luksun)
            s = max(s, as_written(q.text, q.folds[i], rec_name, vocab[t]))
        al.pair(i, j, t, s, qw[i], w)
        # weight of short words met only a letter off by a word a list spells (under 0.8:
        # "adan" / "adag")
        if s < 0.8 and len(vocab[t]) <= SHORT_WORD and ctx.known(q.folds[i]):
            al.loose_q += qw[i]
            al.loose_r += w
            al.loose_mq += s * qw[i]
            al.loose_mr += s * w
        if (qb | rb) and (qb >> i ^ rb >> j) & 1:
            al.unbound |= bi
        elif (w >= STRONG_WEIGHT and qw[i] >= STRONG_WEIGHT
              or q.person and w > 0.1 and idx.vocab_generic[t] and len(vocab[t]) >= 4) \
                and q.folds[i] not in NAME_PREFIXES:
            # (a company word of four letters or more in a person's name is a name:
            # "JAMMEH" folds as jama'at, "Islam"; not "Ko", as "Co.")
            if s >= 0.8 or s >= 0.75 and len(vocab[t]) >= 8:
                if any_typo and t in q.typos[i] and not one_word_variant(ctx, q, i, t, rid):
                    al.typo += 1
                elif s < 0.95 and not q.person and far_as_written(q.text, q.folds[i], rec_name, vocab[t]):
                    # a company's name is spelt as its owners write it: near only
                    # once canonical, as written another word ("EXIM" / "AXIOM")
                    al.typo += 1
                else:
                    al.strong += 1
            elif s >= 0.75 and len(vocab[t]) == 4:
                # a letter off in four ("Saalh" / "Salah", "Solih" / "Salih"): as weak as
                # another name's near spelling
                al.typo += 1
    nq, nr = len(q.folds), len(tids)
    if len(al.pairs) < nq and len(al.pairs) < nr:
        _compare_unpaired(ctx, q, al)
    return al


def _compare_unpaired(ctx: Context, q: QueryName, al: Alignment) -> None:
    """Parts the index lookup could not pair (two edits apart, a cut-off ending:
    "nikuov" / "nikulov", "anatolievi" / "anatolievich"): compared directly."""
    idx = ctx.index
    vocab = idx.vocab
    vw = idx.vocab_weight
    qw = q.weights
    tids = al.tids
    rec_name = idx.rec_name[al.rid]
    # a person's three-letter part may be a four-letter one with a letter dropped
    # ("Naih" -> "nai" / Nazih, "Ouar" / Oumar)
    shortest = 3 if q.person else 4
    for i, f in enumerate(q.folds):
        lf = len(f)
        if al.used_i & (1 << i) or lf < shortest:
            continue
        best_s, best_j = 0.0, -1
        # the same listed words recur across candidates: one comparison a query
        seen = q.direct
        for j, t in enumerate(tids):
            if al.used_j & (1 << j):
                continue
            sim = seen.get((t, i))
            if sim is None:
                sim = seen[t, i] = direct_similarity(f, lf, vocab[t]) if lf > 3 \
                    else dropped_from_four(f, vocab[t])
            if sim < 0.8:
                # canonical spelling can carry a typo far off ("BADEE" -> badi /
                # BADEGE -> badaga): the words as written, a letter apart (speed:
                # only where the folds are near, 0.5, and agree at one end)
                near = q.near.get((t, i))
                if near is None:
                    lt = vocab[t]
                    near = q.near[t, i] = (f[0] == lt[0] or f[-1] == lt[-1]) \
                        and OSA.normalized_similarity(f, lt) >= 0.5
                if near:
                    sim = max(sim, as_written(q.text, f, rec_name, vocab[t]))
            if sim > best_s:
                best_s, best_j = sim, j
        if best_s >= MIN_TOKEN_SIM:
            t = tids[best_j]
            w = vw[t]
            al.pair(i, best_j, t, best_s, qw[i], w)
            if w >= STRONG_WEIGHT and qw[i] >= STRONG_WEIGHT and best_s >= 0.8:
                if best_s < KNOWN_WORD_EDGE and ctx.known(f):
                    al.typo += 1
                else:
                    al.strong += 1


def promote_near_spellings(ctx: Context, al: Alignment) -> None:
    """Another known name's near spelling counts as a strong pair when a rare part is met
    exactly ("Alia JUC" / "Alina JUC"), not beside common ones ("Andrey Azimov" / "...
    Akimov"), nor when the listed name keeps distinctive parts unmet: "Renat Al-Tikriti" is
    not "Rana Saddam Hussein Al-Tikriti"."""
    if not al.typo:
        return
    vw = ctx.index.vocab_weight
    tids = al.tids
    if any(s >= 0.95 and vw[t] >= ANCHOR_WEIGHT and not al.unbound >> i & 1 for i, t, s in al.pairs) \
            and not any(not al.used_j >> j & 1 and vw[tids[j]] >= 0.5 for j in range(len(tids))):
        al.strong += al.typo
        al.typo = 0

"""Coverage: the name score from the aligned parts.

`0.65 x query coverage + 0.35 x listed-name coverage` (each the matched share of the side's
weight: a listed name with extra middle names costs less than a query part the list lacks),
minus 0.6 x the smaller share of distinctive parts left over on both sides (two relatives,
"Omar Sabawi Ibrahim Hasan" / "Yasir Sabawi Ibrahim Hasan", not two spellings). A generic or
legal-form word one side lacks counts a quarter of its weight (unless both sides keep one:
two descriptions); an organization's listed name keeping a distinctive word the query lacks
costs up to 0.15 more ("Overseas Trading Company" is not "Rusatom Overseas"). A short word
met a letter off by another listed word is unmet unless the rest of the name is met.
"""

from __future__ import annotations

from tizim.screening.features.base import STRONG_WEIGHT, Alignment, Context, QueryName

CONFLICT_PENALTY = 0.6
GENERIC_SLACK = 0.75
ORG_MISSING_PENALTY = 0.15


def coverage(ctx: Context, q: QueryName, al: Alignment) -> tuple[float, float]:
    """(name score from coverage, the both-sides-keep-other-parts penalty in it)."""
    idx = ctx.index
    vw = idx.vocab_weight
    tids = al.tids
    qw = q.weights
    nq, nr = len(q.folds), len(tids)
    used_i, used_j = al.used_i, al.used_j
    rec_total = idx.rec_total[al.rid] or 1.0
    q_total = q.total
    # what is left over on each side: generic words one side lacks count little (a legal
    # form reordered, cut short or in another script is still the same company);
    # distinctive parts left over on both sides are relatives or namesakes, not spellings
    q_slack = uq = uq_known = 0.0
    q_described = False
    if len(al.pairs) < nq:
        generic = q.generic
        for i, w in enumerate(qw):
            if not used_i & (1 << i):
                if generic[i]:
                    q_slack += w
                    q_described = q_described or q.generic_exact[i]
                if w >= STRONG_WEIGHT:
                    uq += w
                    if ctx.known(q.folds[i]):
                        uq_known += w
    r_slack = ur = 0.0
    if len(al.pairs) < nr:
        vg = idx.vocab_generic
        for j, t in enumerate(tids):
            if not used_j & (1 << j):
                w = vw[t]
                if vg[t]:
                    r_slack += w
                if w >= STRONG_WEIGHT:
                    ur += w
    # generic words left over on both sides are two descriptions ("Federal Capital Group"
    # / "Capital Bank"), not one name written longer: no slack then
    if not (q_described and r_slack):
        q_total -= GENERIC_SLACK * q_slack
        rec_total -= GENERIC_SLACK * r_slack
    org_rec = not q.person and idx.cluster_family[idx.rec_cluster[al.rid]] == "org"
    loose = al.loose_q and (al.strong < 2 if org_rec else al.strong < 3)
    mq, mr = al.mq, al.mr
    if loose and not org_rec:
        # a person's: not met at all
        mq -= al.loose_mq
        mr -= al.loose_mr
    qc, lc = mq / q_total, mr / rec_total
    token_score = 0.65 * (qc if qc < 1.0 else 1.0) + 0.35 * (lc if lc < 1.0 else 1.0)
    if loose:
        # in a company's name a short word a letter off is another word, unless the rest
        # of the name is met: "INVERSIONES EL EDEN" is not "INVERSIONES ADAG" ("NIKA
        # FANTASY GARMENT" may be "NICE FANTASY GARMENT"); in a person's, unless three
        # other parts are ("KIM SONG CHOL" is not "KIM YONG CHOL": a syllable of a
        # Korean given name)
        uq += al.loose_q
        ur += al.loose_r
    uq /= q_total
    ur /= rec_total
    conflict = CONFLICT_PENALTY * (uq if uq < ur else ur)
    token_score -= conflict
    if conflict >= 0.01:
        al.moves.append(("conflict", "delta", -conflict, "both names keep distinctive parts the other lacks"))
    # an organization's listed name keeping a distinctive word the query lacks is
    # another organization more often than a person's extra middle name is another
    # person ("Overseas Trading Company" / "Rusatom Overseas")
    # (of the query's, only words some list spells so: an unknown one may be a typo,
    # "JOINT SOTCK COMPANY")
    if (ur or uq_known) and org_rec:
        # the query describing itself with a generic word the listed name lacks, while
        # missing one of the listed name's own words, is a third description
        # ("FEDERAL CAPITAL GROUP" / "VELES CAPITAL", "MILLENIUM INTERNATIONAL" /
        # "MILENYUM ENERGY"): it costs twice
        missing = ORG_MISSING_PENALTY * ((2 * ur if q_described else ur) + uq_known / q_total)
        token_score -= missing
        if missing >= 0.005:
            al.moves.append(("organization words", "delta", -missing, "a distinctive word one name lacks"))
    return token_score, conflict

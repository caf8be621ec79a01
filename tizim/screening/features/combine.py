"""The one place the name features are combined, in this order:

1. alignment (alignment.py): each query part paired with a listed part;
2. initials (initials.py): a query initial with the listed given name it begins, and
   parts left over on both sides that spell one name glued (glued.py);
3. coverage (coverage.py): the name score from the matched weight on both sides, minus the
   both-sides-keep-other-parts penalty and an organization's missing distinctive word;
4. glued (glued.py): the names compared glued together, where parts were split or glued;
5. near spellings (alignment.py): another name's near spelling counts beside a rare part
   met exactly;
6. generic words (organizations.py): a name met on generic words or weak spellings alone,
   0.5;
7. a person's name (family.py): one part alone 0.6; family name, name ends, father's
   name, crossed article, a child's name: 0.65;
8. syllables (syllables.py): a Chinese, Japanese or Korean name not met syllable for
   syllable, 0.6.

Each feature that moves the score leaves a line in `Alignment.moves`, which the result's
explanation lists (`features`); `method` keeps the one-phrase summary it always had.
"""

from __future__ import annotations

from tizim.screening.features.alignment import align, promote_near_spellings
from tizim.screening.features.base import ONE_PART_CAP, Alignment, Context, QueryName
from tizim.screening.features.coverage import coverage
from tizim.screening.features.family import person_caps
from tizim.screening.features.glued import glue_leftovers, joined
from tizim.screening.features.initials import pair_initials
from tizim.screening.features.organizations import GENERIC_ONLY_CAP, generic_only
from tizim.screening.features.syllables import SYLLABLE_CAP, every_syllable


def score_name(ctx: Context, q: QueryName, rid: int) -> tuple[float, Alignment, str]:
    """Score of one query name against listed name `rid`: (score, the alignment, method)."""
    al = align(ctx, q, rid)
    pair_initials(ctx, q, al)
    glue_leftovers(ctx, q, al)
    token_score, conflict = coverage(ctx, q, al)
    method = "tokens"
    score = token_score
    glued = joined(ctx, q, al, token_score)
    if glued is not None:
        score, method = glued, "joined"
    promote_near_spellings(ctx, al)
    capped = generic_only(q, al, score)
    if capped is not None:
        al.moves.append(("generic words", "cap", GENERIC_ONLY_CAP, capped))
        return GENERIC_ONLY_CAP, al, capped
    idx = ctx.index
    if method == "tokens" and (q.person or idx.cluster_schema[idx.rec_cluster[rid]] == "Person"):
        cap = person_caps(ctx, q, al, score)
        if cap is not None:
            al.moves.append(("person's name", "cap", cap[0], cap[1]))
            return cap[0], al, cap[1]
    if q.syllabic and score > ONE_PART_CAP and not every_syllable(ctx, q, al.pairs, rid):
        # a Chinese or Korean name is a family name and a syllable or two: one syllable
        # meets many names ("华 伍" is not "EL HUEVO"), so every part of both names is met
        method = "a syllable of the name not met"
        al.moves.append(("syllables", "cap", SYLLABLE_CAP, method))
        return SYLLABLE_CAP, al, method
    if conflict >= 0.01 and method == "tokens":
        method = f"tokens, both sides keep other parts (-{conflict:.2f})"
    return max(0.0, min(score, 1.0)), al, method


def describe(moves: list[tuple[str, str, float, str]]) -> list[str]:
    """The explanation's lines for the features that moved a score."""
    out = []
    for feature, kind, value, detail in moves:
        if kind == "cap":
            out.append(f"{feature}: capped at {value:.2f} ({detail})")
        elif kind == "delta":
            out.append(f"{feature}: {value:+.2f} ({detail})")
        else:
            out.append(f"{feature}: {value:.2f} ({detail})")
    return out

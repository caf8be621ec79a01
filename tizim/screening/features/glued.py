"""Split and glued words: "Abdulrahman" / "Abdul Rahman", "Alzawahiri", "Ulanude" /
"Ulan-Ude", "SC-APE" / "S-CAPE", "SiemensAG".

Only when the part counts differ or parts are left unpaired (what a split, a glue or a moved
hyphen does) and the parts left over spell the same letters, the names are compared glued in
written order (or the query reversed; sorting first would let unrelated names share
letters): at 0.88 or more, that minus 0.08 counts when better. Listed names are also found by
their parts glued together, as a split name shares no word the index could look up.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from tizim.screening.features.base import (
    ABJAD_SIM,
    EXPANSION_CACHE_MAX,
    SHORT_WORD,
    Alignment,
    Context,
    QueryName,
)
from tizim.screening.features.digits import read_as
from tizim.screening.features.spelling import written
from tizim.screening.normalize import GENERIC_FOLDS, canon_token, fold_token, skeleton

JOINED_MIN = 0.88
# glued names this near may be the same letters as written, normalized otherwise
SAME_LETTERS_MIN = 0.8
JOINED_PENALTY = 0.08


def glued_names(ctx: Context, q: QueryName) -> set[int]:
    """Listed names whose parts glued together spell the query's, in order or reversed."""
    by_glued = ctx.by_glued
    if by_glued is None:
        by_glued = {}
        for rid, g in enumerate(ctx.index.rec_glued):
            by_glued.setdefault(g, []).append(rid)
        ctx.by_glued = by_glued
    return set(by_glued.get(q.glued, ())) | set(by_glued.get(q.glued_reversed, ()))


def joined(ctx: Context, q: QueryName, al: Alignment, token_score: float) -> float | None:
    """The glued comparison's score where it applies and beats the token score, else None
    (a glued word met so is the strong pair)."""
    nq, nr = len(q.folds), len(al.tids)
    if token_score >= 0.9 or (nq == nr and len(al.pairs) >= nq):
        return None
    # the very same letters as written, spaces, hyphens or quotes moved ("Kim Mu-nch'o'l" /
    # "Kim Mun-ch'o'l", "Abda-l-Hakim" / "Abd-al-Hakim", "BUZ-ALJUDDI" / "BUZ-AL-JUDDI"):
    # the pairs found before are an artefact of the split, not two other names (the same
    # folds are not enough: "TROBER" / "T-RUBBER")
    # (speed: only names near once glued are looked at letter by letter)
    listed = ctx.index.rec_glued[al.rid]
    sim = max(fuzz.ratio(q.glued, listed), fuzz.ratio(q.glued_reversed, listed)) / 100.0
    if sim < SAME_LETTERS_MIN:
        return None
    same = letters(q.text) == letters(ctx.index.rec_name[al.rid])
    if same:
        sim = 1.0
    if sim < JOINED_MIN or sim - JOINED_PENALTY <= token_score or not same and not split_or_glued(ctx, q, al):
        return None
    # the same letters split otherwise: the glued word is the strong pair
    if sim >= 0.95 and len(q.glued) >= SHORT_WORD:
        al.strong = al.strong or 1
    al.moves.append(("glued", "score", sim - JOINED_PENALTY, "the names compared glued together, less 0.08"))
    return sim - JOINED_PENALTY


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def letters(name: str) -> str:
    """A name's letters and digits as written, in order, case folded."""
    return "".join(c for c in name.casefold() if c.isalnum())


def split_or_glued(ctx: Context, q: QueryName, al: Alignment) -> bool:
    """Do the parts left unpaired on the two sides spell the same letters (a split or
    glued word: "Ulan-Ude" / "Ulanude")? Not two other names ("Valery" / "Yuri ...
    VALYAEV"). With nothing left on one side there is nothing to contradict it, unless
    all the other side has left is initials ("Aye Kassem" -> "a kasam" / "Haji Qassem"):
    an initial glued to a name is no split word."""
    parts_q = [f for i, f in enumerate(q.folds) if not al.used_i >> i & 1]
    vocab = ctx.index.vocab
    left_r = [vocab[t] for j, t in enumerate(al.tids) if not al.used_j >> j & 1]
    if not left_r:
        # nor is a word some list spells as it is, left over beside a listed name met
        # in full: an extra word ("INVERSIONES Y REPRESENTACIONES EL CAIRO" /
        # "INVERSIONES Y REPRESENTACIONES S.A.", a person's "Noor"; in a company's
        # name three letters may be a split: "ALQ-URESHI")
        return any(len(f) > 1 for f in parts_q) and \
            not any(len(f) >= (3 if q.person else 4) and ctx.known(f) for f in parts_q)
    if not parts_q:
        return any(len(f) > 1 for f in left_r)
    left_q = "".join(parts_q)
    return max(fuzz.ratio(left_q, "".join(left_r)),
               fuzz.ratio(left_q, "".join(reversed(left_r)))) >= 100 * JOINED_MIN


def glue_leftovers(ctx: Context, q: QueryName, al: Alignment) -> None:
    """Parts left unpaired on both sides that spell the same letters glued together (in
    order, or one side reversed) are one name split otherwise: "Issa Zare Pour" / "ZAREPOUR
    Issa", "Mohammad Hossein" / "Mohammadhossein" beside other parts already met. Read from
    Arabic letters, the same consonants count ("mhmdhsin" / Mohammad-Hossein)."""
    nq, nr = len(q.folds), len(al.tids)
    paired = len(al.pairs)  # one query and one listed part each, so far
    # (speed: this runs for most candidates; most leave fewer than three parts over)
    if paired >= nq or paired >= nr or not paired or nq + nr - 2 * paired < 3:
        return
    left_i = [i for i in range(nq) if not al.used_i >> i & 1 and q.weights[i] > 0.1]
    left_j = [j for j in range(nr) if not al.used_j >> j & 1 and ctx.index.vocab_weight[al.tids[j]] > 0.1]
    if not left_i or not left_j or len(left_i) + len(left_j) < 3 or len(left_i) > 3 or len(left_j) > 3:
        return
    vocab = ctx.index.vocab
    glued_q = "".join(q.folds[i] for i in left_i)
    glued_r = "".join(vocab[al.tids[j]] for j in left_j)
    glued_rr = "".join(vocab[al.tids[j]] for j in reversed(left_j))
    if min(len(glued_q), len(glued_r)) < 6:
        return
    sim = max(fuzz.ratio(glued_q, glued_r), fuzz.ratio(glued_q, glued_rr)) / 100.0
    if q.consonants_only and sim < ABJAD_SIM and skeleton(glued_q) in (skeleton(glued_r), skeleton(glued_rr)):
        sim = ABJAD_SIM
    if sim < JOINED_MIN and not (q.consonants_only and sim >= ABJAD_SIM):
        return
    vw = ctx.index.vocab_weight
    for i in left_i:
        al.used_i |= 1 << i
        al.mq += sim * q.weights[i]
    for j in left_j:
        al.used_j |= 1 << j
        al.mr += sim * vw[al.tids[j]]
    # every part of both groups in a pair, so that name ends and family names see them met
    for k in range(max(len(left_i), len(left_j))):
        al.pairs.append((left_i[min(k, len(left_i) - 1)], al.tids[left_j[min(k, len(left_j) - 1)]], sim))
    al.strong += 1
    al.moves.append(("glued", "score", sim, "parts left over on both sides spell one name split otherwise"))


# legal forms a company's name is typed with, glued to its last word ("SiemensAG",
# "GazpromPAO", "ACMELTD"), longest first
GLUED_FORMS = ("ojsc", "cjsc", "gmbh", "sarl", "llc", "llp", "ltd", "plc", "inc", "jsc", "ooo", "oao",
               "pao", "zao", "too", "tov", "ag", "sa", "ao", "bv")
GLUED_FORM_SIM = 0.95


def glued_legal_form(ctx: Context, q: QueryName) -> None:
    """An organization's word no list spells that is a listed word with a legal form typed
    onto it ("SiemensAG" / "Siemens AG") also meets what that word meets (at 0.95 at most),
    and weighs as it does; the legal form, a quarter of a word anyway, is left out."""
    # (compare() scores against one entity: its words are the listed ones, weighed by the lists)
    listed = ctx.index.vocab_id
    for i, f in enumerate(q.folds):
        if ctx.known(f):
            continue
        raw = written(q.text).get(f, f)
        if len(raw) < 6:
            continue
        # ("MOSPAO" may be MOSP AO or MOS PAO: the one whose name a list spells)
        stems = [(fold_token(canon_token(raw[: -len(g)])), g) for g in GLUED_FORMS
                 if raw.endswith(g) and len(raw) - len(g) >= 4]
        stem, form = next(((s, g) for s, g in stems if s in listed and s not in GENERIC_FOLDS), ("", ""))
        if not stem:
            continue
        exp = read_as(ctx, q, i, stem, GLUED_FORM_SIM)
        q.widened.append(("glued", f"{raw!r} read as {raw[: -len(form)]} {form}", i, frozenset(exp)))

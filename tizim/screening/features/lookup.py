"""Lookup: the listed words a query word meets, with their similarity, found without
scanning the vocabulary (exact fold, consonant skeleton, single deletions; two edits off for
a long word nothing else found; two letters swapped back as written).

It also marks the weak ones: a near spelling that is another name ("Azimov" is not
"Akimov", "Tassan" not "Hassan", "Zidco" not "Cidco") counts as a strong pair only beside a
rare part met exactly (alignment.py), and a same-consonants, other-vowels spelling is kept
apart (a romanization of one name for a person, another name for a company).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from tizim.screening.features.base import (
    COMMON_WEIGHT,
    EXPANSION_CACHE_MAX,
    KNOWN_WORD_EDGE,
    LONG_WORD,
    MIN_TOKEN_SIM,
    SHORT_WORD,
    Context,
)
from tizim.screening.features.patronymics import different_fathers, father
from tizim.screening.features.spelling import gendered, swapped, written
from tizim.screening.normalize import MAX_WORD_LETTERS, canon_token, fold_token, skeleton


def expansion(ctx: Context, fold: str) -> tuple[dict[int, float], frozenset[int], frozenset[int]]:
    """Vocabulary tokens similar to one query token with their similarity, the tokens among
    them that are weak near spellings of it, and those with its consonants, other vowels."""
    fold = fold[:MAX_WORD_LETTERS]  # one-letter deletions: the work grows with its square
    cached = ctx.exp_cache.get(fold)
    if cached is not None:
        return cached
    idx = ctx.index
    out: dict[int, float] = {}
    tid = idx.vocab_id.get(fold)
    if tid is not None:
        out[tid] = 1.0
    skel = skeleton(fold)
    cands: set[int] = set(idx.skeletons.get(skel, ()))
    if len(fold) >= 4:
        for key in [fold] + [fold[:i] + fold[i + 1:] for i in range(len(fold))]:
            hit = idx.deletes.get(key)
            if hit:
                cands.update(hit)
    vocab = idx.vocab
    known = ctx.known(fold)
    # a word no list spells, a letter short of a listed one ("Hiazi" / "Hijazi", "Naih" /
    # "Nazih"): a letter dropped in typing, as likely in a short word as in a long one
    dropped: set[int] = set()
    if not known and len(fold) >= 4:
        dropped = {t for t in idx.deletes.get(fold, ()) if len(vocab[t]) == len(fold) + 1}
        cands |= dropped
    if not cands and len(fold) >= LONG_WORD:
        cands.update(two_edits(ctx, fold))
    # weak near spellings: a query word some list spells exactly this way is a name in
    # its own right ("Azimov" is not "Akimov", "Khalid" not "Hamid"); a letter off a
    # common listed name or within five letters, many names are ("Tassan" / "Hassan",
    # "Zidco" / "Cidco"); such pairs count, but not as strong ones by themselves
    weight = idx.vocab_weight
    short = len(fold) <= SHORT_WORD
    patronymic = father(fold) is not None
    typos: list[int] = []
    vowels_only: list[int] = []
    for t in cands:
        if t in out:
            continue
        other = vocab[t]
        if patronymic and different_fathers(fold, other):
            continue  # Maksimovich is not Vadimovich (patronymics.py)
        # optimal string alignment: a transposition is one edit ("ladne" / "laden")
        sim = OSA.normalized_similarity(fold, other)
        # same consonants, other vowels (Zawahiri / Zavahry); not for short tokens or
        # tokens further apart in spelling ("maria" / "mira", "tariki" / "turki")
        if len(fold) >= 5 and len(other) >= 5 and sim >= 0.7 and skeleton(other) == skel:
            if sim < 0.8:
                vowels_only.append(t)
            elif known and (fold == other + "i" or other == fold + "i"):
                # a known name and its nisba are two names (Ahmad / Ahmadi, Karim / Karimi)
                typos.append(t)
            elif gendered(fold, other):
                # a Russian family name and its feminine form are two people
                # (Mikhailov / Mikhailova)
                typos.append(t)
            sim = max(sim, 0.8)
        elif t in dropped and weight[t] >= COMMON_WEIGHT:
            # the letters kept, in order: an edit of one letter in len(other), not of
            # one letter in len(fold) ("nai" / "nazi" 0.86, not 0.75)
            sim = fuzz.ratio(fold, other) / 100.0
            out[t] = sim
            continue
        elif not known and weight[t] >= COMMON_WEIGHT and swapped(fold, other):
            # two letters typed in the wrong order ("Yetka" / "Yekta", "Qusd" / "Quds"):
            # half an edit, the commonest typo
            out[t] = 1.0 - 0.5 / len(fold)
            continue
        elif sim < KNOWN_WORD_EDGE and (known or weight[t] < COMMON_WEIGHT or short):
            typos.append(t)
        # short tokens must agree exactly: "hut" is not "hutu", "ali" is not "ala"
        if sim >= MIN_TOKEN_SIM and min(len(fold), len(other)) > 3:
            out[t] = sim
    if len(ctx.exp_cache) > EXPANSION_CACHE_MAX:
        ctx.exp_cache.clear()
    got = ctx.exp_cache[fold] = (out, frozenset(t for t in typos if t in out),
                                 frozenset(t for t in vowels_only if t in out))
    return got


def with_swaps(ctx: Context, name: str, folds: list[str], exps: list[dict[int, float]]
               ) -> list[dict[int, float]]:
    """A word no list spells, typed with two letters out of order, may canonicalize
    far from the listed word ("Mihcael" -> "mihkal", Michael -> "michal"; "CMIEX" /
    "CIMEX"): its letters as written are swapped back, one pair at a time. One typed
    with the article's hyphen as a letter ("ALnDAWUD") is read without the article."""
    out = list(exps)
    for i, f in enumerate(folds):
        # speed: only a word the lookup found nothing close to
        if ctx.known(f) or any(sim >= 0.85 for sim in exps[i].values()):
            continue
        raw = written(name).get(f)
        if raw is None or len(raw) < 4:
            continue
        found = swaps(ctx, raw)
        if len(raw) >= 7 and raw[:2] in ("al", "el") and raw[2].isalpha():
            # the article's hyphen typed as a letter ("ALnDAWUD", "alkKawari"): the
            # word after it, if a list spells it (not the article glued to its word:
            # "Alassaf" is not "ASSAF" often enough to cost a false match in every draw)
            t = ctx.index.vocab_id.get(fold_token(canon_token(raw[3:])))
            if t is not None and found.get(t, 0.0) < 0.9:
                found[t] = 0.9
        if found:
            merged = dict(exps[i])
            for t, sim in found.items():
                if merged.get(t, 0.0) < sim:
                    merged[t] = sim
            out[i] = merged
    return out


def swaps(ctx: Context, raw: str) -> dict[int, float]:
    """Listed words, not common, spelled by `raw` with two adjacent letters swapped."""
    idx = ctx.index
    ref = ctx.ref.index
    found: dict[int, float] = {}
    sim = 1.0 - 0.5 / len(raw)
    for k in range(len(raw) - 1):
        if raw[k] == raw[k + 1]:
            continue
        fixed = fold_token(canon_token(raw[:k] + raw[k + 1] + raw[k] + raw[k + 2:]))
        t = idx.vocab_id.get(fixed)
        if t is None:
            continue
        rt = ref.vocab_id.get(fixed)
        if rt is not None and ref.vocab_weight[rt] >= COMMON_WEIGHT:
            found[t] = sim
    return found


def two_edits(ctx: Context, fold: str) -> list[int]:
    """Listed words of the same first letter and about the same length within two edits
    of a long word the index lookup found nothing for: one typo that canonical
    spelling doubled ("ADMINCnECK": "adminknak" / "adminchak") or two typos."""
    shapes = ctx.by_shape
    if shapes is None:
        shapes = {}
        for t, w in enumerate(ctx.index.vocab):
            if len(w) >= LONG_WORD - 2:
                shapes.setdefault((w[0], len(w)), []).append(t)
        ctx.by_shape = shapes
    vocab = ctx.index.vocab
    out: list[int] = []
    n = len(fold)
    for length in range(n - 2, n + 3):
        tids = shapes.get((fold[0], length))
        if tids:
            words = [vocab[t] for t in tids]
            out.extend(tids[k] for _, _, k in process.extract(
                fold, words, scorer=OSA.distance, score_cutoff=2, limit=None))
    return out

"""A person's name: one part never identifies a person, and the family name must be met.

- One name part alone is capped at 0.6 ("Abd al-Aziz" is one given name), except a rare
  one-word name against the same one-word name (a mononym: "Dulmatin") and a whole name met
  word for word ("Ko Ko Maung", "KO, Maung").
- The listed family name (before a comma, else the first or last distinctive part) must be
  among the parts met, else 0.65; so must both ends of a name written in order unless common
  ("Mohammad Hassine" is not "Seifallah Ben Omar Ben Mohamed Ben Hassine") and the query's
  own first and last distinctive part ("Ibrahim ibn Muhammad Al ash-Sheikh" is not
  "AL-SHAYKH, Muhammad", his father's name).
- A father's name (after bin) meets a listed part only where a bin stands next to it there
  ("Abdullah bin Faisal" is not "AL-FAISAL, Abdullah Ibrahim").
- The Arabic article written onto the other part crosses given and family name ("Asaad
  al-Zuhair" is of the Zuhair family, not "AL-ASSAD, Zuhair Tawfik").
- A listed-spelled name before a listed name of three parts or more met in full is a
  child's own name ("MOHAMMAD BARZAN IBRAHIM HASAN AL-TIKRITI").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tizim.screening.features.base import (
    ANCHOR_WEIGHT,
    BOUND_HEADS,
    EXPANSION_CACHE_MAX,
    NO_FAMILY_CAP,
    ONE_PART_CAP,
    Alignment,
    Context,
    Pair,
    QueryName,
)
from tizim.screening.features.organizations import met_word_for_word
from tizim.screening.normalize import (
    canon_token,
    fold_token,
    is_patronymic_fold,
    name_tokens,
    script_to_latin,
)


def person_caps(ctx: Context, q: QueryName, al: Alignment, score: float) -> tuple[float, str] | None:
    """(cap, method) when a rule of a person's name caps the score, else None."""
    idx = ctx.index
    vw = idx.vocab_weight
    tids, pairs, rid = al.tids, al.pairs, al.rid
    nq, nr = len(q.folds), len(tids)
    qw = q.weights
    if al.strong < 2 and score > ONE_PART_CAP and not (
            nr == 1 and nq == 1 and vw[tids[0]] >= 0.8 and qw[0] >= 0.8
            and len(q.folds[0]) >= 6 and pairs and pairs[0][2] >= 0.85) and not (
            # nor the whole name, word for word, though its words are common ones
            # ("Ko Ko Maung", "KO, Maung"); not a compound given name
            nq == nr >= 2 and not idx.rec_bound[rid] and met_word_for_word(pairs, nr)):
        return ONE_PART_CAP, "one name part only"
    if score <= NO_FAMILY_CAP:
        return None
    vocab = idx.vocab
    fam = family(ctx, rid)
    if q.fathers:
        # a father's name meets a listed name only beside a bin there too:
        # "Abdullah bin Faisal" is not "AL-FAISAL, Abdullah Ibrahim", and
        # "Ibrahim bin Muhammad Al-Hassan" not "AL-HASSAN, Muhammad"
        pairs_for_ends = own_generation(ctx, q, rid, pairs)
        if len(pairs_for_ends) < len(pairs):
            given_name = given(ctx, rid)
            if given_name and given_name not in {vocab[t] for _, t, _ in pairs_for_ends}:
                return NO_FAMILY_CAP, f"name part {given_name!r} met by a father's name only"
    else:
        pairs_for_ends = pairs
    if fam and not any(vocab[t] in fam and sim >= 0.8 for _, t, sim in pairs_for_ends):
        if pairs_for_ends is not pairs and any(vocab[t] in fam for _, t, _ in pairs):
            return NO_FAMILY_CAP, "family name met by a father's name only"
        return NO_FAMILY_CAP, "family name not matched"
    if crossed(q, idx.rec_name[rid], pairs, vocab):
        return NO_FAMILY_CAP, "given and family name crossed"
    # both ends of a listed name (given name and family name, in either order)
    # must be met unless common: "Mohammad Hassine" is not "Seifallah Ben Omar
    # Ben Mohamed Ben Hassine", "Oleg Vladimirovich Melnchenko" not "... SAVCHENKO"
    listed_ends = ends(ctx, rid)
    if listed_ends:
        met = {vocab[t] for _, t, sim in pairs_for_ends if end_met(vocab[t], sim)}
        missed = [e for e in listed_ends if e not in met]
        if missed and not (len(missed) == 1 and listed_second_family(ctx, q, al, missed[0])):
            return NO_FAMILY_CAP, f"name part {missed[0]!r} not matched"
    # and the query's own: "Ibrahim ibn Muhammad Al ash-Sheikh" is not
    # "AL-SHAYKH, Muhammad" (his father's name is)
    if q.ends:
        paired = {i for i, t, sim in pairs_for_ends if end_met(vocab[t], sim)}
        # a word no list spells so may be a typo or noise ("Brigadier Generl")
        lost = [i for i in q.ends if i not in paired and ctx.known(q.folds[i])]
        if lost and not (len(lost) == 1 and query_second_family(ctx, q, al, lost[0])):
            return NO_FAMILY_CAP, f"query name part {q.folds[lost[0]]!r} not matched"
    # a name some list spells, written before a listed name of three parts or
    # more met in full, is a child's own name: an Arabic name is the person's,
    # the father's, the grandfather's ("MOHAMMAD BARZAN IBRAHIM HASAN
    # AL-TIKRITI" is the son of "BARZAN IBRAHIM HASSAN AL-TIKRITI")
    if len(pairs) >= 3 and len(pairs) < nq:
        child = child_of(ctx, q, al)
        if child is not None:
            return NO_FAMILY_CAP, f"query name part {child!r} before the listed name"
    return None


def listed_second_family(ctx: Context, q: QueryName, al: Alignment, missed: str) -> bool:
    """Is the listed end left unmet a second family name the query leaves out ("Ismael
    Zambada" / "Ismael ZAMBADA GARCIA", "Joaquin Guzman" / "Joaquin Archivaldo GUZMAN
    LOERA": a Spanish name's mother's family name)? See second_family()."""
    dist = distinctive(ctx, al.rid)
    if len(dist) < 3 or dist[-1] != missed or dist[-2] == missed or not _plain(ctx, q, al.rid):
        return False
    # every distinctive part of the query met
    if any(not al.used_i >> i & 1 and w > 0.1 for i, w in enumerate(q.weights)):
        return False
    q_last = max((i for i, w in enumerate(q.weights) if w > 0.1), default=-1)
    return second_family(ctx, q, al, q_last, dist[-2], missed)


def query_second_family(ctx: Context, q: QueryName, al: Alignment, lost: int) -> bool:
    """Is the query's unmet last part a second family name the listed name leaves out
    ("Nicolas Maduro Moros" / "Nicolas MADURO", "Dawood Ibrahim Kaskar" / "Dawood
    IBRAHIM")? See second_family()."""
    dist_q = [i for i, w in enumerate(q.weights) if w > 0.1]
    if len(dist_q) < 3 or dist_q[-1] != lost or not _plain(ctx, q, al.rid):
        return False
    vw = ctx.index.vocab_weight
    if any(not al.used_j >> j & 1 and vw[t] > 0.1 for j, t in enumerate(al.tids)):
        return False
    dist = distinctive(ctx, al.rid)
    if len(dist) < 2:
        return False
    return second_family(ctx, q, al, dist_q[-2], dist[-1], q.folds[lost])


def second_family(ctx: Context, q: QueryName, al: Alignment, i: int, shared: str, extra: str) -> bool:
    """A family name both write, query part i met as listed part `shared` (the shorter
    name's last part), followed on the longer name by one more part, `extra`, the other
    lacks: a second family name, which names leave out every day (Spanish ones the
    mother's, Arabic ones the family's or tribe's: "Mohammed bin Salman [Al Saud]"), not
    another person. The shorter name is met in full, the shared part closely (0.9), five
    letters or more and no patronymic ("Aleksandr Semenovich" is no shortened "Alexandr
    Semenovich BROD"), the extra part four letters or more."""
    if len(shared) < 5 or len(extra) < 4 or is_patronymic_fold(shared):
        return False
    idx = ctx.index
    vocab, vw = idx.vocab, idx.vocab_weight
    if not any(k == i and vocab[t] == shared and sim >= 0.9 for k, t, sim in al.pairs):
        return False
    # the shorter name is no pair of common names ("Mohamed Hassan" is many people: not
    # "Mohammad Hassan AKHUND") nor of syllables (every part under six letters: "Kang
    # Myong" / "KANG Myong Chol")
    rare = any(sim >= 0.95 and vw[t] >= ANCHOR_WEIGHT for _, t, sim in al.pairs)
    return rare and any(len(vocab[t]) >= 6 for _, t, _ in al.pairs)


def _plain(ctx: Context, q: QueryName, rid: int) -> bool:
    """Names written in order, given names first, no compound given name ("Abdur Rahman" is
    one name) and no comma (a name written "FAMILY, Given" ends in a given name)."""
    if q.bound or ctx.index.rec_bound[rid] or "," in ctx.index.rec_name[rid] or "," in q.text:
        return False
    # (Abdur, Abdul written as one word: the normalizer splits some, not all)
    vocab = ctx.index.vocab
    return not any(f.startswith("abd") for f in q.folds) \
        and not any(vocab[t].startswith("abd") for t in ctx.index.rec_tokens[rid])


def family(ctx: Context, rid: int) -> frozenset[str]:
    """Folds that may hold a listed person's family name: the part before a comma
    ("AL-ZAWAHIRI, Ayman"), else the first and the last distinctive part (Arabic and
    Western order put it last, Korean and Chinese first, Russian lists either way)."""
    fam = ctx.family_cache.get(rid)
    if fam is not None:
        return fam
    name = ctx.index.rec_name[rid]
    if "," in name:
        head = [fold_token(t) for t in name_tokens(name.split(",", 1)[0], "Person")]
        fam = frozenset(f for f in head if f)
    else:
        dist = distinctive(ctx, rid)
        fam = frozenset(dist[:1] + dist[-1:])
    ctx.family_cache[rid] = fam
    return fam


def distinctive(ctx: Context, rid: int) -> list[str]:
    """A listed name's parts as folds, in order, without connectors."""
    vw = ctx.index.vocab_weight
    return [ctx.index.vocab[t] for t in ctx.index.rec_tokens[rid] if vw[t] > 0.1]


def ends(ctx: Context, rid: int) -> tuple[str, ...]:
    """A listed person's given and family name as folds, those not common (weight 0.5
    or more): the first and last distinctive part of a name written in order (a name
    written "FAMILY, Given ..." has its family name checked by family() alone)."""
    got = ctx.ends_cache.get(rid)
    if got is not None:
        return got
    idx = ctx.index
    vw = idx.vocab_weight
    folds: list[str] = []
    if "," not in idx.rec_name[rid]:
        dist = distinctive(ctx, rid)
        folds = dist[:1] + dist[-1:] if len(dist) >= 2 else []
    keep = []
    for f in dict.fromkeys(folds):
        tid = idx.vocab_id.get(f)
        if tid is not None and vw[tid] >= 0.5 and len(f) > 1:
            keep.append(f)
    got = tuple(keep)
    ctx.ends_cache[rid] = got
    return got


def child_of(ctx: Context, q: QueryName, al: Alignment) -> str | None:
    """The query's first word when it stands, unpaired and known, before a listed name
    met in full (every part but connectors); else None."""
    vw = ctx.index.vocab_weight
    if any(not al.used_j >> j & 1 and vw[t] > 0.1 for j, t in enumerate(al.tids)):
        return None
    first = min(i for i, _, _ in al.pairs)
    # (an initial or a stray letter is no child's name: "A-As'ad Ben Hani" is "Al-As'ad"
    # with a letter dropped)
    extra = [i for i in range(len(q.folds)) if not al.used_i >> i & 1 and q.weights[i] > 0.1
             and len(q.folds[i]) > 1]
    if not extra or any(i > first for i in extra) or not all(ctx.known(q.folds[i]) for i in extra):
        return None
    return q.folds[extra[0]]


def given(ctx: Context, rid: int) -> str | None:
    """A listed name's given name when it is written "FAMILY, Given ..."."""
    name = ctx.index.rec_name[rid]
    if "," not in name:
        return None
    for t in name_tokens(name.split(",", 1)[1], "Person"):
        f = fold_token(t)
        tid = ctx.index.vocab_id.get(f)
        if tid is not None and ctx.index.vocab_weight[tid] > 0.1:
            return f
    return None


def own_generation(ctx: Context, q: QueryName, rid: int, pairs: list[Pair]) -> list[Pair]:
    """The pairs without a query father's name met by a listed part no bin stands next
    to (in either order: a name written in reverse puts the father first)."""
    listed_fathers = ctx.fathers_cache.get(rid)
    if listed_fathers is None:
        vocab = ctx.index.vocab
        listed_fathers = ctx.fathers_cache[rid] = fathers([vocab[t] for t in ctx.index.rec_tokens[rid]],
                                                          both_sides=True)
    tids = ctx.index.rec_tokens[rid]
    last_q = len(q.folds) - 1
    out = []
    for i, t, sim in pairs:
        # the listed position of the pair: a listed word may recur, any one will do
        if q.fathers >> i & 1 and not any(listed_fathers >> j & 1 for j, u in enumerate(tids) if u == t) \
                and not (listed_fathers and i == last_q and t == tids[-1]):
            # in a chain of bins both write (Maghreb names) the last word is the family
            # name: "Mourad Ben Hedi Ben MEHDOUI" / "Mourad Ben Hedi Ben Ali MEHDOUI"
            continue
        out.append((i, t, sim))
    return out


def fathers(folds: Sequence[str], both_sides: bool = False) -> int:
    """Bit k set when part k follows a bin ("Abdullah bin Faisal", "bin Abd al-Rahman": the
    compound's words too); `both_sides`: also when it comes just before one (a name
    written in reverse)."""
    mask = 0
    last = len(folds) - 1
    for k, f in enumerate(folds):
        if f != "bin":
            continue
        if k < last:
            mask |= 1 << (k + 1)
            if k + 1 < last and folds[k + 1] in BOUND_HEADS:
                mask |= 1 << (k + 2)
        if both_sides and k:
            mask |= 1 << (k - 1)
    return mask


def end_met(listed: str, sim: float) -> bool:
    """Does a pair meet a name end? A short end met only a letter off does not ("shaikh" /
    "sha'ar")."""
    return sim >= 0.8 or len(listed) > 4


_ARTICLED = re.compile(r"\b(?:al|el|ul)[-\s]+([a-z]{3,})")
# in a query, an article binds its word only where written onto it ("al-Zuhair") or where
# it starts the name: a name written in reverse word by word puts a spaced article
# before the wrong word ("Hakim el Boubaker" is "Boubaker el Hakim" reversed)
_ARTICLED_BOUND = re.compile(r"(?:^|[\s,])(?:al|el|ul)-([a-z]{3,})|^(?:al|el|ul)\s+([a-z]{3,})")
_ARTICLED_LAST = re.compile(r"\b(?:al|el|ul)[-\s]+([a-z]{3,})\s*$")


def _folds_of(words: Sequence[str]) -> frozenset[str]:
    return frozenset(fold_token(canon_token(w)) for w in words if w)


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def _articled(name: str) -> frozenset[str]:
    """Folds of the words written after the Arabic article, spaced or not."""
    return _folds_of(_ARTICLED.findall(script_to_latin(name)))


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def _articled_query(name: str) -> frozenset[str]:
    """Folds of the query's words bound to the Arabic article (al-Zuhair)."""
    return _folds_of([a or b for a, b in _ARTICLED_BOUND.findall(script_to_latin(name))])


@lru_cache(maxsize=EXPANSION_CACHE_MAX)
def _articled_family(listed: str) -> frozenset[str]:
    """Folds of a listed family name written with the Arabic article: before the comma of
    "AL-ASSAD, Zuhair", or last in "Zuhair Tawfik AL-ASSAD"."""
    latin = script_to_latin(listed)
    if "," in latin:
        return _folds_of(_ARTICLED.findall(latin.split(",", 1)[0]))
    return _folds_of(_ARTICLED_LAST.findall(latin))


def crossed(q: QueryName, listed: str, pairs: list[Pair], vocab: Sequence[str]) -> bool:
    """Does the query write with the Arabic article a part the listed name has without it,
    and without it the listed family name, which has it ("Asaad al-Zuhair" is of the
    Zuhair family; "AL-ASSAD, Zuhair Tawfik" of the Assad family)?"""
    q_art = _articled_query(q.text)
    if not q_art:
        return False
    l_art = _articled_family(listed)
    if not l_art:
        return False
    # bare is written with no article at all, spaced or not ("EL TAHIR Mohamed EL AMIN")
    q_any = _articled(q.text)
    family_bare = given_articled = False
    for i, t, _ in pairs:
        word, mine = vocab[t], q.folds[i]
        if word in l_art and mine not in q_any:
            family_bare = True
        elif word not in l_art and mine in q_art:
            given_articled = True
    return family_bare and given_articled

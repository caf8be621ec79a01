"""What every feature shares: the query name as prepared, the listed names' context (the
index, the whole lists' vocabulary, caches) and one alignment in progress.

The constants are the score's calibration (docs/screening.md, "Score"): each is used by the
feature that names it, and kept here so that features agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tizim.screening import scripts
from tizim.screening.index import Index

MIN_TOKEN_SIM = 0.7
# a person's name matched on one part only (a shared given name) or without the family name
ONE_PART_CAP = 0.6
NO_FAMILY_CAP = 0.65
# a word read from Arabic or Hebrew letters against a listed word of the same consonants
ABJAD_SIM = 0.85
# a given name against the name it is a nickname or short form of (Bill / William)
NICKNAME_SIM = 0.85
# an initial against a listed given name it begins ("A. Khamenei" / "Ali KHAMENEI")
INITIAL_SIM = 0.8
# a part of weight below this is no distinctive part of a name (connectors, legal forms)
STRONG_WEIGHT = 0.3
# "Abd" starts a one-word given name the normalizer splits ("Abd al-Aziz" = Abdulaziz): it
# does not count as a name part of its own
NAME_PREFIXES = frozenset({"abd"})
# words that start a compound name, bound to the word after them (Abd al-Rahman, Abu Bakr)
BOUND_HEADS = frozenset({"abd", "abu", "um"})
# a near spelling below this similarity is weak when the query word is itself a listed
# word, the listed word is common (weight below COMMON_WEIGHT) or the query word has at most
# SHORT_WORD letters (one edit in five letters makes many names: "Zidco" / "Cidco" /
# "Zisco"); a weak one is a strong pair only beside a part of weight ANCHOR_WEIGHT or more
# met exactly
KNOWN_WORD_EDGE = 0.9
ANCHOR_WEIGHT = 0.6
COMMON_WEIGHT = 0.6
SHORT_WORD = 5
# a word this long with no listed word one edit off is looked up two edits off
LONG_WORD = 7
EXPANSION_CACHE_MAX = 200_000

# a pair: (query token position, listed vocabulary id, similarity)
Pair = tuple[int, int, float]


@dataclass
class QueryName:
    """One query name, prepared once for every candidate (features/query.py)."""

    text: str
    folds: list[str]
    weights: list[float]
    generic: list[bool]
    exps: list[dict[int, float]]
    total: float
    glued: str
    glued_reversed: str
    acronym: str | None
    own_acronyms: set[str]
    person: bool = False
    full_initials: frozenset[str] = frozenset()
    # per token: listed words it meets only as a weak near spelling (lookup.expansion)
    typos: list[frozenset[int]] = field(default_factory=list)
    any_typo: bool = False
    bound: int = 0  # bound_mask() of its parts
    # a person's given and family name: its first and last distinctive part (not a
    # patronymic, not common), as query positions (see family.py)
    ends: tuple[int, ...] = ()
    # per part: a generic word spelled as the lists spell it (not "LIMTIED")
    generic_exact: list[bool] = field(default_factory=list)
    # (listed vocabulary id, query token position) -> similarity compared directly
    direct: dict[tuple[int, int], float] = field(default_factory=dict)
    # (listed vocabulary id, query token position) -> near enough to compare as written
    near: dict[tuple[int, int], bool] = field(default_factory=dict)
    # listed vocabulary id -> [(similarity, query token position)] (alignment.py)
    hits: dict[int, list[tuple[float, int]]] = field(default_factory=dict)
    # bit k: part k names a father ("Abdullah bin Faisal": Faisal), see family.fathers()
    fathers: int = 0
    # per token: listed words it meets with the same consonants, other vowels (lookup.py)
    vowels: list[frozenset[int]] = field(default_factory=list)
    # read from Chinese characters, kana or Hangul: every syllable must be met (syllables.py)
    syllabic: bool = False
    # a person's name with a part of one letter (an initial)
    initials: bool = False
    # the name as written, when it was read from another script
    written: str | None = None
    # the features that widened what a part meets, for the explanation: (feature, line,
    # query position, the listed words added), shown where a pair uses one of them
    widened: list[tuple[str, str, int, frozenset[int]]] = field(default_factory=list)
    # per part, read from Arabic or Hebrew letters: the listed words it meets only by their
    # consonants (syllables.from_script), and the alignment's cache for listed names
    # themselves written in those letters, which such pairs do not meet (alignment.py)
    consonants_only: list[frozenset[int]] = field(default_factory=list)
    hits_written: dict[int, list[tuple[float, int]]] = field(default_factory=dict)


class Context:
    """The listed names a query is scored against, and what features cache about them.

    `reference`: compare() scores against a one-entity index, with the query's words
    weighed and known as the whole lists know them (a word that index lacks is not a word
    no list has)."""

    def __init__(self, index: Index, reference: Context | None = None) -> None:
        self.index = index
        self.reference = reference
        # per query fold: (similar vocabulary tokens, those of them that are weak near
        # spellings, those with the same consonants), one entry so they are always cached
        # and dropped together
        self.exp_cache: dict[str, tuple[dict[int, float], frozenset[int], frozenset[int]]] = {}
        self.family_cache: dict[int, frozenset[str]] = {}
        self.ends_cache: dict[int, tuple[str, ...]] = {}
        self.fathers_cache: dict[int, int] = {}
        # built on first use (most queries need neither): listed names by their parts glued
        # together, and listed words by first letter and length
        self.by_glued: dict[str, list[int]] | None = None
        self.by_shape: dict[tuple[str, int], list[int]] | None = None
        self.abjad_cache: dict[int, bool] = {}

    @property
    def ref(self) -> Context:
        return self.reference or self

    def abjad_written(self, rid: int) -> bool:
        """Is listed name `rid` written in Arabic or Hebrew letters?"""
        got = self.abjad_cache.get(rid)
        if got is None:
            name = self.index.rec_name[rid]
            got = self.abjad_cache[rid] = not name.isascii() and scripts.abjad(name)
        return got

    def known(self, fold: str) -> bool:
        """Does some listed name spell a word exactly this way?"""
        return fold in (self.reference or self).index.vocab_id


class Alignment:
    """One query name aligned with one listed name, as the features leave it: the pairs,
    what each side has used, the weighted matches, and how many pairs are strong (a rare
    part met closely) or weak (another name's near spelling)."""

    __slots__ = ("rid", "tids", "pairs", "used_i", "used_j", "mq", "mr", "strong", "typo", "unbound",
                 "loose_q", "loose_r", "loose_mq", "loose_mr", "moves")

    def __init__(self, rid: int, tids: tuple[int, ...]) -> None:
        self.rid = rid
        self.tids = tids
        self.pairs: list[Pair] = []
        self.used_i = 0
        self.used_j = 0
        self.mq = 0.0
        self.mr = 0.0
        self.strong = 0
        self.typo = 0
        # bit i: query part i paired across a compound name's boundary (Abdulaziz / Aziz)
        self.unbound = 0
        # weight of short words met only a letter off by a word a list spells
        self.loose_q = 0.0
        self.loose_r = 0.0
        self.loose_mq = 0.0
        self.loose_mr = 0.0
        # each feature that moved the score: (feature, "cap" / "delta" / "score", value,
        # detail), made into the explanation's lines only for the results shown (describe())
        self.moves: list[tuple[str, str, float, str]] = []

    def pair(self, i: int, j: int, t: int, s: float, wq: float, wr: float) -> None:
        self.used_i |= 1 << i
        self.used_j |= 1 << j
        self.mq += s * wq
        self.mr += s * wr
        self.pairs.append((i, t, s))


def widen(ctx: Context, q: QueryName, i: int, extra: dict[int, float]) -> bool:
    """Query part i also meets these listed words (at their similarity, where it does not
    already meet them better); an unknown word weighs as the commonest of them. True when
    something was added."""
    exp = q.exps[i]
    new = {t: s for t, s in extra.items() if exp.get(t, 0.0) < s}
    if not new:
        return False
    q.exps[i] = {**exp, **new}
    if q.typos and any(t in new for t in q.typos[i]):
        # read so, they are the same name, not another name's near spelling
        q.typos[i] = frozenset(t for t in q.typos[i] if t not in new)
        q.any_typo = any(q.typos)
    if not ctx.known(q.folds[i]):
        # as common as the commonest name it may be
        w = min(ctx.index.vocab_weight[t] for t in q.exps[i])
        q.total = (q.total + w - q.weights[i]) or 1.0
        q.weights[i] = w
    return True

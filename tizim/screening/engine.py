"""The Screener: candidates from the index, a calibrated score, an explanation per result.

Score of one query name against one listed name (both as folded tokens, see normalize.py):
  - each query token is aligned with at most one listed token (greedy, best similarity
    first; similarity = normalized Levenshtein on the folded forms, at least 0.8 when the
    consonant skeletons agree, nothing below 0.7);
  - query coverage  qc = sum(sim * weight of query token) / total query weight,
    listed coverage lc = the same over the listed name's tokens;
  - name score = 0.65 qc + 0.35 lc: a listed name with extra middle names or a patronymic
    costs less than a query part the listed name lacks;
  - the whole names are also compared joined (sorted, concatenated: "Abdulrahman" vs
    "Abdul Rahman"); at a similarity of 0.88 or more, that minus 0.08 counts when better;
  - a generic or legal-form word one side lacks (reordered, cut short, misspelled or in
    another script: "COMPANY LIABILITY LIMITED", "LIMTIED", "Лимитед") counts a quarter of
    its weight; an organization's listed name keeping a distinctive word the query lacks
    costs up to 0.15 more ("Overseas Trading Company" is not "Rusatom Overseas");
  - when only generic words / connectors were aligned, the score is capped at 0.5;
  - a person: one name part alone is capped at 0.6 (except a rare mononym against the same
    one-word name), an unmatched family name at 0.65, and so is a name written in order
    whose first or last distinctive part (given or family name, unless common) is unmet;
  - an organization acronym (IMU, HuT, PKK) against the initials of a listed name gives
    0.78 (ambiguous by nature: a listed alias spelled the same way scores 1.0);
  - a weak alias counts 0.9 of its score.
The entity score is the best name score, then adjusted: birth date exact +0.08, same year
(or within a listed range / year-only) +0.03, same year but another day -0.05, a year apart
-0.10, further apart -0.35; a shared country +0.02, disjoint countries -0.05; an identical
identifier raises the score to at least 0.97 (same type) or adds 0.10 (other type); a
different number of the same exclusive type (IMO, IIN, national id) -0.10.
`match` is score >= threshold (settings.match_threshold, 0.70) on a designated party.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from tizim.errors import InputError, NotFound
from tizim.registry.model import Designation, Entity, Identifier, Name
from tizim.screening import nicknames, scripts
from tizim.screening.index import (
    EXCLUSIVE_ID_TYPES,
    Cluster,
    Index,
    id_type_class,
    load_index,
    norm_identifier,
)
from tizim.screening.lexicon import translate, translations
from tizim.screening.model import COMPATIBLE, Query, Result, TextSpan
from tizim.screening.normalize import (
    CONNECTORS,
    GENERIC_FOLDS,
    GENERIC_ORG_WORDS,
    GENERIC_ORG_WORDS_WRITTEN,
    MAX_WORD_LETTERS,
    TRUNCATED_NAME,
    TRUNCATED_TEXT,
    acronyms,
    bound_mask,
    bound_text,
    canon_token,
    fold_token,
    is_org_schema,
    is_patronymic_fold,
    looks_like_acronym,
    name_tokens,
    raw_tokens,
    script_to_latin,
    skeleton,
    without_legal_form,
)
from tizim.settings import get_settings

MIN_TOKEN_SIM = 0.7
ACRONYM_SCORE = 0.78
# a spelled-out query whose leading words' initials equal a listed acronym alias
# ("Inversiones Cifuentes y Cia" = "ICI"): shown as a candidate, never a match on its own
REVERSE_ACRONYM_SCORE = 0.6
# a person's name matched on one part only (a shared given name) or without the family name
ONE_PART_CAP = 0.6
# a word read from Arabic or Hebrew letters against a listed word of the same consonants
ABJAD_SIM = 0.85
# a given name against the name it is a nickname or short form of (Bill / William)
NICKNAME_SIM = 0.85
# an initial against a listed given name it begins ("A. Khamenei" / "Ali KHAMENEI")
INITIAL_SIM = 0.8
NO_FAMILY_CAP = 0.65
# both names keep a distinctive part the other lacks ("Omar Sabawi Ibrahim Hasan" vs "Yasir
# Sabawi Ibrahim Hasan"): two relatives, not two spellings of one person
CONFLICT_PENALTY = 0.6
STRONG_WEIGHT = 0.3
# "Abd" starts a one-word given name the normalizer splits ("Abd al-Aziz" = Abdulaziz): it
# does not count as a name part of its own
_NAME_PREFIXES = frozenset({"abd"})
# words that start a compound name, bound to the word after them (Abd al-Rahman, Abu Bakr)
_BOUND_HEADS = frozenset({"abd", "abu", "um"})
JOINED_MIN = 0.88
JOINED_PENALTY = 0.08
WEAK_ALIAS_FACTOR = 0.9
# names scored per query name, best-ranked first: the quality bench's queries find the same
# entries with 30 as with 60 (retrieval recall 0.883 / 0.970 on 1,000 of each), at two thirds
# of the time; with 20 one true entry of 1,000 is lost
CANDIDATES = 30
# a legal-form or generic word one side lacks ("JOINT COMPANY X" / "JOINT STOCK COMPANY X",
# "X COMPANY LIABILITY LIMITED" / "LIMITED LIABILITY COMPANY X") counts a quarter of its weight
GENERIC_SLACK = 0.75
ORG_MISSING_PENALTY = 0.15
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
# the same words as folds, for spotting a misspelled one in a query ("LIMTIED", "STOeK")
_GENERIC_FOLD_LIST = sorted({fold_token(w) for w in GENERIC_ORG_WORDS | CONNECTORS if len(w) >= 4})
_EXPANSION_CACHE_MAX = 200_000


@dataclass
class _QName:
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
    # per token: listed words it meets only as a weak near spelling (_expansion)
    typos: list[frozenset[int]] = field(default_factory=list)
    any_typo: bool = False
    bound: int = 0  # bound_mask() of its parts
    # a person's given and family name: its first and last distinctive part (not a
    # patronymic, not common), as query positions (see _score_rec)
    ends: tuple[int, ...] = ()
    # per part: a generic word spelled as the lists spell it (not "LIMTIED")
    generic_exact: list[bool] = field(default_factory=list)
    # (listed vocabulary id, query token position) -> similarity compared directly
    direct: dict[tuple[int, int], float] = field(default_factory=dict)
    # (listed vocabulary id, query token position) -> near enough to compare as written
    near: dict[tuple[int, int], bool] = field(default_factory=dict)
    # listed vocabulary id -> [(similarity, query token position)] (_score_rec)
    hits: dict[int, list[tuple[float, int]]] = field(default_factory=dict)
    # bit k: part k names a father ("Abdullah bin Faisal": Faisal), see _fathers()
    fathers: int = 0
    # per token: listed words it meets with the same consonants, other vowels (_expansion)
    vowels: list[frozenset[int]] = field(default_factory=list)
    # read from Chinese characters, kana or Hangul: every syllable must be met (scripts.py)
    syllabic: bool = False
    # a person's name with a part of one letter (an initial)
    initials: bool = False
    # the name as written, when it was read from another script
    written: str | None = None


@dataclass
class _Hit:
    score: float
    rid: int
    qname: _QName
    method: str
    pairs: list[tuple[int, int, float]]
    name_score: float


class _Allowed:
    """Which clusters a query may meet: schema compatibility, lists, excluded ids."""

    __slots__ = ("compatible", "restricted", "_schemas", "_clists", "_want", "_drop", "_skip", "_memo")

    def __init__(self, index: Index, compatible: frozenset[str], lists: Sequence[str] | None,
                 exclude_lists: Sequence[str] | None, exclude_ids: Sequence[str] | None) -> None:
        self.compatible = compatible
        self._schemas = index.cluster_schema
        self._clists = index.cluster_lists
        self._want = frozenset(lists) if lists else None
        self._drop = frozenset(exclude_lists) if exclude_lists else None
        self._skip: set[int] = set()
        for eid in exclude_ids or ():
            ci = index.cluster_by_id.get(eid, index.member_cluster.get(eid))
            if ci is not None:
                self._skip.add(ci)
        # beyond the schema (which postings_for() already applies), is there a filter?
        self.restricted = bool(self._want is not None or self._drop is not None or self._skip)
        self._memo: dict[int, bool] = {}

    def __call__(self, ci: int) -> bool:
        ok = self._memo.get(ci)
        if ok is None:
            ok = self._schemas[ci] in self.compatible and ci not in self._skip
            if ok and self._want is not None:
                ok = bool(self._clists[ci] & self._want)
            if ok and self._drop is not None:
                ok = bool(self._clists[ci] - self._drop)
            self._memo[ci] = ok
        return ok


class Screener:
    """Matches queries against an Index; cheap to call from many threads (read-only)."""

    def __init__(self, index: Index, url: str | None = None, token: str | None = None,
                 reference: Screener | None = None) -> None:
        self.index = index
        # compare(): a one-entity index, with the query's words weighed and known as the
        # whole lists know them (a word this index lacks is not a word no list has)
        self.reference = reference
        self.url = url
        self.token = token
        self.built_at = time.time()
        # per query fold: (similar vocabulary tokens, those of them that are weak near
        # spellings), one entry so the two are always cached and dropped together
        self._exp_cache: dict[str, tuple[dict[int, float], frozenset[int], frozenset[int]]] = {}
        self._family_cache: dict[int, frozenset[str]] = {}
        self._ends_cache: dict[int, tuple[str, ...]] = {}
        self._fathers_cache: dict[int, int] = {}
        self._spelled_cache: dict[int, bool] = {}
        self._inv_total = [1.0 / (t or 1.0) for t in index.rec_total]
        self._props_cache: dict[int, dict[str, list[str]]] = {}
        # built on first use (most queries need neither): listed names by their parts glued
        # together, and listed words by first letter and length
        self._by_glued: dict[str, list[int]] | None = None
        self._by_shape: dict[tuple[str, int], list[int]] | None = None

    @classmethod
    def from_registry(cls, url: str | None = None, lists: Iterable[str] | None = None) -> Screener:
        index = load_index(url, lists)  # from the on-disk cache when the lists are unchanged
        return cls(index, url=url, token=index.state_token)

    @classmethod
    def from_entities(cls, entities: Iterable[Entity], same_as: Iterable[tuple[str, str]] = (),
                      weights_from: Screener | None = None, url: str | None = None) -> Screener:
        """A screener over just these entities. `weights_from`: take token weights from a
        screener over the whole lists, so a few new entries score as they would there (a
        small index alone would weigh common names as rare); `url`: where dismissals live."""
        weights = weights_from.index if weights_from is not None else None
        return cls(Index.build(entities, same_as, weights_from=weights), url=url)

    # ---- query preparation -------------------------------------------------------------

    def _expand(self, fold: str) -> dict[int, float]:
        """Vocabulary tokens similar to one query token, with their similarity."""
        return self._expansion(fold)[0]

    def _expansion(self, fold: str) -> tuple[dict[int, float], frozenset[int], frozenset[int]]:
        """_expand(), and the tokens among them that are weak near spellings of the query
        token: a strong pair only beside a rare part met exactly (see _score_rec)."""
        fold = fold[:MAX_WORD_LETTERS]  # one-letter deletions: the work grows with its square
        cached = self._exp_cache.get(fold)
        if cached is not None:
            return cached
        idx = self.index
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
        known = self._known(fold)
        # a word no list spells, a letter short of a listed one ("Hiazi" / "Hijazi", "Naih" /
        # "Nazih"): a letter dropped in typing, as likely in a short word as in a long one
        dropped: set[int] = set()
        if not known and len(fold) >= 4:
            dropped = {t for t in idx.deletes.get(fold, ()) if len(vocab[t]) == len(fold) + 1}
            cands |= dropped
        if not cands and len(fold) >= LONG_WORD:
            cands.update(self._two_edits(fold))
        # weak near spellings: a query word some list spells exactly this way is a name in
        # its own right ("Azimov" is not "Akimov", "Khalid" not "Hamid"); a letter off a
        # common listed name or within five letters, many names are ("Tassan" / "Hassan",
        # "Zidco" / "Cidco"); such pairs count, but not as strong ones by themselves
        weight = idx.vocab_weight
        short = len(fold) <= SHORT_WORD
        typos: list[int] = []
        vowels_only: list[int] = []
        for t in cands:
            if t in out:
                continue
            other = vocab[t]
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
                elif _gendered(fold, other):
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
            elif not known and weight[t] >= COMMON_WEIGHT and _swapped(fold, other):
                # two letters typed in the wrong order ("Yetka" / "Yekta", "Qusd" / "Quds"):
                # half an edit, the commonest typo
                out[t] = 1.0 - 0.5 / len(fold)
                continue
            elif sim < KNOWN_WORD_EDGE and (known or weight[t] < COMMON_WEIGHT or short):
                typos.append(t)
            # short tokens must agree exactly: "hut" is not "hutu", "ali" is not "ala"
            if sim >= MIN_TOKEN_SIM and min(len(fold), len(other)) > 3:
                out[t] = sim
        if len(self._exp_cache) > _EXPANSION_CACHE_MAX:
            self._exp_cache.clear()
        got = self._exp_cache[fold] = (out, frozenset(t for t in typos if t in out),
                                       frozenset(t for t in vowels_only if t in out))
        return got

    def _with_swaps(self, name: str, folds: list[str], exps: list[dict[int, float]]
                    ) -> list[dict[int, float]]:
        """A word no list spells, typed with two letters out of order, may canonicalize
        far from the listed word ("Mihcael" -> "mihkal", Michael -> "michal"; "CMIEX" /
        "CIMEX"): its letters as written are swapped back, one pair at a time. One typed
        with the article's hyphen as a letter ("ALnDAWUD") is read without the article."""
        out = list(exps)
        for i, f in enumerate(folds):
            # speed: only a word the lookup found nothing close to
            if self._known(f) or any(sim >= 0.85 for sim in exps[i].values()):
                continue
            raw = _written(name).get(f)
            if raw is None or len(raw) < 4:
                continue
            swaps = self._swaps(raw)
            if len(raw) >= 7 and raw[:2] in ("al", "el") and raw[2].isalpha():
                # the article's hyphen typed as a letter ("ALnDAWUD", "alkKawari"): the
                # word after it, if a list spells it (not the article glued to its word:
                # "Alassaf" is not "ASSAF" often enough to cost a false match in every draw)
                t = self.index.vocab_id.get(fold_token(canon_token(raw[3:])))
                if t is not None and swaps.get(t, 0.0) < 0.9:
                    swaps[t] = 0.9
            if swaps:
                merged = dict(exps[i])
                for t, sim in swaps.items():
                    if merged.get(t, 0.0) < sim:
                        merged[t] = sim
                out[i] = merged
        return out

    def _swaps(self, raw: str) -> dict[int, float]:
        """Listed words, not common, spelled by `raw` with two adjacent letters swapped."""
        idx = self.index
        ref = (self.reference or self).index
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

    def _two_edits(self, fold: str) -> list[int]:
        """Listed words of the same first letter and about the same length within two edits
        of a long word the index lookup found nothing for: one typo that canonical
        spelling doubled ("ADMINCnECK": "adminknak" / "adminchak") or two typos."""
        shapes = self._by_shape
        if shapes is None:
            shapes = {}
            for t, w in enumerate(self.index.vocab):
                if len(w) >= LONG_WORD - 2:
                    shapes.setdefault((w[0], len(w)), []).append(t)
            self._by_shape = shapes
        vocab = self.index.vocab
        out: list[int] = []
        n = len(fold)
        for length in range(n - 2, n + 3):
            tids = shapes.get((fold[0], length))
            if tids:
                words = [vocab[t] for t in tids]
                out.extend(tids[k] for _, _, k in process.extract(
                    fold, words, scorer=OSA.distance, score_cutoff=2, limit=None))
        return out

    def _glued_names(self, q: _QName) -> set[int]:
        """Listed names whose parts glued together spell the query's, in order or reversed
        ("SC-APE" / "S-CAPE", "SUMIYOSHIKAI" / "SUMIYOSHI-KAI"): a split or glued name
        shares no word the index could look up."""
        by_glued = self._by_glued
        if by_glued is None:
            by_glued = {}
            for rid, g in enumerate(self.index.rec_glued):
                by_glued.setdefault(g, []).append(rid)
            self._by_glued = by_glued
        return set(by_glued.get(q.glued, ())) | set(by_glued.get(q.glued_reversed, ()))

    def _known(self, fold: str) -> bool:
        """Does some listed name spell a word exactly this way?"""
        return fold in (self.reference or self).index.vocab_id

    def _prepare(self, name: str, schema: str) -> _QName | None:
        tok_schema = None if schema in ("Thing", "LegalEntity") else schema
        folds = [fold_token(t) for t in name_tokens(name, tok_schema)]
        folds = [f for f in folds if f]
        acr = None
        if (is_org_schema(schema) or schema == "Thing") and sum(c.isupper() for c in name) >= 2:
            acr = looks_like_acronym(name)
        if not folds:
            return None
        org = is_org_schema(schema)
        expansions = [self._expansion(f) for f in folds]
        exps = [e for e, _, _ in expansions]
        if not all(self._known(f) for f in folds):
            exps = self._with_swaps(name, folds, exps)
        # vowels that differ are how names are romanized (Zawahiri / Zavahry), not how a
        # company's own name is spelled: for one, a vowels-only near spelling is weak
        # ("ALMACAES" / "ALOMEX")
        typos = [t | v if org else t for _, t, v in expansions]
        ref = self.reference or self
        idx = ref.index
        person = schema == "Person"
        weights = []
        generic = []
        generic_exact = []
        for f, exp in zip(folds, exps if ref is self else [ref._expand(f) for f in folds], strict=True):
            if len(f) == 1:
                # an initial; in an organization's name a conjunction ("y", "i", "s")
                weights.append(0.1 if org else 0.3)
                generic.append(org)
                generic_exact.append(org)
                continue
            if exp:
                # of words as near, a company's misspelled legal form ("JaINT" -> jaint:
                # joint and saint), a person's name; then the rarer, as a word no list
                # has is rare (not the vocabulary's order, which any list update changes)
                best = max(exp, key=lambda t: (exp[t], idx.vocab_generic[t] != person and (person or exp[t] >= 0.8),
                                               idx.vocab_weight[t]))
                w = idx.vocab_weight[best]
                # a person's word a letter off a generic company word is a name ("Nuynt" /
                # "joint"), not a misspelled legal form
                gen = idx.vocab_generic[best] and exp[best] >= (0.8 if not person else 1.0)
            else:
                w = 1.0  # a word no list has: rare, and unmatched
                gen = org and f in GENERIC_FOLDS  # unless a legal form no listed name keeps ("DMCC")
            if not gen and not person and (not exp or exp.get(idx.vocab_id.get(f, -1)) is None):
                gen = _misspelled_generic(f)
            if not gen and org and w >= 0.9 and len(f) >= 6:
                # a legal-form word typed with two letters swapped ("Liabliity"): rare even
                # where some list has the same slip
                gen = _swapped_generic(name, f)
            if not gen and org:
                # or with a letter dropped, which canonical spelling can leave too short
                # for the lookup, or make another listed word ("STCK" -> stk)
                gen = _written(name).get(f) in _GENERIC_DROPPED
            weights.append(min(w, 0.25) if gen else w)
            generic.append(gen)
            generic_exact.append(gen and f in GENERIC_FOLDS)
        # a legal form is no word of the name: its letter must not make an acronym
        own: set[str] = set()
        full: frozenset[str] = frozenset()
        if org:
            bare = without_legal_form(name)
            own = acronyms(bare)
            full = frozenset(acronyms(bare, prefixes=False)) if own else frozenset()
        ends: tuple[int, ...] = ()
        if schema == "Person":
            dist = [i for i, f in enumerate(folds) if weights[i] > 0.1 and f not in _NAME_PREFIXES
                    and len(f) > 1 and not is_patronymic_fold(f)]
            if len(dist) >= 2:
                ends = tuple(i for i in dict.fromkeys((dist[0], dist[-1])) if weights[i] >= 0.5)
        return _QName(name, folds, weights, generic, exps, sum(weights) or 1.0,
                      "".join(folds), "".join(reversed(folds)), acr, own,
                      schema == "Person", full, typos, any(typos), bound_mask(folds), ends,
                      generic_exact, fathers=_fathers(folds) if person else 0,
                      vowels=[v for _, _, v in expansions],
                      initials=person and any(len(f) == 1 for f in folds))

    # ---- scoring -----------------------------------------------------------------------

    def _family(self, rid: int) -> frozenset[str]:
        """Folds that may hold a listed person's family name: the part before a comma
        ("AL-ZAWAHIRI, Ayman"), else the first and the last distinctive part (Arabic and
        Western order put it last, Korean and Chinese first, Russian lists either way)."""
        fam = self._family_cache.get(rid)
        if fam is not None:
            return fam
        name = self.index.rec_name[rid]
        if "," in name:
            head = [fold_token(t) for t in name_tokens(name.split(",", 1)[0], "Person")]
            fam = frozenset(f for f in head if f)
        else:
            dist = self._distinctive(rid)
            fam = frozenset(dist[:1] + dist[-1:])
        self._family_cache[rid] = fam
        return fam

    def _distinctive(self, rid: int) -> list[str]:
        """A listed name's parts as folds, in order, without connectors."""
        vw = self.index.vocab_weight
        return [self.index.vocab[t] for t in self.index.rec_tokens[rid] if vw[t] > 0.1]

    def _ends(self, rid: int) -> tuple[str, ...]:
        """A listed person's given and family name as folds, those not common (weight 0.5
        or more): the first and last distinctive part of a name written in order (a name
        written "FAMILY, Given ..." has its family name checked by _family() alone)."""
        ends = self._ends_cache.get(rid)
        if ends is not None:
            return ends
        idx = self.index
        vw = idx.vocab_weight
        folds: list[str] = []
        if "," not in idx.rec_name[rid]:
            dist = self._distinctive(rid)
            folds = dist[:1] + dist[-1:] if len(dist) >= 2 else []
        keep = []
        for f in dict.fromkeys(folds):
            tid = idx.vocab_id.get(f)
            if tid is not None and vw[tid] >= 0.5 and len(f) > 1:
                keep.append(f)
        ends = tuple(keep)
        self._ends_cache[rid] = ends
        return ends

    def _score_rec(self, q: _QName, rid: int) -> tuple[float, list[tuple[int, int, float]], str]:
        """Score of one query name against one listed name. Pairs are (query token
        position, listed vocabulary id, similarity): made readable only for the results
        shown (see _pairs), as most candidates are scored and dropped."""
        idx = self.index
        tids = idx.rec_tokens[rid]
        qw = q.weights
        # speed: this runs for every candidate (about 50 a query), so used positions are
        # bit masks and the pairs stay numbers
        # (similarity, query position) per listed token, looked up once a query: the same
        # listed words recur across candidates
        hits = q.hits
        cand = []
        for j, t in enumerate(tids):
            h = hits.get(t)
            if h is None:
                h = hits[t] = [(s, i) for i, exp in enumerate(q.exps) if (s := exp.get(t))]
            for s, i in h:
                cand.append((s, i, j))
        if len(cand) > 1:
            cand.sort(reverse=True)
        used_i = used_j = 0
        mq = mr = 0.0
        pairs: list[tuple[int, int, float]] = []
        strong = typo = 0
        any_typo = q.any_typo
        # a part of a compound name met by a free-standing part, or the reverse, is another
        # name (Abdulaziz / Aziz, Nooruddin / Noor, Sara / Abu Sarah): not a strong pair
        qb, rb = q.bound, idx.rec_bound[rid]
        unbound = 0
        # weight of short words met only a letter off by a word a list spells (under 0.8:
        # "adan" / "adag")
        loose_q = loose_r = loose_mq = loose_mr = 0.0
        vw = idx.vocab_weight
        for s, i, j in cand:
            bi, bj = 1 << i, 1 << j
            if used_i & bi or used_j & bj:
                continue
            used_i |= bi
            used_j |= bj
            t = tids[j]
            w = vw[t]
            if s < 0.8:
                # canonical spelling can carry a typo further off than it is as written
                # ("LUCiSON" -> lucisun / LUCKSON -> luksun)
                s = max(s, _as_written(q.text, q.folds[i], idx.rec_name[rid], idx.vocab[t]))
            mq += s * qw[i]
            mr += s * w
            if s < 0.8 and len(idx.vocab[t]) <= SHORT_WORD and self._known(q.folds[i]):
                loose_q += qw[i]
                loose_r += w
                loose_mq += s * qw[i]
                loose_mr += s * w
            if (qb | rb) and (qb >> i ^ rb >> j) & 1:
                unbound |= bi
            elif (w >= STRONG_WEIGHT and qw[i] >= STRONG_WEIGHT
                  or q.person and w > 0.1 and idx.vocab_generic[t] and len(idx.vocab[t]) >= 4) \
                    and q.folds[i] not in _NAME_PREFIXES:
                # (a company word of four letters or more in a person's name is a name:
                # "JAMMEH" folds as jama'at, "Islam"; not "Ko", as "Co.")
                if s >= 0.8 or s >= 0.75 and len(idx.vocab[t]) >= 8:
                    if any_typo and t in q.typos[i] and not self._one_word_variant(q, i, t, rid):
                        typo += 1
                    elif s < 0.95 and not q.person and _far_as_written(q.text, q.folds[i], idx.rec_name[rid],
                                                                       idx.vocab[t]):
                        # a company's name is spelt as its owners write it: near only
                        # once canonical, as written another word ("EXIM" / "AXIOM")
                        typo += 1
                    else:
                        strong += 1
                elif s >= 0.75 and len(idx.vocab[t]) == 4:
                    # a letter off in four ("Saalh" / "Salah", "Solih" / "Salih"): as weak as
                    # another name's near spelling
                    typo += 1
            pairs.append((i, t, s))
        nq, nr = len(q.folds), len(tids)
        # parts the index lookup could not pair (two edits apart, a cut-off ending:
        # "nikuov" / "nikulov", "anatolievi" / "anatolievich"): compared directly
        if len(pairs) < nq and len(pairs) < nr:
            vocab = idx.vocab
            # a person's three-letter part may be a four-letter one with a letter dropped
            # ("Naih" -> "nai" / Nazih, "Ouar" / Oumar)
            shortest = 3 if q.person else 4
            for i, f in enumerate(q.folds):
                lf = len(f)
                if used_i & (1 << i) or lf < shortest:
                    continue
                best_s, best_j = 0.0, -1
                # the same listed words recur across candidates: one comparison a query
                seen = q.direct
                for j, t in enumerate(tids):
                    if used_j & (1 << j):
                        continue
                    sim = seen.get((t, i))
                    if sim is None:
                        sim = seen[t, i] = _direct_similarity(f, lf, vocab[t]) if lf > 3 \
                            else _dropped_from_four(f, vocab[t])
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
                            sim = max(sim, _as_written(q.text, f, idx.rec_name[rid], vocab[t]))
                    if sim > best_s:
                        best_s, best_j = sim, j
                if best_s >= MIN_TOKEN_SIM:
                    used_i |= 1 << i
                    used_j |= 1 << best_j
                    t = tids[best_j]
                    w = vw[t]
                    mq += best_s * qw[i]
                    mr += best_s * w
                    if w >= STRONG_WEIGHT and qw[i] >= STRONG_WEIGHT and best_s >= 0.8:
                        if best_s < KNOWN_WORD_EDGE and self._known(f):
                            typo += 1
                        else:
                            strong += 1
                    pairs.append((i, t, best_s))
        if q.initials and len(pairs) < nq and len(pairs) < nr:
            # a person's initial meets a listed given name it begins ("A. Khamenei", "J.-C.
            # Juncker"); it names the person beside a rare part met exactly
            by_initial = self._initials(q, tids, used_i, used_j)
            for i, j in by_initial:
                used_i |= 1 << i
                used_j |= 1 << j
                mq += INITIAL_SIM * qw[i]
                mr += INITIAL_SIM * vw[tids[j]]
                pairs.append((i, tids[j], INITIAL_SIM))
            if by_initial and any(s >= 0.95 and vw[t] >= ANCHOR_WEIGHT for _, t, s in pairs):
                strong += len(by_initial)
        rec_total = idx.rec_total[rid] or 1.0
        q_total = q.total
        # what is left over on each side: generic words one side lacks count little (a legal
        # form reordered, cut short or in another script is still the same company);
        # distinctive parts left over on both sides are relatives or namesakes, not spellings
        q_slack = uq = uq_known = 0.0
        q_described = False
        if len(pairs) < nq:
            generic = q.generic
            for i, w in enumerate(qw):
                if not used_i & (1 << i):
                    if generic[i]:
                        q_slack += w
                        q_described = q_described or q.generic_exact[i]
                    if w >= STRONG_WEIGHT:
                        uq += w
                        if self._known(q.folds[i]):
                            uq_known += w
        r_slack = ur = 0.0
        if len(pairs) < nr:
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
        org_rec = not q.person and idx.cluster_family[idx.rec_cluster[rid]] == "org"
        loose = loose_q and (strong < 2 if org_rec else strong < 3)
        if loose and not org_rec:
            # a person's: not met at all
            mq -= loose_mq
            mr -= loose_mr
        qc, lc = mq / q_total, mr / rec_total
        token_score = 0.65 * (qc if qc < 1.0 else 1.0) + 0.35 * (lc if lc < 1.0 else 1.0)
        if loose:
            # in a company's name a short word a letter off is another word, unless the rest
            # of the name is met: "INVERSIONES EL EDEN" is not "INVERSIONES ADAG" ("NIKA
            # FANTASY GARMENT" may be "NICE FANTASY GARMENT"); in a person's, unless three
            # other parts are ("KIM SONG CHOL" is not "KIM YONG CHOL": a syllable of a
            # Korean given name)
            uq += loose_q
            ur += loose_r
        uq /= q_total
        ur /= rec_total
        conflict = CONFLICT_PENALTY * (uq if uq < ur else ur)
        token_score -= conflict
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
            token_score -= ORG_MISSING_PENALTY * ((2 * ur if q_described else ur) + uq_known / q_total)
        method = "tokens"
        score = token_score
        # split or glued parts ("Abdulrahman" / "Abdul Rahman", "Alzawahiri", "SC-APE" /
        # "S-CAPE"): only when the token counts differ or parts are left unpaired, which is
        # what a split, a glue or a moved hyphen does
        # (compared in written order, or the query reversed: sorting the parts first would
        # let unrelated names share letters)
        if token_score < 0.9 and (nq != nr or len(pairs) < nq):
            listed = idx.rec_glued[rid]
            joined = max(fuzz.ratio(q.glued, listed), fuzz.ratio(q.glued_reversed, listed)) / 100.0
            if joined >= JOINED_MIN and joined - JOINED_PENALTY > token_score \
                    and self._split_or_glued(q, tids, used_i, used_j):
                score, method = joined - JOINED_PENALTY, "joined"
                # the same letters split otherwise: the glued word is the strong pair
                if joined >= 0.95 and len(q.glued) >= SHORT_WORD:
                    strong = strong or 1
        # another known name's near spelling counts when a rare part is met exactly
        # ("Alia JUC" / "Alina JUC"), not beside common ones ("Andrey Azimov" / "... Akimov"),
        # nor when the listed name keeps distinctive parts unmet: "Renat Al-Tikriti" is not
        # "Rana Saddam Hussein Al-Tikriti"
        if typo and any(s >= 0.95 and vw[t] >= ANCHOR_WEIGHT and not unbound >> i & 1 for i, t, s in pairs) \
                and not any(not used_j >> j & 1 and vw[tids[j]] >= 0.5 for j in range(nr)):
            strong += typo
            typo = 0
        if not strong and score > 0.5 and not (
                # a listed company named by generic words and initials alone is met by
                # those words, all of them, and no other but generic ones, not initials
                # ("S. GROUP AIRLINES LTD", "I.P.C. INTERNATIONAL LIMIkED"; "I.P.C.
                # INTERNATIONAL" is not "CK INTERNATIONAL")
                not q.person and nr >= 2 and _met_word_for_word(pairs, nr)
                and all(used_i >> i & 1 or q.generic[i] and len(q.folds[i]) > 1 for i in range(nq))):
            return 0.5, pairs, "other names' near spellings only" if typo else "generic words only"
        if method == "tokens" and (q.person or idx.cluster_schema[idx.rec_cluster[rid]] == "Person"):
            # one name part never identifies a person, even against a one-part alias; only
            # a rare one-word name (a mononym: "Dulmatin") against the same one-word name
            if strong < 2 and score > ONE_PART_CAP and not (
                    nr == 1 and nq == 1 and vw[tids[0]] >= 0.8 and qw[0] >= 0.8
                    and len(q.folds[0]) >= 6 and pairs and pairs[0][2] >= 0.85) and not (
                    # nor the whole name, word for word, though its words are common ones
                    # ("Ko Ko Maung", "KO, Maung"); not a compound given name
                    nq == nr >= 2 and not idx.rec_bound[rid] and _met_word_for_word(pairs, nr)):
                return ONE_PART_CAP, pairs, "one name part only"
            if score > NO_FAMILY_CAP:
                vocab = idx.vocab
                fam = self._family(rid)
                if q.fathers:
                    # a father's name meets a listed name only beside a bin there too:
                    # "Abdullah bin Faisal" is not "AL-FAISAL, Abdullah Ibrahim", and
                    # "Ibrahim bin Muhammad Al-Hassan" not "AL-HASSAN, Muhammad"
                    pairs_for_ends = self._own_generation(q, rid, pairs)
                    if len(pairs_for_ends) < len(pairs):
                        given = self._given(rid)
                        if given and given not in {vocab[t] for _, t, _ in pairs_for_ends}:
                            return NO_FAMILY_CAP, pairs, f"name part {given!r} met by a father's name only"
                else:
                    pairs_for_ends = pairs
                if fam and not any(vocab[t] in fam and sim >= 0.8 for _, t, sim in pairs_for_ends):
                    if pairs_for_ends is not pairs and any(vocab[t] in fam for _, t, _ in pairs):
                        return NO_FAMILY_CAP, pairs, "family name met by a father's name only"
                    return NO_FAMILY_CAP, pairs, "family name not matched"
                if _crossed(q, idx.rec_name[rid], pairs, vocab):
                    return NO_FAMILY_CAP, pairs, "given and family name crossed"
                # both ends of a listed name (given name and family name, in either order)
                # must be met unless common: "Mohammad Hassine" is not "Seifallah Ben Omar
                # Ben Mohamed Ben Hassine", "Oleg Vladimirovich Melnchenko" not "... SAVCHENKO"
                ends = self._ends(rid)
                if ends:
                    met = {vocab[t] for _, t, sim in pairs_for_ends if _end_met(vocab[t], sim)}
                    missed = [e for e in ends if e not in met]
                    if missed:
                        return NO_FAMILY_CAP, pairs, f"name part {missed[0]!r} not matched"
                # and the query's own: "Ibrahim ibn Muhammad Al ash-Sheikh" is not
                # "AL-SHAYKH, Muhammad" (his father's name is)
                if q.ends:
                    paired = {i for i, t, sim in pairs_for_ends if _end_met(vocab[t], sim)}
                    # a word no list spells so may be a typo or noise ("Brigadier Generl")
                    lost = [i for i in q.ends if i not in paired and self._known(q.folds[i])]
                    if lost:
                        return NO_FAMILY_CAP, pairs, f"query name part {q.folds[lost[0]]!r} not matched"
                # a name some list spells, written before a listed name of three parts or
                # more met in full, is a child's own name: an Arabic name is the person's,
                # the father's, the grandfather's ("MOHAMMAD BARZAN IBRAHIM HASAN
                # AL-TIKRITI" is the son of "BARZAN IBRAHIM HASSAN AL-TIKRITI")
                if len(pairs) >= 3 and len(pairs) < nq:
                    child = self._child_of(q, tids, pairs, used_i, used_j)
                    if child is not None:
                        return NO_FAMILY_CAP, pairs, f"query name part {child!r} before the listed name"
        if q.syllabic and score > ONE_PART_CAP and not self._every_syllable(q, pairs, rid):
            # a Chinese or Korean name is a family name and a syllable or two: one syllable
            # meets many names ("华 伍" is not "EL HUEVO"), so every part of both names is met
            return ONE_PART_CAP, pairs, "a syllable of the name not met"
        if conflict >= 0.01 and method == "tokens":
            method = f"tokens, both sides keep other parts (-{conflict:.2f})"
        return max(0.0, min(score, 1.0)), pairs, method

    def _initials(self, q: _QName, tids: Sequence[int], used_i: int, used_j: int) -> list[tuple[int, int]]:
        """(query position, listed position) of each query initial left unpaired and the
        first unpaired listed name part (not a connector) it begins."""
        vocab, vw = self.index.vocab, self.index.vocab_weight
        out: list[tuple[int, int]] = []
        for i, f in enumerate(q.folds):
            if len(f) != 1 or used_i >> i & 1:
                continue
            for j, t in enumerate(tids):
                if not used_j >> j & 1 and len(vocab[t]) > 1 and vocab[t][0] == f and vw[t] > 0.1:
                    used_j |= 1 << j
                    out.append((i, j))
                    break
        return out

    def _every_syllable(self, q: _QName, pairs: list[tuple[int, int, float]], rid: int) -> bool:
        """The listed name is the query's syllables, as romanized: its family name (the
        query's first part, or its last) and, in order, its given name's syllables, split
        or glued ("kim jong un" is KIM Jong-un, "xi jinping" XI Jin Ping; "kim su il" is not
        KIM Il-Su, nor "chang chen" CHEN Cheng, which folding e~a would make one)."""
        idx = self.index
        # as written, before particles: "Il-Su" is no Arabic article
        mine = [_syllable_key(canon_token(t)) for t in raw_tokens(q.text)]
        listed = [_syllable_key(canon_token(t)) for t in raw_tokens(idx.rec_name[rid])]
        if len(mine) < 2:
            return False
        for family, given in ((mine[0], mine[1:]), (mine[-1], mine[:-1])):
            if family in listed:
                rest = list(listed)
                rest.remove(family)
                if "".join(rest) == "".join(given):
                    return True
        return False

    def _from_script(self, q: _QName, written: str) -> None:
        """A query name read from another script (scripts.py): a Chinese, Japanese or Korean
        name is met syllable by syllable (see _score_rec); an Arabic, Persian or Hebrew one
        has its consonants and long vowels only, so each part also meets the listed words
        with the same consonants ("mhmd" / Muhammad, "slman" / Salman)."""
        q.written = written
        if scripts.syllabic(written):
            q.syllabic = True
            q.own_acronyms = set()
            return
        if not scripts.abjad(written):
            return
        idx = self.index
        for i, f in enumerate(q.folds):
            skel = skeleton(f)
            if len(skel) < 2 or len(f) < 3:
                continue
            # a name starting with alif or ayn starts with any vowel in Latin letters
            # (not a ya read as i: "iasr" is Yasir)
            keys = {skel} | ({v + skel[1:] for v in "aiu"} if skel[0] in "au" else set())
            # letters the lists romanize two ways: jim as g (Egypt: Ragab), qaf as g
            # (Algeria: Gasmi), dad and dhal as dh, tha as th, dad as z (Persian: Morteza)
            keys |= {key.replace(a, b) for key in list(keys) for a, b in _ABJAD_LETTERS if a in key}
            self._widen(q, i, {t: ABJAD_SIM for key in keys for t in idx.skeletons.get(key, ())
                               if len(idx.vocab[t]) > 3})

    def _nicknames(self, q: _QName) -> None:
        """A person's given name also meets the names it is a short form of, and its short
        forms (Bill / William, Sasha / Aleksandr: nicknames.py)."""
        table = nicknames.related()
        vocab_id = self.index.vocab_id
        for i, f in enumerate(q.folds):
            names = table.get(f)
            if not names:
                continue
            extra: dict[int, float] = {}
            for name in names:
                t = vocab_id.get(name)
                if t is not None:
                    extra[t] = NICKNAME_SIM
            self._widen(q, i, extra)

    def _widen(self, q: _QName, i: int, extra: dict[int, float]) -> None:
        """Query part i also meets these listed words (at their similarity, where it does not
        already meet them better); an unknown word weighs as the commonest of them."""
        exp = q.exps[i]
        new = {t: s for t, s in extra.items() if exp.get(t, 0.0) < s}
        if not new:
            return
        q.exps[i] = {**exp, **new}
        if q.typos and any(t in new for t in q.typos[i]):
            # read so, they are the same name, not another name's near spelling
            q.typos[i] = frozenset(t for t in q.typos[i] if t not in new)
            q.any_typo = any(q.typos)
        if not self._known(q.folds[i]):
            # as common as the commonest name it may be
            w = min(self.index.vocab_weight[t] for t in q.exps[i])
            q.total = (q.total + w - q.weights[i]) or 1.0
            q.weights[i] = w

    def _one_word_variant(self, q: _QName, i: int, t: int, rid: int) -> bool:
        """An organization named by one distinctive word, met by a query of that one word
        with the same consonants and other vowels: a romanization of the same name
        ("Hezbollah" / "Hizballah", though one list spells it Hezbollah), as Arabic writes no
        short vowels. A company's own name is spelt as its owners write it (see _prepare),
        and a short word is many names ("Zidco" / "Cidco")."""
        idx = self.index
        if q.person or t not in q.vowels[i] or len(idx.vocab[t]) < 5:
            return False
        if idx.cluster_schema[idx.rec_cluster[rid]] != "Organization":
            return False
        if sum(1 for w in q.weights if w > 0.1) != 1:
            return False
        vw = idx.vocab_weight
        return sum(1 for u in idx.rec_tokens[rid] if vw[u] > 0.1) == 1 and vw[t] >= ANCHOR_WEIGHT

    def _child_of(self, q: _QName, tids: Sequence[int], pairs: list[tuple[int, int, float]],
                  used_i: int, used_j: int) -> str | None:
        """The query's first word when it stands, unpaired and known, before a listed name
        met in full (every part but connectors); else None."""
        vw = self.index.vocab_weight
        if any(not used_j >> j & 1 and vw[t] > 0.1 for j, t in enumerate(tids)):
            return None
        first = min(i for i, _, _ in pairs)
        extra = [i for i in range(len(q.folds)) if not used_i >> i & 1 and q.weights[i] > 0.1]
        if not extra or any(i > first for i in extra) or not all(self._known(q.folds[i]) for i in extra):
            return None
        return q.folds[extra[0]]

    def _given(self, rid: int) -> str | None:
        """A listed name's given name when it is written "FAMILY, Given ..."."""
        name = self.index.rec_name[rid]
        if "," not in name:
            return None
        for t in name_tokens(name.split(",", 1)[1], "Person"):
            f = fold_token(t)
            tid = self.index.vocab_id.get(f)
            if tid is not None and self.index.vocab_weight[tid] > 0.1:
                return f
        return None

    def _own_generation(self, q: _QName, rid: int, pairs: list[tuple[int, int, float]]
                        ) -> list[tuple[int, int, float]]:
        """The pairs without a query father's name met by a listed part no bin stands next
        to (in either order: a name written in reverse puts the father first)."""
        fathers = self._fathers_cache.get(rid)
        if fathers is None:
            vocab = self.index.vocab
            fathers = self._fathers_cache[rid] = _fathers([vocab[t] for t in self.index.rec_tokens[rid]],
                                                          both_sides=True)
        tids = self.index.rec_tokens[rid]
        last_q = len(q.folds) - 1
        out = []
        for i, t, sim in pairs:
            # the listed position of the pair: a listed word may recur, any one will do
            if q.fathers >> i & 1 and not any(fathers >> j & 1 for j, u in enumerate(tids) if u == t) \
                    and not (fathers and i == last_q and t == tids[-1]):
                # in a chain of bins both write (Maghreb names) the last word is the family
                # name: "Mourad Ben Hedi Ben MEHDOUI" / "Mourad Ben Hedi Ben Ali MEHDOUI"
                continue
            out.append((i, t, sim))
        return out

    def _split_or_glued(self, q: _QName, tids: Sequence[int], used_i: int, used_j: int) -> bool:
        """Do the parts left unpaired on the two sides spell the same letters (a split or
        glued word: "Ulan-Ude" / "Ulanude")? Not two other names ("Valery" / "Yuri ...
        VALYAEV"). With nothing left on one side there is nothing to contradict it, unless
        all the other side has left is initials ("Aye Kassem" -> "a kasam" / "Haji Qassem"):
        an initial glued to a name is no split word."""
        parts_q = [f for i, f in enumerate(q.folds) if not used_i >> i & 1]
        vocab = self.index.vocab
        left_r = [vocab[t] for j, t in enumerate(tids) if not used_j >> j & 1]
        if not left_r:
            # nor is a word some list spells as it is, left over beside a listed name met
            # in full: an extra word ("INVERSIONES Y REPRESENTACIONES EL CAIRO" /
            # "INVERSIONES Y REPRESENTACIONES S.A.", a person's "Noor"; in a company's
            # name three letters may be a split: "ALQ-URESHI")
            return any(len(f) > 1 for f in parts_q) and \
                not any(len(f) >= (3 if q.person else 4) and self._known(f) for f in parts_q)
        if not parts_q:
            return any(len(f) > 1 for f in left_r)
        left_q = "".join(parts_q)
        return max(fuzz.ratio(left_q, "".join(left_r)),
                   fuzz.ratio(left_q, "".join(reversed(left_r)))) >= 100 * JOINED_MIN

    def _pairs(self, q: _QName, pairs: list[tuple[int, int, float]]) -> list[list[Any]]:
        """Aligned tokens as the explanation shows them: [query fold, listed fold, similarity]."""
        vocab = self.index.vocab
        return [[q.folds[i], vocab[t], round(s, 3)] for i, t, s in pairs]

    def _candidates(self, q: _QName, allowed: Any) -> list[int]:
        """The listed names most likely to score well: each query token counts once per
        name, with its best spelling there (a name holding "Muhammad" and "Muhammadi" does
        not meet "Muhammad" twice), ranked like the score's coverage terms."""
        # speed: postings pre-filtered by schema (identical order, so identical candidates),
        # a per-cluster filter only for list/id restrictions, and a C sort for the top ones
        idx = self.index
        acc: dict[int, float] = {}
        get = acc.get
        has_strong = any(w >= 0.3 for w in q.weights)
        postings = idx.postings_for(allowed.compatible)
        for i, exp in enumerate(q.exps):
            w = q.weights[i]
            if has_strong and w < 0.3:
                continue
            if len(exp) == 1:
                for t, s in exp.items():
                    gain = s * w
                    for rid in postings[t]:
                        acc[rid] = get(rid, 0.0) + gain
                continue
            met: set[int] | None = None
            for t, s in sorted(exp.items(), key=_by_similarity):
                plist = postings[t]
                if not plist:
                    continue
                gain = s * w
                if met is None:  # the best spelling: every name it is in counts
                    for rid in plist:
                        acc[rid] = get(rid, 0.0) + gain
                    met = set(plist)
                    continue
                for rid in plist:
                    if rid not in met:
                        met.add(rid)
                        acc[rid] = get(rid, 0.0) + gain
        if len(q.glued) >= SHORT_WORD:
            for rid in self._glued_names(q):
                if allowed(idx.rec_cluster[rid]):
                    acc[rid] = q.total  # ranked as if every part met
        if allowed.restricted:
            rec_cluster = idx.rec_cluster
            keep = [rid for rid in acc if allowed(rec_cluster[rid])]
        else:
            keep = list(acc)
        if len(keep) > CANDIDATES:
            # query coverage, and the listed name's coverage (a long name meeting one word
            # of the query ranks below a short one meeting it); a stable sort: ties keep
            # first-seen order
            qt = 0.65 / q.total
            inv = self._inv_total
            ranks = [a * qt + (0.35 if lc >= 1.0 else 0.35 * lc)
                     for rid in keep for a in (acc[rid],) for lc in (a * inv[rid],)]
            order = sorted(range(len(keep)), key=ranks.__getitem__, reverse=True)
            keep = [keep[k] for k in order[:CANDIDATES]]
        return keep

    def _acronym_hits(self, q: _QName, allowed: Any) -> list[tuple[int, float]]:
        idx = self.index
        out: list[tuple[int, float]] = []
        if q.acronym:
            out.extend((r, ACRONYM_SCORE) for r in idx.acronyms.get(q.acronym, ())
                       if allowed(idx.rec_cluster[r]))
        for acr in q.own_acronyms:
            tid = idx.vocab_id.get(fold_token(canon_token(acr)))
            if tid is None:
                continue
            # letters compared as written: folding would make "EKI" the acronym "AQI". The
            # initials of every word (IMU) count as the acronym; those of a leading part only
            # (the first three words of a longer name) are a weak hint, and so are three
            # letters when the list spells the acronym out ("Shanghai Dongfeng Shipping" is
            # not the Serb Democratic Party's SDS: many names have those initials)
            full = acr in q.full_initials
            for r in idx.postings[tid]:
                if len(idx.rec_tokens[r]) != 1 or not allowed(idx.rec_cluster[r]) \
                        or looks_like_acronym(idx.rec_name[r]) != acr:
                    continue
                strong = full and (len(acr) >= 4 or not self._spelled_out(idx.rec_cluster[r]))
                out.append((r, ACRONYM_SCORE if strong else REVERSE_ACRONYM_SCORE))
        return out

    def _properties(self, ci: int, cluster: Cluster) -> dict[str, list[str]]:
        """The cluster's FtM properties, built once (results share them: read-only)."""
        props = self._props_cache.get(ci)
        if props is None:
            props = self._props_cache[ci] = cluster.properties()
        return props

    def _spelled_out(self, ci: int) -> bool:
        """Whether a listed party has a name of two words or more besides its acronyms."""
        got = self._spelled_cache.get(ci)
        if got is None:
            got = any(len(name.split()) >= 2 for name, _ in self.index.clusters[ci].names)
            self._spelled_cache[ci] = got
        return got

    def _allowed(self, schema: str, lists: Sequence[str] | None,
                 exclude_lists: Sequence[str] | None, exclude_ids: Sequence[str] | None) -> _Allowed:
        return _Allowed(self.index, COMPATIBLE.get(schema, COMPATIBLE["Thing"]), lists,
                        exclude_lists, exclude_ids)

    def match(self, query: Query, threshold: float | None = None, limit: int = 10,
              lists: Sequence[str] | None = None, exclude_lists: Sequence[str] | None = None,
              exclude_ids: Sequence[str] | None = None, subject_key: str | None = None,
              floor: float | None = None) -> list[Result]:
        """Listed parties the query may be, best first. `floor`: the caller reads no result
        under it, so a candidate whose name score no adjustment can lift to it is not
        explained (screening a customer book, where every query has a birth date)."""
        threshold = get_settings().match_threshold if threshold is None else threshold
        idx = self.index
        allowed = self._allowed(query.schema, lists, exclude_lists, exclude_ids)
        best: dict[int, _Hit] = {}
        read = _in_latin(query.names, query.schema)
        for name in _with_reversed([latin for latin, _ in read], query.schema):
            q = self._prepare(name, query.schema)
            if q is None:
                continue
            written = next((w for latin, w in read if latin == name and w != latin), None)
            if written is not None:
                self._from_script(q, written)
            if q.person:
                self._nicknames(q)
            kinds, clusters = idx.rec_kind, idx.rec_cluster
            for rid in self._candidates(q, allowed):
                score, pairs, method = self._score_rec(q, rid)
                # _keep(), inlined: this runs for every candidate
                shown = score * WEAK_ALIAS_FACTOR if kinds[rid] == "weak_alias" else score
                ci = clusters[rid]
                cur = best.get(ci)
                if cur is None or shown > cur.score:
                    best[ci] = _Hit(shown, rid, q, method, pairs, score)
            for rid, acr_score in self._acronym_hits(q, allowed):
                self._keep(best, q, rid, acr_score, [], "acronym")
        if not best:
            return []
        dismissed = self._dismissed(subject_key) if subject_key else {}
        items = list(best.items())
        if not (query.birth_dates or query.countries or query.identifiers):
            # no adjustments possible: the name score orders the results, so only the top
            # `limit` (plus dismissed ones) need a full Result with explanation
            items.sort(key=lambda kv: (-kv[1].score, idx.clusters[kv[0]].id))
            items = items[: limit + (len(dismissed) if dismissed else 0)]
        elif floor is not None:
            # an identical identifier sets its own floor; else dates and countries add at most
            # MAX_ADJUSTMENT to the name score
            items = [(ci, hit) for ci, hit in items if hit.score + MAX_ADJUSTMENT >= floor
                     or (query.identifiers and idx.clusters[ci].identifiers)]
        results = []
        for ci, hit in items:
            cluster = idx.clusters[ci]
            if dismissed and self._is_dismissed(cluster, dismissed):
                continue
            results.append(self._result(query, cluster, ci, hit, threshold, lists, exclude_lists))
        results.sort(key=lambda r: (-r.score, r.entity_id))
        if query.truncated:
            for r in results[:limit]:
                r.explanation["truncated"] = TRUNCATED_NAME
        return results[:limit]

    def _keep(self, best: dict[int, _Hit], q: _QName, rid: int, score: float,
              pairs: list[tuple[int, int, float]], method: str) -> None:
        idx = self.index
        name_score = score
        if idx.rec_kind[rid] == "weak_alias":
            score *= WEAK_ALIAS_FACTOR
        ci = idx.rec_cluster[rid]
        cur = best.get(ci)
        if cur is None or score > cur.score:
            best[ci] = _Hit(score, rid, q, method, pairs, name_score)

    def _result(self, query: Query, cluster: Cluster, ci: int, hit: _Hit, threshold: float,
                lists: Sequence[str] | None, exclude_lists: Sequence[str] | None) -> Result:
        idx = self.index
        score = hit.score
        expl: dict[str, Any] = {
            "query_name": hit.qname.text,
            **({"written": hit.qname.written} if hit.qname.written else {}),
            "matched_name": idx.rec_name[hit.rid],
            "name_kind": idx.rec_kind[hit.rid],
            "method": hit.method,
            "name_score": round(hit.name_score, 4),
            "tokens": self._pairs(hit.qname, hit.pairs),
        }
        if idx.rec_kind[hit.rid] == "weak_alias":
            expl["weak_alias_factor"] = WEAK_ALIAS_FACTOR
        if not hit.qname.person:
            # words read in translation, the query's and the listed name's ("движение" = movement)
            org = is_org_schema(query.schema)
            said = translations(hit.qname.text, org)
            if is_org_schema(cluster.schema):
                said += [w for w in translations(idx.rec_name[hit.rid], True) if w not in said]
            if said:
                expl["translated"] = said
        adj = 0.0
        d_adj, d_detail = date_adjustment(query.birth_dates, cluster.birth_dates)
        if d_detail:
            expl["birth_date"] = {"adjustment": d_adj, "detail": d_detail}
            adj += d_adj
        c_adj, c_detail = country_adjustment(query.countries, cluster.countries)
        if c_detail:
            expl["country"] = {"adjustment": c_adj, "detail": c_detail}
            adj += c_adj
        score += adj
        floor, i_adj, i_detail = identifier_adjustment(query.identifiers, cluster.identifiers)
        if i_detail:
            expl["identifier"] = {"adjustment": i_adj, "floor": floor, "detail": i_detail}
            score = max(score + i_adj, floor)
        score = round(min(1.0, max(0.0, score)), 4)
        if not cluster.designated:
            expl["designated"] = False
        elif not cluster.refs:
            # every list has removed it (Kazakhstan delisted the Taliban in December 2023):
            # found and shown, but no match
            expl["delisted"] = True
        refs = cluster.refs
        if lists or exclude_lists:
            refs = {k: v for k, v in refs.items()
                    if (not lists or k in lists) and (not exclude_lists or k not in exclude_lists)}
        return Result(
            entity_id=cluster.id,
            caption=cluster.caption,
            schema=cluster.schema,
            score=score,
            match=bool(cluster.designated and cluster.refs and score >= threshold),
            lists=sorted(refs),
            refs=refs,
            explanation=expl,
            designated=cluster.designated,
            members=list(cluster.members),
            properties=self._properties(ci, cluster),
        )

    def match_many(self, queries: Sequence[Query], **kwargs: Any) -> list[list[Result]]:
        return [self.match(q, **kwargs) for q in queries]

    # ---- comparing two parties ---------------------------------------------------------

    def compare(self, query_a: Query | str, query_b: Query | str,
                threshold: float | None = None) -> Result:
        """Score two names or parties against each other (b is treated as the listed one)."""
        a = Query(schema="Thing", names=[query_a]) if isinstance(query_a, str) else query_a
        b = Query(schema=a.schema, names=[query_b]) if isinstance(query_b, str) else query_b
        schema_b = b.schema if b.schema != "Thing" else (a.schema if a.schema != "Thing" else "LegalEntity")
        entity = Entity(
            id="compare:b",
            schema=schema_b,
            names=[Name(full=n, kind="primary" if i == 0 else "alias") for i, n in enumerate(b.names)],
            birth_dates=list(b.birth_dates),
            countries=list(b.countries),
            identifiers=[Identifier(type=t, value=v) for t, v in b.identifiers],
            designations=[Designation(list_name="compare", reference=b.id or "b")],
        )
        mini = Screener(Index.build([entity], weights_from=self.index), reference=self)
        if a.schema != "Thing" and schema_b not in COMPATIBLE.get(a.schema, frozenset()):
            return Result(entity_id="compare:b", caption=entity.caption, schema=schema_b, score=0.0,
                          match=False, lists=[], refs={},
                          explanation={"schema": f"{a.schema} cannot be {schema_b}"})
        found = mini.match(a, threshold=threshold, limit=1)
        if found:
            return found[0]
        return Result(entity_id="compare:b", caption=entity.caption, schema=schema_b, score=0.0,
                      match=False, lists=[], refs={},
                      explanation={"detail": "no name part in common"})

    # ---- free text ---------------------------------------------------------------------

    def screen_text(self, text: str, threshold: float | None = None,
                    lists: Sequence[str] | None = None, limit: int = 5) -> list[TextSpan]:
        """Listed names inside free text (remittance information, an article)."""
        from tizim.screening.text import find_spans

        text, cut = bound_text(text)  # the one entry point of free text (API, payments, CLI)
        spans = find_spans(self, text, threshold, lists, limit)
        if cut:
            for span in spans:
                for r in span.results:
                    r.explanation["truncated"] = TRUNCATED_TEXT
        return spans

    # ---- remembered decisions ----------------------------------------------------------

    def _cluster_for(self, entity_id: str) -> Cluster:
        ci = self.index.cluster_by_id.get(entity_id, self.index.member_cluster.get(entity_id))
        if ci is None:
            raise NotFound(f"no listed entity {entity_id!r} in the screening index")
        return self.index.clusters[ci]

    def dismiss(self, subject_key: str, entity_id: str, user: str, reason: str) -> dict[str, Any]:
        """Remember "not a match" for (subject, entity) until the entity's content changes."""
        from tizim.screening.decisions import record_dismissal

        if not subject_key:
            raise InputError("a dismissal needs a subject key", field="subject_key")
        cluster = self._cluster_for(entity_id)
        return record_dismissal(self.url, subject_key, cluster.id, cluster.content_hash, user, reason)

    def _dismissed(self, subject_key: str) -> dict[str, str]:
        from tizim.screening.decisions import dismissals_for

        return dismissals_for(self.url, subject_key)

    @staticmethod
    def _is_dismissed(cluster: Cluster, dismissed: dict[str, str]) -> bool:
        for eid in [cluster.id, *cluster.members]:
            digest = dismissed.get(eid)
            if digest is not None and digest == cluster.content_hash:
                return True
        return False

    # ---- entity data -------------------------------------------------------------------

    def entity(self, entity_id: str) -> dict[str, Any]:
        """The cluster's merged data (every member as the registry holds it)."""
        from tizim.registry.service import Registry

        cluster = self._cluster_for(entity_id)
        registry = Registry(self.url)
        members = []
        for mid in cluster.members:
            try:
                members.append(registry.entity(mid))
            except NotFound:
                continue  # removed since the index was built
        return {
            "id": cluster.id,
            "caption": cluster.caption,
            "schema": cluster.schema,
            "designated": cluster.designated,
            "lists": cluster.lists,
            "refs": cluster.refs,
            "datasets": cluster.lists,
            "properties": cluster.properties(),
            "members": members,
            "content_hash": cluster.content_hash,
        }

    def stats(self) -> dict[str, Any]:
        return self.index.stats()


# ---- adjustments -----------------------------------------------------------------------


@lru_cache(maxsize=_EXPANSION_CACHE_MAX)
def _misspelled_generic(fold: str) -> bool:
    """A query word no list spells this way that is a generic word misspelled ("limtiad")."""
    if len(fold) < 4:
        return False
    # 0.79: rapidfuzz's normalized cutoff leaves out a score of exactly 0.8 (one edit in
    # five letters, "jaint" / "juint")
    return process.extractOne(fold, _GENERIC_FOLD_LIST, scorer=OSA.normalized_similarity,
                              score_cutoff=0.79) is not None


@lru_cache(maxsize=_EXPANSION_CACHE_MAX)
def _written(name: str) -> dict[str, str]:
    """A name's words as written (lower-case ASCII), by their fold."""
    out: dict[str, str] = {}
    for token in raw_tokens(name):
        out.setdefault(fold_token(canon_token(token)), token)
    return out


# a swap keeps the letters as written: the legal-form words' letters, sorted
_GENERIC_LETTERS = frozenset("".join(sorted(w)) for w in GENERIC_ORG_WORDS_WRITTEN)


# the legal-form words of five letters or more as written with a letter dropped ("stck")
_GENERIC_DROPPED = frozenset(w[:k] + w[k + 1:] for w in GENERIC_ORG_WORDS_WRITTEN if len(w) >= 5
                             for k in range(len(w))) - GENERIC_ORG_WORDS_WRITTEN


def _swapped_generic(name: str, fold: str) -> bool:
    raw = _written(name).get(fold)
    if raw is None or "".join(sorted(raw)) not in _GENERIC_LETTERS:
        return False
    for k in range(len(raw) - 1):
        if raw[k] != raw[k + 1] and \
                fold_token(canon_token(raw[:k] + raw[k + 1] + raw[k] + raw[k + 2:])) in GENERIC_FOLDS:
            return True
    return False


def _fathers(folds: Sequence[str], both_sides: bool = False) -> int:
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
            if k + 1 < last and folds[k + 1] in _BOUND_HEADS:
                mask |= 1 << (k + 2)
        if both_sides and k:
            mask |= 1 << (k - 1)
    return mask


def _end_met(listed: str, sim: float) -> bool:
    """Does a pair meet a name end? A short end met only a letter off does not ("shaikh" /
    "sha'ar")."""
    return sim >= 0.8 or len(listed) > 4


def _by_similarity(item: tuple[int, float]) -> float:
    return -item[1]


def _direct_similarity(f: str, lf: int, other: str) -> float:
    """Similarity of two words the index lookup did not pair (0.0 when below any use)."""
    lo = len(other)
    if lo < 4:
        return 0.0
    short, long_ = (lf, lo) if lf < lo else (lo, lf)
    # lengths too far apart for any rule below (most pairs: skipped unscored)
    if (long_ - short) * 10 > 3 * long_ and (long_ - short > 3 or short < 5):
        return 0.0
    sim: float = OSA.normalized_similarity(f, other)
    # a cut-off ending, not a longer word built on it ("stepan" / "stepanovich")
    if short >= 5 and short >= 0.75 * long_ and (other.startswith(f) or f.startswith(other)):
        sim = max(sim, 0.8)
    # letters left out inside the word, first and last kept ("aleandr" / "aleksandr"): the
    # short one is a subsequence of the long one
    elif sim < 0.8 and short >= 5 and long_ - short <= 3 and f[0] == other[0] \
            and f[-1] == other[-1] and _subsequence(*sorted((f, other), key=len)):
        sim = max(sim, fuzz.ratio(f, other) / 100.0)
    return sim


def _swapped(a: str, b: str) -> bool:
    """Is b the word a with two adjacent letters swapped?"""
    if len(a) != len(b) or a == b:
        return False
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


_ENDS_IN_ABD = re.compile(r"\s(?:abd[aeiou][lr]|abd)\W*$", re.IGNORECASE)
# or where Abd follows the word it binds, article and all ("al-Razzak Abd FITWI")
_ABD_AFTER_ITS_WORD = re.compile(r"\b(?:al|el|ul|a[dnrstz]|ash)-\w+\s+\W?abd\b", re.IGNORECASE)


_ABJAD_LETTERS = (("j", "g"), ("k", "g"), ("d", "dh"), ("z", "dh"), ("t", "th"), ("s", "th"), ("d", "z"))


def _syllable_key(canon: str) -> str:
    """A romanized syllable as Chinese, Japanese and Korean names are written: o and u one
    (Tarou / Taro, Jong / Jung), other vowels kept (Chen is not Chang)."""
    return _collapse_letters(canon.replace("o", "u"))


def _collapse_letters(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _in_latin(names: Sequence[str], schema: str) -> list[tuple[str, str]]:
    """(name to screen, name as written): a name in another script than Latin or Cyrillic
    as each of its Latin readings (scripts.py), the others as they are. An organization's
    name is translated first (lexicon.py: "الدولة" is state, not al-dula)."""
    out: list[tuple[str, str]] = []
    for name in names:
        variants = scripts.latin_variants(translate(name, is_org_schema(schema)) if schema != "Person"
                                          and scripts.abjad(name) else name)
        if variants:
            out.extend((v, name) for v in variants)
        else:
            out.append((name, name))
    return out


def _with_reversed(names: Sequence[str], schema: str) -> list[str]:
    """The query's names, and a person's name that ends in "Abdul", or puts Abd after its
    word, also read in reverse: the Abd of a compound name comes first ("KHAN Qadeer
    Abdul" is Abdul Qadeer KHAN written backwards, "al-Razzak Abd FITWI" FITWI, Abd
    al-Razzak), and only read so does it bind its word."""
    out = list(names)
    if schema == "Person":
        for name in names:
            if (_ENDS_IN_ABD.search(name) or _ABD_AFTER_ITS_WORD.search(name)) and len(name.split()) >= 3:
                out.append(" ".join(reversed(name.replace(",", " ").split())))
    return out


_ARTICLED = re.compile(r"\b(?:al|el|ul)[-\s]+([a-z]{3,})")
# in a query, an article binds its word only where written onto it ("al-Zuhair") or where
# it starts the name: a name written in reverse word by word puts a spaced article
# before the wrong word ("Hakim el Boubaker" is "Boubaker el Hakim" reversed)
_ARTICLED_BOUND = re.compile(r"(?:^|[\s,])(?:al|el|ul)-([a-z]{3,})|^(?:al|el|ul)\s+([a-z]{3,})")
_ARTICLED_LAST = re.compile(r"\b(?:al|el|ul)[-\s]+([a-z]{3,})\s*$")


def _folds_of(words: Sequence[str]) -> frozenset[str]:
    return frozenset(fold_token(canon_token(w)) for w in words if w)


@lru_cache(maxsize=_EXPANSION_CACHE_MAX)
def _articled(name: str) -> frozenset[str]:
    """Folds of the words written after the Arabic article, spaced or not."""
    return _folds_of(_ARTICLED.findall(script_to_latin(name)))


@lru_cache(maxsize=_EXPANSION_CACHE_MAX)
def _articled_query(name: str) -> frozenset[str]:
    """Folds of the query's words bound to the Arabic article (al-Zuhair)."""
    return _folds_of([a or b for a, b in _ARTICLED_BOUND.findall(script_to_latin(name))])


@lru_cache(maxsize=_EXPANSION_CACHE_MAX)
def _articled_family(listed: str) -> frozenset[str]:
    """Folds of a listed family name written with the Arabic article: before the comma of
    "AL-ASSAD, Zuhair", or last in "Zuhair Tawfik AL-ASSAD"."""
    latin = script_to_latin(listed)
    if "," in latin:
        return _folds_of(_ARTICLED.findall(latin.split(",", 1)[0]))
    return _folds_of(_ARTICLED_LAST.findall(latin))


def _crossed(q: _QName, listed: str, pairs: list[tuple[int, int, float]], vocab: Sequence[str]) -> bool:
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


def _met_word_for_word(pairs: list[tuple[int, int, float]], nr: int) -> bool:
    """Is every part of a listed name of `nr` parts met, each at 0.95 or more?"""
    return len(pairs) == nr and all(sim >= 0.95 for _, _, sim in pairs)


def _written_pair(query: str, fold: str, listed: str, listed_fold: str) -> tuple[str, str] | None:
    """A query word and a listed word as written (lower-case ASCII), or None where the
    listed name is in another script: it has no spelling of its own in Latin letters (and
    transliterating it for every candidate is slow)."""
    if not listed.isascii():
        return None
    a = _written(query).get(fold)
    b = _written(listed).get(listed_fold)
    return None if a is None or b is None else (a, b)


def _as_written(query: str, fold: str, listed: str, listed_fold: str) -> float:
    """Similarity of two words as written (lower-case ASCII), when one edit apart in five
    letters or more, or the query's four letters are the listed five with one dropped
    ("Taal" -> tal / Talal); else 0.0."""
    written = _written_pair(query, fold, listed, listed_fold)
    if written is None:
        return 0.0
    a, b = written
    if len(a) < 4 or len(b) < 5 or abs(len(a) - len(b)) > 1:
        return 0.0
    if len(a) < 5:
        # scored by the letters kept, as a letter dropped is elsewhere (0.89)
        return fuzz.ratio(a, b) / 100.0 if any(b[:k] + b[k + 1:] == a for k in range(5)) else 0.0
    sim: float = OSA.normalized_similarity(a, b)
    return sim if sim >= 0.8 else 0.0


def _far_as_written(query: str, fold: str, listed: str, listed_fold: str) -> bool:
    """Are two words, both in Latin letters, further apart as written (under 0.75) than
    their canonical spellings?"""
    written = _written_pair(query, fold, listed, listed_fold) if query.isascii() else None
    return written is not None and OSA.normalized_similarity(*written) < 0.75


# -ov, -ev once folded (not -in: "Dulmatin" / "Dulmatine" is one man)
_MASCULINE_ENDS = ("uv", "av")


def _gendered(a: str, b: str) -> bool:
    """Is one word the other's feminine form (Mikhailov / Mikhailova, Sergeev / Sergeeva)?"""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return long_ == short + "a" and short.endswith(_MASCULINE_ENDS)


def _dropped_from_four(f: str, other: str) -> float:
    """A three-letter word that is a four-letter one with a letter dropped: scored by the
    letters kept (0.86); else 0.0."""
    if len(other) != 4 or not any(other[:k] + other[k + 1:] == f for k in range(4)):
        return 0.0
    return fuzz.ratio(f, other) / 100.0


def _subsequence(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


def _year_span(d: str) -> tuple[int, int] | None:
    try:
        if "/" in d:
            a, b = d.split("/", 1)
            return int(a[:4]), int(b[:4])
        return int(d[:4]), int(d[:4])
    except ValueError:
        return None


# the most a birth date (exact: +0.08) and a shared country (+0.02) add to a name score
MAX_ADJUSTMENT = 0.10


def date_adjustment(query: Sequence[str], listed: Sequence[str]) -> tuple[float, str | None]:
    if not query or not listed:
        return 0.0, None
    ranks = {"exact": (5, 0.08), "year": (4, 0.03), "same year, other day": (3, -0.05),
             "a year apart": (2, -0.10), "conflict": (1, -0.35)}
    best = "conflict"
    best_pair = (query[0], listed[0])
    for qd in query:
        qs = _year_span(qd)
        for ld in listed:
            ls = _year_span(ld)
            if qs is None or ls is None:
                continue
            if len(qd) == 10 and len(ld) == 10:
                if qd == ld:
                    kind = "exact"
                elif qd[:4] == ld[:4]:
                    kind = "same year, other day"
                elif abs(int(qd[:4]) - int(ld[:4])) == 1:
                    kind = "a year apart"
                else:
                    kind = "conflict"
            elif qs[0] <= ls[1] and ls[0] <= qs[1]:
                kind = "year"
            elif min(abs(qs[0] - ls[1]), abs(ls[0] - qs[1])) == 1:
                kind = "a year apart"
            else:
                kind = "conflict"
            if ranks[kind][0] > ranks[best][0]:
                best, best_pair = kind, (qd, ld)
    return ranks[best][1], f"{best}: query {best_pair[0]}, listed {best_pair[1]}"


def country_adjustment(query: Sequence[str], listed: Sequence[str]) -> tuple[float, str | None]:
    if not query or not listed:
        return 0.0, None
    shared = sorted(set(query) & set(listed))
    if shared:
        return 0.02, f"shared {', '.join(shared)}"
    return -0.05, f"query {', '.join(query)}, listed {', '.join(listed)}"


def identifier_adjustment(query: Sequence[tuple[str, str]],
                          listed: Sequence[tuple[str, str, str]]) -> tuple[float, float, str | None]:
    """(score floor, adjustment, detail) for identifiers on both sides."""
    if not query or not listed:
        return 0.0, 0.0, None
    qn = [(id_type_class(t), norm_identifier(v)) for t, v in query]
    for qt, qv in qn:
        for lt, lv, shown in listed:
            if qv and qv == lv and len(qv) >= 4:
                if qt == lt or "other" in (qt, lt):
                    return 0.97, 0.0, f"identical {lt} {shown}"
                return 0.0, 0.10, f"identical number {shown} ({qt} vs {lt})"
    for qt, qv in qn:
        if qt in EXCLUSIVE_ID_TYPES and any(lt == qt and lv != qv for lt, lv, _ in listed):
            return 0.0, -0.10, f"different {qt}"
    return 0.0, 0.0, None


# ---- the process-wide screener ---------------------------------------------------------

_lock = threading.Lock()
_screeners: dict[str, tuple[Screener, float]] = {}
_stale: set[str] = set()
CHECK_EVERY = 3.0


def _on_list_changed(_result: Any) -> None:
    # the next get_screener() call compares state tokens instead of waiting for the timer
    _stale.update(_screeners)


def get_screener() -> Screener:
    """The screener for the configured database, rebuilt when the registry changed."""
    from tizim.registry.service import Registry, on_list_changed

    url = get_settings().database_url
    now = time.time()
    with _lock:
        if not _listener_installed:
            on_list_changed(_on_list_changed)
            _mark_installed()
        entry = _screeners.get(url)
        if entry is not None:
            screener, checked = entry
            if url not in _stale and now - checked < CHECK_EVERY:
                return screener
            token = Registry(url).state_token()
            _stale.discard(url)
            if token == screener.token:
                _screeners[url] = (screener, now)
                return screener
        screener = Screener.from_registry(url)
        _screeners[url] = (screener, now)
        return screener


_listener_installed = False


def _mark_installed() -> None:
    global _listener_installed
    _listener_installed = True


def reset_screeners() -> None:
    with _lock:
        _screeners.clear()
        _stale.clear()


"""The Screener: candidates from the index, a calibrated score, an explanation per result.

The score of one query name against one listed name is made by the features in
`tizim/screening/features/` (each a small module, each documented; `combine.py` says the
order they are combined in and `docs/screening.md` gives examples). The entity score is the
best name score (a weak alias counts 0.9 of it), then adjusted by the birth date
(`features/dates.py`), the countries (`features/countries.py`) and the identifiers
(`features/identifiers.py`). The explanation's `features` lists each feature that moved the
score, `method` the one-phrase summary. `match` is score >= threshold
(settings.match_threshold, 0.70) on a designated party.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tizim.errors import InputError, NotFound
from tizim.registry.model import Designation, Entity, Identifier, Name
from tizim.screening import scripts
from tizim.screening.features.base import SHORT_WORD, Alignment, Context, QueryName
from tizim.screening.features.combine import describe, score_name
from tizim.screening.features.countries import country_adjustment
from tizim.screening.features.cyrillic_c import cyrillic_c
from tizim.screening.features.dates import date_adjustment
from tizim.screening.features.digits import digit_letters
from tizim.screening.features.glued import glued_legal_form, glued_names
from tizim.screening.features.identifiers import identifier_adjustment, identifier_values
from tizim.screening.features.lookup import expansion
from tizim.screening.features.nicknames import add_nicknames
from tizim.screening.features.query import prepare
from tizim.screening.features.syllables import from_script, romanized
from tizim.screening.index import Cluster, Index, load_index
from tizim.screening.lexicon import translate, translations
from tizim.screening.model import COMPATIBLE, Query, Result, TextSpan
from tizim.screening.normalize import (
    TRUNCATED_NAME,
    TRUNCATED_TEXT,
    bound_text,
    canon_token,
    fold_token,
    is_org_schema,
    looks_like_acronym,
)
from tizim.settings import get_settings

__all__ = ["Screener", "country_adjustment", "date_adjustment", "get_screener", "identifier_adjustment",
           "reset_screeners"]

ACRONYM_SCORE = 0.78
# a spelled-out query whose leading words' initials equal a listed acronym alias
# ("Inversiones Cifuentes y Cia" = "ICI"): shown as a candidate, never a match on its own
REVERSE_ACRONYM_SCORE = 0.6
WEAK_ALIAS_FACTOR = 0.9
# names scored per query name, best-ranked first: the quality bench's queries find the same
# entries with 30 as with 60 (retrieval recall 0.883 / 0.970 on 1,000 of each), at two thirds
# of the time; with 20 one true entry of 1,000 is lost
CANDIDATES = 30
# names whose floor hits a screener keeps (a customer book's run): about 1 KB each
FLOOR_CACHE_MAX = 1_000_000
MET_CACHE_MAX = 100_000  # query words whose met names a screener keeps (_met_names)


@dataclass
class _Hit:
    score: float
    rid: int
    qname: QueryName
    method: str
    pairs: list[tuple[int, int, float]]
    name_score: float
    moves: list[tuple[str, str, float, str]]



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
        # what the features cache about the listed names (features/base.py)
        self.ctx: Context = Context(index, reference.ctx if reference is not None else None)
        self._exp_cache = self.ctx.exp_cache
        self._spelled_cache: dict[int, bool] = {}
        self._inv_total = [1.0 / (t or 1.0) for t in index.rec_total]
        self._props_cache: dict[int, dict[str, list[str]]] = {}
        self._floor_cache: dict[tuple[str, str, float], dict[int, _Hit]] = {}
        self._met_cache: dict[tuple[str, int], tuple[dict[int, float], list[list[int]], list[int], list[float]]] = {}
        self._listed_ids: set[str] | None = None

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

    # ---- query preparation (features/lookup.py, features/query.py) -----------------------

    def _expand(self, fold: str) -> dict[int, float]:
        """Vocabulary tokens similar to one query token, with their similarity."""
        return expansion(self.ctx, fold)[0]

    def _expansion(self, fold: str) -> tuple[dict[int, float], frozenset[int], frozenset[int]]:
        return expansion(self.ctx, fold)

    def _known(self, fold: str) -> bool:
        """Does some listed name spell a word exactly this way?"""
        return self.ctx.known(fold)

    def _prepare(self, name: str, schema: str) -> QueryName | None:
        return prepare(self.ctx, name, schema)

    def _score_rec(self, q: QueryName, rid: int) -> tuple[float, Alignment, str]:
        """Score of one query name against one listed name (features/combine.py)."""
        return score_name(self.ctx, q, rid)

    def _pairs(self, q: QueryName, pairs: list[tuple[int, int, float]]) -> list[list[Any]]:
        """Aligned tokens as the explanation shows them: [query fold, listed fold, similarity]."""
        vocab = self.index.vocab
        return [[q.folds[i], vocab[t], round(s, 3)] for i, t, s in pairs]


    def _candidates(self, q: QueryName, allowed: Any) -> list[int]:
        """The listed names most likely to score well: each query token counts once per
        name, with its best spelling there (a name holding "Muhammad" and "Muhammadi" does
        not meet "Muhammad" twice), ranked like the score's coverage terms."""
        # speed: postings pre-filtered by schema (identical order, so identical candidates),
        # a per-cluster filter only for list/id restrictions, and one compiled pass for the
        # top ones (top_positions)
        idx = self.index
        # compiled: listed names' ids stay Python ints from postings to `acc` (typed int,
        # each would be unboxed and boxed again, a new int object per posting), and
        # acc.get, not a bound `get` (a generic call per posting)
        acc: dict[Any, float] = {}
        has_strong = any(w >= 0.3 for w in q.weights)
        postings = idx.postings_for(allowed.compatible)
        for i, exp in enumerate(q.exps):
            w = q.weights[i]
            if has_strong and w < 0.3:
                continue
            if len(exp) == 1:
                for t, s in exp.items():
                    gain = s * w
                    plist: list[Any] = postings[t]
                    for rid in plist:
                        acc[rid] = acc.get(rid, 0.0) + gain
                continue
            rids, sims = self._met_names(q.folds[i], exp, postings)
            for k, met in enumerate(rids):
                acc[met] = acc.get(met, 0.0) + sims[k] * w
        if len(q.glued) >= SHORT_WORD:
            for rid in glued_names(self.ctx, q):
                if allowed(idx.rec_cluster[rid]):
                    acc[rid] = q.total  # ranked as if every part met
        if allowed.restricted:
            rec_cluster = idx.rec_cluster
            keep: list[Any] = [rid for rid in acc if allowed(rec_cluster[rid])]
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
            keep = [keep[k] for k in top_positions(ranks, CANDIDATES)]
        return keep

    def _met_names(self, fold: str, exp: dict[int, float],
                   postings: list[list[int]]) -> tuple[list[Any], list[float]]:
        """The names a query word's spellings meet, each with its best spelling's
        similarity, in the order the best spellings meet them (the best spelling's names all
        count, a name holding it twice twice). A word's own expansion is met the same way by
        every query holding it: kept with it."""
        key = (fold, id(postings))
        cached = self._met_cache.get(key)
        if cached is not None and cached[0] is exp and cached[1] is postings:
            return cached[2], cached[3]
        rids: list[Any] = []  # ints, kept boxed (_candidates)
        sims: list[float] = []
        met: set[Any] | None = None
        for t, s in sorted(exp.items(), key=_by_similarity):
            plist: list[Any] = postings[t]
            if not plist:
                continue
            if met is None:  # the best spelling: every name it is in counts
                rids.extend(plist)
                sims.extend([s] * len(plist))
                met = set(plist)
                continue
            for rid in plist:
                if rid not in met:
                    met.add(rid)
                    rids.append(rid)
                    sims.append(s)
        own = self.ctx.exp_cache.get(fold)
        if own is not None and own[0] is exp:  # not a query's own widening (nicknames, scripts)
            if len(self._met_cache) >= MET_CACHE_MAX:
                self._met_cache.clear()
            self._met_cache[key] = (exp, postings, rids, sims)
        return rids, sims

    def _acronym_hits(self, q: QueryName, allowed: Any) -> list[tuple[int, float]]:
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
        # a customer book repeats names (namesakes, the same Latin spelling of many
        # Cyrillic ones): with a floor, what a name can reach is kept per name, unless an
        # identifier of the query is listed (then a hit under the floor may count)
        by_name = (floor is not None and not allowed.restricted and not subject_key
                   and not (query.identifiers and self.identifier_listed(query.identifiers)))
        best: dict[int, _Hit] = {}
        for raw in query.names:
            hits = (self._floor_hits(raw, query.schema, allowed, floor) if by_name and floor is not None
                    else self._raw_hits(raw, query.schema, allowed))
            for ci, hit in hits.items():
                cur = best.get(ci)
                if cur is None or hit.score > cur.score:
                    best[ci] = hit
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
            # an identical identifier sets its own floor (or adds 0.10); without one,
            # identifiers only lower a score and dates and countries add at most MAX_ADJUSTMENT
            wanted = identifier_values(query.identifiers)
            items = [(ci, hit) for ci, hit in items if hit.score + MAX_ADJUSTMENT >= floor
                     or (wanted and any(lv in wanted for _, lv, _ in idx.clusters[ci].identifiers))]
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

    def _raw_hits(self, raw: str, schema: str, allowed: _Allowed) -> dict[int, _Hit]:
        """The best hit per listed cluster of one name of the query, over its Latin readings
        (and a compound Abd name read backwards)."""
        best: dict[int, _Hit] = {}
        read = _in_latin([raw], schema)
        for name in _with_reversed([latin for latin, _ in read], schema):
            written = next((w for latin, w in read if latin == name and w != latin), None)
            for ci, hit in self._name_hits(name, written, schema, allowed).items():
                cur = best.get(ci)
                if cur is None or hit.score > cur.score:
                    best[ci] = hit
        return best

    def _floor_hits(self, raw: str, schema: str, allowed: _Allowed, floor: float) -> dict[int, _Hit]:
        """_raw_hits() that adjustments could lift to `floor`, computed once per name and
        kept (read-only: results are built from them, never change them)."""
        key = (raw, schema, floor)
        got = self._floor_cache.get(key)
        if got is None:
            if len(self._floor_cache) >= FLOOR_CACHE_MAX:
                self._floor_cache.clear()  # cheap, and safe beside other threads
            got = {ci: hit for ci, hit in self._raw_hits(raw, schema, allowed).items()
                   if hit.score + MAX_ADJUSTMENT >= floor}
            self._floor_cache[key] = got
        return got

    def reaches_nothing(self, name: str, schema: str, floor: float) -> bool:
        """Has match() with this `floor` found that no listed name comes within reach of it
        for this query name (as Query holds it)? False when it does not know. A Spark run's
        driver learns this of each name once (customers/matching.py)."""
        got = self._floor_cache.get((name, schema, floor))
        return got is not None and not got

    def identifier_listed(self, identifiers: Sequence[tuple[str, str]]) -> bool:
        """Does a listed party hold one of these identifiers (as identifier_adjustment()
        compares them)? Then a name's hits under the floor may count, and what a name
        reaches alone does not decide."""
        if self._listed_ids is None:
            self._listed_ids = {lv for c in self.index.clusters for _, lv, _ in c.identifiers}
        return not identifier_values(identifiers).isdisjoint(self._listed_ids)

    def _name_hits(self, name: str, written: str | None, schema: str, allowed: _Allowed) -> dict[int, _Hit]:
        """The best hit per listed cluster of one query name (as read in Latin letters)."""
        best: dict[int, _Hit] = {}
        q = self._prepare(name, schema)
        if q is None:
            return best
        ctx = self.ctx
        if written is not None:
            from_script(ctx, q, written)
        if q.person:
            add_nicknames(ctx, q)
        if any(c.isdigit() for c in name):
            digit_letters(ctx, q)
        if not q.person:
            glued_legal_form(ctx, q)
        if not name.isascii():
            cyrillic_c(ctx, q)
        # a Latin name read as Korean or Chinese too: scored both ways, the better kept
        east = romanized(ctx, q) if written is None else None
        idx = self.index
        kinds, clusters = idx.rec_kind, idx.rec_cluster
        for rid in self._candidates(q if east is None else east, allowed):
            score, al, method = score_name(ctx, q, rid)
            qn = q
            if east is not None:
                e_score, e_al, e_method = score_name(ctx, east, rid)
                if e_score > score:
                    score, al, method, qn = e_score, e_al, e_method, east
            # _keep(), inlined: this runs for every candidate
            shown = score * WEAK_ALIAS_FACTOR if kinds[rid] == "weak_alias" else score
            ci = clusters[rid]
            cur = best.get(ci)
            if cur is None or shown > cur.score:
                best[ci] = _Hit(shown, rid, qn, method, al.pairs, score, al.moves)
        for rid, acr_score in self._acronym_hits(q, allowed):
            self._keep(best, q, rid, acr_score, [], "acronym")
        return best

    def _keep(self, best: dict[int, _Hit], q: QueryName, rid: int, score: float,
              pairs: list[tuple[int, int, float]], method: str) -> None:
        idx = self.index
        name_score = score
        if idx.rec_kind[rid] == "weak_alias":
            score *= WEAK_ALIAS_FACTOR
        ci = idx.rec_cluster[rid]
        cur = best.get(ci)
        if cur is None or score > cur.score:
            best[ci] = _Hit(score, rid, q, method, pairs, name_score, [])

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
        q = hit.qname
        # the features that moved the score, one line each (features/combine.py)
        lines = [f"alignment: {len({i for i, _, _ in hit.pairs})} of {len(q.folds)} query parts met"
                 + (" (acronym)" if hit.method == "acronym" else "")]
        if q.written:
            lines.append(f"script: {q.written!r} read as {q.text!r}")
        lines += [f"{feature}: {line}" for feature, line, i, added in q.widened
                  if any(pi == i and t in added for pi, t, _ in hit.pairs)]
        lines += describe(hit.moves)
        if idx.rec_kind[hit.rid] == "weak_alias":
            expl["weak_alias_factor"] = WEAK_ALIAS_FACTOR
            lines.append(f"weak alias: x{WEAK_ALIAS_FACTOR}")
        if not hit.qname.person:
            # words read in translation, the query's and the listed name's ("движение" = movement)
            org = is_org_schema(query.schema)
            said = translations(hit.qname.text, org)
            if is_org_schema(cluster.schema):
                said += [w for w in translations(idx.rec_name[hit.rid], True) if w not in said]
            if said:
                expl["translated"] = said
                lines.append("translation: " + ", ".join(f"{a!r} = {b}" for a, b in said))
        adj = 0.0
        d_adj, d_detail = date_adjustment(query.birth_dates, cluster.birth_dates)
        if d_detail:
            expl["birth_date"] = {"adjustment": d_adj, "detail": d_detail}
            lines.append(f"birth date: {d_adj:+.2f} ({d_detail})")
            adj += d_adj
        c_adj, c_detail = country_adjustment(query.countries, cluster.countries)
        if c_detail:
            expl["country"] = {"adjustment": c_adj, "detail": c_detail}
            lines.append(f"country: {c_adj:+.2f} ({c_detail})")
            adj += c_adj
        score += adj
        floor, i_adj, i_detail = identifier_adjustment(query.identifiers, cluster.identifiers)
        if i_detail:
            expl["identifier"] = {"adjustment": i_adj, "floor": floor, "detail": i_detail}
            lines.append(f"identifier: {f'at least {floor:.2f}' if floor else f'{i_adj:+.2f}'} ({i_detail})")
            score = max(score + i_adj, floor)
        expl["features"] = lines
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


def top_positions(ranks: list[float], n: int) -> list[int]:
    """Positions of the `n` highest ranks, highest first, ties in first-seen order: what
    heapq.nlargest(n, range(len(ranks)), key=ranks.__getitem__) gives, in one compiled pass
    (nlargest runs its loop in Python). A position displaces the lowest kept, the last seen
    of the lowest, only when it ranks strictly higher, as a later tie ranks lower."""
    if len(ranks) <= n:
        kept = list(range(len(ranks)))
    else:
        kept = list(range(n))
        low_at = _lowest(ranks, kept)
        low = ranks[kept[low_at]]
        for k in range(n, len(ranks)):
            if ranks[k] > low:
                kept[low_at] = k
                low_at = _lowest(ranks, kept)
                low = ranks[kept[low_at]]
    kept.sort(key=lambda k: (-ranks[k], k))
    return kept


def _lowest(ranks: list[float], kept: list[int]) -> int:
    """Where in `kept` the lowest rank is; of equal ones, the last seen."""
    at = 0
    for i in range(1, len(kept)):
        r, low = ranks[kept[i]], ranks[kept[at]]
        if r < low or (r == low and kept[i] > kept[at]):
            at = i
    return at


def _by_similarity(item: tuple[int, float]) -> float:
    return -item[1]


_ENDS_IN_ABD = re.compile(r"\s(?:abd[aeiou][lr]|abd)\W*$", re.IGNORECASE)
# or where Abd follows the word it binds, article and all ("al-Razzak Abd FITWI")
_ABD_AFTER_ITS_WORD = re.compile(r"\b(?:al|el|ul|a[dnrstz]|ash)-\w+\s+\W?abd\b", re.IGNORECASE)


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


# the most a birth date (exact: +0.08) and a shared country (+0.02) add to a name score
MAX_ADJUSTMENT = 0.10


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


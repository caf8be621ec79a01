"""The in-memory screening index: list entries grouped into clusters, names into tokens.

Clusters. The same real party often sits on several lists (the IMU is UN QDe.010 and OFAC
SDN 6725). Entries are merged into one cluster when
  1. the registry says so (`same_as` relationships, e.g. the UK list's UN references), or
  2. conservatively, across *different* lists: the same schema family, an identical
     normalized strong name (primary or alias; at least two tokens, one of them not a generic
     word), and nothing that contradicts it: for people, both sides must carry birth dates
     sharing a year (or the name must have three or more tokens when one side has no date,
     and no dates conflicting), and no exclusive identifier (IMO, IIN, national id,
     registration) of the same type with a different value. Two entries of the same list are
     never merged by name: the list itself says they are different designations.
A cluster's id is its lowest member id; its refs/lists come from every member.

Tokens. Every distinct folded token of every listed name is one vocabulary entry with
  - a weight from its rarity (inverse document frequency over listed names), lowered for
    generic organization words, connectors (bin, of) and patronymics,
  - postings: the names that contain it.
Candidate generation looks a query token up by its exact fold, its consonant skeleton and
its single-deletion neighbourhood (SymSpell: finds tokens within two edits without scanning
the vocabulary), so the work per query grows with the number of similar tokens, not with
the size of the lists.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from tizim.registry import tables as rt
from tizim.registry.model import Entity
from tizim.registry.service import Registry
from tizim.screening.normalize import (
    CONNECTORS,
    GENERIC_ORG_WORDS,
    acronyms,
    fold_token,
    is_org_schema,
    is_patronymic,
    name_tokens,
    skeleton,
)
from tizim.store import transaction

STRONG_KINDS = ("primary", "alias", "former", "spelling")
EXCLUSIVE_ID_TYPES = frozenset({"imo", "iin", "national_id", "registration", "bin", "tax_id", "lei"})
_GENERIC_FOLDS = frozenset(fold_token(t) for t in GENERIC_ORG_WORDS)
_CONNECTOR_FOLDS = frozenset(fold_token(t) for t in CONNECTORS)
_ID_CLEAN = re.compile(r"[^0-9a-z]")


def norm_identifier(value: str) -> str:
    return _ID_CLEAN.sub("", value.lower())


def id_type_class(kind: str) -> str:
    """Group identifier type spellings: 'Passport No.', 'passport' -> passport."""
    k = kind.lower()
    for key in ("passport", "imo", "iin", "swift", "lei", "tax", "registration", "national"):
        if key in k:
            return "swift_bic" if key == "swift" else ("tax_id" if key == "tax" else
                                                       ("national_id" if key == "national" else key))
    if k in ("id", "id_number", "idnumber", "national id"):
        return "national_id"
    return k or "other"


def schema_family(schema: str) -> str:
    if schema == "Person":
        return "person"
    if is_org_schema(schema):
        return "org"
    return schema.lower()


@dataclass
class Cluster:
    id: str
    schema: str
    caption: str
    members: list[str]
    lists: list[str]
    refs: dict[str, list[str]]
    designated: bool
    birth_dates: list[str]
    countries: list[str]
    identifiers: list[tuple[str, str, str]]  # (type class, normalized value, shown value)
    names: list[tuple[str, str]]  # (name, kind)
    content_hash: str
    member_lists: dict[str, str] = field(default_factory=dict)  # member id -> its list

    def properties(self) -> dict[str, list[str]]:
        """FtM-style properties (yente responses)."""
        props: dict[str, list[str]] = {"name": [self.caption]}
        aliases = [n for n, k in self.names if n != self.caption and k != "weak_alias"]
        weak = [n for n, k in self.names if k == "weak_alias"]
        if aliases:
            props["alias"] = aliases
        if weak:
            props["weakAlias"] = weak
        if self.birth_dates:
            props["birthDate"] = list(self.birth_dates)
        if self.countries:
            props["country"] = list(self.countries)
        for tclass, _, shown in self.identifiers:
            key = {"passport": "passportNumber", "imo": "imoNumber", "tax_id": "taxNumber",
                   "registration": "registrationNumber", "swift_bic": "swiftBic"}.get(tclass, "idNumber")
            props.setdefault(key, []).append(shown)
        return props


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """One-word country names (canonical tokens), from followthemoney's country list."""
    from followthemoney.types import registry as ftm_types

    words = set()
    for label in ftm_types.country.names.values():
        toks = name_tokens(str(label), "Thing")
        if len(toks) == 1 and len(toks[0]) >= 5:
            words.add(toks[0])
    return frozenset(words)


def _is_country_word(token: str) -> bool:
    return token in _country_words()


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1:] for i in range(len(token))]


def _years(dates: Iterable[str]) -> set[int]:
    out: set[int] = set()
    for d in dates:
        if "/" in d:
            a, b = d.split("/", 1)
            try:
                out.update(range(int(a[:4]), int(b[:4]) + 1))
            except ValueError:
                continue
        elif d[:4].isdigit():
            out.add(int(d[:4]))
    return out


class Index:
    """Clusters, names and the token index, built once and then only read (fork-safe)."""

    def __init__(self) -> None:
        self.clusters: list[Cluster] = []
        self.cluster_by_id: dict[str, int] = {}
        self.member_cluster: dict[str, int] = {}
        self.cluster_family: list[str] = []
        self.cluster_schema: list[str] = []
        self.cluster_lists: list[frozenset[str]] = []
        self.cluster_years: list[set[int]] = []
        # one record per distinct (cluster, normalized name)
        self.rec_cluster: list[int] = []
        self.rec_tokens: list[tuple[int, ...]] = []
        self.rec_name: list[str] = []
        self.rec_kind: list[str] = []
        self.rec_joined: list[str] = []
        self.rec_total: list[float] = []
        # vocabulary
        self.vocab: list[str] = []
        self.vocab_id: dict[str, int] = {}
        self.vocab_weight: list[float] = []
        self.postings: list[list[int]] = []
        self.skeletons: dict[str, list[int]] = {}
        self.deletes: dict[str, list[int]] = {}
        self.acronyms: dict[str, list[int]] = {}
        self.entity_count = 0
        self._hashes: dict[str, str] = {}

    # ---- building --------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[Entity], same_as: Iterable[tuple[str, str]] = (),
              include_undesignated: bool = False, weights_from: Index | None = None,
              hashes: dict[str, str] | None = None) -> Index:
        """`weights_from`: take token weights from a bigger index (compare() of two names);
        `hashes`: the registry's content hashes by entity id (saves recomputing them)."""
        index = cls()
        index._hashes = hashes or {}
        ents = [e for e in entities if e.names]
        index.entity_count = len(ents)
        index._cluster(ents, same_as, include_undesignated)
        index._index_names(weights_from)
        return index

    def _cluster(self, ents: list[Entity], same_as: Iterable[tuple[str, str]],
                 include_undesignated: bool) -> None:
        pos = {e.id: i for i, e in enumerate(ents)}
        uf = _UnionFind(len(ents))
        for src, dst in same_as:
            if src in pos and dst in pos:
                uf.union(pos[src], pos[dst])
        home = [self._home_list(e) for e in ents]
        norm = [[(" ".join(sorted(fold_token(t) for t in name_tokens(n.full, e.schema))), n.kind)
                 for n in e.names] for e in ents]
        by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(ents):
            if not e.designations:
                continue
            fam = schema_family(e.schema)
            for key, kind in norm[i]:
                toks = key.split()
                if kind not in STRONG_KINDS or len(toks) < 2:
                    continue
                if all(t in _GENERIC_FOLDS or t in _CONNECTOR_FOLDS for t in toks):
                    continue
                by_key[(fam, key)].append(i)
        lists_of: dict[int, set[str]] = defaultdict(set)
        for i in range(len(ents)):
            lists_of[uf.find(i)].add(home[i])

        def root_lists(i: int) -> set[str]:
            return lists_of[uf.find(i)]

        for (fam, key), idxs in by_key.items():
            uniq = sorted(set(idxs))
            for a_pos, a in enumerate(uniq):
                for b in uniq[a_pos + 1:]:
                    ra, rb = uf.find(a), uf.find(b)
                    if ra == rb or root_lists(a) & root_lists(b):
                        continue
                    if not self._compatible(ents[a], ents[b], fam, len(key.split())):
                        continue
                    merged = root_lists(a) | root_lists(b)
                    uf.union(a, b)
                    lists_of[uf.find(a)] = merged
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(ents)):
            groups[uf.find(i)].append(i)
        for idxs in groups.values():
            members = sorted((ents[i] for i in idxs), key=lambda e: e.id)
            designated = any(e.designations for e in members)
            if not designated and not include_undesignated:
                continue
            self._add_cluster(members, designated)

    @staticmethod
    def _home_list(e: Entity) -> str:
        return e.designations[0].list_name if e.designations else e.id.split(":", 1)[0]

    @staticmethod
    def _compatible(a: Entity, b: Entity, fam: str, ntoks: int) -> bool:
        ida = {(id_type_class(i.type), norm_identifier(i.value)) for i in a.identifiers}
        idb = {(id_type_class(i.type), norm_identifier(i.value)) for i in b.identifiers}
        if ida & idb:
            return True
        for t in EXCLUSIVE_ID_TYPES:
            va = {v for k, v in ida if k == t}
            vb = {v for k, v in idb if k == t}
            if va and vb and not va & vb:
                return False
        if fam != "person":
            return True
        ya, yb = _years(a.birth_dates), _years(b.birth_dates)
        if ya and yb:
            return bool(ya & yb)
        # a person without dates on one side: only long names are distinctive enough
        return ntoks >= 3

    def _add_cluster(self, members: list[Entity], designated: bool) -> None:
        lead = next((e for e in members if e.designations), members[0])
        refs: dict[str, list[str]] = {}
        member_lists: dict[str, str] = {}
        for e in members:
            member_lists[e.id] = self._home_list(e)
            for d in e.designations:
                if d.delisted_on:
                    continue
                bucket = refs.setdefault(d.list_name, [])
                if d.reference not in bucket:
                    bucket.append(d.reference)
        names: list[tuple[str, str]] = []
        seen: set[str] = set()
        for e in [lead] + [m for m in members if m is not lead]:
            for n in e.names:
                if n.full not in seen:
                    seen.add(n.full)
                    names.append((n.full, n.kind))
        dates = sorted({d for e in members for d in e.birth_dates})
        countries = sorted({c for e in members for c in e.nationalities + e.countries})
        idents: list[tuple[str, str, str]] = []
        for e in members:
            for ident in e.identifiers:
                item = (id_type_class(ident.type), norm_identifier(ident.value), ident.value)
                if item[1] and item not in idents:
                    idents.append(item)
        digest = hashlib.sha1(
            "|".join(self._hashes.get(e.id) or e.content_hash() for e in members).encode()
        ).hexdigest()
        cid = members[0].id
        schema = lead.schema
        cluster = Cluster(
            id=cid, schema=schema, caption=lead.caption, members=[e.id for e in members],
            lists=sorted(refs) or sorted(set(member_lists.values())), refs=refs,
            designated=designated, birth_dates=dates, countries=countries, identifiers=idents,
            names=names, content_hash=digest, member_lists=member_lists,
        )
        ci = len(self.clusters)
        self.clusters.append(cluster)
        self.cluster_by_id[cid] = ci
        for e in members:
            self.member_cluster[e.id] = ci
        self.cluster_family.append(schema_family(schema))
        self.cluster_schema.append(schema)
        self.cluster_lists.append(frozenset(member_lists.values()) | frozenset(refs))
        self.cluster_years.append(_years(dates))

    def _index_names(self, weights_from: Index | None = None) -> None:
        df: dict[str, int] = defaultdict(int)
        places: set[str] = set()
        pending: list[tuple[int, str, str, list[str]]] = []
        for ci, cluster in enumerate(self.clusters):
            seen: set[str] = set()
            for full, kind in cluster.names:
                canon = name_tokens(full, cluster.schema)
                folds = [f for f in (fold_token(t) for t in canon) if f]
                for t in canon:
                    if _is_country_word(t):
                        places.add(fold_token(t))
                if not folds:
                    continue
                key = " ".join(folds)
                if key in seen:
                    continue
                seen.add(key)
                pending.append((ci, full, kind, folds))
                for f in set(folds):
                    df[f] += 1
                if is_org_schema(cluster.schema) or cluster.schema == "Thing":
                    for acr in acronyms(full):
                        self.acronyms.setdefault(acr, []).append(len(pending) - 1)
        n = max(len(pending), 1)
        # a token on at most 2 names weighs 1; "muhamad" on 2,000 names weighs about 0.3
        ref = math.log((n + 1) / 3)
        for f, count in df.items():
            w = min(1.0, max(0.15, math.log((n + 1) / (count + 1)) / ref)) if ref > 0 else 1.0
            if weights_from is not None:
                known = weights_from.vocab_id.get(f)
                w = weights_from.vocab_weight[known] if known is not None else 1.0
            if f in _CONNECTOR_FOLDS:
                w = min(w, 0.1)
            elif f in _GENERIC_FOLDS:
                w = min(w, 0.25)
            elif is_patronymic(f):
                w = min(w, 0.5)
            elif f in places:
                # "of Uzbekistan" says where, not who: two groups of one country differ
                w = min(w, 0.4)
            tid = len(self.vocab)
            self.vocab.append(f)
            self.vocab_id[f] = tid
            self.vocab_weight.append(w)
            self.postings.append([])
            self.skeletons.setdefault(skeleton(f), []).append(tid)
            if len(f) >= 4:
                for d in _deletes(f):
                    self.deletes.setdefault(d, []).append(tid)
                self.deletes.setdefault(f, []).append(tid)
        for rid, (ci, full, kind, folds) in enumerate(pending):
            tids = tuple(self.vocab_id[fo] for fo in folds)
            self.rec_cluster.append(ci)
            self.rec_tokens.append(tids)
            self.rec_name.append(full)
            self.rec_kind.append(kind)
            self.rec_joined.append("".join(sorted(folds)))
            self.rec_total.append(sum(self.vocab_weight[t] for t in tids))
            for tid in set(tids):
                self.postings[tid].append(rid)
        # plain dicts: a lookup of a missing key must not insert it
        self.skeletons = dict(self.skeletons)
        self.deletes = dict(self.deletes)
        self.acronyms = dict(self.acronyms)

    # ---- info ------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return {
            "entities": self.entity_count,
            "clusters": len(self.clusters),
            "multi_list_clusters": sum(1 for c in self.clusters if len(c.refs) > 1),
            "names": len(self.rec_cluster),
            "tokens": len(self.vocab),
            "deletion_keys": len(self.deletes),
        }


def load_index(url: str | None = None, lists: Iterable[str] | None = None,
               include_undesignated: bool = False) -> Index:
    registry = Registry(url)
    lists = list(lists) if lists is not None else None
    entities = list(registry.iter_entities(lists=lists))
    same_as = [(r["source_id"], r["target_id"]) for r in registry.iter_relationships(kinds=["same_as"])]
    with transaction(url) as conn:
        hashes = dict(conn.execute(
            select(rt.entities.c.id, rt.entities.c.content_hash)
            .where(rt.entities.c.removed_version_id.is_(None))
        ).all())
    return Index.build(entities, same_as, include_undesignated=include_undesignated, hashes=hashes)

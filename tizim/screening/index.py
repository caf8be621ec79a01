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

Building. `load_index` reads every current entry in one query as plain JSON (no model
objects) and keeps the built index in a pickle next to the SQLite database (or in the user
cache directory), keyed by the registry's list versions and the code that shapes the index;
a CLI run or a server worker whose lists did not change loads it instead of rebuilding.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import math
import os
import pickle
import re
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tizim.registry import tables as rt
from tizim.registry.model import Entity
from tizim.registry.service import Registry
from tizim.screening.normalize import (
    CONNECTOR_FOLDS,
    GENERIC_FOLDS,
    acronyms,
    bound_mask,
    fold_token,
    is_org_schema,
    is_patronymic,
    name_tokens,
    skeleton,
)
from tizim.settings import get_settings
from tizim.store import normalise_url, transaction

log = logging.getLogger("tizim.screening")

STRONG_KINDS = ("primary", "alias", "former", "spelling")
EXCLUSIVE_ID_TYPES = frozenset({"imo", "iin", "national_id", "registration", "bin", "tax_id", "lei"})
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
    # Kinds of the lists that designate it (registry/kinds.py): only "sanctions" freezes.
    kinds: list[str] = field(default_factory=list)

    @property
    def sanctioned(self) -> bool:
        """Designated on a sanctions list (what may freeze funds)."""
        return self.designated and "sanctions" in self.kinds

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


class Entry:
    """What the index needs of one list entry: read straight from the stored JSON (building
    30,000 model objects costs more than the whole clustering) or from an Entity."""

    __slots__ = ("id", "schema", "names", "designations", "birth_dates", "countries",
                 "identifiers", "content_hash", "_entity")

    def __init__(self, id: str, schema: str, names: list[tuple[str, str]],
                 designations: list[tuple[str, str, str | None]], birth_dates: list[str],
                 countries: list[str], identifiers: list[tuple[str, str]],
                 content_hash: str | None = None, entity: Entity | None = None) -> None:
        self.id = id
        self.schema = schema
        self.names = names  # (full, kind)
        self.designations = designations  # (list, reference, delisted_on)
        self.birth_dates = birth_dates
        self.countries = countries  # nationalities and countries
        self.identifiers = identifiers  # (type, value)
        self.content_hash = content_hash
        self._entity = entity

    @classmethod
    def from_entity(cls, e: Entity, content_hash: str | None = None) -> Entry:
        return cls(
            e.id, e.schema, [(n.full, n.kind) for n in e.names],
            [(d.list_name, d.reference, d.delisted_on) for d in e.designations],
            e.birth_dates, e.nationalities + e.countries,
            [(i.type, i.value) for i in e.identifiers], content_hash, e,
        )

    @classmethod
    def from_data(cls, data: dict[str, Any], content_hash: str | None = None) -> Entry:
        """From the registry's stored document (Entity.to_dict)."""
        return cls(
            data["id"], data["schema"],
            [(" ".join(n["full"].split()), n.get("kind", "primary"))
             for n in data.get("names") or []],
            [(d["list"], d["reference"], d.get("delisted_on"))
             for d in data.get("designations") or []],
            list(data.get("birth_dates") or []),
            list(data.get("nationalities") or []) + list(data.get("countries") or []),
            [(i["type"], i["value"]) for i in data.get("identifiers") or []],
            content_hash,
        )

    @property
    def home(self) -> str:
        return self.designations[0][0] if self.designations else self.id.split(":", 1)[0]

    @property
    def caption(self) -> str:
        for full, kind in self.names:
            if kind == "primary":
                return full
        return self.names[0][0] if self.names else self.id

    def digest(self) -> str:
        if self.content_hash is None:
            if self._entity is None:
                raise ValueError(f"entry {self.id} has neither a content hash nor an entity")
            self.content_hash = self._entity.content_hash()
        return self.content_hash


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
        self.rec_glued: list[str] = []  # its folds joined in written order
        self.rec_total: list[float] = []
        self.rec_bound: list[int] = []  # bit k: part k is bound into a compound (bound_mask)
        # vocabulary
        self.vocab: list[str] = []
        self.vocab_id: dict[str, int] = {}
        self.vocab_weight: list[float] = []
        # legal-form / generic words and connectors: missing one costs a name little
        self.vocab_generic: list[bool] = []
        self.postings: list[list[int]] = []
        self.skeletons: dict[str, list[int]] = {}
        self.deletes: dict[str, list[int]] = {}
        self.acronyms: dict[str, list[int]] = {}
        self.entity_count = 0
        # postings restricted to the names of some schemata (a Person query never reads
        # vessels): filled by postings_for(), shared by every query of those schemata
        self._compat_postings: dict[frozenset[str], list[list[int]]] = {}
        self.state_token: str | None = None  # the registry state it was built from

    # ---- building --------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[Entity], same_as: Iterable[tuple[str, str]] = (),
              include_undesignated: bool = False, weights_from: Index | None = None,
              hashes: dict[str, str] | None = None) -> Index:
        """`weights_from`: take token weights from a bigger index (compare() of two names);
        `hashes`: the registry's content hashes by entity id (saves recomputing them)."""
        hashes = hashes or {}
        entries = [Entry.from_entity(e, hashes.get(e.id)) for e in entities]
        return cls.build_entries(entries, same_as, include_undesignated, weights_from)

    @classmethod
    def build_entries(cls, entries: Iterable[Entry], same_as: Iterable[tuple[str, str]] = (),
                      include_undesignated: bool = False,
                      weights_from: Index | None = None) -> Index:
        index = cls()
        ents = [e for e in entries if e.names]
        index.entity_count = len(ents)
        # each name is tokenized for clustering and again for the index: once is enough
        # (name_tokens' own cache is smaller than the lists' names)
        memo: dict[tuple[str, str], list[str]] = {}

        def tokens(full: str, schema: str) -> list[str]:
            got = memo.get((full, schema))
            if got is None:
                got = memo[full, schema] = name_tokens(full, schema)
            return got

        index._cluster(ents, same_as, include_undesignated, tokens)
        index._index_names(weights_from, tokens)
        return index

    def _cluster(self, ents: list[Entry], same_as: Iterable[tuple[str, str]],
                 include_undesignated: bool, tokens: Callable[[str, str], list[str]] = name_tokens) -> None:
        pos = {e.id: i for i, e in enumerate(ents)}
        uf = _UnionFind(len(ents))
        for src, dst in same_as:
            if src in pos and dst in pos:
                uf.union(pos[src], pos[dst])
        home = [e.home for e in ents]
        by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(ents):
            if not e.designations:
                continue
            fam = schema_family(e.schema)
            for full, kind in e.names:
                if kind not in STRONG_KINDS:
                    continue
                key = " ".join(sorted(fold_token(t) for t in tokens(full, e.schema)))
                toks = key.split()
                if len(toks) < 2:
                    continue
                if all(t in GENERIC_FOLDS or t in CONNECTOR_FOLDS for t in toks):
                    continue
                by_key[(fam, key)].append(i)
        lists_of: dict[int, set[str]] = defaultdict(set)
        for i in range(len(ents)):
            lists_of[uf.find(i)].add(home[i])

        def root_lists(i: int) -> set[str]:
            return lists_of[uf.find(i)]

        for (fam, key), idxs in by_key.items():
            if len(idxs) < 2:
                continue
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
    def _compatible(a: Entry, b: Entry, fam: str, ntoks: int) -> bool:
        ida = {(id_type_class(t), norm_identifier(v)) for t, v in a.identifiers}
        idb = {(id_type_class(t), norm_identifier(v)) for t, v in b.identifiers}
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

    def _add_cluster(self, members: list[Entry], designated: bool) -> None:
        lead = next((e for e in members if e.designations), members[0])
        refs: dict[str, list[str]] = {}
        member_lists: dict[str, str] = {}
        for e in members:
            member_lists[e.id] = e.home
            for list_name, reference, delisted_on in e.designations:
                if delisted_on:
                    continue
                bucket = refs.setdefault(list_name, [])
                if reference not in bucket:
                    bucket.append(reference)
        names: list[tuple[str, str]] = []
        seen: set[str] = set()
        for e in [lead] + [m for m in members if m is not lead]:
            for full, kind in e.names:
                if full not in seen:
                    seen.add(full)
                    names.append((full, kind))
        dates = sorted({d for e in members for d in e.birth_dates})
        countries = sorted({c for e in members for c in e.countries})
        idents: list[tuple[str, str, str]] = []
        for e in members:
            for kind, value in e.identifiers:
                item = (id_type_class(kind), norm_identifier(value), value)
                if item[1] and item not in idents:
                    idents.append(item)
        digest = hashlib.sha1("|".join(e.digest() for e in members).encode()).hexdigest()
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

    def _index_names(self, weights_from: Index | None = None,
                     tokens: Callable[[str, str], list[str]] = name_tokens) -> None:
        df: dict[str, int] = defaultdict(int)
        places: set[str] = set()
        pending: list[tuple[int, str, str, list[str]]] = []
        for ci, cluster in enumerate(self.clusters):
            seen: set[str] = set()
            for full, kind in cluster.names:
                canon = tokens(full, cluster.schema)
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
                for f in dict.fromkeys(folds):  # first-seen order: the vocabulary's order
                    df[f] += 1                  # must not depend on string hashing
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
            generic = f in CONNECTOR_FOLDS or f in GENERIC_FOLDS
            if f in CONNECTOR_FOLDS:
                w = min(w, 0.1)
            elif f in GENERIC_FOLDS:
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
            self.vocab_generic.append(generic)
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
            self.rec_glued.append("".join(folds))
            self.rec_total.append(sum(self.vocab_weight[t] for t in tids))
            self.rec_bound.append(bound_mask(folds))
            for tid in set(tids):
                self.postings[tid].append(rid)
        # plain dicts: a lookup of a missing key must not insert it
        self.skeletons = dict(self.skeletons)
        self.deletes = dict(self.deletes)
        self.acronyms = dict(self.acronyms)

    # ---- reading -----------------------------------------------------------------------

    def postings_for(self, schemata: frozenset[str]) -> list[list[int]]:
        """Postings holding only names of clusters with one of these schemata (same order
        as `postings`, so candidates come out exactly as a filter after the lookup would)."""
        got = self._compat_postings.get(schemata)
        if got is not None:
            return got
        if set(self.cluster_schema) <= schemata:
            got = self.postings
        else:
            schema_of = self.cluster_schema
            ok = [schema_of[ci] in schemata for ci in self.rec_cluster]
            empty: list[int] = []
            got = []
            for plist in self.postings:
                kept = [r for r in plist if ok[r]]
                got.append(kept if kept else empty)
        self._compat_postings[schemata] = got
        return got

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


def _read_entries(url: str | None, lists: list[str] | None) -> list[Entry]:
    """Every current entry of the registry (of `lists`), in id order, in one query."""
    e = rt.entities.c
    query = select(e.data, e.content_hash).where(e.removed_version_id.is_(None))
    if lists is not None:
        query = query.where(e.list_name.in_(lists))
    with transaction(url) as conn:
        return [Entry.from_data(data, digest) for data, digest in conn.execute(query.order_by(e.id))]


def build_from_registry(url: str | None = None, lists: Iterable[str] | None = None,
                        include_undesignated: bool = False) -> Index:
    """A fresh index over the registry's current entries (no cache)."""
    registry = Registry(url)
    token = registry.state_token()  # first: also loads the bundled list into a new database
    wanted = list(lists) if lists is not None else None
    entries = _read_entries(url, wanted)
    same_as = [(r["source_id"], r["target_id"]) for r in registry.iter_relationships(kinds=["same_as"])]
    index = with_list_kinds(Index.build_entries(entries, same_as, include_undesignated=include_undesignated), url)
    index.state_token = token
    return index


def with_list_kinds(index: Index, url: str | None = None) -> Index:
    """Each cluster learns the kinds of the lists that designate it (only the registry knows)."""
    with transaction(url) as conn:
        kinds = dict(conn.execute(select(rt.lists.c.name, rt.lists.c.kind)).all())
    for cluster in index.clusters:
        cluster.kinds = sorted({kinds.get(name, "other") for name in cluster.refs})
    return index


def load_index(url: str | None = None, lists: Iterable[str] | None = None,
               include_undesignated: bool = False, cache: bool = True) -> Index:
    """The index over the registry; the whole-registry index comes from the on-disk cache
    when the lists and the index code are unchanged since it was written."""
    if lists is not None or include_undesignated or not cache:
        return build_from_registry(url, lists, include_undesignated)
    db_url = url or get_settings().database_url
    token, key = _cache_key(db_url)
    path = cache_path(db_url)
    if path is None:
        return build_from_registry(url)
    index = _read_cache(path, key)
    if index is not None:
        index.state_token = token
        return index
    with contextlib.ExitStack() as held:
        held.enter_context(_locked(path))
        # another process (a server worker) may have written it while this one waited
        index = _read_cache(path, key)
        if index is None:
            index = build_from_registry(url)
            if index.state_token == token:  # lists changed while building: do not keep it
                _write_cache_in_background(path, key, index, held.pop_all())
    index.state_token = token
    return index


_writers: list[threading.Thread] = []


def _write_cache_in_background(path: Path, key: str, index: Index, lock: contextlib.ExitStack) -> None:
    """Write the cache file while the index is already in use (the file takes about a
    second, a tenth of the build); the lock is held until the file is complete, so another
    process waits for it instead of building. Not a daemon: the interpreter waits for it at exit."""
    from tizim.screening.model import COMPATIBLE

    # every postings_for() a query can ask for, made here: every reader of the file gets
    # them ready-made, and the writer must pickle an index that queries no longer add to
    for schemata in set(COMPATIBLE.values()):
        index.postings_for(schemata)

    def write() -> None:
        with lock:
            _write_cache(path, key, index)

    writer = threading.Thread(target=write, name="tizim-index-cache")
    _writers[:] = [w for w in _writers if w.is_alive()] + [writer]
    writer.start()


def flush_cache_writes() -> None:
    """Wait for cache files being written (tests, and code about to read the file itself)."""
    for writer in list(_writers):
        writer.join()


# ---- the on-disk cache -----------------------------------------------------------------

CACHE_FORMAT = 1
_CACHE_MAGIC = b"tizim-screening-index\n"
# the index is a function of the stored entries and of these modules (and the versions of
# the libraries they normalize names with)
_INDEX_CODE = ("index.py", "normalize.py", "lexicon.py", "scripts.py", "numbers.py", "data/org_lexicon.yaml",
               "data/number_words.yaml")
_INDEX_LIBS = ("rigour", "normality", "followthemoney", "rapidfuzz", "PyICU", "pykakasi")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    h = hashlib.sha1(f"{CACHE_FORMAT}|{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    for name in _INDEX_CODE:
        h.update((here / name).read_bytes())
    for lib in _INDEX_LIBS:
        try:
            h.update(f"|{lib}={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"|{lib}=?".encode())
    return h.hexdigest()


def _cache_key(url: str) -> tuple[str, str]:
    """(state token, cache key). The key covers every list version (ids, file hashes and
    import times: a database recreated at the same path gets another key) and the code."""
    token = Registry(url).state_token()
    v = rt.list_versions.c
    with transaction(url) as conn:
        versions = conn.execute(
            select(v.id, v.list_name, v.file_hash, v.imported_at).order_by(v.id)).all()
        rels = conn.execute(select(func.count()).select_from(rt.relationships)).scalar()
    h = hashlib.sha1(f"{normalise_url(url)}|{token}|{rels}|{_code_fingerprint()}".encode())
    for row in versions:
        h.update("|".join(str(x) for x in row).encode())
    return token, h.hexdigest()


def cache_path(url: str) -> Path | None:
    """Next to a SQLite database file (removed with it), else in the user cache directory;
    None for an in-memory database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return None
        db_path = Path(db).resolve()
        if os.access(db_path.parent, os.W_OK):
            return db_path.with_name(db_path.name + ".screening-index")
    from platformdirs import user_cache_dir

    digest = hashlib.sha1(normalise_url(url).encode()).hexdigest()[:16]
    return Path(user_cache_dir("tizim", appauthor=False)) / f"screening-index-{digest}.pickle"


def cached_index(url: str | None = None) -> Index | None:
    """The index last cached for this database, whatever list versions it was built from, or
    None: the word weights a delta rescreen needs, which a few new entries hardly move, without
    rebuilding the whole index inside a list import."""
    path = cache_path(url or get_settings().database_url)
    return _read_cache(path, None) if path is not None else None


def _read_cache(path: Path, key: str | None) -> Index | None:
    """The cached index if its key is `key` (None: whatever it is)."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(_CACHE_MAGIC)) != _CACHE_MAGIC:
                return None
            if pickle.load(fh) != key and key is not None:
                return None
            enabled = gc.isenabled()
            gc.disable()  # millions of small objects: the collector would walk them all
            try:
                index = pickle.load(fh)
            finally:
                if enabled:
                    gc.enable()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild and overwrite it
        log.warning("screening index cache %s unreadable (%s); rebuilding", path, exc)
        return None
    return index if isinstance(index, Index) else None


def _write_cache(path: Path, key: str, index: Index) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_CACHE_MAGIC)
                pickle.dump(key, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # readers see the old file or the new one, never a part
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:  # a read-only place: screening works, only slower to start
        log.warning("cannot write the screening index cache %s: %s", path, exc)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder at a time per cache file (server workers starting together)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: each process builds its own
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 (held across yield)
    except OSError:
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

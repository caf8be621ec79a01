"""Screening quality on real list data: tizim vs nomenklatura logic-v1 / logic-v2 vs Jaro-Winkler.

Built from the shared lists, not from tizim's output:
  uk_un      UK list subjects that carry a UN reference, queried by their UK spelling (a UK
             name that differs from every UN spelling when there is one) against the UN list
             only. Positive: the UN entry with that reference. Hard negative: the UN entry
             (other than the right one) sharing most words with the query.
  perturbed  names of listed entries (UN, SDN, UK, EU) with one perturbation each: a typo,
             reordered parts, a dropped middle part, Cyrillic transliteration, or case and
             punctuation noise. Positive: the source entry. Hard negative: as above.
  non_listed real people who are not on the lists (Saudi PEPs from Wikidata, minus any whose
             name is spelled exactly like a listed name) and first/last names of different
             listed people recombined: each screened against the lists; any match is a false
             positive (for the pairwise matchers: a score at threshold against the listed entry
             sharing most words with the name).
Pairs are scored by each matcher: tizim through its own retrieval (the right cluster must
come back with match=true; a negative counts when that wrong cluster comes back matched),
nomenklatura logic-v1 / logic-v2 on FtM entities (threshold 0.7, yente's default), and the
best Jaro-Winkler over all name pairs (threshold 0.9).

    .venv/bin/python bench/screening_quality.py [--n 600]

Writes bench/results/screening_quality.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screening_speed import DATA, ROOT, bench_db  # noqa: E402

UK = DATA / "uk" / "uk_sanctions_list_normalised_covyr"
PEPS = DATA / "opensanctions" / "wd_peps_sa_2024-03" / "targets.simple.csv"
THRESH = {"tizim": None, "logic-v1": 0.7, "logic-v2": 0.7, "jaro-winkler": 0.9}
_WORDS = re.compile(r"\w+")

_LAT2CYR = [("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
            ("ya", "я"), ("yu", "ю"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"),
            ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"),
            ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
            ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("w", "в"), ("x", "кс"),
            ("j", "дж"), ("q", "к")]


def to_cyrillic(name: str) -> str:
    out = name.lower()
    for lat, cyr in _LAT2CYR:
        out = out.replace(lat, cyr)
    return out.title()


def words(text: str) -> set[str]:
    return {w for w in _WORDS.findall(text.lower()) if len(w) > 2}


def perturb(name: str, rng: random.Random) -> tuple[str, str]:
    toks = name.replace(",", " ").split()
    kind = rng.choice(["typo", "reorder", "drop", "cyrillic", "noise"])
    if kind == "reorder" and len(toks) >= 2:
        return " ".join(reversed(toks)), kind
    if kind == "drop" and len(toks) >= 3:
        i = rng.randrange(1, len(toks) - 1)
        return " ".join(toks[:i] + toks[i + 1:]), kind
    if kind == "cyrillic" and name.isascii():
        return to_cyrillic(name), kind
    if kind == "noise":
        return name.lower().replace("-", " ").replace("'", ""), kind
    long = [i for i, t in enumerate(toks) if len(t) >= 5]
    if not long:
        return name.upper(), "noise"
    i = rng.choice(long)
    t = toks[i]
    p = rng.randrange(1, len(t) - 1)
    op = rng.choice(["del", "swap", "sub"])
    if op == "del":
        t = t[:p] + t[p + 1:]
    elif op == "swap":
        t = t[:p] + t[p + 1] + t[p] + t[p + 2:]
    else:
        t = t[:p] + rng.choice("aeioukstnr") + t[p + 1:]
    toks[i] = t
    return " ".join(toks), "typo"


class Universe:
    """Listed entities and an independent word index (for hard negatives)."""

    def __init__(self, entities: list[Any]) -> None:
        self.entities = {e.id: e for e in entities if e.names and e.designations}
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for e in self.entities.values():
            for n in e.names:
                for w in words(n.full):
                    self.by_word[w].add(e.id)
        self.exact = {n.full.lower() for e in self.entities.values() for n in e.names}

    def nearest_other(self, name: str, schema: str, not_ids: set[str]) -> str | None:
        counts: dict[str, int] = defaultdict(int)
        for w in words(name):
            ids = self.by_word.get(w, ())
            if len(ids) > 3000:
                continue
            for eid in ids:
                counts[eid] += 1
        fam = _family(schema)
        best = [(c, eid) for eid, c in counts.items()
                if eid not in not_ids and _family(self.entities[eid].schema) == fam]
        return max(best)[1] if best else None


def _family(schema: str) -> str:
    return "person" if schema == "Person" else ("vessel" if schema == "Vessel" else "org")


def ftm(entity: Any) -> Any:
    from followthemoney import model

    schema = entity.schema if entity.schema in ("Person", "Organization", "Company", "Vessel",
                                                 "LegalEntity", "Airplane") else "LegalEntity"
    props: dict[str, list[str]] = {"name": [entity.names[0].full]}
    props["alias"] = [n.full for n in entity.names[1:] if n.kind != "weak_alias"]
    props["weakAlias"] = [n.full for n in entity.names[1:] if n.kind == "weak_alias"]
    if schema == "Person":
        props["birthDate"] = list(entity.birth_dates)
        props["nationality"] = list(entity.nationalities)
    return model.get_proxy({"id": entity.id, "schema": schema, "properties": props})


def ftm_query(schema: str, name: str) -> Any:
    from followthemoney import model

    return model.get_proxy({"id": "q", "schema": schema if schema != "Thing" else "LegalEntity",
                            "properties": {"name": [name]}})


class Scorers:
    def __init__(self, screener: Any) -> None:
        from nomenklatura.matching import LogicV1, LogicV2, ScoringConfig

        self.screener = screener
        self.v1, self.v2, self.cfg = LogicV1, LogicV2, ScoringConfig.defaults()

    def pair(self, schema: str, name: str, entity: Any) -> dict[str, bool]:
        """Each matcher's verdict on (query name, listed entity)."""
        from rapidfuzz.distance import JaroWinkler

        from tizim.screening import Query

        res = self.screener.match(Query(schema=schema, names=[name]), limit=10)
        tizim = any(r.match and entity.id in r.members for r in res)
        q, e = ftm_query(schema, name), ftm(entity)
        jw = max(JaroWinkler.normalized_similarity(name.lower(), n.full.lower()) for n in entity.names)
        return {
            "tizim": tizim,
            "logic-v1": self.v1.compare(q, e, self.cfg).score >= 0.7,
            "logic-v2": self.v2.compare(q, e, self.cfg).score >= 0.7,
            "jaro-winkler": jw >= 0.9,
        }

    def tizim_any(self, schema: str, name: str) -> bool:
        from tizim.screening import Query

        return any(r.match for r in self.screener.match(Query(schema=schema, names=[name]), limit=5))


def metrics(rows: list[tuple[bool, dict[str, bool]]]) -> dict[str, dict[str, float]]:
    out = {}
    for m in THRESH:
        tp = sum(1 for truth, v in rows if truth and v[m])
        fp = sum(1 for truth, v in rows if not truth and v[m])
        fn = sum(1 for truth, v in rows if truth and not v[m])
        tn = sum(1 for truth, v in rows if not truth and not v[m])
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[m] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                  "fpr": round(fp / (fp + tn), 4) if fp + tn else 0.0, "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    return out


def uk_un_cases(un: Universe, n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    ref_to_id = {d.reference: e.id for e in un.entities.values() for d in e.designations}
    subjects = {}
    with (UK / "subjects.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["un_reference_number"] in ref_to_id:
                subjects[row["unique_id"]] = (row["subject_type"], ref_to_id[row["un_reference_number"]])
    names: dict[str, list[str]] = defaultdict(list)
    with (UK / "subject_names.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["unique_id"] in subjects and row["full_name"].strip():
                names[row["unique_id"]].append(row["full_name"].strip())
    cases = []
    for uid, (stype, eid) in sorted(subjects.items()):
        un_names = {x.full.lower() for x in un.entities[eid].names}
        spelled = [x for x in names.get(uid, []) if x.lower() not in un_names] or names.get(uid, [])
        if not spelled:
            continue
        schema = {"individual": "Person", "ship": "Vessel"}.get(stype, "Organization")
        cases.append((schema, rng.choice(spelled), eid))
    rng.shuffle(cases)
    return cases[:n]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(2024)
    url = bench_db()
    from tizim.registry.service import Registry
    from tizim.screening import Screener

    allents = list(Registry(url).iter_entities())
    everything = Universe(allents)
    un_ids = {x.id for x in Registry(url).iter_entities(lists=["un-sc"])}
    un = Universe([e for e in allents if e.id in un_ids])
    full = Scorers(Screener.from_registry(url))
    un_only = Scorers(Screener.from_registry(url, lists=["un-sc"]))
    results: dict[str, Any] = {}
    examples: dict[str, list[Any]] = defaultdict(list)
    t0 = time.time()

    rows = []
    for schema, name, eid in uk_un_cases(un, args.n, rng):
        verdict = un_only.pair(schema, name, un.entities[eid])
        rows.append((True, verdict))
        if not verdict["tizim"] and len(examples["uk_un_missed"]) < 15:
            examples["uk_un_missed"].append([name, un.entities[eid].caption])
        neg = un.nearest_other(name, schema, {eid})
        if neg:
            rows.append((False, un_only.pair(schema, name, un.entities[neg])))
    results["uk_un"] = {"pairs": len(rows), "metrics": metrics(rows)}

    rows = []
    pool = [e for e in everything.entities.values() if e.schema in ("Person", "Organization", "LegalEntity", "Company")]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for e in rng.sample(pool, min(args.n, len(pool))):
        strong = [x.full for x in e.names if x.kind != "weak_alias" and len(words(x.full)) >= 2] or [e.names[0].full]
        name, kind = perturb(rng.choice(strong), rng)
        schema = "Person" if e.schema == "Person" else "Organization"
        verdict = full.pair(schema, name, e)
        rows.append((True, verdict))
        by_kind[kind].append(verdict["tizim"])
        if not verdict["tizim"] and len(examples["perturbed_missed"]) < 15:
            examples["perturbed_missed"].append([kind, name, e.caption])
        neg = everything.nearest_other(name, schema, {e.id})
        if neg:
            rows.append((False, full.pair(schema, name, everything.entities[neg])))
    results["perturbed"] = {"pairs": len(rows), "metrics": metrics(rows),
                            "tizim_recall_by_perturbation": {k: round(sum(v) / len(v), 4) for k, v in by_kind.items()}}

    negatives: list[str] = []
    with PEPS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["schema"] == "Person" and row["name"] and row["name"].lower() not in everything.exact:
                negatives.append(row["name"])
    people = [e for e in everything.entities.values() if e.schema == "Person"]
    firsts = [e.names[0].full.replace(",", " ").split()[0] for e in people if len(e.names[0].full.split()) >= 2]
    lasts = [e.names[0].full.replace(",", " ").split()[-1] for e in people if len(e.names[0].full.split()) >= 2]
    mixed = set()
    while len(mixed) < args.n // 2:
        cand = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        if not any(cand.lower() in n for n in everything.exact):
            mixed.add(cand)
    rng.shuffle(negatives)
    neg_names = negatives[: args.n // 2] + sorted(mixed)
    rows = []
    for name in neg_names:
        verdict: dict[str, bool] = {"tizim": full.tizim_any("Person", name)}
        near = everything.nearest_other(name, "Person", set())
        if near:
            pv = full.pair("Person", name, everything.entities[near])
            verdict.update({k: v for k, v in pv.items() if k != "tizim"})
        else:
            verdict.update({"logic-v1": False, "logic-v2": False, "jaro-winkler": False})
        if verdict["tizim"] and len(examples["non_listed_matched"]) < 15:
            examples["non_listed_matched"].append(name)
        rows.append((False, verdict))
    results["non_listed"] = {"queries": len(rows), "metrics": metrics(rows)}
    results["seconds"] = round(time.time() - t0, 1)
    results["examples"] = examples

    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "screening_quality.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"{'subset':12} {'matcher':14} {'precision':>9} {'recall':>7} {'F1':>7} {'FPR':>7}")
    for subset in ("uk_un", "perturbed", "non_listed"):
        for m, v in results[subset]["metrics"].items():
            print(f"{subset:12} {m:14} {v['precision']:9.4f} {v['recall']:7.4f} {v['f1']:7.4f} {v['fpr']:7.4f}")
    print("tizim recall by perturbation:", results["perturbed"]["tizim_recall_by_perturbation"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

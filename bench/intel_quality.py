"""Precision/recall of `tizim intel` on the two seed documents, per fact kind.

Run: .venv/bin/python bench/intel_quality.py [--un]   (--un imports the UN list first, for linking)
Also compares designation events with the bundled kz-supreme-court list (the answer key).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
UN = ROOT.parent / "shared" / "data" / "un" / "UN_consolidated_moov_2026-02.xml"


def main() -> None:
    from tizim import settings

    tmp = tempfile.mkdtemp(prefix="intel-bench-")
    settings.override(database_url=f"sqlite:///{tmp}/t.db", data_dir=None)
    from tizim.intel.patterns import EVENT_KINDS
    from tizim.intel.quality import score
    from tizim.intel.service import Intel

    if "--un" in sys.argv and UN.exists():
        from tizim.registry.importers import load
        from tizim.registry.service import Registry

        Registry().import_parsed(load(UN, None))
    service = Intel()
    for path in sorted(SEEDS.glob("0*.txt")):
        service.ingest(path, link="--un" in sys.argv)
    facts = service.facts()
    result = score(facts, ROOT / "tests" / "fixtures" / "intel" / "expected_facts.json")
    print(f"{'kind':14} {'P':>6} {'R':>6}  matched/extracted/expected  place  numbers  route")
    for kind, r in result.items():
        print(f"{kind:14} {r['precision']:6.2f} {r['recall']:6.2f}  {r['matched']}/{r['extracted']}/{r['expected']}"
              f"  {r.get('place_agreement', '')}  {r.get('number_agreement', '')}  {r.get('route_agreement', '')}")
    for kind in ("designation", "relationship", *EVENT_KINDS):
        for label in ("missed", "spurious", "wrong_places"):
            for item in result[kind].get(label, []):
                print(f"  {kind} {label}: {item}")
    answer_key(facts)
    if "--un" in sys.argv:
        links(facts)


def links(facts: list[dict]) -> None:  # type: ignore[type-arg]
    """Which organizations the designation facts link to UN entries (all lists' ids per party)."""
    shown: dict[str, list[str]] = {}
    for f in facts:
        if f["kind"] == "designation" and f["subject"]:
            un = [i for i in (f["details"].get("subject_ids") or []) if i.startswith("un-sc")]
            shown.setdefault(f["subject"], un)
    print("UN links of designated organizations:")
    for name, ids in shown.items():
        print(f"  {name} -> {', '.join(ids) or '-'}")


def answer_key(facts: list[dict]) -> None:  # type: ignore[type-arg]
    """Designation events of the bundled kz-supreme-court YAML vs. the extracted ones."""
    import yaml

    path = ROOT / "tizim" / "registry" / "data" / "kz_supreme_court.yaml"
    if not path.exists():
        print("kz-supreme-court answer key: not present")
        return
    from tizim.intel.names import name_key

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    want: set[tuple[str, str]] = set()
    keys: dict[str, set[str]] = {}
    for ent in data.get("entities") or data.get("organizations") or []:
        names = [n if isinstance(n, str) else n.get("full") or n.get("name") for n in
                 (ent.get("names") or [ent.get("name")])]
        names = [n for n in names if n]
        eid = ent.get("id") or names[0]
        keys[eid] = {name_key(n) for n in names}
        for ev in ent.get("events") or (ent.get("designation") or {}).get("events") or []:
            if ev.get("date"):
                want.add((eid, str(ev["date"])))
    got: set[tuple[str, str]] = set()
    for f in facts:
        if f["kind"] != "designation" or not f["subject"] or not f["date"]:
            continue
        if (f["details"].get("jurisdiction") or "kz") != "kz":
            continue  # another country's ban (Kyrgyzstan's of HuT) is no event of the national list
        for eid, ks in keys.items():
            if name_key(f["subject"]) in ks or any(k.startswith(name_key(f["subject"])) for k in ks):
                got.add((eid, f["date"]))
    if not want:
        print("kz-supreme-court answer key: no dated events found in the YAML layout")
        return
    hit = len(got & want)
    print(f"vs kz-supreme-court (entity, date): P {hit / max(1, len(got)):.2f} R {hit / len(want):.2f} "
          f"({hit} of {len(want)} key events, {len(got)} extracted)")


if __name__ == "__main__":
    main()

"""nomenklatura's YenteEnricher, unmodified, run against a tizim server (`tizim serve`).

    python bench/yente_enricher.py --api http://127.0.0.1:8000/ --key "$KEY" [--show 2]

Queries a client's entities of every kind the enricher matches (people and organisations
from the UN list, a vessel from the OFAC list, an address, a position and made-up parties),
expands each match (GET /entities/{id}?nested=true) and prints: entities, matched, failed,
the seconds taken, and the first matches with what their expansion brought back. The figures
in docs/api.md ("Using tizim from yente clients") come from this script.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from followthemoney import Dataset, StatementEntity
from nomenklatura.cache import Cache
from nomenklatura.db import Session, get_engine
from nomenklatura.enrich import EnrichmentException, make_enricher
from nomenklatura.matching import DefaultAlgorithm
from nomenklatura.matching.types import ScoringConfig

THRESHOLD = 0.7  # yente's default match threshold

# A client's own records: (id, schema, properties).
CLIENT = [
    ("p1", "Person", {"name": ["Tahir Yuldashev"], "birthDate": ["1967"], "nationality": ["uz"]}),
    ("p2", "Person", {"name": ["Abu Bakr al-Baghdadi"], "nationality": ["iq"]}),
    ("p3", "Person", {"name": ["Kim Jong Un"], "nationality": ["kp"]}),
    ("p4", "Person", {"name": ["Aigerim Sadykova"], "birthDate": ["1988-02-11"], "nationality": ["kz"]}),
    ("o1", "Organization", {"name": ["Islamic Movement of Uzbekistan"]}),
    ("o2", "Company", {"name": ["Korea Mining Development Trading Corporation"], "jurisdiction": ["kp"]}),
    ("o3", "Organization", {"name": ["Al-Qaida"]}),
    ("o4", "Company", {"name": ["Kazakh Grain LLP"], "jurisdiction": ["kz"]}),
    ("v1", "Vessel", {"name": ["CHONG CHON GANG"], "flag": ["kp"]}),
    ("a1", "Address", {"full": ["Al-Rashid Street, Baghdad"], "country": ["iq"]}),
    ("r1", "Position", {"name": ["Minister of Finance"], "country": ["kz"]}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", required=True, help="tizim's base URL, ending with /")
    parser.add_argument("--key", required=True, help="a screener key (tizim keys create --role screener)")
    parser.add_argument("--show", default="o1,v1", help="client ids whose match to print with its expansion")
    args = parser.parse_args()

    dataset = Dataset.make({"name": "client_records", "title": "A client's records"})
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(get_engine(f"sqlite:///{Path(tmp) / 'cache.db'}"))
        cache = Cache(session, dataset, create=True)
        config: dict[str, Any] = {
            "type": "nomenklatura.enrich.yente:YenteEnricher", "api": args.api, "api_key": args.key,
            "cache_days": 0,
        }
        enricher = make_enricher(dataset, cache, config)
        matched, failed = 0, 0
        show = set(args.show.split(","))
        scoring = ScoringConfig.defaults()
        started = time.monotonic()
        report: list[dict[str, Any]] = []
        for entity_id, schema, props in CLIENT:
            query = StatementEntity.from_data(dataset, {"id": entity_id, "schema": schema, "properties": props})
            try:
                results = list(enricher.match_wrapped(query))
            except EnrichmentException as exc:
                failed += 1
                print(f"{entity_id} {schema}: FAILED {exc}", file=sys.stderr)
                continue
            # As nomenklatura's enrich.match() does: the client scores each candidate itself.
            scored = sorted(
                ((DefaultAlgorithm.compare(query, r, scoring).score, r) for r in results if query.schema.can_match(r.schema)),
                key=lambda pair: -pair[0],
            )
            best = scored[0] if scored else None
            hit = best is not None and best[0] >= THRESHOLD
            matched += hit
            label = repr(props.get("name", props.get("full"))[0])
            print(f"{entity_id:3} {schema:12} {label:48} -> "
                  + (f"{best[1].id} {best[1].caption!r} {DefaultAlgorithm.NAME} {best[0]:.2f}"
                     f"{' MATCH' if hit else ''} ({len(results)} candidates)" if best else "no candidates"))
            if best is not None and entity_id in show:
                expanded = list(enricher.expand_wrapped(query, best[1]))
                report.append({
                    "query": entity_id,
                    "match": best[1].id,
                    "expanded": [f"{e.schema.name} {e.id}" for e in expanded],
                    "first_sanction": next((e.to_dict()["properties"] for e in expanded if e.schema.name == "Sanction"), None),
                })
        elapsed = time.monotonic() - started
        enricher.close()
        session.close()
    print(json.dumps({"entities": len(CLIENT), "matched": matched, "failed": failed, "seconds": round(elapsed, 2)}))
    for item in report:
        print(json.dumps(item, ensure_ascii=False, indent=1, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

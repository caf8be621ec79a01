"""Typology detection measured on labelled data, side by side (issue 17).

Data (../shared/data/aml_transactions, see SOURCES.md), in time order, first 60 % of the time
range to tune, last 40 % to test:
- AMLSim 20K (120,558 payments; 1,803 laundering accounts in fan-in and cycle patterns);
- the TigerGraph AMLSim alerts (1,719 laundering payments of a 10K-account run; its normal
  transactions are not published, so they are laid over normal traffic of the generator
  below on the same 10,000 account ids: recall only, the precision there is the generator's);
- runs of our own AMLSim-like generator (bench/typologies_synth.py), all eight AMLSim
  typologies, every hop's amount in the normal range, ~12 % laundering accounts (flag-all
  ~0.22, as the issue's hidden run): seeds 11, 12 and 13 tune; seeds 20261202 and 20261203
  (other sizes, days, pattern periods and amounts) are held out, looked at only in the final
  run; `synth_v1_seed20261202` is the first generator's held-out run (one larger sum split
  over a pattern, 9 % laundering accounts), kept for comparison with the earlier session.

What was tuned on what: the defaults were chosen on AMLSim 20K's first 60 % and, this session,
on generator seeds 11-13 (the TigerGraph recall was looked at for each candidate: a worked
figure); the held-out seeds were not looked at while tuning.

Methods: the previous monitoring rules (rules_kz.yaml, amounts read as USD), the single
cycle rule ("closes a directed cycle of <= 5 payments"), a LightGBM model on the graph
features trained on AMLSim 20K's tuning part (its transfer to the other runs is reported),
and the shipped typology defaults with and without amounts (every amount set to 1).

Account F1: an account counts as flagged when it is the debtor or creditor of an alerted
payment in the test period; positives are the laundering accounts among the accounts active
in the test period. Alert rate: alerted test payments / test payments.

    .venv/bin/python bench/typologies_quality.py [--sample N] [--skip-lgbm]

Writes bench/results/typologies_quality.json and prints the table.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from typologies_synth import generate  # noqa: E402

from tizim.typologies.engine import TypologyEngine  # noqa: E402
from tizim.typologies.graph import DAY, Features  # noqa: E402
from tizim.typologies.rules import TypologyParams  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "aml_transactions"
SPLIT = 0.6


@dataclass
class Dataset:
    name: str
    payments: list[tuple[float, str, str, float, int]]  # (day, debtor, creditor, amount, laundering)
    laundering_accounts: set[str]
    recall_only: bool = False
    patterns: list[str] | None = None  # per payment, the laundering pattern it belongs to ("" for none)


def amlsim_20k() -> Dataset:
    folder = DATA / "ibm_amlsim_20K_fanin200cycle200"
    fraud = {r["nodeid"] for r in csv.DictReader((folder / "nodes.csv").open()) if r["isFraud"] == "1"}
    rows = [(float(r["time"]), r["sourceNodeId"], r["targetNodeId"], float(r["value"]),
             int(r["sourceNodeId"] in fraud and r["targetNodeId"] in fraud))
            for r in csv.DictReader((folder / "transactions.csv").open())]
    rows.sort(key=lambda x: x[0])
    return Dataset("amlsim_20k", rows, fraud)


def synth(seed: int, **kw: Any) -> Dataset:
    run = generate(seed, **kw)
    rows = [(t, str(s), str(r), a, y) for t, s, r, a, y, _ in run.payments]
    return Dataset(f"synth_seed{seed}", rows, {str(a) for a in run.laundering_accounts},
                   patterns=[k if y else "" for *_, y, k in run.payments])


def tigergraph() -> Dataset:
    folder = DATA / "tigergraph_amlsim_lab"
    alerts = [(float(r["TIMESTAMP"]) + 0.5, r["SENDER_ACCOUNT_ID"], r["RECEIVER_ACCOUNT_ID"],
               float(r["TX_AMOUNT"]), 1, r["ALERT_TYPE"] + "#" + r["ALERT_ID"])
              for r in csv.DictReader((folder / "alerts.csv").open())]
    fraud = {r["ACCOUNT_ID"] for r in csv.DictReader((folder / "accounts.csv").open()) if r["IS_FRAUD"] == "true"}
    background = generate(99, accounts=10_000, days=200, patterns=0, amount_mu=5.0, amount_sigma=0.8)
    rows = alerts + [(t, str(s), str(r), a, 0, "") for t, s, r, a, _, _ in background.payments]
    rows.sort(key=lambda x: x[0])
    return Dataset("tigergraph_alerts", [x[:5] for x in rows], fraud, recall_only=True,  # type: ignore[misc]
                   patterns=[x[5] for x in rows])


NUMERIC = [f.name for f in fields(Features) if f.type in ("int", "float", "float | None", "bool")]


def run_engine(ds: Dataset, use_amounts: bool, params: TypologyParams | None = None,
               covered: list[bool] | None = None) -> tuple[list[float], list[list[str]], list[list[float]], float]:
    """Scores, signal codes and feature rows of every payment, and payments per second.
    `covered`, when given, is filled with the payments an alert names (the alerted payment
    and the earlier payments of the pattern it saw)."""
    engine = TypologyEngine(params, use_amounts=use_amounts)
    index: dict[tuple[str, str, float], int] = {}
    if covered is not None:
        covered[:] = [False] * len(ds.payments)
    scores: list[float] = []
    codes: list[list[str]] = []
    feats: list[list[float]] = []
    start = time.perf_counter()
    for i, (day, d, c, amount, _) in enumerate(ds.payments):
        ts = day * DAY
        a = engine.assess(d, c, ts, amount)
        engine.add(str(i), d, c, ts, amount)
        scores.append(a.score)
        if covered is not None:
            index[(d, c, ts)] = i
            if a.alert:
                covered[i] = True
                for m in a.members:
                    j = index.get(m)
                    if j is not None:
                        covered[j] = True
        codes.append([s.code for s in a.signals])
        f = a.features
        feats.append([float(getattr(f, n)) if getattr(f, n) is not None else -1.0 for n in NUMERIC]
                     + [float(len(a.signals))])
    rate = len(ds.payments) / (time.perf_counter() - start)
    return scores, codes, feats, rate


def split_day(ds: Dataset) -> float:
    days = [p[0] for p in ds.payments]
    return min(days) + SPLIT * (max(days) - min(days))


def _scores(ds: Dataset, alerted: list[bool]) -> dict[str, Any]:
    cut = split_day(ds)
    test = [(i, p, a) for i, (p, a) in enumerate(zip(ds.payments, alerted, strict=False)) if p[0] > cut]
    active = {p[1] for _, p, _ in test} | {p[2] for _, p, _ in test}
    flagged = {p[1] for _, p, a in test if a} | {p[2] for _, p, a in test if a}
    positives = active & ds.laundering_accounts
    tp = len(flagged & positives)
    prec = tp / len(flagged) if flagged else 0.0
    rec = tp / len(positives) if positives else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    laundering = [a for _, p, a in test if p[4]]
    ptp = sum(1 for _, p, a in test if a and p[4])
    palerted = sum(1 for _, _, a in test if a)
    pprec = ptp / palerted if palerted else 0.0
    prec_all = len(positives) / len(active) if active else 0.0
    out: dict[str, Any] = {
        "test_payments": len(test),
        "alert_rate": round(palerted / len(test), 4) if test else 0.0,
        "payment_recall": round(sum(laundering) / len(laundering), 4) if laundering else None,
        "account_recall": round(rec, 4),
    }
    if ds.patterns is not None:
        # a pattern is caught when one of its test-period payments is alerted
        caught: dict[str, bool] = {}
        for i, _, a in test:
            name = ds.patterns[i]
            if name:
                caught[name] = caught.get(name, False) or a
        out["pattern_recall"] = round(sum(caught.values()) / len(caught), 4) if caught else None
        kinds: dict[str, list[bool]] = {}
        for name, hit in caught.items():
            kinds.setdefault(name.split("#")[0], []).append(hit)
        out["pattern_recall_by_typology"] = {k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}
    if not ds.recall_only:
        out.update({
            "account_precision": round(prec, 4),
            "account_f1": round(f1, 4),
            "payment_precision": round(pprec, 4),
            "flag_all_account_f1": round(2 * prec_all / (1 + prec_all), 4),
        })
    return out


def evaluate(ds: Dataset, alerted: list[bool], covered: list[bool] | None = None) -> dict[str, Any]:
    """The figures of one method; with `covered` (the payments its alerts name: the alerted
    ones and the earlier payments of the patterns they saw) the same figures over those too."""
    out = _scores(ds, alerted)
    if covered is not None:
        out["with_pattern_payments"] = {k: v for k, v in _scores(ds, covered).items()
                                        if k not in ("test_payments", "flag_all_account_f1",
                                                     "pattern_recall_by_typology")}
    return out


def previous_rules(ds: Dataset) -> list[bool]:
    from datetime import UTC, datetime

    from tizim.monitoring.model import Party, Payment
    from tizim.monitoring.rules import History, RuleSet, Seen

    rules = RuleSet.load()
    history = History()
    out = []
    for i, (day, d, c, amount, _) in enumerate(ds.payments):
        ts = day * DAY
        p = Payment(amount=__import__("decimal").Decimal(str(amount)), currency="USD", explicit_id=str(i),
                    created_at=datetime.fromtimestamp(ts, UTC).isoformat(),
                    debtor=Party(account=d), creditor=Party(account=c))
        local = rules.to_local(amount, "USD")
        hits = rules.evaluate(p, local, ts, history)
        history.add(Seen(str(i), p.debtor.key() if p.debtor else None, p.creditor.key() if p.creditor else None,
                         ts, local), rules)
        out.append(bool(hits))
    return out


def lgbm_fit(ds: Dataset, feats: list[list[float]], max_rate: float = 0.10) -> tuple[Any, float]:
    """LightGBM on the tuning part; the threshold that maximises payment F1 there within the
    alert budget."""
    import lightgbm as lgb
    import numpy as np

    cut = split_day(ds)
    idx = [i for i, p in enumerate(ds.payments) if p[0] <= cut]
    x = np.array([feats[i] for i in idx])
    y = np.array([ds.payments[i][4] for i in idx])
    model = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=31, verbose=-1, n_jobs=1)
    model.fit(x, y)
    prob = model.predict_proba(x)[:, 1]
    best, best_f1 = 0.5, -1.0
    for q in np.quantile(prob, np.linspace(1 - max_rate, 0.999, 40)):
        pred = prob >= q
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
        if f1 > best_f1:
            best, best_f1 = float(q), f1
    return model, best


def lgbm_apply(model: Any, threshold: float, feats: list[list[float]]) -> list[bool]:
    import numpy as np

    return [bool(v) for v in model.predict_proba(np.array(feats))[:, 1] >= threshold]


HELD_OUT_SEED = 20261202  # and HELD_OUT_SEED + 1: generated for the check, never tuned on
# AMLSim-like normal models: shares of accounts with none (one-off payments only), fan-out,
# fan-in, mutual, forward, periodical (the TigerGraph run gives each account one of five)
AMLSIM_MODELS = (0.2, 0.16, 0.16, 0.16, 0.16, 0.16)


def previous_defaults() -> TypologyParams:
    """The typology defaults before this session's change (no watched accounts, volume 0.3),
    to show what the change did."""
    return TypologyParams(watch_weight=0.0, volume_weight=0.3)


def datasets(only: str = "") -> list[Dataset]:
    amlsim = {"models": AMLSIM_MODELS, "hop_amounts": "normal"}
    makers = {
        "amlsim_20k": amlsim_20k,
        "tigergraph_alerts": tigergraph,
        # tuning runs: AMLSim-like (every hop in the normal range, normal models on most
        # accounts, ~12 % laundering accounts: flag-all ~0.22 as in the hidden run)
        "synth_seed11": lambda: synth(11, accounts=8_000, days=180, patterns=170, period=(5, 20),
                                      amount_mu=5.8, amount_sigma=1.0, **amlsim),
        "synth_seed12": lambda: synth(12, accounts=6_000, days=150, patterns=130, period=(7, 30),
                                      amount_mu=5.0, amount_sigma=0.8, **amlsim),
        "synth_seed13": lambda: synth(13, accounts=10_000, days=200, patterns=220, period=(4, 15),
                                      amount_mu=6.2, amount_sigma=1.1, activity=0.015, **amlsim),
        # held out: generated for the check, never tuned on
        f"synth_seed{HELD_OUT_SEED}": lambda: synth(HELD_OUT_SEED, accounts=8_000, days=180, patterns=175,
                                                    period=(7, 40), amount_mu=5.8, amount_sigma=1.0, **amlsim),
        f"synth_seed{HELD_OUT_SEED + 1}": lambda: synth(HELD_OUT_SEED + 1, accounts=9_000, days=200, patterns=190,
                                                        period=(5, 25), amount_mu=5.4, amount_sigma=0.9,
                                                        activity=0.025, **amlsim),
        # the first generator's held-out run (one larger sum split over a pattern), as before
        "synth_v1_seed20261202": lambda: synth(HELD_OUT_SEED, accounts=8_000, days=180, patterns=120,
                                               period=(7, 40), amount_mu=5.8, amount_sigma=1.0),
    }
    out = []
    for name, make in makers.items():
        if not only or name in only.split(","):
            ds = make()
            ds.name = name
            out.append(ds)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-lgbm", action="store_true")
    ap.add_argument("--skip-previous", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated dataset names")
    args = ap.parse_args()
    results: dict[str, Any] = {}
    lgbm: tuple[Any, float] | None = None
    threshold = TypologyParams().threshold
    for ds in datasets(args.only):
        print(f"{ds.name}: {len(ds.payments):,} payments", file=sys.stderr)
        res: dict[str, Any] = {}
        covered: list[bool] = []
        scores, codes, feats, rate = run_engine(ds, True, covered=covered)
        res["typologies, shipped defaults"] = evaluate(ds, [s >= threshold for s in scores], covered)
        covered_na: list[bool] = []
        scores_na, _, feats_na, _ = run_engine(ds, False, covered=covered_na)
        res["typologies, no amounts"] = evaluate(ds, [s >= threshold for s in scores_na], covered_na)
        old, _, _, _ = run_engine(ds, True, previous_defaults())
        res["typologies, before (no watch, volume 0.3)"] = evaluate(ds, [s >= threshold for s in old])
        res["cycle rule (closes a cycle <= 5)"] = evaluate(
            ds, [any(c == "cycle" for c in cs) and f[NUMERIC.index("cycle_len")] <= 5
                 for cs, f in zip(codes, feats, strict=False)])
        if not args.skip_previous:
            res["previous rules (rules_kz.yaml)"] = evaluate(ds, previous_rules(ds))
        if not args.skip_lgbm:
            if lgbm is None and ds.name == "amlsim_20k":
                lgbm = lgbm_fit(ds, feats_na)
            if lgbm is not None:
                res["LightGBM graph features (fit on 20K)"] = evaluate(ds, lgbm_apply(*lgbm, feats_na))
        res["engine_payments_per_s"] = round(rate)
        results[ds.name] = res
        print(json.dumps({ds.name: res}, indent=1), file=sys.stderr)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "typologies_quality.json").write_text(json.dumps(results, indent=1))
    print_table(results)


def print_table(results: dict[str, Any]) -> None:
    """One row per dataset and method; the last three columns count the payments an alert
    names (the alerted one and the earlier payments of its pattern) as flagged too."""
    head = (f"{'dataset':24} {'method':42} {'acct F1':>7} {'acct P':>7} {'acct R':>7} {'pay R':>7} "
            f"{'patt R':>7} {'alerted':>8} | {'+patt F1':>8} {'acct R':>7} {'pay R':>7}")
    print(head)
    print("-" * len(head))

    def cell(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    for name, res in results.items():
        for method, r in res.items():
            if not isinstance(r, dict):
                continue
            w = r.get("with_pattern_payments") or {}
            print(f"{name:24} {method:42} {cell(r.get('account_f1')):>7} {cell(r.get('account_precision')):>7} "
                  f"{cell(r['account_recall']):>7} {cell(r['payment_recall']):>7} {cell(r.get('pattern_recall')):>7} "
                  f"{r['alert_rate']:>8.1%} | {cell(w.get('account_f1')):>8} {cell(w.get('account_recall')):>7} "
                  f"{cell(w.get('payment_recall')):>7}")
        first = next((r for r in res.values() if isinstance(r, dict)), {})
        if first.get("flag_all_account_f1"):
            print(f"{name:24} {'flag every payment':42} {cell(first['flag_all_account_f1']):>7}")
        if first.get("pattern_recall_by_typology"):
            kinds = ", ".join(f"{k} {v}" for k, v in first["pattern_recall_by_typology"].items())
            print(f"{'':24} patterns caught by typology (shipped defaults): {kinds}")


if __name__ == "__main__":
    main()

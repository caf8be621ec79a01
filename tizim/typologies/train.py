"""Learn the risk score from labelled outcomes, strictly on the past.

Labels: a CSV file with an `id` column (a payment id, or an account: its number or tizim's
party key `acct:...`) and a `label` column (1 = confirmed suspicious, 0 = dismissed), e.g. the
confirmed and dismissed cases tizim exports. Payments are replayed through a fresh typology
engine in time order, so every payment's features are what the monitor knew when it was
decided (no look-ahead). A payment takes its own label, else the label of its debtor or
creditor account (1 when either is labelled 1). The labelled payments are cut by time: the
earlier `1 - validation` share fits a logistic regression (scikit-learn), whose alert
threshold is chosen on that same earlier share (the best F1 within `max_alert_rate`); the
later share validates it. The figures reported are the validation's.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tizim.errors import InputError
from tizim.typologies.engine import TypologyEngine
from tizim.typologies.model import RiskModel, inputs
from tizim.typologies.rules import Context, TypologyParams


@dataclass
class Row:
    payment_id: str
    debtor: str | None
    creditor: str | None
    ts: float
    amount: float | None
    instrument: str = "transfer"


def account_key(raw: str) -> str:
    """An account as tizim keys it (Party.key): `acct:` + the number without spaces, upper."""
    if raw.startswith(("acct:", "name:", "bic:")):
        return raw
    return "acct:" + "".join(raw.split()).upper()


def read_labels(path: Path) -> dict[str, int]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError("labels file not found", file=str(path)) from exc
    reader = csv.DictReader(text.splitlines())
    header = set(reader.fieldnames or [])
    id_col = next((c for c in ("id", "payment_id", "account") if c in header), None)
    if id_col is None or "label" not in header:
        raise InputError("labels file needs an `id` (or payment_id / account) column and a `label` column",
                         file=str(path), line=1)
    labels: dict[str, int] = {}
    for row in reader:
        raw_id = (row.get(id_col) or "").strip()
        raw_label = (row.get("label") or "").strip().lower()
        if not raw_id:
            raise InputError("empty id", file=str(path), line=reader.line_num, field=id_col)
        if raw_label in ("1", "true", "yes", "confirmed"):
            labels[raw_id] = 1
        elif raw_label in ("0", "false", "no", "dismissed"):
            labels[raw_id] = 0
        else:
            raise InputError(f"label {raw_label!r} is not 0 or 1", file=str(path), line=reader.line_num,
                             field="label", record=raw_id)
    if not labels:
        raise InputError("labels file has no rows", file=str(path))
    return labels


def _label(r: Row, labels: dict[str, int], accounts: dict[str, int]) -> int | None:
    if r.payment_id in labels:
        return labels[r.payment_id]
    found = [accounts[k] for k in (r.debtor, r.creditor) if k and k in accounts]
    if not found:
        return None
    return max(found)


def replay(rows: Iterable[Row], params: TypologyParams | None = None, use_amounts: bool = True
           ) -> list[tuple[Row, list[float]]]:
    """Every payment with its model inputs, computed in time order from earlier payments only."""
    engine = TypologyEngine(params, use_amounts=use_amounts)
    out = []
    for r in sorted(rows, key=lambda r: r.ts):
        a = engine.assess(r.debtor, r.creditor, r.ts, r.amount, r.instrument)
        ctx = a.extra.get("context") or Context()
        out.append((r, inputs(a.signals, a.features, ctx)))
        engine.add(r.payment_id, r.debtor, r.creditor, r.ts, r.amount, r.instrument)
    return out


def _best_threshold(prob: list[float], y: list[int], max_rate: float) -> float:
    order = sorted(range(len(prob)), key=lambda i: -prob[i])
    positives = sum(y)
    best_t, best_f1, tp = 1.0, -1.0, 0
    limit = max(1, int(len(prob) * max_rate))
    for k, i in enumerate(order[:limit], start=1):
        tp += y[i]
        f1 = 2 * tp / (k + positives) if positives else 0.0
        if f1 > best_f1 and (k == len(order) or prob[order[k]] < prob[i]):
            best_t, best_f1 = prob[i], f1
    return best_t


def _figures(prob: list[float], y: list[int], threshold: float) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    pred = [p >= threshold for p in prob]
    tp = sum(1 for p, t in zip(pred, y, strict=False) if p and t)
    flagged = sum(pred)
    positives = sum(y)
    precision = tp / flagged if flagged else 0.0
    recall = tp / positives if positives else 0.0
    both = len(set(y)) == 2
    return {
        "payments": len(y), "positives": positives, "alerted": flagged,
        "alert_rate": round(flagged / len(y), 4) if y else 0.0,
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "roc_auc": round(float(roc_auc_score(y, prob)), 4) if both else None,
        "average_precision": round(float(average_precision_score(y, prob)), 4) if both else None,
    }


def train(rows: list[Row], labels: dict[str, int], validation: float = 0.3, max_alert_rate: float = 0.1,
          params: TypologyParams | None = None, name: str = "logistic") -> tuple[RiskModel, dict[str, Any]]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    accounts = {account_key(k): v for k, v in labels.items()}
    labelled = [(r, x, y) for r, x in replay(rows, params) if (y := _label(r, labels, accounts)) is not None]
    if len(labelled) < 20:
        raise InputError(f"only {len(labelled)} payments carry a label: at least 20 are needed "
                         "(ids must be payment ids or debtor/creditor accounts)")
    cut = int(len(labelled) * (1 - validation))
    fit, val = labelled[:cut], labelled[cut:]
    y_fit = [y for _, _, y in fit]
    if len(set(y_fit)) < 2:
        raise InputError("the earlier (training) part of the labelled payments has only one class")
    x_fit = np.array([x for _, x, _ in fit])
    mean = x_fit.mean(axis=0)
    scale = x_fit.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(class_weight="balanced", max_iter=2000, C=1.0)
    clf.fit((x_fit - mean) / scale, y_fit)
    model = RiskModel(name, float(clf.intercept_[0]), [float(c) for c in clf.coef_[0]],
                      [float(m) for m in mean], [float(s) for s in scale], 1.0)
    ctx_free = Context()

    def prob(x: list[float]) -> float:
        z = model.intercept + sum(c * (v - m) / s for c, v, m, s in zip(model.coef, x, model.mean, model.scale, strict=False))
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    del ctx_free
    p_fit = [prob(x) for _, x, _ in fit]
    model.threshold = _best_threshold(p_fit, y_fit, max_alert_rate)
    p_val = [prob(x) for _, x, _ in val]
    metrics = {
        "labelled_payments": len(labelled),
        "train": {"from_ts": fit[0][0].ts, "to_ts": fit[-1][0].ts, **_figures(p_fit, y_fit, model.threshold)},
        "validation": {"from_ts": val[0][0].ts if val else None, "to_ts": val[-1][0].ts if val else None,
                       **(_figures(p_val, [y for _, _, y in val], model.threshold) if val else {})},
        "threshold": round(model.threshold, 6),
        "max_alert_rate": max_alert_rate,
    }
    return model, metrics


def rows_from_store(url: str | None = None) -> list[Row]:
    """Every decided payment in the database, as the engine reads it."""
    from sqlalchemy import select

    from tizim.monitoring import tables as t
    from tizim.store import transaction

    c = t.payments.c
    with transaction(url) as conn:
        return [Row(r.payment_id, r.debtor_key, r.creditor_key, r.ts, r.amount_local,
                    str((r.data or {}).get("instrument") or "transfer"))
                for r in conn.execute(select(c.payment_id, c.debtor_key, c.creditor_key, c.ts, c.amount_local,
                                             c.data).order_by(c.ts))]


def rows_from_file(path: Path, fmt: str | None = None) -> list[Row]:
    """Payments of a file (any format `tizim monitor` reads), amounts in the local currency."""
    from tizim.monitoring.formats import iter_file
    from tizim.monitoring.model import Payment
    from tizim.monitoring.rules import RuleSet, payment_ts

    rules = RuleSet.load()
    rows = []
    for item in iter_file(path, fmt):
        if not isinstance(item, Payment):
            raise InputError(f"payment not readable: {item.reason}", file=str(path), line=item.line,
                             record=item.record)
        rows.append(Row(item.payment_id, item.debtor.key() if item.debtor else None,
                        item.creditor.key() if item.creditor else None, payment_ts(item),
                        rules.to_local(float(item.amount), item.currency), item.instrument or "transfer"))
    return rows


def train_and_store(labels_path: Path, payments_path: Path | None = None, url: str | None = None,
                    validation: float = 0.3, max_alert_rate: float = 0.1, actor: str = "system",
                    activate: bool = True) -> tuple[int, dict[str, Any]]:
    """Train on the stored payments (or a file of payments) and store the model; the newest
    active model scores from the next Decider on. Returns (model id, metrics)."""
    from tizim.monitoring import audit
    from tizim.monitoring.rules import RuleSet
    from tizim.store import transaction
    from tizim.typologies import tables as tt

    labels = read_labels(labels_path)
    rows = rows_from_file(payments_path) if payments_path else rows_from_store(url)
    if not rows:
        raise InputError("no payments to learn from: decide some first (tizim monitor) or pass --payments")
    engine = TypologyEngine.from_rules(RuleSet.load())
    model, metrics = train(rows, labels, validation, max_alert_rate, engine.p)
    with transaction(url) as conn:
        head = audit.lock_head(conn)
        model_id = conn.execute(tt.models.insert().values(
            name=model.name, trained_at=audit.now_iso(), trained_by=actor, labels_file=str(labels_path),
            params=model.to_params(), metrics=metrics, active=activate).returning(tt.models.c.id)).scalar_one()
        # the model changes what later decisions say: the chain records who trained it, on what
        audit.append(conn, [audit.Entry(actor, "train", "typology_model", str(model_id), None,
                                        {"labels_file": str(labels_path), "active": activate,
                                         "validation": metrics["validation"]})], head)
    return int(model_id), metrics

"""`tizim typologies ...`: the risk model learned from labelled outcomes, and the typology
parameters in force (docs/typologies.md)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from tizim.output import console, print_json

typologies_app = typer.Typer(help="Typology detection: parameters and the learned risk model.",
                             no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts is not None else "-"


def _figures_line(name: str, m: dict[str, Any]) -> str:
    if not m or not m.get("payments"):
        return f"{name}: no payments"
    return (f"{name} ({_when(m.get('from_ts'))} .. {_when(m.get('to_ts'))}): {m['payments']:,} payments, "
            f"{m['positives']:,} positive; alerted {m['alerted']:,} ({m['alert_rate']:.1%}), precision "
            f"{m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}, ROC AUC {m['roc_auc']}, "
            f"average precision {m['average_precision']}")


@typologies_app.command("train")
def train_cmd(
    labels: Annotated[Path, typer.Option("--labels", help="CSV: id (payment id or account), label (0/1).")],
    payments: Annotated[Path | None, typer.Option(
        "--payments", help="Learn from this file of payments instead of the stored decisions.")] = None,
    validation: Annotated[float, typer.Option(
        "--validation", min=0.05, max=0.9, help="Latest share of labelled payments held out to validate.")] = 0.3,
    max_alert_rate: Annotated[float, typer.Option(
        "--max-alert-rate", min=0.001, max=1.0, help="Alert budget the threshold is chosen within.")] = 0.1,
    inactive: Annotated[bool, typer.Option("--inactive", help="Store the model without putting it in force.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Learn the risk score from labelled outcomes, in time order (no look-ahead); prints the
    validation figures and stores the model (in force from the next monitor run)."""
    from tizim.typologies.train import train_and_store

    actor = f"cli:{os.environ.get('USER') or 'unknown'}"
    model_id, metrics = train_and_store(labels, payments, validation=validation, max_alert_rate=max_alert_rate,
                                        actor=actor, activate=not inactive)
    if json_out:
        print_json({"model_id": model_id, "active": not inactive, **metrics})
        return
    console.print(f"model #{model_id} ({'in force' if not inactive else 'stored, not in force'}), "
                  f"{metrics['labelled_payments']:,} labelled payments, threshold {metrics['threshold']:.4f}",
                  highlight=False)
    console.print(_figures_line("train", metrics["train"]), highlight=False)
    console.print(_figures_line("validation", metrics["validation"]), highlight=False)


@typologies_app.command("show")
def show_cmd(json_out: JsonOpt = False) -> None:
    """The typology parameters in force (rules file) and the model that scores, if any."""
    from sqlalchemy import select

    from tizim.monitoring.rules import RuleSet
    from tizim.store import transaction
    from tizim.typologies import tables as tt
    from tizim.typologies.engine import TypologyEngine

    engine = TypologyEngine.from_rules(RuleSet.load())
    params = dataclasses.asdict(engine.p)
    params["conflict_zones"] = sorted(engine.p.conflict_zones)
    with transaction() as conn:
        row = conn.execute(select(tt.models).where(tt.models.c.active.is_(True))
                           .order_by(tt.models.c.id.desc()).limit(1)).first()
    model = None if row is None else {"id": row.id, "name": row.name, "trained_at": row.trained_at,
                                      "trained_by": row.trained_by, "labels_file": row.labels_file,
                                      "validation": (row.metrics or {}).get("validation")}
    if json_out:
        print_json({"enabled": engine.enabled, "parameters": params, "model": model})
        return
    console.print(f"typologies {'enabled' if engine.enabled else 'disabled'}; score: "
                  + (f"model #{model['id']} trained {model['trained_at']}" if model else "default weights"),
                  highlight=False)
    for key, value in params.items():
        console.print(f"  {key}: {value}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(typologies_app, name="typologies")

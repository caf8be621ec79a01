"""A learned risk score: logistic regression over the typology signals and graph features.

Fitted by `tizim typologies train` (train.py, scikit-learn) from labelled outcomes; scored
here in plain Python (no library needed at decision time). The score is the model's
probability; each input's contribution is its term in the logit (coefficient x standardised
value), so the explanation says which signals and features pushed the payment up or down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tizim.typologies.graph import Features
from tizim.typologies.rules import Context, Signal

SIGNAL_CODES = ("cycle", "repeated_transfers", "fan_in", "fan_out", "scatter_gather", "gather_scatter",
                "layering", "dormant_activation", "volume", "cash", "tf_corridor", "tf_collection",
                "towards_listed", "related_accounts", "between_suspects", "same_amounts", "same_amounts_out",
                "profile_mule", "profile_business", "profile_corridor", "watched")
# graph features read as log(1 + value); a missing value reads as 0
FEATURES = ("fan_in", "fan_out", "debtor_fan_in", "creditor_fan_out", "common_source", "chain_len",
            "repeat_pair", "debtor_payments", "creditor_payments", "debtor_gap_days", "cash_count")


def inputs(found: list[Signal], f: Features, ctx: Context) -> list[float]:
    """The model's input row for one payment: signal strengths, then graph features."""
    strength = {s.code: s.strength for s in found}
    row = [strength.get(code, 0.0) for code in SIGNAL_CODES]
    for name in FEATURES:
        value = getattr(f, name)
        row.append(math.log1p(max(float(value), 0.0)) if value is not None else 0.0)
    row.append(math.log1p(ctx.burst))
    return row


INPUT_NAMES = [*(f"signal:{c}" for c in SIGNAL_CODES), *(f"feature:{n}" for n in FEATURES), "feature:burst"]


@dataclass
class RiskModel:
    name: str
    intercept: float
    coef: list[float]
    mean: list[float]
    scale: list[float]
    threshold: float

    def score(self, found: list[Signal], f: Features, ctx: Context) -> tuple[float, list[dict[str, Any]]]:
        x = inputs(found, f, ctx)
        terms = [c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=False)]
        logit = self.intercept + sum(terms)
        score = 1.0 / (1.0 + math.exp(-logit)) if logit > -50 else 0.0
        reasons = {s.code: s.reason for s in found}
        parts = []
        for name, term in sorted(zip(INPUT_NAMES, terms, strict=False), key=lambda nt: -abs(nt[1])):
            if abs(term) < 0.05:
                continue
            code = name.split(":", 1)[1]
            parts.append({"signal": code, "contribution": round(term, 4), "kind": name.split(":", 1)[0],
                          "reason": reasons.get(code, "")})
        return score, parts[:8]

    def to_params(self) -> dict[str, Any]:
        return {"kind": "logistic", "inputs": INPUT_NAMES, "intercept": self.intercept, "coef": self.coef,
                "mean": self.mean, "scale": self.scale, "threshold": self.threshold}

    @classmethod
    def from_params(cls, name: str, params: dict[str, Any]) -> RiskModel | None:
        """None when the stored model was trained on other inputs (an older tizim)."""
        if params.get("kind") != "logistic" or params.get("inputs") != INPUT_NAMES:
            return None
        return cls(name, float(params["intercept"]), [float(x) for x in params["coef"]],
                   [float(x) for x in params["mean"]], [float(x) or 1.0 for x in params["scale"]],
                   float(params["threshold"]))

"""Monitoring: payments in, one durable decision each (PASS / OBSERVE / FREEZE), cases,
four-eyes release, STR export and a hash-chained audit log."""

# The audit chain registers itself with screening's remembered dismissals (each goes on the
# chain in its own transaction) as soon as any part of monitoring is loaded.
from tizim.monitoring import audit as _audit  # noqa: E402,F401

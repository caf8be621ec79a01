"""Monitoring: payments in, one durable decision each (PASS / OBSERVE / FREEZE), cases,
four-eyes release, STR export and a hash-chained audit log."""

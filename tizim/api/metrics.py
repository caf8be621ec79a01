"""Prometheus metrics: request counts and latency per route, index size, list ages.

With several uvicorn workers, `tizim serve` points PROMETHEUS_MULTIPROC_DIR at a fresh
folder before the workers start, so /metrics adds up every worker's counters. Index size
and list ages are computed when /metrics is scraped (they are the same in every worker).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "tizim_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "tizim_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
QUERIES = Counter(
    "tizim_match_queries",
    "Match queries received (a batch counts each of its queries).",
    ["route"],
)


# Labelled children, looked up once: `labels()` takes a lock and builds a key every call.
# Bounded: route templates, methods and statuses are few.
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_query_children: dict[str, Any] = {}


def observe(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (REQUESTS.labels(route, method, str(status)), LATENCY.labels(route, method))
    children[0].inc()
    children[1].observe(seconds)


def count_queries(route: str, queries: int) -> None:
    child = _query_children.get(route)
    if child is None:
        child = _query_children[route] = QUERIES.labels(route)
    child.inc(queries)
    # and in the store, summed with every other process for the dashboard
    from tizim.screening.volume import count

    count("api", queries)


class StateCollector(Collector):
    """Gauges read from the registry and the screening index at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from tizim.registry.service import Registry

        ages = GaugeMetricFamily(
            "tizim_list_age_seconds",
            "Seconds since the latest version of each list was imported.",
            labels=["list"],
        )
        entities = GaugeMetricFamily(
            "tizim_list_entities", "Designated entities on each list (current version).", labels=["list"]
        )
        now = datetime.now(UTC)
        for row in Registry().summary():
            entities.add_metric([row["name"]], float(row["entities"]))
            if row["last_import"]:
                stamp = datetime.fromisoformat(row["last_import"])
                if stamp.tzinfo is None:  # SQLite hands back naive UTC datetimes
                    stamp = stamp.replace(tzinfo=UTC)
                ages.add_metric([row["name"]], (now - stamp).total_seconds())
        yield ages
        yield entities
        size = GaugeMetricFamily(
            "tizim_index_entities", "Entities in this process's screening index (0 until loaded)."
        )
        size.add_metric([], float(index_size()))
        yield size


def index_size() -> int:
    """Entities in this process's screening index (0 while it is being built)."""
    from tizim.api.warmup import warmup

    if warmup.pending():
        return 0  # asking now would wait for the build
    try:
        screening = importlib.import_module("tizim.screening")
        index = screening.get_screener().index
    except (ImportError, AttributeError):
        return 0
    return int(getattr(index, "entity_count", 0))


def render() -> tuple[bytes, str]:
    """The exposition text for /metrics and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(StateCollector())
    return body + generate_latest(state), CONTENT_TYPE_LATEST


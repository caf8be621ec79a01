"""`tizim screen --input --engine spark`: the same matcher over a very large batch file.

PySpark in local mode (or whatever master SPARK_MASTER names): the input is read as text,
each partition loads the index once (from the on-disk cache the driver refreshes first) and
screens its lines with mapPartitions; the output is written as one JSONL file in input order.
A SparkSession already active in the caller is used (and left running).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tizim.errors import InputError
from tizim.settings import get_settings


def _screen_partition(rows: Iterable[tuple[str, int]], url: str, opts: dict[str, Any]) -> Iterator[tuple[int, str]]:
    from tizim import settings
    from tizim.screening.engine import Screener
    from tizim.screening.model import Query

    settings.override(database_url=url)
    screener = None
    for line, lineno in rows:
        if not line.strip():
            continue
        if screener is None:  # built once per partition, only when it has work
            screener = Screener.from_registry(url)
        query = Query.from_dict(json.loads(line), line=lineno + 1)
        results = screener.match(query, **opts)
        yield lineno, json.dumps({"id": query.id, "results": [r.to_dict() for r in results]},
                                 ensure_ascii=False)


def screen_with_spark(input_path: Path, output: Path, threshold: float | None, limit: int,
                      lists: list[str] | None, partitions: int | None = None) -> int:
    if not input_path.exists():
        raise InputError("no such file", file=str(input_path))
    # validate every line before starting Spark: a bad line is reported with its number
    from tizim.screening.batch import read_jsonl
    from tizim.screening.model import Query

    for lineno, obj in read_jsonl(input_path):
        Query.from_dict(obj, line=lineno, file=str(input_path))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # the executors must run this interpreter (tizim and its dependencies), not the system one
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    url = get_settings().database_url
    opts = {"threshold": threshold, "limit": limit, "lists": lists}
    # build (or refresh) the on-disk index cache here, once: each partition then loads it
    from tizim.screening.index import load_index

    load_index(url)
    spark = SparkSession.getActiveSession()
    owned = spark is None  # a caller's session (a notebook, a test module) is left running
    if spark is None:
        master = os.environ.get("SPARK_MASTER", "local[*]")
        spark = (SparkSession.builder.master(master).appName("tizim-screen")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        sc = spark.sparkContext
        sc.setLogLevel("ERROR")
        rdd = sc.textFile(str(input_path.resolve()), minPartitions=partitions or sc.defaultParallelism)
        out = rdd.zipWithIndex().mapPartitions(lambda rows: _screen_partition(rows, url, opts))
        lines = sorted(out.collect())
    finally:
        if owned:
            spark.stop()
    with output.open("w", encoding="utf-8") as fh:
        for _, line in lines:
            fh.write(line + "\n")
    return len(lines)

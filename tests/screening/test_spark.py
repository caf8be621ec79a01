"""`tizim screen --engine spark` in local mode on the small fixture lists."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.screening.test_cli import load_sample

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One small local session for the module (starting the JVM is most of the cost)."""
    pytest.importorskip("pyspark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("tizim-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "512m")
               .config("spark.python.worker.reuse", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_engine_matches_local(spark: Any, sqlite_url: str, tmp_path: Path) -> None:
    from tizim.screening.batch import screen_file
    from tizim.screening.spark import screen_with_spark

    load_sample(sqlite_url)
    queries = FIXTURES / "screening" / "queries.jsonl"
    spark_out = tmp_path / "spark.jsonl"
    # two partitions: the output must still come back in input order
    screen_with_spark(queries, spark_out, None, 5, None, partitions=2)
    assert spark.sparkContext._jsc is not None  # the caller's session is left running
    local_out = tmp_path / "local.jsonl"
    with local_out.open("w") as fh:
        screen_file(queries, fh, None, 5, None, workers=1)
    spark_rows = [json.loads(x) for x in spark_out.read_text().splitlines()]
    local_rows = [json.loads(x) for x in local_out.read_text().splitlines()]
    assert [r["id"] for r in spark_rows] == ["q1", "q2", "q3", "q4"]
    assert spark_rows == local_rows

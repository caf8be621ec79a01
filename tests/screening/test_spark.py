"""`tizim screen --engine spark` in local mode on the small fixture lists."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.screening.test_cli import load_sample


@pytest.mark.spark
def test_spark_engine_matches_local(sqlite_url: str, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from tizim.screening.commands import screen_file
    from tizim.screening.spark import screen_with_spark

    load_sample(sqlite_url)
    queries = FIXTURES / "screening" / "queries.jsonl"
    spark_out = tmp_path / "spark.jsonl"
    screen_with_spark(queries, spark_out, None, 5, None, partitions=2)
    local_out = tmp_path / "local.jsonl"
    with local_out.open("w") as fh:
        screen_file(queries, fh, None, 5, None, workers=1)
    spark_rows = [json.loads(x) for x in spark_out.read_text().splitlines()]
    local_rows = [json.loads(x) for x in local_out.read_text().splitlines()]
    assert [r["id"] for r in spark_rows] == ["q1", "q2", "q3", "q4"]
    assert spark_rows == local_rows

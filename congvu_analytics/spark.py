"""The per-case phase of detection on Apache Spark (``congvu analyze ... --engine spark``).

Spark repartitions the validated events by case (every case whole in one partition), keeps file
order within each case, and calls the same Polars per-case function on each partition through
``mapInArrow`` (:func:`congvu_analytics.detect.case_phase`). Each partition returns its compact
per-subject counts; the per-subject reduce (:func:`congvu_analytics.detect.subject_phase`) runs on
the driver, as in the single-node engine, so the findings are the same byte for byte.

PySpark is an optional extra (``pip install congvu[spark]``) and needs Java 17.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import polars as pl

from congvu_analytics.detect import (
    CasePhase,
    DetectionResult,
    case_phase,
    reorganizations,
    subject_phase,
)
from congvu_analytics.io.errors import LogError
from congvu_analytics.org import Org
from congvu_analytics.partitioned import BucketedLog
from congvu_analytics.schema import CASE_ID
from congvu_analytics.workdays import WorkCalendar

_SEQ = "_congvu_seq"


def spark_missing() -> str | None:
    """Why Spark cannot run here (in Vietnamese), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "chưa cài PySpark: cài gói tùy chọn bằng `pip install -e '.[spark]'`"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "không tìm thấy Java (cần Java 17, ví dụ gói Debian openjdk-17-jre-headless)"
    return None


def check_spark() -> None:
    """Refuse --engine spark early, with the reason, when PySpark or Java is missing."""
    reason = spark_missing()
    if reason is not None:
        raise LogError(f"--engine spark: {reason}.")


def session(master: str) -> Any:
    """A Spark session with Arrow on and the UI off; workers run this interpreter."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("congvu-analyze")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", os.environ.get("CONGVU_SPARK_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )


def run_spark(
    log: BucketedLog,
    *,
    calendar: WorkCalendar,
    params: Any = None,
    org: Org | None = None,
    master: str = "local[2]",
    partitions: int | None = None,
) -> DetectionResult:
    """Detection with the per-case phase on Spark over the log's validated bucket files."""
    import pyarrow as pa

    spark = session(master)
    schema = pl.read_parquet_schema(log.files[0])
    end = log.end
    # Units that ended in a reorganisation are the whole log's (as in partitioned.run_buckets):
    # found on the driver from the bucket files, handed to every partition.
    reorganized = reorganizations([pl.scan_parquet(f) for f in log.files], calendar, org)

    def per_case(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))
        if table.num_rows == 0:
            return
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        events = frame.select(pl.col(c).cast(t) for c, t in schema.items())
        part = case_phase(
            events.lazy(),
            calendar=calendar,
            params=params,
            org=org,
            end=end,
            reorganized=reorganized,
        )
        yield pa.RecordBatch.from_pylist([{"part": pickle.dumps(part)}])

    frame = spark.read.parquet(*[str(f) for f in log.files])
    from pyspark.sql import functions as F

    # The id follows file order within each file, and a case is whole in one file: sorting by
    # (case, id) inside a partition gives the loader's (case, time, file) order back.
    n = partitions or max(len(log.files), spark.sparkContext.defaultParallelism)
    ordered = (
        frame.withColumn(_SEQ, F.monotonically_increasing_id())
        .repartition(n, CASE_ID)
        .sortWithinPartitions(CASE_ID, _SEQ)
        .drop(_SEQ)
    )
    rows = ordered.mapInArrow(per_case, "part binary").collect()
    parts: list[CasePhase] = [pickle.loads(row["part"]) for row in rows]  # noqa: S301 - our own
    return subject_phase(parts, calendar=calendar, params=params, org=org)

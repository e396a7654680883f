"""The same dbt project on two engines: the bundled sample built on DuckDB (`semibench run`) and on local
Spark (`semibench build --target spark`, reading the raw Parquet lake) must pass the same data and unit
tests and give the same marts, row for row.

Skipped, with the reason, where Spark cannot run (no pyspark/dbt-spark, or no Java 17+); CI installs
both and sets SEMIBENCH_REQUIRE_SPARK=1, which turns that skip into a failure."""

from __future__ import annotations

import datetime as dt
import math
import os
from decimal import Decimal

import duckdb
import pytest

from semibench.spark_env import spark_unavailable_reason
from tests.conftest import clone

_reason = spark_unavailable_reason()
if _reason and os.environ.get("SEMIBENCH_REQUIRE_SPARK") == "1":
    raise RuntimeError(f"SEMIBENCH_REQUIRE_SPARK=1 but the Spark target cannot run here: {_reason}")
pytestmark = pytest.mark.skipif(_reason is not None, reason=f"Spark target unavailable: {_reason}")

# The marts people query, one per family and the cross-family pages; every one must match exactly.
KEY_MARTS = [
    "fct_inferencemax_points",
    "mart_inferencemax__hardware_rollup",
    "mart_inferencemax__coverage",
    "mart_inferencemax__trends",
    "fct_runs",
    "fct_requests",
    "mart_runs__inferencemax_placement",
    "agg_tool_eval_by_cell",
    "agg_tool_eval_by_model",
    "dim_models",
    "mart_model_overview",
    "mart_model_latency_vs_inferencemax",
]
# which dbt invocation wrote a row: differs by construction between two builds
BOOKKEEPING_COLUMNS = {"dbt_invocation_id"}
# the columns read from the InferenceX models, which are DuckDB-only for now (macro
# inferencex_models_enabled): the same names and types on Spark, always null there
INFERENCEX_ONLY_PREFIXES = ("inferencex_", "ix_")
FLOAT_REL_TOL = 1e-9  # sums may add in a different order on the two engines


@pytest.fixture(scope="module")
def both_engines(synthetic_run, tmp_path_factory):
    # the session's shared DuckDB build of the synthetic data, cloned: the Spark build writes beside it
    shared, duck = synthetic_run
    ws = clone(shared, tmp_path_factory.mktemp("cross-engine"))
    spark = ws.cli("build", "--target", "spark", "--quiet", timeout=3000)
    return ws, duck, spark


def test_spark_build_passes_every_test(both_engines):
    _ws, _duck, spark = both_engines
    assert spark.returncode == 0, spark.stdout[-5000:] + spark.stderr[-3000:]
    assert "dbt build --target spark:" in spark.stdout
    assert " error" not in spark.stdout.split("dbt build --target spark:", 1)[1].splitlines()[0]


def _normalise(value):
    if hasattr(value, "asDict"):  # a Spark struct (Row) is DuckDB's struct (dict)
        value = value.asDict(recursive=False)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _normalise(v)) for k, v in value.items()))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _sort_key(row):
    # None first, numbers and text apart, so mixed rows always sort the same way on both sides
    return tuple((v is None, type(v).__name__, v if v is not None else 0) for v in row)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (float, int)) or isinstance(b, float) and isinstance(a, (float, int)):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture(scope="module")
def spark_tables(both_engines):
    """Every key mart as Spark computed it, read through a local SparkSession on the same metastore."""
    ws, _duck, spark_proc = both_engines
    if spark_proc.returncode != 0:
        pytest.fail("the Spark build failed; see test_spark_build_passes_every_test")
    from pyspark.sql import SparkSession

    spark_dir = ws.warehouse.parent / "spark"
    session = (SparkSession.builder.master("local[2]").appName("semibench-cross-engine")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
               .config("spark.sql.warehouse.dir", str(spark_dir / "tables"))
               .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                       f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true")
               .enableHiveSupport().getOrCreate())
    try:
        yield {name: session.table(f"main.{name}") for name in KEY_MARTS}, session
    finally:
        session.stop()


@pytest.mark.parametrize("mart", KEY_MARTS)
def test_key_mart_matches_row_for_row(both_engines, spark_tables, mart):
    ws, _duck, _spark = both_engines
    tables, _session = spark_tables
    con = duckdb.connect(str(ws.published), read_only=True)
    try:
        all_columns = [r[0] for r in con.execute(f"describe main.{mart}").fetchall()]
        duck_columns = [c for c in all_columns
                        if c not in BOOKKEEPING_COLUMNS and not c.startswith(INFERENCEX_ONLY_PREFIXES)]
        inferencex_columns = [c for c in all_columns if c.startswith(INFERENCEX_ONLY_PREFIXES)]
        select = ", ".join(f'"{c}"' for c in duck_columns)
        duck_rows = [tuple(_normalise(v) for v in r) for r in con.execute(f"select {select} from main.{mart}").fetchall()]
    finally:
        con.close()
    frame = tables[mart]
    # the same columns; Spark puts a table's partition columns last (fct_requests: run_id), so compare in
    # DuckDB's order
    assert sorted(c.lower() for c in frame.columns) == sorted(c.lower() for c in all_columns), f"{mart}: columns differ"
    spark_rows = [tuple(_normalise(v) for v in r) for r in frame.select(*duck_columns).collect()]
    if inferencex_columns:
        # ix_interpolation_method is a constant label, not a reading of the InferenceX models
        read_columns = [c for c in inferencex_columns if c != "ix_interpolation_method"]
        non_null = [c for c in read_columns if frame.filter(frame[c].isNotNull()).count()]
        # inferencex_configs is a coalesced count: 0, not null, where nothing was read
        non_null = [c for c in non_null if not (c == "inferencex_configs"
                                                and not frame.filter(frame[c] != 0).count())]
        assert not non_null, f"{mart}: Spark cannot build the InferenceX models, yet {non_null} hold values"
    assert len(spark_rows) == len(duck_rows), f"{mart}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB"
    assert duck_rows, f"{mart} is empty on the sample: the comparison would prove nothing"
    duck_sorted, spark_sorted = sorted(duck_rows, key=_sort_key), sorted(spark_rows, key=_sort_key)
    for i, (d, s) in enumerate(zip(duck_sorted, spark_sorted)):
        diffs = [(col, dv, sv) for col, dv, sv in zip(duck_columns, d, s) if not _same(dv, sv)]
        assert not diffs, f"{mart} row {i}: (column, duckdb, spark) {diffs[:5]}"

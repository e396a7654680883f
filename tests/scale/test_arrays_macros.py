"""macros/cross_db/arrays.sql: the DuckDB implementations give the expected values through real dbt, and
the spark__ implementations compile to SQL that a local Spark 4 runs to the same values (skipped when no
pyspark or Java is missing: the test extra installs pyspark; $SEMIBENCH_SPARK_PYTHON picks another Python)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from semibench.spark_env import spark_unavailable_reason
from tests.scale.helpers import Warehouse

SPARK_PYTHON = Path(os.environ.get("SEMIBENCH_SPARK_PYTHON", sys.executable))
_SPARK_MISSING = None if "SEMIBENCH_SPARK_PYTHON" in os.environ else spark_unavailable_reason()

# a request whose chunks arrived 100, 250 and 700 ns after its send, with recorded ITLs 0.00015, 0.00045 ms
TEMPLATE = """
with src as (
    select {bigints} as arr, {empty} as empty_arr, {doubles} as itls, cast(1767225600123456789 as bigint) as ns
),
r as (
    select
        arr,
        {{{{ semibench.{p}array_successive_gaps('arr', 'bigint') }}}} as gaps,
        {{{{ semibench.{p}array_prepend_null('itls', 'double') }}}} as itls_led,
        {{{{ semibench.{p}array_length('arr') }}}} as n,
        {{{{ semibench.{p}array_length('empty_arr') }}}} as n_empty,
        {{{{ semibench.{p}array_length(semibench.{p}array_successive_gaps('empty_arr', 'bigint')) }}}} as n_empty_gaps,
        {{{{ semibench.{p}array_element('arr', 3) }}}} as third,
        {{{{ semibench.{p}array_element('arr', 4) }}}} as past_end,
        {{{{ semibench.{p}array_element('empty_arr', 0) }}}} as at_zero,
        {{{{ semibench.{p}integer_divide('ns', 1000) }}}} as micros,
        cast({{{{ semibench.{p}timestamp_from_epoch_ns('ns') }}}} as string) as ts
    from src
),
exploded as (
    select n, n_empty, n_empty_gaps, third, past_end, at_zero, micros, ts,
           {{{{ semibench.{p}zip_unnest('i', [['arr', 'offset_ns'], ['gaps', 'gap_ns'], ['itls_led', 'itl_ms']]) }}}}
    from r
)
select * from exploded
union all
-- an empty array unnests to no row
select 0, 0, 0, null, null, null, null, null,
       {{{{ semibench.{p}zip_unnest('i', [['empty_arr', 'offset_ns'], ['empty_arr', 'gap_ns'], ['empty_arr', 'itl_ms']]) }}}}
from src
"""
COLUMNS = ["n", "n_empty", "n_empty_gaps", "third", "past_end", "at_zero", "micros", "ts", "i", "offset_ns", "gap_ns", "itl_ms"]
HEAD = [3, 0, 0, 700, None, None, 1767225600123456, "2026-01-01 00:00:00.123456"]
EXPECTED = [HEAD + [0, 100, None, None], HEAD + [1, 250, 150, 0.00015], HEAD + [2, 700, 450, 0.00045]]

DUCKDB_SQL = TEMPLATE.format(p="", bigints="cast([100, 250, 700] as bigint[])", empty="cast([] as bigint[])",
                             doubles="[0.00015, 0.00045]::double[]").replace("as string)", "as varchar)")
SPARK_SQL = TEMPLATE.format(p="spark__", bigints="array(100L, 250L, 700L)", empty="cast(array() as array<bigint>)",
                            doubles="array(0.00015D, 0.00045D)")


def _json_lines(output: str, key: str):
    for line in output.splitlines():
        if line.startswith("{") and f'"{key}"' in line:
            yield json.loads(line)["data"][key]


def test_duckdb_implementations(tmp_path):
    w = Warehouse(tmp_path)
    b = w.dbt("show", "--inline", DUCKDB_SQL, "--output", "json", "--log-format", "json", "--limit", "10")
    assert b.ok, b.output
    rows = json.loads(next(_json_lines(b.output, "preview")))
    got = sorted(([r[c] for c in COLUMNS] for r in rows), key=lambda r: r[8])
    assert got == EXPECTED


@pytest.mark.skipif(_SPARK_MISSING is not None, reason=f"Spark unavailable: {_SPARK_MISSING}")
def test_spark_implementations_run_on_spark(tmp_path):
    w = Warehouse(tmp_path)
    b = w.dbt("compile", "--inline", SPARK_SQL, "--output", "json", "--log-format", "json")
    assert b.ok, b.output
    compiled = next(_json_lines(b.output, "compiled"))
    script = tmp_path / "run_spark.py"
    script.write_text(
        "import json, sys\n"
        "from pyspark.sql import SparkSession\n"
        "spark = (SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false')\n"
        "         .config('spark.sql.session.timeZone', 'UTC').getOrCreate())\n"
        "spark.sparkContext.setLogLevel('ERROR')\n"
        "rows = spark.sql(open(sys.argv[1]).read()).collect()\n"
        "print('ROWS=' + json.dumps([r.asDict() for r in rows]))\n")
    (tmp_path / "q.sql").write_text(compiled)
    proc = subprocess.run([str(SPARK_PYTHON), str(script), str(tmp_path / "q.sql")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + "\n" + compiled
    rows = json.loads(next(l for l in proc.stdout.splitlines() if l.startswith("ROWS="))[5:])
    got = sorted(([r[c] for c in COLUMNS] for r in rows), key=lambda r: r[8])
    assert got == EXPECTED, compiled

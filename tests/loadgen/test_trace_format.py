"""The trace schema: stable types on every line, readable by DuckDB with the declared
columns, Parquet export, and TRACE_FORMAT.md documenting exactly these fields."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from loadgen import run_loadtest
from loadgen.records import END_FIELDS, REQUEST_FIELD_NAMES, REQUEST_FIELDS, RUN_FIELDS
from loadgen.sim.latency import LatencyModel
from loadgen.trace import read_trace

DOC = Path(__file__).resolve().parents[2] / "loadgen" / "TRACE_FORMAT.md"

PY_TYPES = {"VARCHAR": str, "BIGINT": int, "DOUBLE": float, "BOOLEAN": bool}


def conforms(value, t: str) -> bool:
    if value is None:
        return True
    if t.endswith("[]"):
        return isinstance(value, list) and all(conforms(v, t[:-2]) for v in value)
    if t == "JSON":
        return True
    if t == "BIGINT":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "DOUBLE":
        return isinstance(value, float)
    return isinstance(value, PY_TYPES[t])


@pytest.fixture(scope="module")
def mixed_trace(tmp_path_factory):
    """A run with successes and several error classes, so nullable fields vary."""
    from loadgen.config import LoadTestConfig
    from loadgen.sim.run import SimHandle

    h = SimHandle(LatencyModel(ttft_ms=2, tpot_ms=1, error_rate=0.2, rate_limit_rate=0.1,
                               disconnect_rate=0.1, seed=4))
    try:
        out = tmp_path_factory.mktemp("mixed")
        res = run_loadtest(LoadTestConfig(base_url=h.base_url, model="m", osl=6, num_prompts=40,
                                          max_concurrency=4, warmup=2, out_dir=str(out),
                                          progress=False, api_key_env=None, parquet=True,
                                          num_gpus=8, request_rate=400.0))
    finally:
        h.close()
    return res


def test_every_line_has_stable_types(mixed_trace):
    header, recs, end = read_trace(mixed_trace.trace_path)
    classes = {r["error_class"] for r in recs}
    assert None in classes and len(classes) >= 3          # the fixture really is mixed
    for r in recs:
        assert list(r) == REQUEST_FIELD_NAMES               # same keys, same order
        for name, t in REQUEST_FIELDS:
            assert conforms(r[name], t), (name, r[name])
        assert r["run_id"] == header["run_id"]
    for name, t in RUN_FIELDS:
        assert name in header and conforms(header[name], t), name
    assert set(header) == {n for n, _ in RUN_FIELDS}
    assert set(end) == {n for n, _ in END_FIELDS}
    for name, t in END_FIELDS:
        assert conforms(end[name], t), name
    assert (header["num_gpus"], header["isl"], header["osl"], header["dataset"]) == (8, 1024, 6, "random")


def _columns(fields) -> str:
    return "{" + ", ".join(f"'{n}': '{t}'" for n, t in fields) + "}"


def test_duckdb_reads_the_trace_with_declared_columns(mixed_trace):
    path = str(mixed_trace.trace_path)
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT count(*), count(DISTINCT run_id), sum(num_chunks), "
        f"sum(len(chunk_ns)), count(*) FILTER (WHERE success), "
        f"max(list_max(chunk_ns)), avg(ttft_ms) "
        f"FROM read_json(?, format='newline_delimited', columns={_columns(REQUEST_FIELDS)}) "
        f"WHERE type = 'request'", [path]).fetchone()
    _, recs, _ = read_trace(mixed_trace.trace_path)
    assert rows[0] == len(recs) == 42 and rows[1] == 1
    assert rows[2] == rows[3] == sum(r["num_chunks"] for r in recs)
    assert rows[4] == sum(r["success"] for r in recs)
    hdr = con.execute(
        f"SELECT run_id, model, isl, osl, num_gpus, shards->>'$[0].name' "
        f"FROM read_json(?, format='newline_delimited', columns={_columns(RUN_FIELDS)}) "
        f"WHERE type = 'run'", [path]).fetchone()
    assert hdr[1:] == ("m", 1024, 6, 8, "default")
    end = con.execute(
        f"SELECT status, requests_written FROM read_json(?, format='newline_delimited', "
        f"columns={_columns(END_FIELDS)}) WHERE type = 'end'", [path]).fetchone()
    assert end == ("completed", 42)


def test_parquet_export_is_typed_and_complete(mixed_trace):
    import json

    import pyarrow.parquet as pq

    t = pq.read_table(mixed_trace.parquet_path)
    assert t.num_rows == 42 and t.column_names == REQUEST_FIELD_NAMES
    assert str(t.schema.field("chunk_ns").type) == "list<element: int64>"
    assert str(t.schema.field("ttft_ms").type) == "double"
    meta = json.loads(t.schema.metadata[b"loadgen.run"])
    assert meta["run_id"] == mixed_trace.run_id


def _doc_table(section: str) -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(section)
    body = text[start:].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| ([A-Z\[\]]+) \|", body, flags=re.M)
    return rows


@pytest.mark.parametrize("section, fields", [
    ("## Request line", REQUEST_FIELDS),
    ("## Run header", RUN_FIELDS),
    ("## End line", END_FIELDS),
])
def test_trace_format_doc_lists_exactly_the_fields(section, fields):
    assert _doc_table(section) == fields

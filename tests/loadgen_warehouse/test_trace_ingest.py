"""`semibench ingest traces`: idempotence, grown traces, killed traces, and bad input (fresh warehouses)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.errors import IngestError
from ingest.loadgen_traces import ingest_traces
from tests.loadgen_warehouse import synthetic
from tests.loadgen_warehouse.conftest import run_cli


def counts(db: Path) -> tuple[int, int]:
    """(runs, usable request rows); quarantined lines are counted by quarantined()."""
    if not db.exists():  # rejected before the warehouse was even opened
        return (0, 0)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (con.execute("select count(*) from raw.loadgen_runs").fetchone()[0],
                con.execute("select count(*) from raw.loadgen_requests where quarantine_reasons is null").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def trace(tmp_path) -> Path:
    return synthetic.write_placement_run(tmp_path / "runs" / "r1")


def write_lines(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def test_reingest_adds_nothing(trace, tmp_path):
    db = tmp_path / "wh.duckdb"
    first = ingest_traces([trace.parent.parent], db)
    assert [r.action for r in first.runs] == ["new"] and counts(db) == (1, synthetic.N)
    again = ingest_traces([trace, trace.parent], db)  # same file twice, by path and by directory
    assert [r.action for r in again.runs] == ["unchanged"] and counts(db) == (1, synthetic.N)


def test_grown_trace_replaces_the_run_atomically(trace, tmp_path):
    db = tmp_path / "wh.duckdb"
    full = trace.read_text(encoding="utf-8")
    lines = full.split("\n")
    live = tmp_path / "live" / "trace.jsonl"
    # an early ingest of a live run: 11 request lines flushed, no end line, a batch half-written
    write_lines(live, lines[:12], end="\n" + lines[12][:25])
    early = ingest_traces([live], db)
    assert early.runs[0].action == "new" and early.runs[0].status is None
    assert counts(db) == (1, 11) and early.records_quarantined == 1  # the half-written line
    live.write_text(full, encoding="utf-8")  # the run went on and finished
    later = ingest_traces([live], db)
    assert later.runs[0].action == "replaced" and later.runs[0].status == "completed"
    assert counts(db) == (1, synthetic.N)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select torn_last_line, end_status from raw.loadgen_runs").fetchall() == [(False, "completed")]
        assert con.execute("select count(distinct request_id) from raw.loadgen_requests").fetchone()[0] == synthetic.N
        assert con.execute("select count(*) from raw.loadgen_requests where quarantine_reasons is not null"
                           ).fetchone()[0] == 0  # the replaced version's quarantined line went with it
    finally:
        con.close()


def test_same_run_id_with_other_content_is_a_conflict_and_lands_nothing(trace, tmp_path):
    db = tmp_path / "wh.duckdb"
    ingest_traces([trace], db)
    other = tmp_path / "other" / "trace.jsonl"
    lines = trace.read_text().split("\n")
    req = json.loads(lines[1])
    req["ttft_ms"] = 1.0
    write_lines(other, [lines[0], json.dumps(req), *lines[2:-1]])
    fresh = synthetic.write_placement_run(tmp_path / "fresh")  # fine on its own ...
    fresh_renamed = fresh.read_text().replace(synthetic.RUN_ID, "another-run")
    fresh.write_text(fresh_renamed)
    with pytest.raises(IngestError, match="already landed from .* with different content"):
        ingest_traces([fresh, other], db)  # ... but the batch fails as a whole
    assert counts(db) == (1, synthetic.N)


@pytest.mark.parametrize("case", ["missing_header", "empty", "not_utf8", "zero_gpus"])
def test_file_that_is_not_a_trace_fails_the_batch_naming_it(case, trace, tmp_path):
    lines = trace.read_text().split("\n")[:-1]
    bad = tmp_path / "bad" / "trace.jsonl"
    if case == "missing_header":
        write_lines(bad, lines[1:])
        expect = ":1: missing run header"
    elif case == "empty":
        write_lines(bad, [], end="")
        expect = ": empty file"
    elif case == "not_utf8":
        bad.parent.mkdir(parents=True)
        bad.write_bytes(lines[0].encode() + b"\n" + lines[1].encode().replace(b"synthetic", b"synth\xffetic") + b"\n")
        expect = ": not UTF-8 text"
    else:
        header = json.loads(lines[0])
        header["num_gpus"] = 0
        write_lines(bad, [json.dumps(header), *lines[1:]])
        expect = ":1: run header: field 'num_gpus' is 0"
    good = synthetic.write_placement_run(tmp_path / "good")
    good.write_text(good.read_text().replace(synthetic.RUN_ID, "good-run"))
    db = tmp_path / "wh.duckdb"
    with pytest.raises(IngestError) as exc:
        ingest_traces([good, bad], db)
    message = str(exc.value)
    assert message.startswith(f"{bad.resolve()}{expect}"), message
    assert "\n" not in message
    assert counts(db) == (0, 0)  # the good trace of the same batch did not land either


def test_half_written_last_line_is_quarantined_and_the_rest_lands_like_read_trace(trace, tmp_path):
    from loadgen.trace import read_trace

    lines = trace.read_text().split("\n")
    killed = write_lines(tmp_path / "k" / "trace.jsonl", lines[:21], end="\n" + lines[21][:30])
    header, records, end = read_trace(killed)
    db = tmp_path / "wh.duckdb"
    batch = ingest_traces([killed], db)
    assert end is None and batch.runs[0].status is None
    assert counts(db) == (1, len(records)) and len(records) == 20
    assert batch.records_quarantined == 1
    assert batch.quarantined[0].startswith(f"{killed.resolve()}:22: not valid JSON")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select line_no, record, request_id, torn_last_line from raw.loadgen_requests "
                           "join raw.loadgen_runs using (run_id) where quarantine_reasons is not null"
                           ).fetchall() == [(22, lines[21][:30], None, True)]
    finally:
        con.close()


def test_summary_that_appears_later_is_added(trace, tmp_path):
    db = tmp_path / "wh.duckdb"
    ingest_traces([trace], db)
    (trace.parent / "summary.json").write_text(json.dumps({"run_id": synthetic.RUN_ID, "completed": synthetic.N}))
    batch = ingest_traces([trace], db)
    assert batch.runs[0].action == "summary_updated" and counts(db) == (1, synthetic.N)
    (trace.parent / "summary.json").write_text(json.dumps({"run_id": "not-this-run"}))
    with pytest.raises(IngestError, match=r"summary.json:1: field 'run_id' is 'not-this-run'"):
        ingest_traces([trace], db)


def test_no_trace_found_is_an_error(tmp_path):
    with pytest.raises(IngestError, match="no trace.jsonl found"):
        ingest_traces([tmp_path], tmp_path / "wh.duckdb")
    with pytest.raises(IngestError, match="no such file"):
        ingest_traces([tmp_path / "nope"], tmp_path / "wh.duckdb")


def test_raw_ddl_follows_loadgen_records(tmp_path):
    """ingest/loadgen_schema.sql must carry every field of REQUEST_FIELDS / RUN_FIELDS / END_FIELDS with
    the same DuckDB type, so a new trace field cannot be silently dropped."""
    from ingest.land import connect
    from ingest.loadgen_traces import end_column
    from loadgen.records import END_FIELDS, REQUEST_FIELDS, RUN_FIELDS

    con = connect(tmp_path / "wh.duckdb")
    try:
        def columns(table):
            return {n: t for n, t in con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
                "and table_name = ?", [table]).fetchall()}
        runs, requests = columns("loadgen_runs"), columns("loadgen_requests")
    finally:
        con.close()
    for name, duck_type in REQUEST_FIELDS:
        if name != "type":
            assert requests.get(name) == duck_type, name
    for name, duck_type in RUN_FIELDS:
        if name != "type":
            assert runs.get(name) == duck_type, name
    for name, duck_type in END_FIELDS:
        if name not in ("type", "run_id"):
            assert runs.get(end_column(name)) == duck_type, name


def test_semibench_loadgen_no_ingest_leaves_the_warehouse_alone(workspace):
    from loadgen.sim.latency import LatencyModel
    from loadgen.sim.run import serve_sim_in_thread

    with serve_sim_in_thread(LatencyModel(ttft_ms=1, tpot_ms=0.1)) as url:
        proc = run_cli(workspace, "loadgen", "--base-url", url, "--model", "m", "--num-prompts", "5", "--osl", "4",
                       "--api-key-env", "", "--no-progress", "--no-ingest", "--runs-root", str(workspace.root / "runs"))
    assert proc.returncode == 0, proc.stderr
    assert not workspace.warehouse.exists()
    assert len(list((workspace.root / "runs").rglob("trace.jsonl"))) == 1


def test_summary_that_disagrees_is_quarantined_at_ingest_not_failing_the_build(trace, workspace):
    """A summary loadgen's own build_summary makes from the trace lands and passes the dbt check
    loadgen_runs_match_summary; once one figure is off, ingest quarantines the summary (exit 3), so the
    error-level check never sees it and the build passes with a warning."""
    from loadgen.metrics import build_summary
    from loadgen.trace import read_trace

    header, records, end = read_trace(trace)
    summary = build_summary(records, duration_s=end["duration_s"], percentiles=[90.0, 99.0], goodput={},
                            run={"run_id": header["run_id"], "num_gpus": header["num_gpus"]})
    path = trace.parent / "summary.json"
    path.write_text(json.dumps(summary))
    # cautious: only tests whose parents are all built here (the InferenceMAX models are not)
    select = ["--select", "+loadgen_runs_match_summary", "+stg_loadgen__quarantine", "--indirect-selection", "cautious"]
    assert run_cli(workspace, "ingest", "traces", str(trace.parent)).returncode == 0
    ok = run_cli(workspace, "build", "--quiet", *select)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    summary["p99_ttft_ms"] *= 1.001
    path.write_text(json.dumps(summary))
    ingest = run_cli(workspace, "ingest", "traces", str(trace.parent))  # summary updated, quarantined
    assert ingest.returncode == 3, ingest.stdout + ingest.stderr
    assert f"{path.resolve()}: field 'p99_ttft_ms' is {summary['p99_ttft_ms']!r}, but the trace's request lines give" in ingest.stdout
    warned = run_cli(workspace, "build", "--quiet", *select)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    con = duckdb.connect(str(workspace.published), read_only=True)
    try:
        assert con.execute("select record_locator, record_kind from staging.stg_loadgen__quarantine").fetchall() == [
            ("summary", "summary")]
        assert con.execute("select count(*) from staging.stg_loadgen__summaries").fetchone()[0] == 0
    finally:
        con.close()

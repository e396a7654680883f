"""Which data a built warehouse shows, and as of which date: the `data` line of `semibench run`'s summary and
the report header. Real published results are named with their as-of dates; anything synthetic (the serve-sim
loadgen demo, the generated test samples in sample_data/) is listed apart, so the report can say so on top."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from semibench_core import paths

PUBLISHED_NOTE = "published benchmark results"


@dataclass
class DataSources:
    real: list[str] = field(default_factory=list)       # e.g. "InferenceMAX dashboard 2025-10-23 (1,339 points)"
    synthetic: list[str] = field(default_factory=list)  # e.g. "1 loadgen demo run against the serve-sim simulator"

    @property
    def line(self) -> str:
        shown = ", ".join(self.real) + f" — {PUBLISHED_NOTE}" if self.real else "no published benchmark results"
        return shown + (f"; SYNTHETIC: {', '.join(self.synthetic)}" if self.synthetic else "")


@lru_cache(maxsize=None)
def _synthetic_dashboard_hashes(sample: Path) -> frozenset[str]:
    # by content, not by path: a copy of the synthetic sample landed with --from is still synthetic
    return frozenset(hashlib.sha256(f.read_bytes()).hexdigest() for f in sample.glob("*.json"))


def _has(con, schema: str, table: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                       [schema, table]).fetchone()[0] > 0


def describe_sources(con: duckdb.DuckDBPyConnection) -> DataSources:
    """Read from the raw tables and fct_runs of a built (published) warehouse; tables that do not exist
    (an older warehouse) just contribute nothing."""
    out = DataSources()
    _inferencex(con, out)
    _dashboard(con, out)
    _event_logs(con, out)
    if _has(con, "main", "fct_runs"):
        (simulated,) = con.execute("select count(*) from fct_runs where is_simulated").fetchone()
        if simulated:
            out.synthetic.append(f"{simulated} loadgen demo run(s) against the serve-sim simulator "
                                 "(not a real server: shown only to demonstrate the run placement)")
    return out


def describe_sources_of(db: Path) -> DataSources:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return describe_sources(con)
    finally:
        con.close()


def _inferencex(con, out: DataSources) -> None:
    if not (_has(con, "raw", "inferencex_captures") and _has(con, "raw", "inferencex_capture_records")):
        return
    row = con.execute("""
        select c.fetched_at, count(*) filter (where r.record_kind = 'benchmarks'),
               count(*) filter (where r.record_kind = 'benchmarks_history')
        from raw.inferencex_captures c join raw.inferencex_capture_records r using (capture_id)
        group by c.capture_id, c.fetched_at order by c.fetched_at desc limit 1""").fetchone()
    if row:
        fetched_at, results, history = row
        out.real.append(f"InferenceX API capture {fetched_at:%Y-%m-%d} ({results:,} results"
                        + (f", {history:,} history points" if history else "") + ")")


def _dashboard(con, out: DataSources) -> None:
    if not (_has(con, "main", "fct_inferencemax_points") and _has(con, "raw", "inferencemax_files")):
        return
    synthetic = _synthetic_dashboard_hashes(paths.sample_dir())
    files = con.execute("select snapshot_id, sha256 from raw.inferencemax_files").fetchall()
    fake = {s for s, sha in files if sha in synthetic}
    latest = con.execute("""select snapshot_id, max(snapshot_fetched_at), count(*) from fct_inferencemax_points
                            group by 1 order by 2 desc limit 1""").fetchone()
    if latest and latest[0] not in fake:
        out.real.append(f"InferenceMAX dashboard {latest[1]:%Y-%m-%d} ({latest[2]:,} points)")
    if fake:
        shown = " (the one shown)" if latest and latest[0] in fake else ""
        out.synthetic.append(f"{len(fake)} generated InferenceMAX sample snapshot(s){shown} from sample_data/inferencemax "
                             "(test data, not measurements)")


def _event_logs(con, out: DataSources) -> None:
    if _has(con, "raw", "vllm_results"):
        agg_root = str(paths.bundled_dir())
        sample = str(paths.sample_event_dir("vllm_results"))
        runs, records = con.execute(
            "select count(distinct source_file), count(*) from raw.vllm_results "
            "where record_kind = 'inferencemax_agg' and starts_with(source_file, ?)", [agg_root]).fetchone()
        if records:
            from semibench.bundled import AGG_PERIOD

            out.real.append(f"{runs} InferenceMAX run aggregates ({AGG_PERIOD}, {records:,} results)")
        (fake,) = con.execute("select count(*) from raw.vllm_results where starts_with(source_file, ?)",
                              [sample]).fetchone()
        if fake:
            out.synthetic.append(f"{fake} generated vLLM / InferenceMAX result records from sample_data/vllm_results")
    if _has(con, "raw", "eval_events"):
        (fake,) = con.execute("select count(*) from raw.eval_events where starts_with(source_file, ?)",
                              [str(paths.sample_event_dir("eval_events"))]).fetchone()
        if fake:
            out.synthetic.append(f"{fake} generated tool-use evaluation records from sample_data/eval_events")

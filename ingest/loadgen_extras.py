"""What lands beside the traces: a sweep's sweep.json (raw.loadgen_sweeps) and a run's
server_metrics.jsonl (raw.loadgen_server_metrics, from --scrape-metrics).

Both land in the trace batch's transaction. A sweep row is replaced when its file changed; a run's
metrics are replaced with the run. A file that is not what it should be fails the batch with one line
naming the file (and line and field).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.errors import IngestError

SWEEP_NAME = "sweep.json"
METRICS_NAME = "server_metrics.jsonl"


def _num_or_none(doc: dict, key: str, where: str) -> float | None:
    v = doc.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise IngestError(f"{where}: field {key} must be a number or null, got {v!r}; nothing was landed")
    return float(v)


def land_sweep(con: duckdb.DuckDBPyConnection, path: Path, sweep_id: str, batch_id: str,
               loaded_at: datetime, source_label: str | None = None) -> str | None:
    """Land one sweep.json; returns 'new' / 'replaced' / None (unchanged). source_label: the path to record
    (a replay reads the archived copy but records where the file was first read from)."""
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"{path}: sweep.json is not JSON ({exc}); nothing was landed") from None
    if not isinstance(doc, dict) or doc.get("sweep_id") != sweep_id:
        raise IngestError(f"{path}: field sweep_id must be {sweep_id!r} (the steps' sweep), "
                          f"got {doc.get('sweep_id') if isinstance(doc, dict) else doc!r}; nothing was landed")
    if not isinstance(doc.get("steps"), list):
        raise IngestError(f"{path}: field steps must be a list; nothing was landed")
    old = con.execute("select source_sha256 from raw.loadgen_sweeps where sweep_id = ?", [sweep_id]).fetchall()
    if old and old[0][0] == sha:
        return None
    con.execute("delete from raw.loadgen_sweeps where sweep_id = ?", [sweep_id])
    con.execute("insert into raw.loadgen_sweeps values (?, ?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?)",
                [sweep_id, str(doc.get("kind") or "sweep"), doc.get("param"), _num_or_none(doc, "knee", str(path)),
                 _num_or_none(doc, "first_failing", str(path)), doc.get("note"), raw.decode("utf-8"),
                 source_label or str(path.resolve()), sha, batch_id, loaded_at])
    return "replaced" if old else "new"


def read_server_metrics(path: Path, run_id: str) -> list[tuple]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                if not line.endswith("\n"):
                    break  # a killed run's half-written last line
                raise IngestError(f"{path}:{no}: not JSON; nothing was landed") from None
            if not isinstance(d, dict) or d.get("run_id") != run_id:
                raise IngestError(f"{path}:{no}: field run_id must be {run_id!r}; nothing was landed")
            for key, kinds in (("offset_ns", int), ("unix_ns", int), ("metric", str), ("value", (int, float))):
                if isinstance(d.get(key), bool) or not isinstance(d.get(key), kinds):
                    raise IngestError(f"{path}:{no}: field {key} is missing or of the wrong type; nothing was landed")
            rows.append((run_id, d["offset_ns"], d["unix_ns"], d["metric"], float(d["value"])))
    return rows


def server_metrics_file(trace_path: Path) -> Path | None:
    """The run's server_metrics.jsonl (written beside its trace by --scrape-metrics), if there is one."""
    path = trace_path.parent / METRICS_NAME
    return path if path.is_file() else None


def land_run_extras(con: duckdb.DuckDBPyConnection, metrics_path: Path | None, run_id: str, loaded_at: datetime) -> int:
    """The run's server_metrics.jsonl (None: it has none) with a (new or replaced) trace; returns rows landed."""
    con.execute("delete from raw.loadgen_server_metrics where run_id = ?", [run_id])
    if metrics_path is None or not metrics_path.is_file():
        return 0
    rows = read_server_metrics(metrics_path, run_id)
    if rows:
        con.executemany("insert into raw.loadgen_server_metrics values (?, ?, ?, ?, ?, ?)",
                        [r + (loaded_at,) for r in rows])
    return len(rows)


def sweep_files(traces) -> dict[str, Path]:
    """sweep_id -> sweep.json of every sweep a trace of the batch is a step of (the step directories
    sit in the sweep directory)."""
    out: dict[str, Path] = {}
    for tf in traces:
        sid = tf.header.get("sweep_id")
        if sid and sid not in out:
            p = tf.path.parent.parent / SWEEP_NAME
            if p.is_file():
                out[sid] = p
    return out

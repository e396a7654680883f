"""Land loadgen runs (trace.jsonl + summary.json) in raw.loadgen_runs / raw.loadgen_requests.

Request lines go straight from the file into DuckDB with `read_json(columns=...)` typed by
loadgen.records, so a 100 MB trace never passes through a Python row loop. Python reads only the header
line, the last line (to skip a killed writer's torn line, as loadgen.trace.read_trace does) and the bytes
for the sha256. Error paths re-scan the file in Python to name the exact file:line:field at fault.

Policy: a batch lands in one transaction, all or nothing. A run already landed with the same trace and
summary is skipped; a trace that grew since it was landed (a live or killed run ingested early) replaces
that run's rows; any other trace reusing a landed run_id is a conflict and fails the batch.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ingest import archive, batch_archive
from ingest.batch_archive import Replay
from ingest.errors import IngestError
from ingest.land import connect
from loadgen.records import END_FIELDS, REQUEST_FIELDS, RUN_FIELDS

TRACE_NAME = "trace.jsonl"
SUMMARY_NAME = "summary.json"
_END_ONLY = [(f, t) for f, t in END_FIELDS if f not in dict(REQUEST_FIELDS)]
# every line type read with one column list: request columns plus the end line's own fields
_LINE_COLUMNS = REQUEST_FIELDS + _END_ONLY
_REQUEST_COLUMNS = [f for f, _ in REQUEST_FIELDS if f != "type"]
_HEADER_COLUMNS = [(f, t) for f, t in RUN_FIELDS if f not in ("type", "run_id")]
_END_COLUMNS = [(f, t) for f, t in END_FIELDS if f not in ("type", "run_id")]


def end_column(field: str) -> str:
    """raw.loadgen_runs column of an end-line field: `end_` prefix (status -> end_status), unless the
    field already has it (end_time)."""
    return field if field.startswith("end_") else f"end_{field}"


@dataclass
class TraceFile:
    path: Path
    header: dict
    sha256: str
    size: int
    land_bytes: int          # bytes DuckDB reads: the whole file, or up to a torn last line
    torn_last_line: bool
    summary_path: Path | None = None
    summary_text: str | None = None
    summary_sha256: str | None = None
    # the paths recorded in raw.loadgen_runs (the original ones when replaying from the archive)
    trace_label: str | None = None
    summary_label: str | None = None

    @property
    def trace_file(self) -> str:
        return self.trace_label or str(self.path)

    @property
    def summary_file(self) -> str | None:
        return self.summary_label or (str(self.summary_path) if self.summary_path else None)

    @property
    def run_id(self) -> str:
        return self.header["run_id"]


@dataclass
class RunOutcome:
    run_id: str
    trace: Path
    action: str              # new | replaced | summary_updated | unchanged
    status: str | None = None  # end line status; None = no end line (killed or still running)
    requests: int = 0


@dataclass
class TraceBatchSummary:
    batch_id: str
    warehouse: Path
    runs: list[RunOutcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.runs if r.action == action)

    @property
    def requests_landed(self) -> int:
        return sum(r.requests for r in self.runs if r.action in ("new", "replaced"))

    @property
    def run_ids(self) -> list[str]:
        return [r.run_id for r in self.runs]


# --------------------------------------------------------------------------- discovery


def discover_traces(paths: list[Path]) -> list[Path]:
    """trace.jsonl files: given explicitly (any *.jsonl name), or found recursively under directories
    (run dirs, a runs root, a sweep dir). Sorted and de-duplicated."""
    found: set[Path] = set()
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise IngestError(f"{p}: no such file or directory")
        if p.is_dir():
            found.update(f.resolve() for f in p.rglob(TRACE_NAME) if f.is_file())
        else:
            found.add(p.resolve())
    if not found:
        raise IngestError(f"no {TRACE_NAME} found under {', '.join(map(str, paths))}")
    return sorted(found)


# --------------------------------------------------------------------------- reading one trace


def _sha256(path: Path, limit: int | None = None) -> str:
    h = hashlib.sha256()
    remaining = limit
    with path.open("rb") as f:
        while remaining is None or remaining > 0:
            chunk = f.read(1 << 20 if remaining is None else min(1 << 20, remaining))
            if not chunk:
                break
            h.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return h.hexdigest()


def _last_line_start(path: Path, size: int) -> int:
    """Byte offset where the last non-empty line starts (reads backwards, a block at a time)."""
    with path.open("rb") as f:
        end = size
        # skip trailing newlines: the last line is the last non-empty one
        while end > 0:
            f.seek(end - 1)
            if f.read(1) != b"\n":
                break
            end -= 1
        pos = end
        while pos > 0:
            step = min(1 << 16, pos)
            f.seek(pos - step)
            block = f.read(step)
            nl = block.rfind(b"\n")
            if nl >= 0:
                return pos - step + nl + 1
            pos -= step
        return 0


def read_trace_file(path: Path, summary: Path | None = None) -> TraceFile:
    """Header, torn-line check, sha256 and the summary.json beside it (or `summary`, given explicitly).
    Raises IngestError (file:line)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        first = f.readline()
    try:
        header = json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("type") != "run":
        raise IngestError(f"{path}:1: missing run header: the first line must be a {{\"type\":\"run\"}} object")
    for name in ("run_id", "start_unix_ns", "model"):
        if header.get(name) in (None, ""):
            raise IngestError(f"{path}:1: run header: field {name!r} is missing")
    if not isinstance(header["run_id"], str):
        raise IngestError(f"{path}:1: run header: field 'run_id' must be a string")

    land_bytes, torn = size, False
    start = _last_line_start(path, size)
    if start > 0:  # the header is never the torn line: it was checked above
        with path.open("rb") as f:
            f.seek(start)
            last = f.read()
        try:
            json.loads(last)
        except (json.JSONDecodeError, UnicodeDecodeError):
            land_bytes, torn = start, True  # torn final line of a killed process: skipped

    tf = TraceFile(path=path, header=header, sha256=_sha256(path), size=size, land_bytes=land_bytes,
                   torn_last_line=torn)
    explicit = summary is not None
    summary = summary if explicit else path.parent / SUMMARY_NAME
    if (explicit or path.name == TRACE_NAME) and summary.is_file():
        text = summary.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"{summary}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        if not isinstance(doc, dict):
            raise IngestError(f"{summary}:1: a summary must be a JSON object")
        if doc.get("run_id") not in (None, tf.run_id):
            raise IngestError(f"{summary}:1: field 'run_id' is {doc.get('run_id')!r}, but the trace beside it "
                              f"is run {tf.run_id!r}")
        tf.summary_path, tf.summary_text = summary.resolve(), text
        tf.summary_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return tf


_PY_TYPES = {"VARCHAR": (str,), "BIGINT": (int,), "DOUBLE": (int, float), "BOOLEAN": (bool,), "JSON": (object,)}


def _type_ok(value, duck_type: str) -> bool:
    if value is None:
        return True
    if duck_type.endswith("[]"):
        return isinstance(value, list) and all(_type_ok(v, duck_type[:-2]) for v in value)
    if duck_type in ("BIGINT", "DOUBLE") and isinstance(value, bool):
        return False
    return isinstance(value, _PY_TYPES[duck_type])


def locate_problem(tf: TraceFile) -> str | None:
    """The first bad line of a trace as `file:line: reason`, by a full Python scan. Only called when
    DuckDB rejected the file or a check failed, so the happy path never pays for it."""
    types = {"request": dict(REQUEST_FIELDS), "end": dict(END_FIELDS)}
    with tf.path.open("rb") as f:
        data = f.read(tf.land_bytes)
    for no, raw in enumerate(data.split(b"\n"), start=1):
        if no == 1 or not raw.strip():
            continue
        where = f"{tf.path}:{no}"
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return f"{where}: not valid JSON ({getattr(exc, 'msg', 'bad UTF-8')}); only a killed run's last line may be torn"
        if not isinstance(obj, dict):
            return f"{where}: a trace line must be a JSON object"
        kind = obj.get("type")
        if kind == "run":
            return f"{where}: a second run header (the header must be line 1 only)"
        if kind not in types:
            return f"{where}: field 'type' is {kind!r}; expected 'request' or 'end'"
        if obj.get("run_id") != tf.run_id:
            return f"{where}: field 'run_id' is {obj.get('run_id')!r}, but the header says {tf.run_id!r}"
        for name, duck_type in types[kind].items():
            if not _type_ok(obj.get(name), duck_type):
                return f"{where}: field {name!r} = {json.dumps(obj.get(name))[:60]} is not {duck_type}"
        if kind == "request" and not obj.get("request_id"):
            return f"{where}: field 'request_id' is missing"
    return None


def _columns_sql(columns: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"'{name}': '{duck_type}'" for name, duck_type in columns) + "}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- landing


def _stage_lines(con: duckdb.DuckDBPyConnection, tf: TraceFile, scratch: Path) -> None:
    """Every line of the trace into temp table _lg_lines (one DuckDB scan), or IngestError naming the line."""
    source = tf.path
    if tf.torn_last_line:
        # DuckDB reads whole files; give it a copy without the torn tail (killed runs only, so rare)
        source = scratch / f"{uuid.uuid4().hex}.jsonl"
        with tf.path.open("rb") as src, source.open("wb") as dst:
            shutil.copyfileobj(_Limited(src, tf.land_bytes), dst)
    sql = (f"create or replace temp table _lg_lines as select * from read_json(?, format='newline_delimited', "
           f"columns={_columns_sql(_LINE_COLUMNS)})")
    try:
        con.execute(sql, [str(source)])
    except duckdb.Error as exc:
        raise IngestError(locate_problem(tf) or f"{tf.path}: cannot read trace: {_one_line(exc)}") from None
    # Checks in SQL over the staged lines. Blank lines come back as all-null rows (fine), but so would an
    # object without a `type`; when untyped rows exist the Python scan tells the two apart.
    checks = con.execute(
        """select
               count(*) filter (where type = 'run'),
               count(*) filter (where type not in ('run', 'request', 'end')),
               count(*) filter (where type in ('request', 'end') and run_id is distinct from ?),
               count(*) filter (where type = 'request' and (request_id is null or request_id = '')),
               count(*) filter (where type = 'end'),
               count(*) filter (where type is null)
           from _lg_lines""", [tf.run_id]).fetchone()
    n_run, n_unknown, n_foreign, n_no_id, n_end, n_untyped = checks
    if n_run != 1 or n_unknown or n_foreign or n_no_id or n_end > 1:
        raise IngestError(locate_problem(tf) or f"{tf.path}: inconsistent trace (run headers {n_run}, "
                                                f"unknown types {n_unknown}, foreign run_ids {n_foreign}, "
                                                f"end lines {n_end})")
    if n_untyped:
        problem = locate_problem(tf)
        if problem:
            raise IngestError(problem)


class _Limited:
    """File wrapper that stops after `limit` bytes (for copying a trace without its torn tail)."""

    def __init__(self, f, limit: int):
        self.f, self.left = f, limit

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.f.read(n)
        self.left -= len(data)
        return data


def _landed(con: duckdb.DuckDBPyConnection, run_id: str):
    return con.execute("select trace_sha256, trace_bytes, summary_sha256, trace_file from raw.loadgen_runs "
                       "where run_id = ?", [run_id]).fetchone()


def _decide(con: duckdb.DuckDBPyConnection, tf: TraceFile) -> str:
    """new | replaced | summary_updated | unchanged, or IngestError for a conflicting trace."""
    landed = _landed(con, tf.run_id)
    if landed is None:
        return "new"
    sha, nbytes, summary_sha, landed_file = landed
    if sha == tf.sha256:
        if summary_sha == tf.summary_sha256 or tf.summary_sha256 is None:
            return "unchanged"
        return "summary_updated"
    if tf.size > nbytes and _sha256(tf.path, nbytes) == sha:
        return "replaced"  # the landed trace is a prefix of this one: the run went on writing since
    raise IngestError(
        f"{tf.path}: run {tf.run_id} was already landed from {landed_file} with different content "
        f"(not an earlier, shorter state of this trace); nothing was landed")


def _insert_run(con: duckdb.DuckDBPyConnection, tf: TraceFile, batch_id: str, loaded_at: datetime,
                requests: int) -> None:
    header_values = [json.dumps(tf.header.get(n)) if t == "JSON" else tf.header.get(n)
                     for n, t in _HEADER_COLUMNS]
    header_exprs = [f"?::{t}" for _, t in _HEADER_COLUMNS]
    end_exprs = [f"(select {n} from _lg_lines where type = 'end')" for n, _ in _END_COLUMNS]
    columns = (["run_id"] + [n for n, _ in _HEADER_COLUMNS] + [end_column(n) for n, _ in _END_COLUMNS]
               + ["summary", "summary_file", "summary_sha256", "trace_file", "trace_sha256", "trace_bytes",
                  "torn_last_line", "requests_landed", "batch_id", "loaded_at"])
    exprs = (["?"] + header_exprs + end_exprs + ["?::json", "?", "?", "?", "?", "?", "?", "?", "?", "?"])
    params = ([tf.run_id] + header_values
              + [tf.summary_text, tf.summary_file, tf.summary_sha256,
                 tf.trace_file, tf.sha256, tf.size, tf.torn_last_line, requests, batch_id, loaded_at])
    try:
        con.execute(f"insert into raw.loadgen_runs ({', '.join(columns)}) select {', '.join(exprs)}", params)
    except duckdb.ConversionException as exc:
        raise IngestError(f"{tf.path}:1: run header: {_one_line(exc)}") from None


def _land_one(con: duckdb.DuckDBPyConnection, tf: TraceFile, action: str, batch_id: str,
              loaded_at: datetime, scratch: Path) -> RunOutcome:
    if action == "summary_updated":
        con.execute("update raw.loadgen_runs set summary = ?::json, summary_file = ?, summary_sha256 = ? "
                    "where run_id = ?", [tf.summary_text, str(tf.summary_path), tf.summary_sha256, tf.run_id])
        status, n = con.execute("select end_status, requests_landed from raw.loadgen_runs where run_id = ?",
                                [tf.run_id]).fetchone()
        return RunOutcome(tf.run_id, tf.path, action, status, n)
    _stage_lines(con, tf, scratch)
    if action == "replaced":
        con.execute("delete from raw.loadgen_requests where run_id = ?", [tf.run_id])
        con.execute("delete from raw.loadgen_runs where run_id = ?", [tf.run_id])
    cols = ", ".join(_REQUEST_COLUMNS)
    con.execute(f"insert into raw.loadgen_requests ({cols}, loaded_at) "
                f"select {cols}, ? from _lg_lines where type = 'request'", [loaded_at])
    (n,) = con.execute("select count(*) from _lg_lines where type = 'request'").fetchone()
    _insert_run(con, tf, batch_id, loaded_at, n)
    (status,) = con.execute("select end_status from raw.loadgen_runs where run_id = ?", [tf.run_id]).fetchone()
    return RunOutcome(tf.run_id, tf.path, action, status, n)


def _dedupe(traces: list[TraceFile]) -> list[TraceFile]:
    """One trace per run_id within a batch: identical copies collapse; of an earlier and a later state of
    the same trace the later wins; anything else is a conflict."""
    by_run: dict[str, TraceFile] = {}
    for tf in traces:
        other = by_run.get(tf.run_id)
        if other is None:
            by_run[tf.run_id] = tf
            continue
        small, big = sorted((other, tf), key=lambda t: t.size)
        if small.sha256 == big.sha256:
            by_run[tf.run_id] = small if small.summary_text else big
        elif _sha256(big.path, small.size) == small.sha256:
            by_run[tf.run_id] = big
        else:
            raise IngestError(f"{tf.path}: run {tf.run_id} also comes from {other.path} with different content; "
                              "nothing was landed")
    return list(by_run.values())


def ingest_traces(paths: list[Path], warehouse: Path, *, archive_root: Path | None = None,
                  replay: Replay | None = None) -> TraceBatchSummary:
    """Land every trace under `paths` in one transaction, archiving each run's trace and summary under
    archive_root (default: the configured archive) before it commits. Raises IngestError (nothing landed).
    replay: land a logged batch again (semibench rebuild), nothing archived or logged."""
    if not paths:
        raise IngestError("no input paths given")
    if replay is None:
        loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC, like the other raw tables
        batch_id = f"lgb-{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        if archive_root is None:
            from semibench import paths as semibench_paths
            archive_root = semibench_paths.archive_dir()
        traces = _dedupe([read_trace_file(p) for p in discover_traces(paths)])
    else:
        loaded_at, batch_id = replay.loaded_at, replay.batch_id
        traces = []
        for p in discover_traces(paths):
            summary = replay.summaries.get(str(p))
            tf = read_trace_file(p, Path(summary) if summary else None)
            tf.trace_label = replay.origin.get(str(tf.path))
            tf.summary_label = replay.origin.get(str(tf.summary_path)) if tf.summary_path else None
            traces.append(tf)
        traces = _dedupe(traces)
    batch = TraceBatchSummary(batch_id, Path(warehouse))
    logged: list[dict] = []
    con = connect(Path(warehouse))
    try:
        with tempfile.TemporaryDirectory(prefix="semibench-traces-") as scratch:
            con.begin()
            try:
                for tf in traces:
                    action = _decide(con, tf)
                    if action == "unchanged":
                        status, n = con.execute("select end_status, requests_landed from raw.loadgen_runs "
                                                "where run_id = ?", [tf.run_id]).fetchone()
                        batch.runs.append(RunOutcome(tf.run_id, tf.path, action, status, n))
                        continue
                    batch.runs.append(_land_one(con, tf, action, batch.batch_id, loaded_at, Path(scratch)))
                if replay is None:
                    # the archive holds the inputs before the warehouse does
                    logged = [_archive_run(archive_root, tf, batch_id, loaded_at) for tf in traces]
                con.commit()
            except BaseException:
                con.rollback()
                raise
    except duckdb.Error as exc:
        raise IngestError(f"{warehouse}: landing traces failed, nothing was landed: {_one_line(exc)}") from None
    finally:
        con.close()
    if replay is None:
        try:
            batch_archive.append_ingest_log(archive_root, FAMILY, {
                "batch_id": batch_id, "ingested_at": archive.format_time(loaded_at), "mode": "strict",
                "paths": [str(p) for p in paths], "runs": logged,
                **batch_archive.landing_mark(warehouse)})  # rebuild replays only its own warehouse's batches
        except OSError as exc:
            raise IngestError(f"batch {batch_id} was landed, but logging it in the archive at {archive_root} "
                              f"failed (a rebuild would miss it): {exc.strerror or exc}") from None
    return batch


FAMILY = "loadgen_traces"


def _archive_run(archive_root: Path, tf: TraceFile, batch_id: str, loaded_at: datetime) -> dict:
    """Store a run's trace (the bytes hashed when it was read: a live run keeps appending) and its summary
    (the text landed); the log entry naming both."""
    try:
        trace = batch_archive.store_file(archive_root, FAMILY, tf.path, batch_id=batch_id, ingested_at=loaded_at,
                                         sha256=tf.sha256, size=tf.size)
        summary = None
        if tf.summary_text is not None:
            summary = batch_archive.store_file(archive_root, FAMILY, tf.summary_path, batch_id=batch_id,
                                               ingested_at=loaded_at, data=tf.summary_text.encode("utf-8"))
    except OSError as exc:
        raise IngestError(f"{batch_archive.family_root(archive_root, FAMILY)}: cannot archive {tf.path}, nothing "
                          f"was landed: {exc.strerror or exc}") from None
    return {"run_id": tf.run_id, "trace": trace.entry(), "summary": summary.entry() if summary else None}

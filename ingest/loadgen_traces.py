"""Land loadgen runs (trace.jsonl + summary.json) in raw.loadgen_runs / raw.loadgen_requests.

Request lines of a clean trace go straight from the file into DuckDB with `read_json(columns=...)` typed by
loadgen.records, so a 100 MB trace never passes through a Python row loop. Python reads only the header
line, the last line (a killed writer's torn line) and the bytes for the sha256. A trace with problems is
re-read in Python, line by line, to name and keep each bad line.

Policy: a batch lands in one transaction. A record with problems (a request line, the end line, the
summary.json) lands verbatim, quarantined with every reason (ingest.loadgen_record_checks), and the rest of
its run lands; with strict=True it fails the batch instead. A file that is not a trace (empty, not UTF-8,
no run header) fails the batch. A clean trace is read by DuckDB in one scan; a trace with any problem is
read again line by line, which keeps each line's number and text. A run already landed with the same
trace and summary is skipped; a trace that grew since it was landed (a live or killed run ingested early) replaces
that run's rows; any other trace reusing a landed run_id is a conflict and fails the batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import archive, batch_archive
from ingest.warehouse_identity import landing_mark
from ingest import loadgen_record_checks as checks
from ingest.batch_archive import Replay
from ingest.errors import IngestError
from ingest.land import connect
from ingest.record_batch import join_reasons
from ingest.record_checks import Findings
from ingest import loadgen_extras
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
    torn_last_line: bool     # the last line is not JSON (a killed writer's): it lands quarantined
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
    status: str | None = None  # end line status; None = no (usable) end line (killed or still running)
    requests: int = 0          # usable request lines landed
    quarantined: list[str] = field(default_factory=list)  # `file:line: reasons` of each record quarantined

    @property
    def records_quarantined(self) -> int:
        return len(self.quarantined)


@dataclass
class TraceBatchSummary:
    batch_id: str
    warehouse: Path
    runs: list[RunOutcome] = field(default_factory=list)
    sweeps: list[str] = field(default_factory=list)   # sweep.json files landed (new or changed)
    server_metrics: int = 0                            # server_metrics.jsonl rows landed

    def count(self, action: str) -> int:
        return sum(1 for r in self.runs if r.action == action)

    @property
    def requests_landed(self) -> int:
        return sum(r.requests for r in self.runs if r.action in ("new", "replaced"))

    @property
    def records_quarantined(self) -> int:
        return sum(r.records_quarantined for r in self.runs)

    @property
    def quarantined(self) -> list[str]:
        return [q for r in self.runs for q in r.quarantined]

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
    if size == 0:
        raise IngestError(f"{path}: empty file, not a trace (no run header); nothing was landed")
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
    gpus = header.get("num_gpus")
    if gpus is not None and (not isinstance(gpus, int) or isinstance(gpus, bool) or gpus < 1):
        raise IngestError(f"{path}:1: run header: field 'num_gpus' is {gpus!r}, expected a positive integer")

    torn = False
    start = _last_line_start(path, size)
    if start > 0:  # the header is never the torn line: it was checked above
        with path.open("rb") as f:
            f.seek(start)
            last = f.read()
        try:
            json.loads(last)
        except (json.JSONDecodeError, UnicodeDecodeError):
            torn = True  # torn final line of a killed process: quarantined

    tf = TraceFile(path=path, header=header, sha256=_sha256(path), size=size, torn_last_line=torn)
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


def _columns_sql(columns: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"'{name}': '{duck_type}'" for name, duck_type in columns) + "}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- staging the lines

# staged beside the trace's own fields: where the line is, its text, what is wrong with it, what was
# accepted as is, and what it parsed as (request, end, or null for a line that is neither)
_BOOKKEEPING = [("line_no", "BIGINT"), ("record", "VARCHAR"), ("quarantine_reasons", "VARCHAR"),
                ("ingest_notes", "VARCHAR"), ("_kind", "VARCHAR")]
_ARROW_TYPES = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
                "BIGINT[]": pa.list_(pa.int64()), "DOUBLE[]": pa.list_(pa.float64())}


def _stage_fast(con: duckdb.DuckDBPyConnection, tf: TraceFile) -> bool:
    """Every line into temp table _lg_lines with one DuckDB scan. False when the trace needs the
    line-by-line path: DuckDB could not read it, or some line has a problem (which then needs its line
    number and text, which this scan does not keep)."""
    if tf.torn_last_line:
        return False
    sql = (f"create or replace temp table _lg_lines as select *, null::bigint as line_no, null::varchar as record, "
           f"null::varchar as quarantine_reasons, null::varchar as ingest_notes, type as _kind "
           f"from read_json(?, format='newline_delimited', columns={_columns_sql(_LINE_COLUMNS)})")
    try:
        con.execute(sql, [str(tf.path)])
    except duckdb.Error:
        return False
    # blank lines are skipped by read_json, so a row without `type` is a line without one
    (problems,) = con.execute(
        f"""select count(*) filter (where type = 'run') <> 1
                or count(*) filter (where type is null or type not in ('run', 'request', 'end')) > 0
                or count(*) filter (where type in ('request', 'end') and run_id is distinct from ?) > 0
                or count(*) filter (where type = 'end') > 1
                or count(*) filter (where type = 'end' and (status is null or status not in
                                    ({', '.join(f"'{s}'" for s in checks.END_STATUSES)})
                                    or duration_s < 0 or requests_written < 0 or end_unix_ns < 0)) > 0
                or count(*) filter (where type = 'request' and {checks.request_value_reasons_sql()} is not null) > 0
                or count(request_id) filter (where type = 'request')
                   <> count(distinct request_id) filter (where type = 'request')
            from _lg_lines""", [tf.run_id]).fetchall()[0]  # fetchall: a later register() needs the result done
    if problems:
        return False
    con.execute("delete from _lg_lines where type = 'run'")
    return True


def _stage_by_line(con: duckdb.DuckDBPyConnection, tf: TraceFile) -> None:
    """Every line after the header into _lg_lines, read one by one with every problem recorded. A line
    that is neither a usable request nor the (first) end line is staged as a quarantined request row,
    so it lands verbatim with its reasons."""
    try:
        text = tf.path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{tf.path}: not UTF-8 text ({exc.reason} at byte {exc.start}); nothing was landed") from None
    lines = text.split("\n")
    numbered = [(no, line) for no, line in enumerate(lines[1:], start=2) if line.strip()]
    names = [n for n, _ in _LINE_COLUMNS]
    rows: dict[str, list] = {n: [] for n, _ in _LINE_COLUMNS + _BOOKKEEPING}
    have_end = False
    for i, (no, line) in enumerate(numbered):
        kind, typed, findings = checks.check_line(line, tf.run_id, is_last=i == len(numbered) - 1)
        if kind == "end" and have_end:
            findings.problem("a second end line (a trace has at most one)")
            kind = None
        have_end = have_end or kind == "end"
        row = dict.fromkeys(names)
        row.update({k: v for k, v in typed.items() if k in row})
        row.update(type="end" if kind == "end" else "request", run_id=tf.run_id, line_no=no, record=line,
                   quarantine_reasons=join_reasons(findings.reasons), ingest_notes=join_reasons(findings.notes),
                   _kind=kind)
        if kind != "request" and kind != "end":
            row["request_id"] = typed.get("request_id")
        for n in rows:
            rows[n].append(row.get(n))
    table = pa.table({n: pa.array(rows[n], _ARROW_TYPES[t]) for n, t in _LINE_COLUMNS + _BOOKKEEPING})
    con.register("_lg_arrow", table)
    try:
        con.execute("create or replace temp table _lg_lines as select * from _lg_arrow")
    finally:
        con.unregister("_lg_arrow")
    value_reasons = checks.request_value_reasons_sql()
    con.execute(f"update _lg_lines set quarantine_reasons = nullif(concat_ws('; ', quarantine_reasons, "
                f"{value_reasons}), '') where _kind = 'request'")
    con.execute("""
        update _lg_lines set quarantine_reasons = concat_ws('; ', quarantine_reasons,
                   'request_id ' || dup.request_id || ' repeats line ' || dup.first_line)
        from (select line_no, request_id, min(line_no) over (partition by request_id) as first_line
              from _lg_lines where _kind = 'request' and request_id is not null) as dup
        where _lg_lines.line_no = dup.line_no and dup.line_no > dup.first_line""")


def _stage_lines(con: duckdb.DuckDBPyConnection, tf: TraceFile) -> None:
    """Every line of the trace as view _lg_lines of `con`. Staged in a private in-memory DuckDB: a trace
    DuckDB cannot read must not abort the warehouse's transaction, which holds the whole batch."""
    scratch = duckdb.connect()
    try:
        if not _stage_fast(scratch, tf):
            _stage_by_line(scratch, tf)
        con.register("_lg_lines", scratch.sql("select * from _lg_lines").to_arrow_table())
    finally:
        scratch.close()


def _quarantined_lines(con: duckdb.DuckDBPyConnection, tf: TraceFile) -> list[str]:
    return [f"{tf.path}:{no}: {reasons}" for no, reasons in con.execute(
        "select line_no, quarantine_reasons from _lg_lines where quarantine_reasons is not null "
        "order by line_no").fetchall()]


_SUMMARY_INPUT_COLUMNS = ["seq", "warmup", "error_class", "success", "input_tokens", "output_tokens", "ttft_ms",
                          "tpot_ms", "e2el_ms", "itl_ms"]


def _summary_reasons(con: duckdb.DuckDBPyConnection, tf: TraceFile, requests_sql: str, params: list,
                     end_duration_s: float | None, end_main_start_offset_ns: int | None) -> Findings:
    """Findings on the run's summary.json against its usable request rows (`requests_sql` selects them)."""
    doc = json.loads(tf.summary_text)
    cur = con.execute(f"select {', '.join(_SUMMARY_INPUT_COLUMNS)} from ({requests_sql})", params)
    requests = [dict(zip(_SUMMARY_INPUT_COLUMNS, r)) for r in cur.fetchall()]
    for r in requests:
        r["itl_ms"] = r["itl_ms"] or []
    duration = end_duration_s
    if duration is None:
        # a run without (usable) end line: fct_runs estimates the duration, first arrival to last chunk
        (duration,) = con.execute(
            f"""select (max(send_offset_ns + coalesce(chunk_ns[num_chunks], 0))
                        - coalesce(?, min(coalesce(scheduled_offset_ns, send_offset_ns)))) / 1e9
                from ({requests_sql}) where not warmup and coalesce(error_class <> 'cancelled', true)""",
            [end_main_start_offset_ns, *params]).fetchall()[0]
    return checks.check_summary(doc, requests, duration, tf.header.get("num_gpus"))


def _landed(con: duckdb.DuckDBPyConnection, run_id: str):
    # fetchall, never fetchone: registering the staged lines later needs every result finished
    rows = con.execute("select trace_sha256, trace_bytes, summary_sha256, trace_file from raw.loadgen_runs "
                       "where run_id = ?", [run_id]).fetchall()
    return rows[0] if rows else None


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
                requests: int, summary: Findings | None) -> None:
    header_values = [json.dumps(tf.header.get(n)) if t == "JSON" else tf.header.get(n)
                     for n, t in _HEADER_COLUMNS]
    header_exprs = [f"?::{t}" for _, t in _HEADER_COLUMNS]
    # a quarantined end line lands verbatim (end_record) and its typed columns stay null: the run reads
    # as one without end line (status incomplete, duration estimated) until the trace is fixed
    end_exprs = [f"(select {n} from _lg_lines where type = 'end' and quarantine_reasons is null)"
                 for n, _ in _END_COLUMNS]
    end_quarantine = [f"(select {n} from _lg_lines where type = 'end')"
                      for n in ("line_no", "case when quarantine_reasons is not null then record end",
                                "quarantine_reasons", "ingest_notes")]
    columns = (["run_id"] + [n for n, _ in _HEADER_COLUMNS] + [end_column(n) for n, _ in _END_COLUMNS]
               + ["end_line_no", "end_record", "end_quarantine_reasons", "end_ingest_notes"]
               + ["summary", "summary_file", "summary_sha256", "summary_quarantine_reasons", "summary_ingest_notes",
                  "trace_file", "trace_sha256", "trace_bytes", "torn_last_line", "requests_landed", "batch_id",
                  "loaded_at"])
    exprs = (["?"] + header_exprs + end_exprs + end_quarantine + ["?::json"] + ["?"] * 11)
    params = ([tf.run_id] + header_values
              + [tf.summary_text, tf.summary_file, tf.summary_sha256,
                 join_reasons(summary.reasons) if summary else None, join_reasons(summary.notes) if summary else None,
                 tf.trace_file, tf.sha256, tf.size, tf.torn_last_line, requests, batch_id, loaded_at])
    try:
        con.execute(f"insert into raw.loadgen_runs ({', '.join(columns)}) select {', '.join(exprs)}", params)
    except duckdb.ConversionException as exc:
        raise IngestError(f"{tf.path}:1: run header: {_one_line(exc)}") from None


def _refuse_if_strict(strict: bool, quarantined: list[str]) -> None:
    if strict and quarantined:
        more = f" (and {len(quarantined) - 1} more record(s) with problems)" if len(quarantined) > 1 else ""
        raise IngestError(f"{quarantined[0]}{more}; nothing was landed (--strict)")


def _summary_line(tf: TraceFile, findings: Findings | None) -> list[str]:
    return [f"{tf.summary_file}: {join_reasons(findings.reasons)}"] if findings and findings.reasons else []


def _land_one(con: duckdb.DuckDBPyConnection, tf: TraceFile, action: str, batch_id: str,
              loaded_at: datetime, strict: bool) -> RunOutcome:
    if action == "summary_updated":
        end_duration, main_start = con.execute(
            "select end_duration_s, end_main_start_offset_ns from raw.loadgen_runs where run_id = ?",
            [tf.run_id]).fetchall()[0]
        findings = _summary_reasons(con, tf, "select * from raw.loadgen_requests where run_id = ? and "
                                    "quarantine_reasons is null", [tf.run_id], end_duration, main_start)
        quarantined = _summary_line(tf, findings)
        _refuse_if_strict(strict, quarantined)
        con.execute("update raw.loadgen_runs set summary = ?::json, summary_file = ?, summary_sha256 = ?, "
                    "summary_quarantine_reasons = ?, summary_ingest_notes = ? where run_id = ?",
                    [tf.summary_text, tf.summary_file, tf.summary_sha256, join_reasons(findings.reasons),
                     join_reasons(findings.notes), tf.run_id])
        status, n = con.execute("select end_status, requests_landed from raw.loadgen_runs where run_id = ?",
                                [tf.run_id]).fetchall()[0]
        return RunOutcome(tf.run_id, tf.path, action, status, n, quarantined)
    _stage_lines(con, tf)
    quarantined = _quarantined_lines(con, tf)
    _refuse_if_strict(strict, quarantined)
    findings = None
    if tf.summary_text is not None:
        end_duration, main_start = con.execute(
            "select any_value(duration_s), any_value(main_start_offset_ns) from _lg_lines "
            "where type = 'end' and quarantine_reasons is null").fetchall()[0]
        findings = _summary_reasons(con, tf, "select * from _lg_lines where type = 'request' and "
                                    "quarantine_reasons is null", [], end_duration, main_start)
        quarantined += _summary_line(tf, findings)
        _refuse_if_strict(strict, quarantined)
    if action == "replaced":
        con.execute("delete from raw.loadgen_requests where run_id = ?", [tf.run_id])
        con.execute("delete from raw.loadgen_runs where run_id = ?", [tf.run_id])
    cols = ", ".join(_REQUEST_COLUMNS)
    con.execute(f"insert into raw.loadgen_requests ({cols}, line_no, record, quarantine_reasons, ingest_notes, "
                f"loaded_at) select {cols}, line_no, case when quarantine_reasons is not null then record end, "
                f"quarantine_reasons, ingest_notes, ? from _lg_lines where type = 'request'", [loaded_at])
    (n,) = con.execute("select count(*) from _lg_lines where type = 'request' and quarantine_reasons is null"
                       ).fetchall()[0]
    _insert_run(con, tf, batch_id, loaded_at, n, findings)
    (status,) = con.execute("select end_status from raw.loadgen_runs where run_id = ?", [tf.run_id]).fetchall()[0]
    return RunOutcome(tf.run_id, tf.path, action, status, n, quarantined)


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
                  replay: Replay | None = None, strict: bool = False) -> TraceBatchSummary:
    """Land every trace under `paths` in one transaction, archiving each run's trace and summary under
    archive_root (default: the configured archive) before it commits. Records with problems land
    quarantined (RunOutcome.quarantined); strict: any such record fails the batch instead. Raises
    IngestError (nothing landed) for a file that is not a trace, a conflict, or a database failure.
    replay: land a logged batch again (semibench rebuild), nothing archived or logged."""
    if not paths:
        raise IngestError("no input paths given")
    if replay is None:
        loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC, like the other raw tables
        batch_id = f"lgb-{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        if archive_root is None:
            from semibench_core import paths as semibench_paths
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
    logged_sweeps: list[dict] = []
    landed_metrics: dict[str, Path] = {}
    landed_sweeps: dict[str, Path] = {}
    con = connect(Path(warehouse))
    try:
        con.begin()
        try:
            for tf in traces:
                action = _decide(con, tf)
                if action == "unchanged":
                    status, n = con.execute("select end_status, requests_landed from raw.loadgen_runs "
                                            "where run_id = ?", [tf.run_id]).fetchall()[0]
                    batch.runs.append(RunOutcome(tf.run_id, tf.path, action, status, n))
                    continue
                batch.runs.append(_land_one(con, tf, action, batch.batch_id, loaded_at, strict))
                if action in ("new", "replaced"):
                    metrics = _server_metrics_of(tf, replay)
                    batch.server_metrics += loadgen_extras.land_run_extras(con, metrics, tf.run_id, loaded_at)
                    if metrics is not None:
                        landed_metrics[tf.run_id] = metrics
            sweeps = ({sid: Path(p) for sid, p in replay.sweeps.items()} if replay
                      else loadgen_extras.sweep_files(traces))
            for sweep_id, path in sweeps.items():
                if loadgen_extras.land_sweep(con, path, sweep_id, batch.batch_id, loaded_at,
                                             replay.origin.get(str(path)) if replay else None):
                    batch.sweeps.append(sweep_id)
                    landed_sweeps[sweep_id] = path
            if replay is None:
                # the archive holds the inputs before the warehouse does: traces, summaries and the extras
                # landed with them (a rebuild restores raw.loadgen_server_metrics and raw.loadgen_sweeps too)
                logged = [_archive_run(archive_root, tf, batch_id, loaded_at, landed_metrics.get(tf.run_id))
                          for tf in traces]
                logged_sweeps = [_archive_sweep(archive_root, sid, path, batch_id, loaded_at)
                                 for sid, path in landed_sweeps.items()]
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
                "batch_id": batch_id, "ingested_at": archive.format_time(loaded_at), "mode": "strict" if strict else "quarantine",
                "paths": [str(p) for p in paths], "runs": logged, "sweeps": logged_sweeps,
                **landing_mark(warehouse)})  # rebuild replays only its own warehouse's batches
        except OSError as exc:
            raise IngestError(f"batch {batch_id} was landed, but logging it in the archive at {archive_root} "
                              f"failed (a rebuild would miss it): {exc.strerror or exc}") from None
    return batch


FAMILY = "loadgen_traces"


def _server_metrics_of(tf: TraceFile, replay: Replay | None) -> Path | None:
    """The run's server_metrics.jsonl: beside its trace, or for a replay the archived copy (never a file that
    happens to lie beside the archived trace)."""
    if replay is None:
        return loadgen_extras.server_metrics_file(tf.path)
    archived = replay.server_metrics.get(str(tf.path))
    return Path(archived) if archived else None


def _store(archive_root: Path, path: Path, batch_id: str, loaded_at: datetime, **kw) -> batch_archive.StoredFile:
    """batch_archive.store_file, failing the batch with one line naming the file (nothing is landed yet)."""
    try:
        return batch_archive.store_file(archive_root, FAMILY, path, batch_id=batch_id, ingested_at=loaded_at, **kw)
    except OSError as exc:
        raise IngestError(f"{batch_archive.family_root(archive_root, FAMILY)}: cannot archive {path}, nothing "
                          f"was landed: {exc.strerror or exc}") from None


def _archive_run(archive_root: Path, tf: TraceFile, batch_id: str, loaded_at: datetime,
                 metrics: Path | None = None) -> dict:
    """Store a run's trace (the bytes hashed when it was read: a live run keeps appending), its summary
    (the text landed) and the server metrics landed with it; the log entry naming them."""
    trace = _store(archive_root, tf.path, batch_id, loaded_at, sha256=tf.sha256, size=tf.size)
    entry = {"run_id": tf.run_id, "trace": trace.entry(), "summary": None}
    if tf.summary_text is not None:
        entry["summary"] = _store(archive_root, tf.summary_path, batch_id, loaded_at,
                                  data=tf.summary_text.encode("utf-8")).entry()
    if metrics:
        entry["server_metrics"] = _store(archive_root, metrics, batch_id, loaded_at).entry()
    return entry


def _archive_sweep(archive_root: Path, sweep_id: str, path: Path, batch_id: str, loaded_at: datetime) -> dict:
    return {"sweep_id": sweep_id, "file": _store(archive_root, path, batch_id, loaded_at).entry()}

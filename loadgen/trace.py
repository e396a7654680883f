"""trace.jsonl writer and reader.

Written while the run goes: the header line first (flushed at once), then request lines
buffered and flushed in batches (every `flush_every` records or `flush_interval_s`),
and an end line plus fsync when the run finishes — normally, by Ctrl-C or by an
exception. A process killed outright loses at most the last unflushed batch; every
line that is in the file is complete JSON except possibly a torn final line, which
`read_trace` skips.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class TraceWriter:
    def __init__(self, path: Path, header: dict, flush_every: int = 64,
                 flush_interval_s: float = 0.5):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = self.path.open("w", encoding="utf-8", buffering=1 << 20)
        self._buf: list[str] = []
        self.flush_every = max(1, flush_every)
        self.flush_interval_s = flush_interval_s
        self._last_flush = time.monotonic()
        self.written = 0
        self.run_id = header.get("run_id")
        self._f.write(_dumps(header) + "\n")
        self._f.flush()

    def write(self, record: dict) -> None:
        self._buf.append(_dumps(record))
        self.written += 1
        if len(self._buf) >= self.flush_every:
            self.flush()

    def flush_if_due(self) -> None:
        if self._buf and time.monotonic() - self._last_flush >= self.flush_interval_s:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self._f.write("\n".join(self._buf) + "\n")
            self._buf.clear()
        self._f.flush()
        self._last_flush = time.monotonic()

    def close(self, status: str, duration_s: float | None, extra: dict | None = None) -> None:
        """Flush everything, append the end line, fsync. Safe to call twice."""
        if self._f.closed:
            return
        self.flush()
        now = time.time_ns()
        end = {"type": "end", "run_id": self.run_id, "status": status,
               "end_time": datetime.fromtimestamp(now / 1e9, timezone.utc).isoformat(),
               "end_unix_ns": now, "duration_s": duration_s, "requests_written": self.written,
               **(extra or {})}
        self._f.write(_dumps(end) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()


def read_trace(path: Path) -> tuple[dict | None, list[dict], dict | None]:
    """(header, request records, end line or None). Skips a torn last line."""
    header, records, end = None, [], None
    with Path(path).open(encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            if i >= len(lines) - 2:
                continue  # torn final line of a killed process
            raise ValueError(f"{path}:{i + 1}: corrupt trace line") from None
        t = obj.get("type")
        if t == "request":
            records.append(obj)
        elif t == "run":
            header = obj
        elif t == "end":
            end = obj
    return header, records, end

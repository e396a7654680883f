"""The live progress line: done, in flight, errors, req/s, tok/s.

On a terminal it rewrites one line in place; when stderr is a file or pipe (CI, logs)
it prints a plain line at most every `pipe_interval_s`, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass


@dataclass
class Counters:
    done: int = 0          # main-phase requests finished (ok or not)
    errors: int = 0
    inflight: int = 0
    output_tokens: int = 0
    warmup_done: int = 0

    def add(self, other: "Counters") -> None:
        self.done += other.done
        self.errors += other.errors
        self.inflight += other.inflight
        self.output_tokens += other.output_tokens
        self.warmup_done += other.warmup_done


def format_line(c: Counters, total: int | None, elapsed_s: float, label: str = "") -> str:
    rate = c.done / elapsed_s if elapsed_s > 0 else 0.0
    tps = c.output_tokens / elapsed_s if elapsed_s > 0 else 0.0
    of = f"/{total}" if total else ""
    head = f"[loadgen{(' ' + label) if label else ''}]"
    return (f"{head} {c.done}{of} done | {c.inflight} in flight | {c.errors} errors | "
            f"{rate:.1f} req/s | {tps:.0f} tok/s | {elapsed_s:.0f}s")


class ProgressPrinter:
    def __init__(self, enabled: bool = True, stream=None, pipe_interval_s: float = 5.0,
                 label: str = ""):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.pipe_interval_s = pipe_interval_s
        self.label = label
        self._last_plain = 0.0
        self._width = 0

    def show(self, c: Counters, total: int | None, elapsed_s: float, final: bool = False) -> None:
        if not self.enabled:
            return
        line = format_line(c, total, elapsed_s, self.label)
        if self.tty:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad + ("\n" if final else ""))
            self._width = len(line)
            self.stream.flush()
            return
        now = time.monotonic()
        if final or now - self._last_plain >= self.pipe_interval_s:
            self.stream.write(line + "\n")
            self.stream.flush()
            self._last_plain = now

"""Progress display for long steps, on stderr so stdout stays clean for data."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

stderr_console = Console(stderr=True)


@contextmanager
def dbt_progress(enabled: bool = True):
    """Yields an `on_progress(done, total, status, line)` callback for semibench.dbt_runner.run_dbt."""
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        # a plain line per failing/warning node keeps logs readable when there is no terminal
        def plain(done, total, status, line):
            if status in ("WARN", "FAIL", "ERROR"):
                print(line.strip(), file=sys.stderr)

        yield plain
        return
    with Progress(
        TextColumn("dbt build"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=stderr_console, transient=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(done, total, status, line):
            bar.update(task, completed=done, total=total, description=line.split(status, 1)[-1].strip()[:60])
            if status in ("WARN", "FAIL", "ERROR"):
                bar.console.print(line.strip())

        yield update

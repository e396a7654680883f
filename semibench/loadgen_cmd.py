"""`semibench loadgen`: loadgen's own command plus `--ingest/--no-ingest` (default on), which lands the
run(s) in the warehouse when the load test ends.

The option list is loadgen's (loadgen.cli.loadgen_command): the wrapper only appends two parameters to its
signature, so a new loadgen option appears here without any change. The standalone `loadgen` script keeps
the undecorated command and never touches the warehouse.
"""

from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

_PANEL = "Warehouse"


def _ingest_params() -> list[inspect.Parameter]:
    kind = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter("ingest", kind, default=True, annotation=Annotated[bool, typer.Option(
            "--ingest/--no-ingest", help="Land the run (trace + summary; every step of a sweep) in the "
                                         "warehouse when it ends, also after Ctrl-C.", rich_help_panel=_PANEL)]),
        inspect.Parameter("warehouse", kind, default=None, annotation=Annotated[Optional[Path], typer.Option(
            help="DuckDB file to land into (default: $SEMIBENCH_WAREHOUSE or warehouse/semibench.duckdb).",
            rich_help_panel=_PANEL)]),
    ]


def with_ingest(command):
    """Wrap a loadgen command function so that it auto-ingests its run directory afterwards."""
    # eval_str: loadgen.cli uses `from __future__ import annotations`; typer needs the evaluated
    # Annotated[..., typer.Option(...)] objects, which would otherwise be resolved in this module.
    signature = inspect.signature(command, eval_str=True)

    @functools.wraps(command)
    def wrapper(*, ingest: bool = True, warehouse: Optional[Path] = None, **kwargs):
        from loadgen.config import LoadTestConfig
        from loadgen.runinfo import new_run_id, run_dir_for

        if ingest and not kwargs.get("run_id"):
            # Fix the run id up front so the run directory is known without parsing loadgen's output
            # (same id format loadgen would pick; sweeps name their directory after the sweep id).
            sweeping = kwargs.get("sweep_concurrency") or kwargs.get("sweep_rate") or kwargs.get("find_max")
            kwargs["run_id"] = new_run_id("sweep-" if sweeping else "")
        code = 0
        try:
            command(**kwargs)
        except typer.Exit as exc:
            code = exc.exit_code
        # 2 = bad arguments: nothing ran. Other codes (130 interrupted, 1 failed) still leave a valid trace.
        if ingest and code != 2:
            out_dir = kwargs.get("out_dir")
            run_dir = run_dir_for(LoadTestConfig(out_dir=str(out_dir) if out_dir else None,
                                                 runs_root=str(kwargs.get("runs_root") or "runs")), kwargs["run_id"])
            if run_dir.is_dir():
                _land(run_dir, warehouse)
        if code:
            raise typer.Exit(code)

    params = [*signature.parameters.values(), *_ingest_params()]
    wrapper.__signature__ = signature.replace(parameters=params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


def _land(run_dir: Path, warehouse: Optional[Path]) -> None:
    from ingest.errors import IngestError
    from ingest.loadgen_cli import land_traces, print_batch

    try:
        summary = land_traces([run_dir], warehouse)
    except IngestError as exc:
        print(f"error: the run finished but landing it failed: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    print_batch(summary)

"""The end-of-run summary `semibench run` and `semibench rebuild` print (exit codes: README)."""

from __future__ import annotations


def print_build_problems(dbt_result) -> None:
    for node in dbt_result.with_status("fail", "error", "warn"):
        print(f"  {node.status.upper():5} {node.unique_id}: {node.message.splitlines()[0] if node.message else ''}")
    if not dbt_result.nodes:
        print("  dbt produced no results; last output:")
        for line in dbt_result.output_tail[-15:]:
            print(f"    {line}")


def print_summary(summary, record=None) -> None:
    build = summary.build
    if record is not None:
        print(f"run           {record.run_id} ({record.trigger}) {record.status}")
    if summary.data_sources is not None:
        print(f"data          {summary.data_sources.line}")
    print(f"snapshot      {summary.snapshot_id} ({'new' if summary.snapshot_was_new else 'already landed'})")
    for problem in summary.archive_problems:
        print(f"ARCHIVE       damaged: {problem} (see `semibench check`)")
    if summary.records_quarantined or summary.quarantine_by_family:
        in_warehouse = ", ".join(f"{family} {n}" for family, n in summary.quarantine_by_family.items()) or "none"
        print(f"quarantined   {summary.records_quarantined} new record(s) this run; in the warehouse: {in_warehouse}"
              " (landed, kept out of the marts: mart_quality__quarantine)")
    counts = build.dbt.counts()
    print("dbt build     " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f" (exit {build.dbt.returncode})")
    if build.scope is not None:
        print(f"              {build.scope.describe()}")
    print(f"published     {build.published if build.published else 'NOT published: the previous good warehouse is kept'}")
    print(f"hwKeys        {', '.join(summary.hw_keys) or '-'}")
    if summary.loadgen_run_id:
        figures = summary.loadgen_figures
        detail = (f"{figures['completed']} requests, p99 TTFT {figures['p99_ttft_ms']:.1f} ms, "
                  f"median interactivity {figures['median_interactivity']:.0f} tok/s/user"
                  if figures and figures["p99_ttft_ms"] is not None else "not in fct_runs (build failed?)")
        print(f"loadgen run   {summary.loadgen_run_id} (serve-sim demo): {detail}")
    if summary.bundled is not None:
        print(f"bundled       InferenceX capture {summary.bundled.inferencex_capture}: "
              f"{summary.bundled.inferencex_records_new} new records; run aggregates: "
              f"{summary.bundled.agg_records_landed} new records (sample_data/real, see its PROVENANCE.md)")
    if summary.sample_event_logs:
        print("event logs    " + ", ".join(f"{name}: {n} new records" for name, n in summary.sample_event_logs.items())
              + " (SYNTHETIC samples)")
    if summary.lake is not None:
        print(f"raw lake      {summary.lake}")
    if summary.report or summary.report_error:
        print(f"report        {summary.report.html if summary.report else 'NOT written: ' + str(summary.report_error)}")
    print("rows:")
    for table, n in summary.table_rows.items():
        if "." not in table or table.startswith("intermediate."):
            print(f"  {table:55} {n:>9,}")
    problems = build.dbt.with_status("fail", "error", "warn")
    if problems or not build.dbt.ok:
        print("tests needing attention:")
        print_build_problems(build.dbt)
    for note in (record.alerts if record is not None else []):
        print(f"alert         {note}")

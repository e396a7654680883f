"""The run's data-quality results: dbt test outcomes from run_results.json, coverage losses between the
latest two snapshots and hardware keys missing from the catalog."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from semibench.build_scope import latest_results_file
from semibench.dbt_runner import read_run_results

# dbt statuses that need a person's attention, worst first
PROBLEM_STATUSES = ("error", "fail", "warn")


@dataclass
class TestProblem:
    name: str
    unique_id: str
    status: str
    failures: int | None
    message: str


@dataclass
class QualityData:
    run_results_path: Path | None
    run_results_generated_at: str | None
    node_counts: dict[str, int] = field(default_factory=dict)
    problems: list[TestProblem] = field(default_factory=list)
    coverage_lost: list[dict] = field(default_factory=list)
    unknown_hardware: list[dict] = field(default_factory=list)
    # records landed but kept out of the marts (mart_quality__quarantine), newest first, capped for the page
    quarantine: list[dict] = field(default_factory=list)
    quarantine_by_family: dict[str, int] = field(default_factory=dict)

    @property
    def quarantined(self) -> int:
        return sum(self.quarantine_by_family.values())

    @property
    def has_run_results(self) -> bool:
        return self.run_results_generated_at is not None

    def count(self, *statuses: str) -> int:
        return sum(1 for p in self.problems if p.status in statuses)


def node_name(unique_id: str) -> str:
    """'test.semibench.not_null_fct_x_hw_key.1a2b' -> 'not_null_fct_x_hw_key' (the name dbt prints)."""
    parts = unique_id.split(".")
    if parts[0] == "unit_test" and len(parts) >= 4:
        return f"{parts[2]}.{parts[3]}"  # model.unit-test name: unit tests are named per model
    return parts[2] if len(parts) >= 3 else unique_id


def read_quality(con, catalog, dbt_target: Path | None) -> QualityData:
    quality = _read_run_results(dbt_target)
    lost = catalog.find("mart_inferencemax__coverage", required={"status", "is_latest_snapshot"})
    if lost:
        cur = con.execute(f"""select model_slug, sequence_slug, hw_key, previous_point_count,
                                     previous_snapshot_id, snapshot_id
                              from {lost[0]} where is_latest_snapshot and status = 'lost'
                              order by model_slug, sequence_slug, hw_key""")
        names = [d[0] for d in cur.description]
        quality.coverage_lost = [dict(zip(names, r)) for r in cur.fetchall()]
    unknown = catalog.find("mart_inferencemax__unknown_hardware")
    if unknown:
        cur = con.execute(f"select * from {unknown[0]} order by hw_key")
        names = [d[0] for d in cur.description]
        quality.unknown_hardware = [dict(zip(names, r)) for r in cur.fetchall()]
    quarantine = catalog.find("mart_quality__quarantine", required={"family", "reasons"})
    if quarantine:
        quality.quarantine_by_family = dict(con.execute(
            f"select family, count(*) from {quarantine[0]} group by family order by family").fetchall())
        quality.quarantine = _rows_of(con.execute(
            f"""select family, batch_id, source_file, record_locator, reasons, landed_at,
                      substr(record_json, 1, {QUARANTINE_RECORD_CHARS}) as record_excerpt
               from {quarantine[0]} order by landed_at desc, family, source_file, record_locator
               limit {QUARANTINE_ROWS_SHOWN}"""))
    return quality


# The report lists this many quarantined records (the mart has them all) and this much of each record.
QUARANTINE_ROWS_SHOWN = 50
QUARANTINE_RECORD_CHARS = 160


def _rows_of(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _read_run_results(dbt_target: Path | None) -> QualityData:
    # a run that rebuilt only what changed ran only those tests: the merged file has every test's last outcome
    path = latest_results_file(Path(dbt_target)) if dbt_target else None
    if path is None or not path.exists():
        return QualityData(run_results_path=path, run_results_generated_at=None)
    metadata = json.loads(path.read_text()).get("metadata", {})
    nodes = read_run_results(path)
    counts: dict[str, int] = {}
    for n in nodes:
        counts[n.status] = counts.get(n.status, 0) + 1
    problems = [
        TestProblem(node_name(n.unique_id), n.unique_id, n.status, n.failures, n.message)
        for n in nodes if n.status in PROBLEM_STATUSES
    ]
    problems.sort(key=lambda p: (PROBLEM_STATUSES.index(p.status), p.name))
    return QualityData(run_results_path=path, run_results_generated_at=metadata.get("generated_at"),
                       node_counts=counts, problems=problems)

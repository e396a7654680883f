"""InferenceMAX history: incremental dbt models and the trends / lifecycle / snapshot-diff marts.

One timeline of snapshots built from the bundled sample with controlled edits, landed by the real ingester
into a real DuckDB file and built by real `dbt build` runs (a copy of the dbt project, so the alias seed can
be edited). Each step checks what the incremental run processed (every incremental row records the dbt
invocation that modelled it) and the mart figures; full-refresh builds of copies of the warehouse must give
identical tables.

    T0  S0 = sample with every y x 0.9, landed LAST (out of order: fetched before S1)
    T1  S1 = the sample
    T2  S2 = sample - (gpt-oss-120b, h100) + one deepseek point, llama 1k_1k b200's best point y x 1.2
    T3  S2 fetched again (identical content: no new snapshot)
    T4  S3 = S2 with every y x 1.05, ingested with retention 2 (S0 and S1 leave the raw tables)
        then the hardware_key_aliases seed gains a rename (mi355x -> mi355x_vllm)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from ingest.config import Config
from ingest.inferencemax import ingest_inferencemax
from semibench_core import paths
from semibench.dbt_runner import dbt_env, read_run_results
from semibench.pipeline import ensure_warehouse_schema
from tests.pipeline.expected import load_points

SAMPLE = paths.sample_dir()
T0, T1, T2, T3, T4 = (datetime(2025, 10, d, 6, 0, tzinfo=timezone.utc) for d in (20, 21, 22, 23, 24))

DROPPED = ("gpt-oss-120b", "h100")
SCALED = ("llama-3_3-70b-instruct-fp8", "1k_1k", "b200")
ADDED = ("deepseek-r1-0528", "1k_1k", 4096)

INCREMENTAL = {
    "staging.base_inferencemax__points": "snapshot_id",
    "intermediate.int_inferencemax__points_joined_history": "snapshot_id",
    "intermediate.int_inferencemax__hardware_snapshot_stats": "snapshot_id",
    "intermediate.int_inferencemax__snapshot_point_diffs": "snapshot_id",
}
# every table the history touches, compared between incremental and full-refresh builds
COMPARED = [*INCREMENTAL, "intermediate.int_inferencemax__points_joined", "main.mart_inferencemax__trends",
            "main.mart_inferencemax__hardware_lifecycle", "main.mart_inferencemax__snapshot_diffs",
            "main.mart_inferencemax__snapshot_diff_summary", "main.fct_inferencemax_points",
            "main.mart_inferencemax__coverage", "main.mart_inferencemax__hardware_rollup"]
# the InferenceMAX models, their seeds and every test on them (the tool-eval family is not involved)
# cautious: tests of other families that merely touch the shared seeds stay out of this selection
SELECT = ["--select", "+path:models/marts/inferencemax", "--indirect-selection", "cautious"]


# ---------------------------------------------------------------- snapshot files

def _writable_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for f in dst.glob("*.json"):
        f.chmod(0o644)
    return dst


def _edit(directory: Path, fn) -> None:
    """fn(model, seq, data_type, points) -> points, applied to every served file."""
    for f in sorted(directory.glob("*.json")):
        stem = f.name[: -len(".json")]
        rest, data_type = stem.rsplit("-", 1)
        model, seq = rest.rsplit("-", 1)
        f.write_text(json.dumps(fn(model, seq, data_type, json.loads(f.read_text()))))


def _scale_all(factor):
    def fn(model, seq, data_type, points):
        for p in points:
            p["y"] = p["y"] * factor
        return points
    return fn


def _best_key(directory: Path, model: str, seq: str, hw: str) -> tuple:
    pts = [p for p in load_points(directory, "interactivity")[(model, seq)] if p["hwKey"] == hw]
    best = max(pts, key=lambda p: p["y"])
    return best["precision"], best["tp"], best["conc"]


def make_s2(root: Path) -> Path:
    d = _writable_copy(SAMPLE, root / "s2")
    scaled_key = _best_key(SAMPLE, *SCALED)

    def fn(model, seq, data_type, points):
        if model == DROPPED[0]:
            points = [p for p in points if p["hwKey"] != DROPPED[1]]
        if (model, seq) == SCALED[:2]:
            for p in points:
                if p["hwKey"] == SCALED[2] and (p["precision"], p["tp"], p["conc"]) == scaled_key:
                    p["y"] = p["y"] * 1.2
        if (model, seq) == ADDED[:2]:
            # the same run in both files (the first by key), at a concurrency the sample does not have
            template = min(points, key=lambda p: (p["hwKey"], p["precision"], p["tp"], p["conc"]))
            assert all(p["conc"] != ADDED[2] for p in points)
            points = [*points, dict(template, conc=ADDED[2])]
        return points

    _edit(d, fn)
    return d


# ---------------------------------------------------------------- warehouse + dbt

@dataclass
class Build:
    invocation_id: str
    ok: bool
    output: str


class History:
    """A warehouse, an archive and a private copy of the dbt project."""

    def __init__(self, root: Path):
        self.root = root
        self.warehouse = root / "wh" / "semibench.duckdb"
        self.archive = root / "archive"
        self.project = root / "project"
        self.project.mkdir(parents=True)
        for name in ("dbt_project.yml", "profiles.yml"):
            shutil.copy(paths.PROJECT_DIR / name, self.project / name)
        for name in ("models", "macros", "seeds", "data-tests"):
            shutil.copytree(paths.PROJECT_DIR / name, self.project / name)
        self.builds = 0

    def ingest(self, directory: Path, fetched_at: datetime, retention: int | None = None):
        config = Config().with_overrides(retention=retention) if retention else Config()
        return ingest_inferencemax(config, from_dir=directory, warehouse=self.warehouse, archive_root=self.archive,
                                   progress=False, fetched_at=fetched_at)

    def dbt(self, *args: str, warehouse: Path | None = None, select: list[str] = SELECT) -> Build:
        warehouse = warehouse or self.warehouse
        ensure_warehouse_schema(warehouse)
        self.builds += 1
        # one target folder per warehouse: dbt's partial parse carries over (a new folder = a full parse,
        # seconds per build); run_results.json is read right after each build
        target = self.root / f"target-{Path(warehouse).stem}"
        (target / "run_results.json").unlink(missing_ok=True)  # never read an earlier build's results
        self.last_target = target
        proc = subprocess.run(
            [sys.executable, "-m", "dbt.cli.main", *args, *select,
             "--project-dir", str(self.project), "--profiles-dir", str(self.project)],
            cwd=self.project, env=dbt_env(warehouse, target), capture_output=True, text=True, timeout=900)
        results = json.loads((target / "run_results.json").read_text())
        bad = [n for n in read_run_results(target / "run_results.json") if n.status in ("error", "fail")]
        assert not bad or proc.returncode != 0
        return Build(results["metadata"]["invocation_id"], proc.returncode == 0 and not bad,
                     proc.stdout[-4000:] + "\n".join(f"{n.unique_id}: {n.message}" for n in bad))

    def build(self, *args: str) -> Build:
        b = self.dbt("build", *args)
        assert b.ok, b.output
        return b

    def full_refresh_copy(self, name: str) -> Path:
        """Copy the warehouse and rebuild the copy from scratch with --full-refresh."""
        copy = self.root / name / "semibench.duckdb"
        copy.parent.mkdir(parents=True)
        shutil.copy(self.warehouse, copy)
        b = self.dbt("build", "--full-refresh", warehouse=copy)
        assert b.ok, b.output
        return copy

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params=None):
        (row,) = self.query(sql, params)
        return row[0] if len(row) == 1 else row

    def modelled_by(self, table: str) -> dict[str, set[str]]:
        """snapshot_id -> invocation ids that modelled its rows in an incremental table."""
        out: dict[str, set[str]] = {}
        for sid, inv in self.query(f"select distinct snapshot_id, dbt_invocation_id from {table}"):
            out.setdefault(sid, set()).add(inv)
        return out

    def differences_from(self, other: Path) -> dict[str, int]:
        """Rows differing (both directions, duplicates counted) per table, invocation ids aside."""
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            con.execute(f"attach '{other}' as fr (read_only)")
            out = {}
            for table in COMPARED:
                has_inv = con.execute(
                    "select count(*) from information_schema.columns where table_schema = ? and table_name = ? "
                    "and column_name = 'dbt_invocation_id'", table.split(".")).fetchone()[0]
                cols = "* exclude (dbt_invocation_id)" if has_inv else "*"
                a, b = f"select {cols} from {table}", f"select {cols} from fr.{table}"
                n = con.execute(f"select (select count(*) from ({a} except all {b})) "
                                f"+ (select count(*) from ({b} except all {a}))").fetchone()[0]
                rows = con.execute(f"select count(*) from {table}").fetchone()[0]
                out[table] = n if rows or n else -1  # -1: both empty, which would prove nothing
            return out
        finally:
            con.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    h = History(root)
    s0 = _writable_copy(SAMPLE, root / "s0")
    _edit(s0, _scale_all(0.9))
    s2 = make_s2(root)
    s3 = _writable_copy(s2, root / "s3")
    _edit(s3, _scale_all(1.05))
    h.dirs = {"s0": s0, "s1": SAMPLE, "s2": s2, "s3": s3}
    h.ids = {}
    h.steps = {}

    h.ids["s1"] = h.ingest(SAMPLE, T1).snapshot_id
    h.steps["s1"] = h.build()
    h.ids["s2"] = h.ingest(s2, T2).snapshot_id
    h.steps["s2"] = h.build()
    h.steps["s2_state"] = _state(h)
    return h


def _state(h: History) -> dict:
    """What a step must not change when nothing new arrives (fetch times aside: a re-fetch moves them)."""
    return {
        "trends": h.query("select * exclude (snapshot_fetched_at, previous_seen_fetched_at) "
                          "from mart_inferencemax__trends order by all"),
        "diffs": h.query("select * exclude (snapshot_fetched_at, previous_snapshot_fetched_at) "
                         "from mart_inferencemax__snapshot_diffs order by all"),
        "modelled": {t: h.modelled_by(t) for t in INCREMENTAL},
    }


# ---------------------------------------------------------------- tests (they run in file order, on one timeline)

def test_second_snapshot_only_processes_the_new_snapshot(history):
    h = history
    first, second = h.steps["s1"].invocation_id, h.steps["s2"].invocation_id
    s1, s2 = h.ids["s1"], h.ids["s2"]
    modelled = h.steps["s2_state"]["modelled"]
    for table in ("staging.base_inferencemax__points", "intermediate.int_inferencemax__points_joined_history",
                  "intermediate.int_inferencemax__hardware_snapshot_stats"):
        assert modelled[table] == {s1: {first}, s2: {second}}, table
    # the one pair (S2 after S1) was diffed by the second run; S1 has no predecessor
    assert modelled["intermediate.int_inferencemax__snapshot_point_diffs"] == {s2: {second}}


def test_trends_show_the_20_percent_change_and_flag_it(history):
    h = history
    rows = h.query("""select snapshot_id, previous_seen_snapshot_id, best_tput_per_gpu, previous_best_tput_per_gpu,
                             tput_change_pct, change_type, is_big_change
                      from mart_inferencemax__trends
                      where model_slug = ? and sequence_slug = ? and hw_key = ? order by snapshot_ordinal""",
                   list(SCALED))
    best = max(p["y"] for p in load_points(SAMPLE, "interactivity")[SCALED[:2]] if p["hwKey"] == SCALED[2])
    assert [r[0] for r in rows] == [h.ids["s1"], h.ids["s2"]]
    assert rows[0][1:] == (None, pytest.approx(best), None, None, "first_seen", False)
    assert rows[1][1] == h.ids["s1"]
    assert rows[1][2] == pytest.approx(best * 1.2) and rows[1][3] == pytest.approx(best)
    assert rows[1][4] == pytest.approx(20.0)
    assert rows[1][5:] == ("up", True)
    # every other group of S2 is unchanged (same best throughput): no other big change
    others = h.query("""select model_slug, sequence_slug, hw_key, change_type from mart_inferencemax__trends
                        where snapshot_id = ? and is_big_change""", [h.ids["s2"]])
    assert others == [(*SCALED, "up")]


def test_lifecycle_of_the_dropped_hardware(history):
    h = history
    rows = h.query("""select sequence_slug, first_seen_snapshot_id, last_seen_snapshot_id, is_in_latest_snapshot,
                             snapshots_seen, snapshots_since_last_seen
                      from mart_inferencemax__hardware_lifecycle
                      where model_slug = ? and hw_key = ? order by sequence_slug""", list(DROPPED))
    assert rows == [(seq, h.ids["s1"], h.ids["s1"], False, 1, 1) for seq in ("1k_1k", "1k_8k", "8k_1k")]
    (n_latest,), = h.query("""select count(*) from mart_inferencemax__hardware_lifecycle
                              where is_in_latest_snapshot and last_seen_snapshot_id = ?""", [h.ids["s2"]])
    (n_groups,), = h.query("select count(*) from mart_inferencemax__hardware_lifecycle")
    assert n_latest == n_groups - 3


def test_snapshot_diff_lists_removed_added_and_changed_points(history):
    h = history
    inter = load_points(SAMPLE, "interactivity")
    n_sample = sum(len(v) for v in inter.values())
    n_dropped = sum(1 for (m, _), pts in inter.items() if m == DROPPED[0] for p in pts if p["hwKey"] == DROPPED[1])
    summary = h.query("""select previous_snapshot_id, previous_point_count, point_count, added_count, removed_count,
                                changed_count, unchanged_count, is_latest_snapshot
                         from mart_inferencemax__snapshot_diff_summary""")
    assert summary == [(h.ids["s1"], n_sample, n_sample - n_dropped + 1, 1, n_dropped, 1,
                        n_sample - n_dropped - 1, True)]
    by_type = dict(h.query("""select change_type, count(*) from mart_inferencemax__snapshot_diffs
                              where snapshot_id = ? group by 1""", [h.ids["s2"]]))
    assert by_type == {"removed": n_dropped, "added": 1, "changed": 1}
    removed = h.query("select distinct model_slug, hw_key from mart_inferencemax__snapshot_diffs where change_type = 'removed'")
    assert removed == [DROPPED]
    added = h.query("select model_slug, sequence_slug, conc from mart_inferencemax__snapshot_diffs "
                    "where change_type = 'added'")
    assert added == [ADDED]
    changed = h.query("""select model_slug, sequence_slug, hw_key, changed_fields, old_interactivity_y, new_interactivity_y,
                                old_e2e_y, new_e2e_y, interactivity_y_change_pct, old_interactivity_x = new_interactivity_x
                         from mart_inferencemax__snapshot_diffs where change_type = 'changed'""")
    (m, s, hw, fields, old_y, new_y, old_e2e, new_e2e, pct, same_x), = changed
    assert (m, s, hw) == SCALED and fields == "interactivity_y, e2e_y" and same_x
    assert new_y == pytest.approx(old_y * 1.2) and new_e2e == pytest.approx(old_e2e * 1.2)
    assert pct == pytest.approx(20.0)


def test_refetch_of_identical_content_processes_nothing(history):
    h = history
    before = h.steps["s2_state"]
    result = h.ingest(h.dirs["s2"], T3)
    assert result.snapshot_id == h.ids["s2"] and not result.was_new
    b = h.build()
    assert _state(h) == before  # nothing re-modelled (same invocation ids), same figures
    assert h.one("select fetch_count from staging.stg_inferencemax__snapshots where snapshot_id = ?", [h.ids["s2"]]) == 2
    # recency is derived downstream, so the re-fetch still shows up in the marts
    assert h.query("select distinct snapshot_fetched_at from mart_inferencemax__trends where snapshot_id = ?",
                   [h.ids["s2"]]) == [(T3.replace(tzinfo=None),)]
    assert h.one("select count(*) from staging.base_inferencemax__points where dbt_invocation_id = ?", [b.invocation_id]) == 0


def test_out_of_order_snapshot_is_slotted_in_before_the_first(history):
    h = history
    h.ids["s0"] = h.ingest(h.dirs["s0"], T0).snapshot_id
    b = h.build()
    s0, s1, s2 = h.ids["s0"], h.ids["s1"], h.ids["s2"]
    before = h.steps["s2_state"]["modelled"]
    for table in ("staging.base_inferencemax__points", "intermediate.int_inferencemax__points_joined_history",
                  "intermediate.int_inferencemax__hardware_snapshot_stats"):
        assert h.modelled_by(table) == {**before[table], s0: {b.invocation_id}}, table
    # S1 gets a predecessor (a new pair, diffed now); the S1 -> S2 pair is still consecutive and is kept
    assert h.modelled_by("intermediate.int_inferencemax__snapshot_point_diffs") == {
        s1: {b.invocation_id}, s2: before["intermediate.int_inferencemax__snapshot_point_diffs"][s2]}
    order = h.query("select snapshot_id, previous_snapshot_id from staging.stg_inferencemax__snapshots order by snapshot_ordinal")
    assert order == [(s0, None), (s1, s0), (s2, s1)]
    # S0 -> S1: every y went up by 1/0.9, every best throughput changed by +11.1 %
    changes = h.query("""select distinct change_type, round(tput_change_pct, 3), is_big_change, previous_seen_snapshot_id
                         from mart_inferencemax__trends where snapshot_id = ?""", [s1])
    assert changes == [("up", round(100 / 0.9 - 100, 3), True, s0)]
    (n_sample,), = h.query("select count(*) from intermediate.int_inferencemax__points_joined_history where snapshot_id = ?", [s1])
    assert h.query("select change_type, count(*) from mart_inferencemax__snapshot_diffs where snapshot_id = ? group by 1",
                   [s1]) == [("changed", n_sample)]


def test_full_refresh_equals_incremental_after_out_of_order_landing(history):
    h = history
    copy = h.full_refresh_copy("full-refresh-1")
    assert h.differences_from(copy) == {t: 0 for t in COMPARED}


def test_retention_removes_old_snapshots_from_every_incremental_table(history):
    h = history
    result = h.ingest(h.dirs["s3"], T4, retention=2)
    h.ids["s3"] = result.snapshot_id
    assert sorted(result.expired) == sorted([h.ids["s0"], h.ids["s1"]])
    b = h.build()
    kept = {h.ids["s2"], h.ids["s3"]}
    for table in INCREMENTAL:
        ids = set(h.modelled_by(table))
        assert ids == (kept if "diffs" not in table else {h.ids["s3"]}), table
    assert h.modelled_by("staging.base_inferencemax__points")[h.ids["s3"]] == {b.invocation_id}
    assert h.query("select snapshot_id, previous_snapshot_id, changed_count from mart_inferencemax__snapshot_diff_summary") == [
        (h.ids["s3"], h.ids["s2"], h.one("select count(*) from intermediate.int_inferencemax__points_joined_history "
                                         "where snapshot_id = ?", [h.ids["s2"]]))]
    # history now starts at S2: the dropped hardware was never seen, everything else was first seen in S2
    assert h.query("select distinct first_seen_snapshot_id from mart_inferencemax__hardware_lifecycle") == [(h.ids["s2"],)]
    assert h.one("select count(*) from mart_inferencemax__hardware_lifecycle where model_slug = ? and hw_key = ?",
                 list(DROPPED)) == 0


def test_alias_seed_change_reprocesses_every_snapshot_and_equals_full_refresh(history):
    h = history
    seed = h.project / "seeds" / "hardware_key_aliases.csv"
    seed.write_text(seed.read_text().rstrip("\n") + "\nmi355x,mi355x_vllm,test rename (a catalog key the sample does not use)\n")
    b = h.build()
    for table in ("staging.base_inferencemax__points", "intermediate.int_inferencemax__points_joined_history",
                  "intermediate.int_inferencemax__hardware_snapshot_stats",
                  "intermediate.int_inferencemax__snapshot_point_diffs"):
        assert set().union(*h.modelled_by(table).values()) == {b.invocation_id}, table
    assert h.one("select count(*) from staging.base_inferencemax__points where hw_key = 'mi355x'") == 0
    assert h.one("select count(*) from staging.base_inferencemax__points where hw_key = 'mi355x_vllm'") > 0
    groups = {(m, s) for (m, s), pts in load_points(h.dirs["s3"], "interactivity").items()
              if any(p["hwKey"] == "mi355x" for p in pts)}
    assert groups
    assert h.one("select count(*) from mart_inferencemax__trends where hw_key = 'mi355x_vllm'") == 2 * len(groups)
    copy = h.full_refresh_copy("full-refresh-2")
    assert h.differences_from(copy) == {t: 0 for t in COMPARED}


def test_a_table_built_before_the_model_was_incremental_asks_for_a_full_refresh(tmp_path):
    """Warehouses built by the earlier table materialization have no fingerprint column: the first
    incremental build must say what to do (not fail on a missing column), and --full-refresh must fix it."""
    h = History(tmp_path)
    h.ingest(SAMPLE, T1)
    ensure_warehouse_schema(h.warehouse)
    con = duckdb.connect(str(h.warehouse))
    try:
        con.execute("create schema staging")
        con.execute("create table staging.base_inferencemax__points as "
                    "select snapshot_id, source_file from raw.inferencemax_points")
    finally:
        con.close()
    only_base = ["--select", "+base_inferencemax__points", "--exclude", "test_type:data"]
    b = h.dbt("build", select=only_base)
    assert not b.ok
    assert "has no snapshot_batch_key column" in b.output and "--full-refresh" in b.output
    b = h.dbt("build", "--full-refresh", select=only_base)
    assert b.ok, b.output
    assert h.one("select count(distinct snapshot_batch_key) from staging.base_inferencemax__points") == 1

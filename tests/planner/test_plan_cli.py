"""`semibench plan` on the default data, through the real CLI against the published warehouse."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math

import pytest

README_ARGS = ("plan", "--model", "DeepSeek-R1-0528", "--isl", "1024", "--osl", "1024", "--min-interactivity", "50",
               "--demand-rps", "10")


def _json(planned, *args) -> list[dict]:
    proc = planned.ws.cli(*args, "--format", "json", check=True)
    return json.loads(proc.stdout)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_readme_command_prints_a_ranked_table(planned):
    proc = planned.ws.cli(*README_ARGS, check=True)
    out = proc.stdout
    for heading in ("rank", "GPUs", "$/M out tok", "J/out tok"):
        assert heading in out, out
    rows = _json(planned, *README_ARGS)
    ranked = [r for r in rows if r["plan_rank"] is not None]
    assert len(ranked) > 10
    # ranked by $/h, every ranked row has GPUs, a cost and J/token, and covers the demand (10 req/s x 1024)
    costs = [r["usd_per_hour_hyperscaler"] for r in ranked if r["usd_per_hour_hyperscaler"] is not None]
    assert costs == sorted(costs)
    best = ranked[0]
    assert best["plan_rank"] == 1 and best["gpus_needed"] % best["gpus_per_replica"] == 0
    assert best["gpus_needed"] * best["output_tput_per_gpu_at_slo"] >= 10 * 1024
    assert best["usd_per_m_output_tokens_hyperscaler"] > 0 and best["joules_per_output_token"] > 0
    assert best["config_label"].split()[0] in out  # the table shows the winner


def test_cli_and_mart_agree_on_the_saved_scenario(planned):
    cli = _json(planned, "plan", "--scenario", "dsr1-chat-50", "--top", "0")
    mart = planned.query("select * from mart_planning__plan where scenario_id = 'dsr1-chat-50'")
    assert len(cli) == len(mart) > 0
    key = lambda r: (r["row_kind"], r["plan_key"])  # noqa: E731
    by_key = {key(r): r for r in mart}
    for row in cli:
        expected = by_key[key(row)]
        for column, value in expected.items():
            got = row[column]
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            assert _same(got, value), (column, got, value, row["config_label"])


def test_readme_command_matches_the_saved_scenario(planned):
    """The README example is saved as scenario dsr1-chat-50: same numbers from flags and from the mart."""
    flags = {(r["row_kind"], r["plan_key"]): r for r in _json(planned, *README_ARGS)}
    mart = planned.query("select * from mart_planning__plan where scenario_id = 'dsr1-chat-50'")
    for r in mart:
        got = flags[(r["row_kind"], r["plan_key"])]
        for column in ("plan_rank", "gpus_needed", "usd_per_m_output_tokens_hyperscaler", "joules_per_output_token"):
            assert _same(got[column], r[column]), column


def test_csv_and_markdown_formats(planned):
    proc = planned.ws.cli(*README_ARGS, "--format", "csv", check=True)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows and {"plan_rank", "gpus_needed", "usd_per_m_output_tokens_rental", "joules_per_total_token",
                     "output_tput_per_gpu_at_slo", "total_tput_per_gpu_at_slo", "price_source"} <= set(rows[0])
    proc = planned.ws.cli(*README_ARGS, "--format", "markdown", "--top", "3", check=True)
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| rank | config |") and len(table) == 1 + 3


def test_sweep_cost_never_falls_as_the_slo_tightens(planned):
    rows = _json(planned, *README_ARGS, "--sweep", "min-interactivity=10,20,50,100")
    best = {}
    for r in rows:
        if r["plan_rank"] == 1:
            best.setdefault(r["scenario_id"], r["usd_per_hour_hyperscaler"])
    costs = [best[f"min-interactivity={v}"] for v in (10, 20, 50, 100)]
    assert costs == sorted(costs) and costs[0] < costs[-1]
    proc = planned.ws.cli(*README_ARGS, "--sweep", "min-interactivity=10,20,50,100", "--top", "1", check=True)
    assert "how cost grows as the SLO tightens" in proc.stdout


def test_price_seed_overrides_one_gpu(planned, tmp_path):
    seed = tmp_path / "prices.csv"
    seed.write_text("gpu_key,constant,value,unit,effective_from,effective_to,source\n"
                    "b200,usd_per_gpu_hour_hyperscaler,10.0,USD per GPU-hour,2025-01-01,,our quote 2026-06\n")
    rows = _json(planned, *README_ARGS, "--price-seed", str(seed))
    b200 = [r for r in rows if r["gpu_key"] == "b200" and r["gpus_needed"]]
    assert b200 and all(math.isclose(r["usd_per_hour_hyperscaler"], 10.0 * r["gpus_needed"]) for r in b200)
    assert all(r["price_source"] == "our quote 2026-06" for r in b200)
    # other GPUs and the other tiers keep the default table
    mi355x = [r for r in rows if r["gpu_key"] == "mi355x" and r["gpus_needed"]]
    assert mi355x and all(math.isclose(r["usd_per_gpu_hour_hyperscaler"], 1.48) for r in mi355x)
    assert all(math.isclose(r["usd_per_gpu_hour_rental"], 2.90) for r in b200)


@pytest.mark.parametrize("line, message", [
    ("b200,usd_per_gpu_hour_hyperscaler,ten,USD,2025-01-01,,q", "prices.csv:2: field value 'ten' is not a number"),
    ("b200,usd_per_gpu_hour_gold,1,USD,2025-01-01,,q", "prices.csv:2: field constant 'usd_per_gpu_hour_gold'"),
    ("b200,usd_per_gpu_hour_rental,1,USD,2025-13-01,,q", "prices.csv:2: field effective_from: not a YYYY-MM-DD"),
])
def test_bad_price_seed_is_one_line_naming_file_line_and_field(planned, tmp_path, line, message):
    seed = tmp_path / "prices.csv"
    seed.write_text("gpu_key,constant,value,unit,effective_from,effective_to,source\n" + line + "\n")
    proc = planned.ws.cli(*README_ARGS, "--price-seed", str(seed))
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], proc.stderr


@pytest.mark.parametrize("args, message", [
    (("plan", "--model", "DeepSeek-R1-0528", "--isl", "1024", "--osl", "1024"), "exactly one demand"),
    (("plan", "--isl", "1024", "--osl", "1024", "--demand-rps", "1"), "missing --model"),
    ((*README_ARGS, "--sweep", "speed=1,2"), "--sweep 'speed=1,2'"),
    ((*README_ARGS, "--rank-by", "cheapest"), "--rank-by 'cheapest'"),
])
def test_usage_errors_exit_2(planned, args, message):
    proc = planned.ws.cli(*args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_own_endpoint_sits_in_the_same_table(planned):
    args = ("plan", "--model", "gpt-oss-120b", "--isl", "1024", "--osl", "1024", "--min-interactivity", "5",
            "--demand-rps", "1")
    at8 = [r for r in _json(planned, *args, "--num-gpus", "8") if r["row_kind"] == "own_endpoint"]
    at4 = [r for r in _json(planned, *args, "--num-gpus", "4") if r["row_kind"] == "own_endpoint"]
    assert len(at8) == len(at4) == 1
    own8, own4 = at8[0], at4[0]
    # the bundled demo is serve-sim: flagged, never shown as real
    assert own8["is_simulated"] and "SIMULATED" in own8["config_label"]
    assert own8["status"] == "measured_goodput" and own8["plan_rank"] is not None
    assert 0 < own8["slo_attainment"] <= 1
    assert math.isclose(own4["output_tput_per_gpu_at_slo"], 2 * own8["output_tput_per_gpu_at_slo"])
    assert own4["gpus_per_replica"] == 4 and own8["gpus_per_replica"] == 8
    # an SLO no request meets leaves the endpoint unranked, saying why
    strict = [r for r in _json(planned, *args[:-4], "--min-interactivity", "100000", "--demand-rps", "1")
              if r["row_kind"] == "own_endpoint"]
    assert strict[0]["status"] == "slo_not_reachable" and strict[0]["plan_rank"] is None


def test_plan_never_writes_the_published_warehouse(planned):
    before = hashlib.sha256(planned.ws.published.read_bytes()).hexdigest()
    planned.ws.cli(*README_ARGS, check=True)
    assert hashlib.sha256(planned.ws.published.read_bytes()).hexdigest() == before


def test_slo_floor_below_the_frontier_on_the_shared_snapshot(planned):
    """Item 0: gpt-oss-120b 8k/1k on B200 reaches 30,439 tok/s/GPU at 54.1 tok/s/user in the 2025-10-23
    snapshot: that point already meets 'at least 20' and 'at least 50'."""
    rows = planned.query("""select tput_per_gpu_at_20_tps_user, tput_per_gpu_at_50_tps_user, best_tput_per_gpu
                            from mart_inferencemax__hardware_rollup
                            where model_slug = 'gpt-oss-120b' and sequence_slug = '8k_1k' and hw_key = 'b200'""")
    assert len(rows) == 1
    r = rows[0]
    assert r["tput_per_gpu_at_20_tps_user"] == r["tput_per_gpu_at_50_tps_user"] == r["best_tput_per_gpu"]
    assert round(r["best_tput_per_gpu"]) == 30439
    flagged = planned.query("""select interpolation_status from intermediate.int_inferencemax__tput_at_interactivity
                               where model_slug = 'gpt-oss-120b' and sequence_slug = '8k_1k' and hw_key = 'b200'
                                 and interactivity_target = 20""")
    assert flagged == [{"interpolation_status": "slo_looser_than_measured"}]

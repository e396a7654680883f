"""Landing result files in a real DuckDB file: counts, idempotence, quarantine (the default) vs --strict vs
--skip-bad, and the CLI's output and exit codes (0 / 3 / 1)."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from ingest.cli import ingest_app
from ingest.vllm_results import VllmIngestError, ingest_vllm_results

from .conftest import AGGS, write_json


def counts(warehouse) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                for t in ("vllm_results", "vllm_result_batches", "vllm_result_rejects")}


def bad_agg_file(root):
    bad = json.loads(json.dumps(AGGS))
    bad[1]["tput_per_gpu"] = "fast"
    return write_json(root / "broken" / "agg_bmk.json", bad)


@pytest.fixture
def cli():
    # mounted the way semibench.cli mounts it, so the command is really `ingest vllm-results`
    app = typer.Typer()
    app.add_typer(ingest_app, name="ingest")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["ingest", "vllm-results", *map(str, args)])


def test_directory_of_mixed_files_lands_every_run(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    summary = ingest_vllm_results([results["vllm"].parent.parent], warehouse)
    # 4 files: 1 vLLM run + 2 appended runs + 2 aggregates + an empty array
    assert (summary.files, summary.records_read, summary.records_landed, summary.records_already_landed) == (4, 5, 5, 0)
    assert summary.by_kind == {"vllm_bench": 3, "inferencemax_agg": 2}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""select source_format, source_locator, record_kind from raw.vllm_results
                              order by source_file, source_locator""").fetchall()
        assert rows == [("json_array", "[0]", "inferencemax_agg"), ("json_array", "[1]", "inferencemax_agg"),
                        ("jsonl", "line 1", "vllm_bench"), ("jsonl", "line 2", "vllm_bench"),
                        ("json_object", "$", "vllm_bench")]
        # the record is kept verbatim and queryable as JSON
        assert con.execute("select record ->> '$.errors[2]' from raw.vllm_results where source_locator = '$'").fetchone() == \
            ("ClientError: 503 Service Unavailable",)
        assert con.execute("select mode, file_count, records_landed, records_rejected, records_quarantined "
                           "from raw.vllm_result_batches").fetchall() == [("quarantine", 4, 5, 0, 0)]
        assert con.execute("select count(*) from raw.vllm_results where quarantine_reasons is not null "
                           "or ingest_notes is not null").fetchone() == (0,)


def test_reingesting_lands_nothing_new(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_vllm_results([results["vllm"], results["agg"]], warehouse)
    # the same files again, once directly and once through their directory: read once, nothing new
    again = ingest_vllm_results([results["vllm"].parent.parent, results["agg"]], warehouse)
    assert (again.records_read, again.records_landed, again.records_already_landed) == (5, 2, 3)
    assert counts(warehouse) == {"vllm_results": 5, "vllm_result_batches": 2, "vllm_result_rejects": 0}
    third = ingest_vllm_results([results["vllm"].parent.parent], warehouse)
    assert (third.records_landed, third.records_already_landed) == (0, 5)
    assert counts(warehouse)["vllm_results"] == 5


BAD_REASON = "field 'tput_per_gpu' is the string 'fast', expected a number >= 0"


def test_a_bad_record_is_quarantined_and_the_rest_of_its_batch_lands(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    bad = bad_agg_file(tmp_path)
    summary = ingest_vllm_results([results["vllm"].parent.parent, bad], warehouse)
    # the bad file's element [0] equals the fixture aggregate [0]: read twice, landed once
    assert (summary.records_read, summary.records_landed, summary.records_quarantined) == (7, 6, 1)
    assert [str(q) for q in summary.quarantined] == [f"{bad} [1]: {BAD_REASON}"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select source_locator, quarantine_reasons, record ->> '$.tput_per_gpu' from raw.vllm_results "
                          "where quarantine_reasons is not null").fetchall()
        assert row == [("[1]", BAD_REASON, "fast")]  # landed verbatim, with its reason
        assert con.execute("select mode, records_quarantined from raw.vllm_result_batches").fetchall() == [("quarantine", 1)]


def test_one_bad_record_lands_nothing_in_strict_mode(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest_vllm_results([results["agg"]], warehouse)
    before = counts(warehouse)
    bad = bad_agg_file(tmp_path)
    with pytest.raises(VllmIngestError) as err:
        ingest_vllm_results([results["vllm"].parent.parent, bad], warehouse, strict=True)
    assert str(err.value) == f"{bad} [1]: {BAD_REASON}; nothing was landed"
    assert err.value.records_read == 7 and len(err.value.rejections) == 1
    assert counts(warehouse) == before  # not even the valid records of the same batch


def truncated_file(root):
    broken_json = root / "broken" / "truncated.json"
    broken_json.parent.mkdir(parents=True, exist_ok=True)
    broken_json.write_text('{"completed": 3, "model_id": "m", "ttfts": [0.1,', encoding="utf-8")
    return broken_json


def test_an_unreadable_file_fails_the_batch_with_one_line(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    broken_json = truncated_file(tmp_path)
    with pytest.raises(VllmIngestError) as err:
        ingest_vllm_results([results["vllm"].parent.parent, broken_json], warehouse)
    assert str(err.value) == (f"{broken_json} line 1: invalid JSON: Expecting value: line 1 column 49 (char 48); "
                              "nothing was landed")
    assert "\n" not in str(err.value)
    assert not warehouse.exists() or counts(warehouse)["vllm_results"] == 0


def test_skip_bad_lands_the_rest_and_records_unreadable_files(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    bad = bad_agg_file(tmp_path)
    broken_json = truncated_file(tmp_path)
    summary = ingest_vllm_results([results["vllm"].parent.parent, bad.parent], warehouse, skip_bad=True)
    assert (summary.records_read, summary.records_landed, summary.records_quarantined, len(summary.rejections)) == (7, 6, 1, 1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejects = con.execute("select source_file, source_locator, reason from raw.vllm_result_rejects").fetchall()
        assert len(rejects) == 1 and rejects[0][0] == str(broken_json) and rejects[0][2].startswith("invalid JSON")
        assert con.execute("select mode, records_rejected, records_quarantined from raw.vllm_result_batches").fetchall() == \
            [("skip_bad", 1, 1)]


def test_strict_and_skip_bad_contradict(results, tmp_path):
    with pytest.raises(VllmIngestError, match="--strict and --skip-bad contradict each other"):
        ingest_vllm_results([results["agg"]], tmp_path / "wh.duckdb", strict=True, skip_bad=True)


def test_only_empty_arrays_is_a_valid_empty_batch(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    summary = ingest_vllm_results([results["empty_agg"]], warehouse)
    assert (summary.files, summary.records_read, summary.records_landed) == (1, 0, 0)
    assert counts(warehouse)["vllm_result_batches"] == 1


def test_no_files_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(VllmIngestError, match=r"no result files \(\*\.json, \*\.jsonl\) found in"):
        ingest_vllm_results([tmp_path / "empty"], tmp_path / "wh.duckdb")
    with pytest.raises(VllmIngestError, match="no such file or directory; nothing was landed"):
        ingest_vllm_results([tmp_path / "missing.json"], tmp_path / "wh.duckdb")


def test_locked_warehouse_gives_a_clear_error(results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(VllmIngestError, match=r"warehouse is locked by another process \(is `dbt build` running\?\); nothing was landed"):
            ingest_vllm_results([results["agg"]], warehouse)
    finally:
        holder.kill()
        holder.wait()


def test_cli_prints_counts_and_exits_zero(cli, results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    result = cli(results["vllm"].parent.parent, "--warehouse", warehouse)
    assert result.exit_code == 0, result.output
    for line in ("files         4", "accepted      5", "rejected      0", "quarantined   0",
                 "landed        5 (2 inferencemax_agg, 3 vllm_bench)", "already there 0"):
        assert line in result.stdout
    again = cli(results["vllm"].parent.parent, "--warehouse", warehouse)
    assert "landed        0 (nothing new)" in again.stdout and "already there 5" in again.stdout


def test_cli_quarantine_exits_three_and_lists_the_records(cli, results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    bad = bad_agg_file(tmp_path)
    result = cli(results["agg"], bad, "--warehouse", warehouse)
    assert result.exit_code == 3, result.output
    assert "(quarantine)" in result.stdout and "quarantined   1" in result.stdout
    assert f"  quarantined {bad} [1]: {BAD_REASON}" in result.stdout
    assert counts(warehouse)["vllm_results"] == 3


def test_cli_strict_failure_exits_one_with_one_error_line(cli, results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    bad = bad_agg_file(tmp_path)
    result = cli(results["agg"], bad, "--strict", "--warehouse", warehouse)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"  rejected {bad} [1]: {BAD_REASON}",
        "accepted 4, rejected 1, landed 0",
        f"error: {bad} [1]: {BAD_REASON}; nothing was landed",
    ]
    assert not warehouse.exists() or counts(warehouse)["vllm_results"] == 0


def test_cli_unreadable_file_exits_one_naming_the_file(cli, results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    html = tmp_path / "page.json"
    html.write_text("<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    result = cli(results["agg"], html, "--warehouse", warehouse)
    assert result.exit_code == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error_lines == [f"error: {html} line 1: invalid JSON: Expecting value: line 1 column 1 (char 0); nothing was landed"]
    assert not warehouse.exists() or counts(warehouse)["vllm_results"] == 0


def test_cli_skip_bad_lists_what_it_skipped(cli, results, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    broken_json = truncated_file(tmp_path)
    result = cli(results["agg"], broken_json, "--skip-bad", "--warehouse", warehouse)
    assert result.exit_code == 3, result.output
    assert "(skip_bad)" in result.stdout and "rejected      1" in result.stdout
    assert "skipped (recorded in raw.vllm_result_rejects):" in result.stdout
    assert f"  rejected {broken_json} line 1: invalid JSON" in result.stdout

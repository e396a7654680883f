"""The InferenceX API client against a real aiohttp server on 127.0.0.1 serving the shared fixtures, with
faults. Every fault test is bounded: retries 0-2, backoff 0, timeouts under a second."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from ingest.config import Config, InferenceXConfig
from ingest.errors import IngestError
from ingest.inferencex import ingest_inferencex


def config(api, **overrides) -> Config:
    ix = InferenceXConfig(base_url=api.url, models=("DeepSeek-R1-0528",), sequences=("1k/1k",), timeout_s=5,
                          retries=2, backoff_s=0, concurrency=2)
    return Config(inferencex=replace(ix, **overrides))


def ingest(api, tmp_path, **overrides):
    return ingest_inferencex(config(api, **overrides), warehouse=tmp_path / "w.duckdb",
                             archive_root=tmp_path / "archive")


def captures(tmp_path) -> int:
    path = tmp_path / "w.duckdb"
    if not path.exists():
        return 0
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from raw.inferencex_captures").fetchall()[0][0]


def test_fetches_every_route_politely_and_workflow_info_for_new_dates(api, tmp_path):
    result = ingest(api, tmp_path)
    assert result.was_new and result.source_kind == "api"
    assert set(result.routes) == {"benchmarks", "benchmarks/history", "availability", "evaluations", "reliability",
                                  "workflow-info"}
    history = [q for r, q, _ in api.requests if r == "benchmarks/history"]
    assert history == [{"model": "DeepSeek-R1-0528", "isl": "1024", "osl": "1024"}]
    # one workflow-info request per result date of the benchmarks fetched (the fixtures: 64 distinct dates)
    dates = {q["date"] for r, q, _ in api.requests if r == "workflow-info"}
    assert len(dates) == api.count("workflow-info") > 1
    headers = api.requests[0][2]
    assert "gzip" in headers["Accept-Encoding"] and headers["User-Agent"].startswith("semibench-ingest/")

    # dates already landed are not asked for again
    before = api.count("workflow-info")
    again = ingest(api, tmp_path)
    assert api.count("workflow-info") == before
    assert again.records_new == 0


def test_5xx_then_success_is_retried(api, tmp_path):
    api.faults["availability"] = [("status", 503, "busy", {}), ("status", 500, "oops", {})]
    result = ingest(api, tmp_path, routes=("availability",))
    assert api.count("availability") == 3
    assert result.routes == {"availability": 689}


def test_429_with_retry_after_is_honoured_and_an_excessive_one_fails(api, tmp_path):
    api.faults["reliability"] = [("status", 429, "slow down", {"Retry-After": "0"})]
    ingest(api, tmp_path, routes=("reliability",))
    assert api.count("reliability") == 2

    api.faults["reliability"] = [("status", 429, "slow down", {"Retry-After": "3600"})]
    with pytest.raises(IngestError, match=r"reliability: HTTP 429.*retry after 3600s"):
        ingest(api, tmp_path / "second", routes=("reliability",))
    assert api.count("reliability") == 3  # no second attempt


def test_a_timeout_is_retried(api, tmp_path):
    api.faults["evaluations"] = [("sleep", 3)]
    result = ingest(api, tmp_path, routes=("evaluations",), timeout_s=0.5, retries=1)
    assert api.count("evaluations") == 2 and result.routes == {"evaluations": 531}


def test_timeouts_give_up_with_the_url(api, tmp_path):
    api.faults["evaluations"] = [("sleep", 3), ("sleep", 3)]
    with pytest.raises(IngestError, match=r"GET http://127\.0\.0\.1:\d+/api/v1/evaluations: timed out after 0\.5s "
                                          r"\(gave up after 2 attempts\)"):
        ingest(api, tmp_path, routes=("evaluations",), timeout_s=0.5, retries=1)
    assert captures(tmp_path) == 0


@pytest.mark.parametrize("fault, message", [
    (("truncate",), r"not valid JSON \(truncated\?\)"),
    (("html",), r"an HTML page, not JSON"),
])
def test_a_bad_body_fails_the_capture_naming_the_url(api, tmp_path, fault, message):
    api.faults["benchmarks"] = [fault]
    with pytest.raises(IngestError, match=r"http://127\.0\.0\.1:\d+/api/v1/benchmarks\?model=DeepSeek-R1-0528: " + message):
        ingest(api, tmp_path)
    assert captures(tmp_path) == 0  # a bad file fails its capture: nothing of it landed
    assert not list((tmp_path / "archive").glob("inferencex/*/manifest.json"))


def test_unknown_model_is_one_clear_error_not_a_retry_loop(api, tmp_path):
    with pytest.raises(IngestError) as err:
        ingest(api, tmp_path, models=("DeepSeek-R9",), routes=("benchmarks",))
    assert "does not know model 'DeepSeek-R9'" in str(err.value) and "\n" not in str(err.value)
    assert api.count("benchmarks") == 1


def test_the_cli_prints_one_error_line_and_exits_1(api, workspace):
    cfg = workspace.root / "ix.yaml"
    cfg.write_text(f"inferencex:\n  base_url: {api.url}\n  retries: 0\n  routes: [benchmarks]\n")
    proc = workspace.cli("ingest", "inferencex", "--config", str(cfg), "--model", "Nope-1")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "error: GET" in proc.stderr and "'Nope-1'" in proc.stderr


def test_unknown_config_keys_stay_an_error(tmp_path):
    from ingest.config import ConfigError, load_config
    bad = tmp_path / "c.yaml"
    bad.write_text("inferencex:\n  retires: 3\n")
    with pytest.raises(ConfigError, match="unknown key 'inferencex.retires'"):
        load_config(bad)
    bad.write_text("inferencex:\n  sequences: [2k/2k]\n")
    with pytest.raises(ConfigError, match="unknown value '2k/2k'"):
        load_config(bad)

"""The CLI: help for every option, the issue's done-criterion command (scaled down),
one-line argument errors, and serve-sim as a process."""

from __future__ import annotations

import json
import urllib.request

import pytest
import typer
from typer.testing import CliRunner

from loadgen.cli import app, loadgen_command, serve_sim_command, sim_app
from loadgen.sim.latency import LatencyModel

from .test_metrics import VLLM_KEYS

runner = CliRunner()


@pytest.mark.parametrize("typer_app", [app, sim_app])
def test_every_option_has_help(typer_app):
    cmd = typer.main.get_command(typer_app)
    # Typer vendors its own click, so go by the parameter kind, not isinstance.
    params = [p for p in cmd.params if p.param_type_name == "option" and p.name != "help"]
    assert len(params) >= 20
    for p in params:
        assert p.help and len(p.help) > 10, p.name
    res = runner.invoke(typer_app, ["--help"])
    assert res.exit_code == 0


def test_lead_can_register_the_plain_functions():
    host = typer.Typer()
    host.command("loadgen")(loadgen_command)
    host.command("serve-sim")(serve_sim_command)
    res = runner.invoke(host, ["serve-sim", "--help"])
    assert res.exit_code == 0 and "--rate-limit-rate" in res.output
    assert runner.invoke(host, ["loadgen", "--help"]).exit_code == 0


def test_done_criterion_command_scaled_down(sim, tmp_path):
    # The command at 10x the rate and a third of the prompts, to fit the test budget.
    h = sim(LatencyModel(ttft_ms=5, tpot_ms=0.5))
    out = tmp_path / "run"
    res = runner.invoke(app, ["--base-url", h.base_url, "--model", "M", "--dataset", "random",
                              "--isl", "1024", "--osl", "128", "--request-rate", "200",
                              "--num-prompts", "60", "--out-dir", str(out), "--api-key-env", ""])
    assert res.exit_code == 0, res.output
    assert "Serving Benchmark Result" in res.output and "[loadgen]" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert set(VLLM_KEYS) <= set(summary)
    assert summary["completed"] == 60 and summary["total_output_tokens"] == 60 * 128
    assert summary["total_input_tokens"] == 60 * 1024 and summary["isl"] == 1024
    lines = (out / "trace.jsonl").read_text().splitlines()
    assert len(lines) == 62


@pytest.mark.parametrize("args, needle", [
    (["--model", "m"], "--base-url is required"),
    (["--base-url", "http://127.0.0.1:9", "--model", "m", "--request-rate", "0"], "--request-rate must be > 0"),
    (["--base-url", "127.0.0.1:9", "--model", "m"], "must start with http://"),
    (["--base-url", "http://127.0.0.1:9", "--model", "m", "--backend", "grpc"], "unknown --backend"),
    (["--base-url", "http://127.0.0.1:9", "--model", "m", "--goodput", "ttft"], "--goodput: expected KEY:VALUE"),
    (["--base-url", "http://127.0.0.1:9", "--model", "m", "--extra-body", "{"], "--extra-body is not valid JSON"),
])
def test_bad_arguments_fail_with_one_line(args, needle):
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("loadgen: error:") and needle in err and "\n" not in err


def test_bad_dataset_line_is_named(tmp_path):
    ds = tmp_path / "prompts.jsonl"
    ds.write_text('[{"role": "user", "content": "hi"}]\n{"oops": 1}\n')
    res = runner.invoke(app, ["--base-url", "http://127.0.0.1:9", "--model", "m",
                              "--dataset", "custom", "--dataset-path", str(ds)])
    assert res.exit_code == 2
    assert f"{ds}:2:" in res.stderr


def test_serve_sim_process_announces_port_and_serves(sim_proc):
    _, url = sim_proc("--zero-latency", "--model", "demo")
    with urllib.request.urlopen(url + "/v1/models", timeout=10) as r:
        assert json.load(r)["data"][0]["id"] == "demo"
    body = json.dumps({"model": "demo", "prompt": "abcd", "max_tokens": 3, "stream": False}).encode()
    req = urllib.request.Request(url + "/v1/completions", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        doc = json.load(r)
    assert doc["usage"] == {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}


def test_serve_sim_rejects_bad_model_settings():
    res = runner.invoke(sim_app, ["--error-rate", "2", "--port", "0"])
    assert res.exit_code == 2 and "between 0 and 1" in res.stderr

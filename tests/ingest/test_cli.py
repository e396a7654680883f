"""`ingest inferencemax` through typer's CliRunner, standalone and mounted the way semibench.cli mounts it."""

import json
import re

import pytest
import typer
from typer.testing import CliRunner

from ingest.cli import ingest_app

OPTIONS = ("--config", "--from", "--compress", "--no-compress", "--retention", "--quiet")


@pytest.fixture
def cli(scratch):
    runner = CliRunner()

    def invoke(*args, app=ingest_app):
        return runner.invoke(app, list(args), env=scratch.env())
    return invoke


def config_file(tmp_path, server, extra=""):
    path = tmp_path / "ingest.yaml"
    path.write_text(
        "inferencemax:\n"
        f"  base_url: {server.url}\n"
        "  models: [tiny-moe-8b, mini-dense-3b]\n"
        "  sequences: [1k_1k]\n"
        "  timeout_s: 0.5\n  retries: 1\n  backoff_s: 0.01\n" + extra)
    return path


def test_success_prints_summary_then_already_landed(cli, server, scratch, tmp_path):
    cfg = config_file(tmp_path, server)
    first = cli("inferencemax", "--config", str(cfg))
    assert first.exit_code == 0, first.output
    sid = re.search(r"snapshot\s+([0-9a-f]{16}) \(new\)", first.stdout).group(1)
    assert re.search(r"^files\s+4$", first.stdout, re.M)
    assert re.search(r"^points\s+48$", first.stdout, re.M)
    assert re.search(r"^hwKeys\s+b200, h100, mi300x$", first.stdout, re.M)
    assert str(scratch.snapshots_dir / sid) in first.stdout
    assert first.stderr == ""
    assert scratch.counts()["points"] == 48  # landed where SEMIBENCH_WAREHOUSE points

    again = cli("inferencemax", "--config", str(cfg), "--quiet")
    assert again.exit_code == 0
    assert again.stdout == f"snapshot {sid} (already landed): 4 files, 48 points, 0 quarantined\n"


def test_fetch_failure_prints_one_error_line_and_exits_1(cli, server, scratch, tmp_path):
    name = server.names()[0]
    server.script(name, server.Reply(status=404))
    result = cli("inferencemax", "--config", str(config_file(tmp_path, server)), "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: GET {server.url_of(name)}: HTTP 404")
    assert scratch.counts()["points"] == 0


def test_bad_config_and_bad_retention_exit_1(cli, server, tmp_path):
    bad = config_file(tmp_path, server, "  retires: 3\n")
    result = cli("inferencemax", "--config", str(bad))
    assert result.exit_code == 1
    assert result.stderr == f"error: {bad}: unknown key 'inferencemax.retires' (known: base_url, models, sequences, types, timeout_s, retries, backoff_s, concurrency)\n"
    result = cli("inferencemax", "--config", str(config_file(tmp_path, server)), "--retention", "0")
    assert result.exit_code == 1 and "retention must be at least 1" in result.stderr


def test_from_dir_compress_and_retention_flags_apply(cli, scratch, tmp_path, server):
    src = tmp_path / "capture"
    src.mkdir()
    for name, body in server.files.items():
        (src / name).write_bytes(body)
    cfg = str(config_file(tmp_path, server))
    result = cli("inferencemax", "--from", str(src), "--config", cfg, "--compress", "--retention", "1")
    assert result.exit_code == 0, result.output
    (snap,) = scratch.archived_ids()
    assert all(p.name.endswith(".json.gz") for p in (scratch.snapshots_dir / snap / "files").iterdir())

    (src / server.names()[0]).write_bytes(json.dumps(server.points(server.names()[0])[1:]).encode())
    result = cli("inferencemax", "--from", str(src), "--config", cfg, "--no-compress", "--retention", "1")
    assert result.exit_code == 0, result.output
    assert f"removed 1 older snapshot(s): {snap}" in result.stdout
    assert len(scratch.archived_ids()) == 1 and snap not in scratch.archived_ids()


def test_missing_from_dir_is_an_error_line(cli, tmp_path):
    result = cli("inferencemax", "--from", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope'}: not a directory\n"


def test_mounted_as_semibench_ingest(cli, server, tmp_path):
    app = typer.Typer()

    @app.command()
    def other() -> None:
        """A sibling command, as the real semibench app has."""

    app.add_typer(ingest_app, name="ingest")
    result = cli("ingest", "inferencemax", "--config", str(config_file(tmp_path, server)), "-q", app=app)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"snapshot [0-9a-f]{16} \(new\): 4 files, 48 points, 0 quarantined\n", result.stdout)


def test_every_option_has_help_text(cli):
    result = cli("inferencemax", "--help")
    assert result.exit_code == 0
    # rich wraps help inside a box: drop its borders so wrapped phrases read as one line
    text = " ".join(result.stdout.replace("│", " ").split())
    for option in OPTIONS:
        assert option in text
    for phrase in ("YAML config", "local directory", "Gzip the archived files", "newest N snapshots", "No progress bar"):
        assert phrase in text

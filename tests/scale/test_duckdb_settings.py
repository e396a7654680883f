"""profiles.yml passes memory_limit, temp_directory and preserve_insertion_order to DuckDB (env vars with
defaults), so big builds spill instead of dying."""

from __future__ import annotations

import json

from tests.scale.helpers import Warehouse

SHOW = ("select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory, "
        "current_setting('preserve_insertion_order') as preserve_insertion_order")


def _settings(w: Warehouse, env: dict) -> dict:
    b = w.dbt("show", "--inline", SHOW, "--output", "json", "--log-format", "json", env=env)
    assert b.ok, b.output
    for line in b.output.splitlines():
        if '"preview"' in line:
            return json.loads(json.loads(line)["data"]["preview"])[0]
    raise AssertionError(b.output)


def test_defaults(tmp_path, monkeypatch):
    for var in ("SEMIBENCH_DUCKDB_MEMORY_LIMIT", "SEMIBENCH_DUCKDB_TEMP_DIR", "SEMIBENCH_DUCKDB_PRESERVE_INSERTION_ORDER"):
        monkeypatch.delenv(var, raising=False)
    w = Warehouse(tmp_path)
    s = _settings(w, {})
    assert s["memory_limit"] == "7.4 GiB"  # 8GB = 8e9 bytes
    assert s["temp_directory"] == str(w.path) + ".tmp"  # beside the warehouse file
    assert s["preserve_insertion_order"] is False


def test_overrides_reach_duckdb(tmp_path):
    w = Warehouse(tmp_path)
    spill = tmp_path / "spill" / "here"
    env = {"SEMIBENCH_DUCKDB_MEMORY_LIMIT": "300MB", "SEMIBENCH_DUCKDB_TEMP_DIR": str(spill),
           "SEMIBENCH_DUCKDB_PRESERVE_INSERTION_ORDER": "true"}
    s = _settings(w, env)
    assert s == {"memory_limit": "286.1 MiB", "temp_directory": str(spill), "preserve_insertion_order": True}


def test_temp_directory_is_set_once_at_open_not_per_cursor():
    """dbt-duckdb re-runs every `settings` entry on each new cursor, and DuckDB refuses to SET temp_directory
    after something spilled there: under `settings` it failed the 10M-request build mid-way."""
    import yaml

    from semibench_core import paths

    dev = yaml.safe_load((paths.PROJECT_DIR / "profiles.yml").read_text())["semibench"]["outputs"]["dev"]
    assert "temp_directory" not in dev.get("settings", {})
    assert "temp_directory" in dev["config_options"]

"""The model_checks generic test (macros/generic_tests/model_checks.sql), the one test node per model that
replaced hundreds of single-column tests: run by real dbt in a scratch project on two seeds, one clean and
one breaking every kind of check, with the failing rows stored so the test can read what it reported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from semibench_core import paths

CHECKS = """
        - model_checks:
            arguments:
              not_null: [id, kind]
              unique: [id]
              accepted_values:
                kind: [small, large]
                is_ok: [true]
              ranges:
                - {column: score, min_value: 0, max_value: 1}
                - {column: gap, min_value: 0, inclusive: false}
              expressions: ["a <= b"]
              unique_combinations: [[a, b]]
"""

CLEAN = """id,kind,is_ok,score,gap,a,b
1,small,true,0.0,1,1,2
2,large,true,1.0,,1,3
3,small,,,0.5,2,2
"""

# row 2 repeats id 1; row 3 has a null id and an unknown kind; scores 1.5 and -0.25 are out of [0, 1];
# gap 0 is not > 0; a > b once; (a, b) = (1, 2) twice; is_ok false once
BROKEN = """id,kind,is_ok,score,gap,a,b
1,small,true,1.5,0,1,2
1,large,false,-0.25,1,1,2
,medium,true,0.5,1,5,4
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    root = tmp_path_factory.mktemp("model_checks")
    (root / "macros").mkdir()
    shutil.copy(paths.PROJECT_DIR / "macros" / "generic_tests" / "model_checks.sql", root / "macros")
    (root / "seeds").mkdir()
    (root / "seeds" / "clean.csv").write_text(CLEAN)
    (root / "seeds" / "broken.csv").write_text(BROKEN)
    (root / "seeds" / "_seeds.yml").write_text(
        "version: 2\nseeds:\n" + "".join(f"  - name: {name}\n    data_tests:{CHECKS}" for name in ("clean", "broken")))
    (root / "dbt_project.yml").write_text(
        "name: checks\nversion: '1.0.0'\nconfig-version: 2\nprofile: checks\nseed-paths: [seeds]\nmacro-paths: [macros]\n"
        "data_tests:\n  +store_failures: true\n")
    warehouse = root / "checks.duckdb"
    (root / "profiles.yml").write_text(
        f"checks:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{warehouse}'\n      threads: 1\n")
    proc = subprocess.run([sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(root),
                           "--profiles-dir", str(root)], cwd=root, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return proc, warehouse


def failures(warehouse: Path, seed: str) -> dict[tuple[str, str], tuple[int, str | None]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (table,), = con.execute("""select table_schema || '.' || table_name from information_schema.tables
                                  where table_name like ? """, [f"model_checks_{seed}%"]).fetchall()
        return {(check, what): (rows, detail) for check, what, rows, detail
                in con.execute(f"select failed_check, checked, failing_rows, detail from {table}").fetchall()}


def test_a_clean_model_passes_and_a_broken_one_fails(checked):
    proc, _ = checked
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "PASS model_checks_clean" in out and "FAIL" in out and "model_checks_broken" in out, out


def test_every_broken_check_is_named_with_its_row_count(checked):
    _, warehouse = checked
    assert failures(warehouse, "broken") == {
        ("not_null", "id"): (1, None),
        ("unique", "id"): (1, None),
        ("accepted_values", "kind"): (1, "medium"),
        ("accepted_values", "is_ok"): (1, "false"),
        ("range", "score"): (2, "-0.25 .. 1.5"),
        ("range", "gap"): (1, "0 .. 1"),
        ("expression", "a <= b"): (1, None),
        ("unique_combination", "a, b"): (1, None),
    }


def test_nulls_pass_every_check_but_not_null(checked):
    _, warehouse = checked
    assert failures(warehouse, "clean") == {}

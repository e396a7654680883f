"""The bundled synthetic InferenceMAX sample and the synthetic-history generator behave as promised."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from semibench_core import paths
from sample_data.generators.sample_inferencemax import generate_sample

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = paths.sample_dir()

MODELS = ("gpt-oss-120b", "llama-3_3-70b-instruct-fp8", "deepseek-r1-0528")
SEQS = ("1k_1k", "1k_8k", "8k_1k")
TYPES = ("interactivity", "e2e")
NESTED = ("costh", "costn", "costr", "tpPerGpu", "tpPerMw")
HW_KEYS = {
    "gpt-oss-120b": {"b200", "h100", "h200", "h200_trt", "mi300x", "mi325x", "mi355x"},
    "llama-3_3-70b-instruct-fp8": {"b200", "b200_trt", "h100", "h200", "h200_trt", "mi300x", "mi325x", "mi355x"},
    "deepseek-r1-0528": {"b200", "b200_trt", "gb200", "gb200_mtp", "h200", "h200_trt", "mi300x", "mi325x", "mi355x"},
}
RACK_KEYS = {"gb200", "gb200_mtp"}


def served_names() -> set[str]:
    return {f"{m}-{s}-{t}.json" for m in MODELS for s in SEQS for t in TYPES}


def load(directory: Path) -> dict[tuple[str, str, str], list[dict]]:
    """(model, seq, type) -> points."""
    out = {}
    for m in MODELS:
        for s in SEQS:
            for t in TYPES:
                out[(m, s, t)] = json.loads((directory / f"{m}-{s}-{t}.json").read_text())
    return out


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def six_key(model: str, seq: str, p: dict) -> tuple:
    return (model, seq, p["hwKey"], p["precision"], p["tp"], p["conc"])


def naive_roof(points: list[dict], higher_x_better: bool) -> list[bool]:
    """Independent O(n^2) Pareto check, per hwKey: y higher is better; x per file type."""
    sign = 1 if higher_x_better else -1
    out = []
    for p in points:
        px, py = sign * p["x"], p["y"]
        dominated = any(
            q["hwKey"] == p["hwKey"] and sign * q["x"] >= px and q["y"] >= py and (sign * q["x"] > px or q["y"] > py)
            for q in points)
        out.append(not dominated)
    return out


def check_snapshot(data: dict[tuple[str, str, str], list[dict]]) -> None:
    """Invariants every generated snapshot must hold (the sample and each history day)."""
    for (m, s, t), points in data.items():
        for p in points:
            for f in ("x", "y", "hwKey", "precision", "tp", "conc", *NESTED):
                assert f in p, (m, s, t, f, p)
            assert is_number(p["x"]) and is_number(p["y"]) and p["x"] > 0 and p["y"] > 0
            assert isinstance(p["hwKey"], str) and isinstance(p["precision"], str)
            assert isinstance(p["tp"], int) and isinstance(p["conc"], int) and not isinstance(p["tp"], bool)
            assert p["tp"] > 0 and p["conc"] > 0
            for f in NESTED:
                assert set(p[f]) == {"y", "roof"}, p[f]
                assert is_number(p[f]["y"]) and p[f]["y"] > 0 and isinstance(p[f]["roof"], bool)
            assert p["tpPerGpu"]["y"] == p["y"]
            assert list(p) == sorted(p)  # stable (sorted) key order
            for v in (p["x"], p["y"], *(p[f]["y"] for f in NESTED)):
                assert round(v, 3) == v
        # roof flags: independent Pareto per hwKey; lower latency is better in e2e files
        want = naive_roof(points, higher_x_better=(t == "interactivity"))
        for p, w in zip(points, want):
            assert all(p[f]["roof"] == w for f in NESTED), (m, s, t, p)

    for m in MODELS:
        for s in SEQS:
            inter, e2e = data[(m, s, "interactivity")], data[(m, s, "e2e")]
            ki = [six_key(m, s, p) for p in inter]
            ke = [six_key(m, s, p) for p in e2e]
            assert len(set(ki)) == len(ki) and len(set(ke)) == len(ke)
            assert set(ki) == set(ke)
            by_key = {six_key(m, s, p): p for p in e2e}
            curves = defaultdict(list)
            for p in inter:
                q = by_key[six_key(m, s, p)]
                assert q["y"] == p["y"]
                strip = lambda d: {k: v for k, v in d.items() if k not in ("x", *NESTED)}  # noqa: E731
                assert strip(q) == strip(p)  # same run: same optional fields
                curves[(p["hwKey"], p["precision"], p["tp"])].append((p["conc"], p["x"], q["x"], p["y"], p["costh"]["y"]))
            for cfg, runs in curves.items():
                runs.sort()
                for (c0, i0, e0, y0, k0), (c1, i1, e1, y1, k1) in zip(runs, runs[1:]):
                    assert i1 < i0, (m, s, cfg, c0, c1)  # interactivity falls with concurrency
                    assert y1 > y0, (m, s, cfg, c0, c1)  # throughput per GPU rises
                    assert e1 > e0, (m, s, cfg, c0, c1)  # end-to-end latency rises
                    assert k1 <= k0  # cost per token falls


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


def test_sample_has_exactly_the_18_served_files():
    assert {p.name for p in SAMPLE.iterdir() if p.suffix == ".json"} == served_names()


def test_regenerating_gives_byte_identical_files(tmp_path):
    written = generate_sample(tmp_path)
    assert {p.name for p in written} == served_names()
    for p in written:
        assert p.read_bytes() == (SAMPLE / p.name).read_bytes(), p.name


def test_module_cli_regenerates(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sample_data.generators.sample_inferencemax", "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert all((tmp_path / n).read_bytes() == (SAMPLE / n).read_bytes() for n in served_names())


def test_files_are_bare_single_line_arrays():
    for name in served_names():
        text = (SAMPLE / name).read_text()
        assert text.startswith("[{") and text.endswith("}]") and "\n" not in text


def test_sample_invariants(sample):
    check_snapshot(sample)


def test_size_and_counts(sample):
    for t in TYPES:
        n = sum(len(v) for (m, s, tt), v in sample.items() if tt == t)
        assert 300 <= n <= 600, (t, n)
    total = sum((SAMPLE / n).stat().st_size for n in served_names())
    assert total < 600_000


def test_hw_keys_per_model_as_in_the_real_capture(sample):
    for m in MODELS:
        for s in SEQS:
            got = {p["hwKey"] for p in sample[(m, s, "interactivity")]}
            want = HW_KEYS[m] - (RACK_KEYS if s == "1k_8k" else set())
            assert got == want, (m, s)
            # several (precision, tp) configurations overall per model
            assert len({(p["hwKey"], p["precision"], p["tp"]) for p in sample[(m, s, "interactivity")]}) >= len(got)


def test_physical_plausibility(sample):
    for m in MODELS:
        one, eight = sample[(m, "1k_1k", "interactivity")], sample[(m, "8k_1k", "interactivity")]
        k = lambda p: (p["hwKey"], p["precision"], p["tp"], p["conc"])  # noqa: E731
        long = {k(p): p for p in eight}
        pairs = [(p, long[k(p)]) for p in one if k(p) in long]
        assert pairs
        for a, b in pairs:
            assert b["x"] < a["x"]  # long prompts decode slower
            assert b["y"] * 1 / 9 < a["y"] * 1 / 2  # output tokens per GPU lower for 8k_1k
        best = defaultdict(float)
        for p in one:
            best[p["hwKey"].split("_")[0]] = max(best[p["hwKey"].split("_")[0]], p["x"])
        if "h100" in best:
            assert best["b200"] > best["h200"] > best["h100"]


def test_optional_fields_agree_with_x_and_y(sample):
    seen = set()
    for m in MODELS:
        for s in SEQS:
            isl, osl = (int(v[:-1]) * 1024 for v in s.split("_"))
            e2e = {six_key(m, s, p): p for p in sample[(m, s, "e2e")]}
            for p in sample[(m, s, "interactivity")]:
                seen.update(k for k in p if k not in ("x", "y", "hwKey", "precision", "tp", "conc", *NESTED))
                q = e2e[six_key(m, s, p)]
                if "median_intvty" in p:
                    assert p["median_intvty"] == p["x"] and p["median_e2el"] == q["x"]
                    assert p["tput_per_gpu"] == p["y"]
                    assert p["input_tput_per_gpu"] + p["output_tput_per_gpu"] == pytest.approx(p["y"], abs=0.002)
                    assert q["x"] == pytest.approx(p["median_ttft"] + 0.9 * osl / p["x"], rel=0.01)
                    assert p["p99_ttft"] > p["median_ttft"]
                if "framework" in p:
                    assert isinstance(p["framework"], str) and isinstance(p["hw"], str)
    assert {"hw", "framework", "tput_per_gpu", "mean_ttft", "median_ttft", "p99_ttft",
            "median_e2el", "median_intvty"} <= seen


# --- synthetic history ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synth():
    name = "semibench_bench_synth_history"
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "bench" / "synth_history.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(mod)
        yield mod
    finally:
        sys.modules.pop(name, None)


def test_history_days_drop_appear_and_unchanged(synth, tmp_path):
    plan = synth.HistoryPlan(appear={"gb200": 2}, drop={"mi325x": (2, 1)}, unchanged_days=frozenset({1}))
    dirs = synth.write_history(tmp_path, days=3, points_per_snapshot=1200, start=date(2025, 1, 30), plan=plan)
    assert [d.name for d in dirs] == ["2025-01-30", "2025-01-31", "2025-02-01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [d.name for d in dirs]
    for d in dirs:
        assert {p.name for p in d.iterdir()} == served_names()
    days = [load(d) for d in dirs]

    def hw_keys(day):
        return {p["hwKey"] for pts in day.values() for p in pts}

    assert "mi325x" in hw_keys(days[0]) and "mi325x" not in hw_keys(days[2])
    assert "gb200" not in hw_keys(days[0]) and "gb200" in hw_keys(days[2])
    # a full snapshot (nothing missing) has exactly the requested points, half per type
    def count(day, hw=None):
        return sum(1 for pts in day.values() for p in pts if hw is None or p["hwKey"] == hw)

    assert count(days[0]) + count(days[2], "gb200") == 1200
    assert count(days[2]) + count(days[0], "mi325x") == 1200
    # the re-fetch day is byte-identical to the day before
    for n in served_names():
        assert (dirs[1] / n).read_bytes() == (dirs[0] / n).read_bytes()
    # drift: the same run measures differently two days later
    d0 = {six_key(m, s, p): p["y"] for (m, s, t), pts in days[0].items() if t == "interactivity" for p in pts}
    d2 = {six_key(m, s, p): p["y"] for (m, s, t), pts in days[2].items() if t == "interactivity" for p in pts}
    common = d0.keys() & d2.keys()
    assert len(common) > 300 and sum(d0[k] != d2[k] for k in common) > len(common) * 0.9
    for day in days:
        check_snapshot(day)


def test_history_cli_prints_summary(tmp_path):
    proc = subprocess.run([sys.executable, str(PROJECT_DIR / "bench" / "synth_history.py"), "--out", str(tmp_path),
                           "--days", "2", "--points-per-snapshot", "400", "--start", "2025-03-01"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "2025-03-01 .. 2025-03-02" in proc.stdout and "points" in proc.stdout and "bytes" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-03-01", "2025-03-02"]

"""Deterministic generator of a *synthetic* InferenceMAX dashboard snapshot.

The synthetic sample under ``sample_data/inferencemax/`` (for tests and benchmarks; `semibench run
--synthetic` lands it, the default run lands the real data in ``sample_data/real/``) is the output of
:func:`generate_sample`. None of its numbers come from
the real dashboard: they are drawn from a small performance model with a seeded ``random.Random``,
shaped like the served files (18 bare JSON arrays, served names, the dashboard's point fields, floats
rounded to 3 decimals, sorted keys, no trailing newline).

Performance model, per (model, sequence, hwKey, precision, tp) configuration swept over concurrency:

* per-user interactivity ``I(c) = I0 / (1 + c / c_half) ** 0.62`` (tok/s/user), strictly falling in c;
  ``I0`` grows with chip speed, engine, precision (fp4 > fp8) and tp; ``c_half`` with memory and tp;
* ``ttft(c)`` grows with prompt length and concurrency, falls with tp;
* median end-to-end latency ``e2el = ttft + osl_eff / I`` (s), strictly rising in c;
* ``y`` = total (input + output) token throughput per GPU ``c * (isl_eff + osl_eff) / (e2el * tp)``,
  strictly rising and saturating in c. As on the real dashboard, ``y`` counts input tokens, so 8k_1k
  shows a *higher* total throughput than 1k_1k while its output throughput
  (``output_tput_per_gpu``) and interactivity are lower.
* costs ($ per million tokens) = GPU-hour price / tokens per GPU-hour; ``tpPerMw`` = y / MW per GPU;
* ``roof``: the point is on its hwKey's Pareto frontier within the file (interactivity files: no other
  point with at-least-as-high x and y, one strictly; e2e files: lower x is better).

The same machinery, with :class:`ScaleSpec`, builds the larger configuration universe that
``bench/synth_history.py`` turns into a year of daily snapshots.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

DEFAULT_SEED = 20251023

MODELS: tuple[str, ...] = ("gpt-oss-120b", "llama-3_3-70b-instruct-fp8", "deepseek-r1-0528")
SEQUENCES: dict[str, tuple[int, int]] = {"1k_1k": (1024, 1024), "1k_8k": (1024, 8192), "8k_1k": (8192, 1024)}
DATA_TYPES: tuple[str, ...] = ("interactivity", "e2e")
KEY_FIELDS: tuple[str, ...] = ("hwKey", "precision", "tp", "conc")
NESTED_FIELDS: tuple[str, ...] = ("costh", "costn", "costr", "tpPerGpu", "tpPerMw")
REQUIRED_FIELDS: tuple[str, ...] = ("x", "y", "hwKey", "precision", "tp", "conc", *NESTED_FIELDS)

#: InferenceMAX draws request lengths uniformly in [0.8, 1.0] x nominal: the mean effective length.
LENGTH_RATIO = 0.9
#: Sweep used by most configurations.
BASE_CONCS: tuple[int, ...] = (4, 8, 16, 32, 64)
#: The wider sweep the scaled universe draws windows from.
SCALE_CONCS: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
#: hwKeys whose (disaggregated, rack-scale) runs exist only for the prefill-heavy/balanced sequences.
RACK_SEQUENCES: tuple[str, ...] = ("1k_1k", "8k_1k")


# --------------------------------------------------------------------------------------------------
# Hardware, engine and model constants (synthetic, order-of-magnitude plausible)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chip:
    name: str
    vendor: str  # "nv" | "amd"
    speed: float  # decode speed per user, relative to b200
    capacity: float  # batching headroom (memory), relative
    prefill: float  # prefill speed, relative
    mem_gb: int
    power_kw: float  # all-in power per GPU
    cost_h: float  # $/GPU-hour: hyperscaler-owned TCO
    cost_n: float  # neocloud-owned TCO
    cost_r: float  # 3-year rental
    fp4: bool
    rack: bool = False  # NVL72-class rack: big tp only


CHIPS: dict[str, Chip] = {
    c.name: c
    for c in (
        Chip("h100", "nv", 0.62, 0.60, 0.55, 80, 1.75, 1.35, 1.60, 1.70, False),
        Chip("h200", "nv", 0.78, 1.00, 0.60, 141, 1.75, 1.55, 1.85, 2.05, False),
        Chip("b200", "nv", 1.00, 1.20, 1.00, 180, 2.10, 2.00, 2.45, 2.95, True),
        Chip("b300", "nv", 1.12, 1.50, 1.15, 288, 2.45, 2.30, 2.85, 3.40, True),
        Chip("gb200", "nv", 1.08, 1.45, 1.05, 186, 2.30, 2.35, 2.95, 3.50, True, rack=True),
        Chip("gb300", "nv", 1.20, 1.75, 1.20, 288, 2.70, 2.70, 3.35, 3.95, True, rack=True),
        Chip("mi300x", "amd", 0.60, 1.30, 0.55, 192, 1.80, 1.20, 1.50, 1.65, False),
        Chip("mi325x", "amd", 0.68, 1.50, 0.62, 256, 2.20, 1.35, 1.70, 1.90, False),
        Chip("mi355x", "amd", 0.92, 1.60, 0.95, 288, 2.60, 1.70, 2.15, 2.45, True),
    )
}


@dataclass(frozen=True)
class Engine:
    speed: float
    capacity: float


#: hwKey suffix -> engine effect. The bare key runs the vendor's default serving stack.
ENGINES: dict[str, Engine] = {
    "": Engine(1.00, 1.00),
    "trt": Engine(1.06, 1.10),
    "mtp": Engine(1.65, 0.90),  # multi-token prediction: much faster per user
    "sglang": Engine(1.02, 1.05),
    "vllm": Engine(0.97, 1.00),
}


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    i_base: float  # tok/s/user at c -> 0, tp=1, b200, reference precision
    tp_exp: float  # how interactivity scales with tp
    ch_base: float  # half-saturation concurrency at tp=1
    ch_tp_exp: float
    ttft_base: float  # seconds for a 1k prompt at tp=1 on b200
    precisions: tuple[str, ...]  # "fp4" only when the chip supports it, except native-fp4 models
    precision_speed: dict[str, float]
    weights_gb: dict[str, float]
    native_fp4: bool = False  # gpt-oss ships MXFP4 weights: runs "fp4" everywhere
    default_framework_nv: str = "vllm"
    default_framework_amd: str = "vllm"


MODEL_SPECS: dict[str, ModelSpec] = {
    m.slug: m
    for m in (
        ModelSpec("gpt-oss-120b", 255.0, 0.13, 10.0, 0.55, 0.08, ("fp4",), {"fp4": 1.0}, {"fp4": 65.0},
                  native_fp4=True),
        ModelSpec("llama-3_3-70b-instruct-fp8", 64.0, 0.45, 22.0, 0.35, 0.15, ("fp4", "fp8"),
                  {"fp4": 1.2, "fp8": 1.0}, {"fp4": 40.0, "fp8": 72.0}),
        ModelSpec("deepseek-r1-0528", 52.0, 0.40, 3.0, 0.70, 0.30, ("fp4", "fp8"),
                  {"fp4": 1.18, "fp8": 1.0}, {"fp4": 380.0, "fp8": 700.0},
                  default_framework_nv="sglang", default_framework_amd="sglang"),
    )
}


def split_hw_key(hw_key: str) -> tuple[Chip, str]:
    chip, _, suffix = hw_key.partition("_")
    return CHIPS[chip], suffix


def framework_of(model: str, hw_key: str) -> str:
    chip, suffix = split_hw_key(hw_key)
    if suffix == "trt":
        return "trt"
    if suffix == "mtp":
        return "dynamo-trt"
    if suffix:
        return suffix
    spec = MODEL_SPECS[model]
    if chip.rack:
        return "dynamo-sglang"
    return spec.default_framework_nv if chip.vendor == "nv" else spec.default_framework_amd


def sequences_for(hw_key: str) -> tuple[str, ...]:
    return RACK_SEQUENCES if split_hw_key(hw_key)[0].rack else tuple(SEQUENCES)


# --------------------------------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------------------------------

C128 = (4, 8, 16, 32, 64, 128)
C256 = (4, 8, 16, 32, 64, 128, 256)

#: The default sample: (model -> hwKey -> [(precision, tp, concs)]). hwKeys per model as in the real
#: 2025-10-23 capture (gpt-oss has no b200_trt there); configurations and values are synthetic.
SAMPLE_LAYOUT: dict[str, dict[str, list[tuple[str, int, tuple[int, ...]]]]] = {
    "gpt-oss-120b": {
        "b200": [("fp4", 1, BASE_CONCS), ("fp4", 4, BASE_CONCS)],
        "h100": [("fp4", 2, BASE_CONCS), ("fp4", 8, BASE_CONCS)],
        "h200": [("fp4", 1, BASE_CONCS), ("fp4", 4, BASE_CONCS)],
        "h200_trt": [("fp4", 1, BASE_CONCS), ("fp4", 8, BASE_CONCS)],
        "mi300x": [("fp4", 1, BASE_CONCS), ("fp4", 8, BASE_CONCS)],
        "mi325x": [("fp4", 2, BASE_CONCS), ("fp4", 4, BASE_CONCS)],
        "mi355x": [("fp4", 1, BASE_CONCS), ("fp4", 8, BASE_CONCS)],
    },
    "llama-3_3-70b-instruct-fp8": {
        "b200": [("fp4", 2, BASE_CONCS), ("fp8", 4, BASE_CONCS)],
        "b200_trt": [("fp4", 1, C128), ("fp8", 8, BASE_CONCS)],
        "h100": [("fp8", 4, BASE_CONCS)],
        "h200": [("fp8", 2, BASE_CONCS), ("fp8", 8, BASE_CONCS)],
        "h200_trt": [("fp8", 4, C128)],
        "mi300x": [("fp8", 8, BASE_CONCS)],
        "mi325x": [("fp8", 4, BASE_CONCS)],
        "mi355x": [("fp4", 4, BASE_CONCS), ("fp8", 8, BASE_CONCS)],
    },
    "deepseek-r1-0528": {
        "b200": [("fp4", 8, BASE_CONCS), ("fp8", 8, BASE_CONCS)],
        "b200_trt": [("fp4", 4, C256)],
        "gb200": [("fp4", 36, C256)],
        "gb200_mtp": [("fp4", 36, C128)],
        "h200": [("fp8", 8, BASE_CONCS)],
        "h200_trt": [("fp8", 8, BASE_CONCS)],
        "mi300x": [("fp8", 8, BASE_CONCS)],
        "mi325x": [("fp8", 8, BASE_CONCS)],
        "mi355x": [("fp4", 8, BASE_CONCS), ("fp8", 8, BASE_CONCS)],
    },
}


@dataclass(frozen=True)
class Config:
    """One benchmark configuration swept over concurrency (one curve on the dashboard)."""

    model: str
    sequence: str
    hw_key: str
    precision: str
    tp: int
    concs: tuple[int, ...]

    @property
    def family(self) -> tuple[str, str, str, int]:
        return (self.model, self.hw_key, self.precision, self.tp)

    @property
    def label(self) -> str:
        return f"{self.model}|{self.sequence}|{self.hw_key}|{self.precision}|{self.tp}"


def sample_configs() -> list[Config]:
    out = []
    for model, by_hw in SAMPLE_LAYOUT.items():
        for hw_key, rows in by_hw.items():
            for seq in sequences_for(hw_key):
                for precision, tp, concs in rows:
                    out.append(Config(model, seq, hw_key, precision, tp, tuple(concs)))
    return out


@dataclass(frozen=True)
class ScaleSpec:
    """Knobs for a bigger configuration universe (used by the synthetic history).

    ``extra_hw_keys`` maps new hwKeys to the models they are benchmarked with; every (precision, tp)
    the chip's memory allows is a candidate; each family gets a concurrency window from ``concs``.
    """

    extra_hw_keys: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "gpt-oss-120b": ("b200_trt", "b300", "b300_trt", "h200_vllm", "mi355x_sglang"),
        "llama-3_3-70b-instruct-fp8": ("b300", "b300_trt", "h200_vllm", "mi325x_sglang", "mi355x_sglang"),
        "deepseek-r1-0528": ("b300", "b300_trt", "gb300", "gb300_mtp", "h200_vllm", "mi355x_vllm"),
    })
    tp_levels: tuple[int, ...] = (1, 2, 4, 8)
    rack_tp_levels: tuple[int, ...] = (8, 16, 36, 72)
    concs: tuple[int, ...] = SCALE_CONCS
    min_window: int = 5  # concurrency levels per family, at least


def _min_tp(model: str, precision: str, chip: Chip) -> int:
    need = MODEL_SPECS[model].weights_gb[precision]
    return max(1, math.ceil(need / (0.75 * chip.mem_gb)))


def _precisions(model: str, chip: Chip) -> tuple[str, ...]:
    spec = MODEL_SPECS[model]
    if spec.native_fp4:
        return ("fp4",)
    return tuple(p for p in spec.precisions if p != "fp4" or chip.fp4)


def scale_families(scale: ScaleSpec) -> list[tuple[str, str, str, int]]:
    """Every (model, hwKey, precision, tp) candidate of the scaled universe, in a stable order."""
    fams = []
    for model in MODELS:
        hw_keys = list(SAMPLE_LAYOUT[model]) + [k for k in scale.extra_hw_keys.get(model, ()) if k not in SAMPLE_LAYOUT[model]]
        for hw_key in hw_keys:
            chip, _ = split_hw_key(hw_key)
            for precision in _precisions(model, chip):
                lo = _min_tp(model, precision, chip)
                for tp in scale.rack_tp_levels if chip.rack else scale.tp_levels:
                    if tp >= lo:
                        fams.append((model, hw_key, precision, tp))
    return fams


def scale_configs(points_per_type: int, scale: ScaleSpec | None = None, seed: int = DEFAULT_SEED) -> list[Config]:
    """Pick configurations whose points add up to exactly ``points_per_type`` (one data type).

    The sample's families come first (so the history contains the sample's curves), then the rest
    of the universe in a seeded order; each family gets a seeded concurrency window of at least
    ``scale.min_window`` levels, and the last configuration is trimmed to hit the target exactly.
    """
    scale = scale or ScaleSpec()
    rng = random.Random(seed * 7 + 1)
    fams = scale_families(scale)
    sample_fams = {(c.model, c.hw_key, c.precision, c.tp) for c in sample_configs()}
    keyed = [(0 if f in sample_fams else 1, rng.random(), f) for f in fams]
    keyed.sort()
    n = len(scale.concs)
    out: list[Config] = []
    total = 0
    for _, _, (model, hw_key, precision, tp) in keyed:
        start = min(int(rng.random() * 2), n - scale.min_window)
        stop = max(start + scale.min_window, n - int(rng.random() * 3))
        concs = scale.concs[start:stop]
        for seq in sequences_for(hw_key):
            if total >= points_per_type:
                return out
            take = concs[: points_per_type - total]
            out.append(Config(model, seq, hw_key, precision, tp, take))
            total += len(take)
    if total < points_per_type:
        raise ValueError(f"the scaled universe holds only {total} points per data type; "
                         f"asked for {points_per_type} (add hwKeys, tp or concurrency levels)")
    return out


# --------------------------------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One benchmark run (one point in each of the two files)."""

    conc: int
    intvty: float  # median tok/s/user (interactivity x)
    ttft: float  # median time to first token (s)
    e2el: float  # median end-to-end latency (s) (e2e x)
    tput: float  # total tok/s per GPU (y)


@dataclass
class Curve:
    config: Config
    runs: list[Run]
    extras: str  # "none" | "basic" | "full": which optional fields the points carry
    spread: tuple[float, float, float, float]  # mean/median and p99/median ratios for optional metrics


def _rng_for(seed: int, label: str) -> random.Random:
    # str seeds hash with sha512: stable across processes and Python versions
    return random.Random(f"{seed}|{label}")


def curve(cfg: Config, seed: int = DEFAULT_SEED) -> Curve:
    """The runs of one configuration. Each configuration has its own seeded stream, so adding or
    removing configurations never changes the others."""
    rng = _rng_for(seed, cfg.label)
    fam_rng = _rng_for(seed, "|".join(map(str, cfg.family)))  # shared across sequences
    spec = MODEL_SPECS[cfg.model]
    chip, suffix = split_hw_key(cfg.hw_key)
    eng = ENGINES[suffix]
    isl, osl = SEQUENCES[cfg.sequence]
    isl_eff, osl_eff = isl * LENGTH_RATIO, osl * LENGTH_RATIO

    # beyond one 8-GPU node, more GPUs add batching room (expert/data parallel), not per-user speed
    i0 = (spec.i_base * chip.speed * eng.speed * spec.precision_speed[cfg.precision]
          * min(cfg.tp, 8) ** spec.tp_exp * fam_rng.uniform(0.95, 1.05))
    ch = (spec.ch_base * cfg.tp ** spec.ch_tp_exp * chip.capacity * eng.capacity
          * (1.25 if cfg.precision == "fp4" else 1.0) * fam_rng.uniform(0.9, 1.1))
    if isl > osl:  # long prompts: bigger KV cache, slower decode steps
        i0 *= 0.93
        ch *= 0.6
    elif osl > isl:  # long generations: KV grows during the request
        i0 *= 0.98
        ch *= 0.7
    ttft0 = spec.ttft_base * (isl / 1024) ** 0.9 / (chip.prefill * eng.speed ** 0.5 * min(cfg.tp, 8) ** 0.6)
    ttft0 *= fam_rng.uniform(0.9, 1.1)

    runs: list[Run] = []
    prev: Run | None = None
    for c in cfg.concs:
        intvty = i0 / (1.0 + c / ch) ** 0.62 * rng.uniform(0.985, 1.015)
        ttft = ttft0 * (1.0 + c / (4.0 * ch)) * rng.uniform(0.96, 1.04)
        if prev is not None:
            intvty = min(intvty, prev.intvty * 0.99)
            ttft = max(ttft, prev.ttft)
        e2el = ttft + osl_eff / intvty
        tput = c * (isl_eff + osl_eff) / (e2el * cfg.tp) * rng.uniform(0.985, 1.0)
        if prev is not None:
            tput = max(tput, prev.tput * 1.01)
        run = Run(c, intvty, ttft, e2el, tput)
        runs.append(run)
        prev = run
    u = rng.random()
    extras = "full" if u < 0.25 else ("basic" if u < 0.45 else "none")
    spread = (rng.uniform(1.03, 1.12), rng.uniform(1.8, 3.0), rng.uniform(1.0, 1.04), rng.uniform(0.96, 0.995))
    return Curve(cfg, runs, extras, spread)


# --------------------------------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------------------------------


def num(v: float) -> float | int:
    """Round like the dashboard (3 decimals); whole numbers serialise as JSON integers, as in JS."""
    r = round(v, 3)
    return int(r) if r.is_integer() else r


def _strict(values: list[float], increasing: bool) -> list[float]:
    """Round to 3 decimals keeping the sequence strictly monotonic."""
    out: list[float] = []
    for v in values:
        r = round(v, 3)
        if out:
            if increasing and r <= out[-1]:
                r = round(out[-1] + 0.001, 3)
            elif not increasing and r >= out[-1]:
                r = round(out[-1] - 0.001, 3)
        out.append(r)
    return out


def pareto_roof(xs: Sequence[float], ys: Sequence[float], higher_x_better: bool = True) -> list[bool]:
    """True where no other point is at least as good on both axes and strictly better on one
    (y is always higher-is-better). O(n log n)."""
    sx = list(xs) if higher_x_better else [-x for x in xs]
    order = sorted(range(len(sx)), key=lambda i: (-sx[i], -ys[i]))
    roof = [False] * len(sx)
    best_above = -math.inf  # best y among points with strictly greater x
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and sx[order[j]] == sx[order[i]]:
            j += 1
        group_best = ys[order[i]]  # sorted by -y within equal x
        if group_best > best_above:
            for k in range(i, j):
                if ys[order[k]] == group_best:
                    roof[order[k]] = True
        best_above = max(best_above, group_best)
        i = j
    return roof


def _nested(y: float | int, roof: bool) -> dict:
    return {"roof": roof, "y": y}


def build_points(curves: Iterable[Curve]) -> tuple[list[dict], list[dict]]:
    """(interactivity points, e2e points) of one model x sequence, sorted by the four point keys,
    with sorted keys and roof flags computed per hwKey and file type."""
    rows = []  # (hw_key, precision, tp, conc, ix, ex, y, curve, run)
    for cv in curves:
        cfg = cv.config
        ix = _strict([r.intvty for r in cv.runs], increasing=False)
        ex = _strict([r.e2el for r in cv.runs], increasing=True)
        ys = _strict([r.tput for r in cv.runs], increasing=True)
        for k, run in enumerate(cv.runs):
            rows.append((cfg.hw_key, cfg.precision, cfg.tp, run.conc, ix[k], ex[k], ys[k], cv, run))
    rows.sort(key=lambda r: r[:4])

    roof_i = [False] * len(rows)
    roof_e = [False] * len(rows)
    by_hw: dict[str, list[int]] = {}
    for n, r in enumerate(rows):
        by_hw.setdefault(r[0], []).append(n)
    for idx in by_hw.values():
        ys = [rows[n][6] for n in idx]
        for n, flag in zip(idx, pareto_roof([rows[n][4] for n in idx], ys, True)):
            roof_i[n] = flag
        for n, flag in zip(idx, pareto_roof([rows[n][5] for n in idx], ys, False)):
            roof_e[n] = flag

    inter: list[dict] = []
    e2e: list[dict] = []
    for n, (hw_key, precision, tp, conc, ix, ex, y, cv, run) in enumerate(rows):
        cfg = cv.config
        chip, suffix = split_hw_key(hw_key)
        yv = num(y)
        per_gpu_hour = y * 3600.0 / 1e6  # million tokens per GPU-hour
        metrics = {
            "costh": round(chip.cost_h / per_gpu_hour, 3),
            "costn": round(chip.cost_n / per_gpu_hour, 3),
            "costr": round(chip.cost_r / per_gpu_hour, 3),
            "tpPerMw": num(y * 1000.0 / chip.power_kw),
        }
        extra: dict = {}
        if cv.extras != "none":
            extra["hw"] = f"{chip.name}-{chip.vendor}"
            extra["framework"] = framework_of(cfg.model, hw_key)
        if cv.extras == "full":
            isl, osl = SEQUENCES[cfg.sequence]
            out_share = osl / (isl + osl)
            mean_ttft_r, p99_ttft_r, mean_e2el_r, mean_intvty_r = cv.spread
            out_t = num(y * out_share)
            extra.update({
                "ep": tp if cfg.model == "deepseek-r1-0528" and chip.rack else 1,
                "input_tput_per_gpu": num(y - (y * out_share)),
                "mean_e2el": num(ex * mean_e2el_r),
                "mean_intvty": num(ix * mean_intvty_r),
                "mean_ttft": num(run.ttft * mean_ttft_r),
                "median_e2el": num(ex),
                "median_intvty": num(ix),
                "median_ttft": num(run.ttft),
                "output_tput_per_gpu": out_t,
                "p99_ttft": num(run.ttft * p99_ttft_r),
                "tput_per_gpu": yv,
            })
            if cfg.model == "deepseek-r1-0528":
                extra["dp_attention"] = chip.rack
            if chip.rack:
                extra["disagg"] = True
            if suffix == "mtp":
                extra["mtp"] = "on"
        for out, x, roof in ((inter, ix, roof_i[n]), (e2e, ex, roof_e[n])):
            p = {
                "conc": conc,
                "costh": _nested(metrics["costh"], roof),
                "costn": _nested(metrics["costn"], roof),
                "costr": _nested(metrics["costr"], roof),
                "hwKey": hw_key,
                "precision": precision,
                "tp": tp,
                "tpPerGpu": _nested(yv, roof),
                "tpPerMw": _nested(metrics["tpPerMw"], roof),
                "x": num(x),
                "y": yv,
            }
            if extra:
                p.update(extra)
            out.append(p)
    return inter, e2e


def file_name(model: str, sequence: str, data_type: str) -> str:
    return f"{model}-{sequence}-{data_type}.json"


def dumps_points(points: list[dict]) -> str:
    """Serialise like the served files: one line, default separators, sorted keys, no newline."""
    return json.dumps(points, sort_keys=True)


def snapshot_files(curves: Iterable[Curve]) -> dict[str, str]:
    """File name -> JSON text for every (model, sequence) present in ``curves`` (18 for a full
    snapshot; a (model, sequence) with no curve at all yields two empty arrays)."""
    grouped: dict[tuple[str, str], list[Curve]] = {(m, s): [] for m in MODELS for s in SEQUENCES}
    for cv in curves:
        grouped[(cv.config.model, cv.config.sequence)].append(cv)
    out: dict[str, str] = {}
    for (model, seq), cvs in grouped.items():
        inter, e2e = build_points(cvs)
        out[file_name(model, seq, "interactivity")] = dumps_points(inter)
        out[file_name(model, seq, "e2e")] = dumps_points(e2e)
    return out


def generate_sample(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the 18 synthetic sample files into ``out_dir``; return their paths (sorted)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = snapshot_files(curve(cfg, seed) for cfg in sample_configs())
    paths = []
    for name in sorted(files):
        path = out_dir / name
        data = files[name].encode()
        if path.exists() and path.read_bytes() == data:
            paths.append(path)
            continue
        if path.exists():
            path.chmod(0o644)
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    from semibench_core import paths as _paths

    ap = argparse.ArgumentParser(prog="python -m sample_data.generators.sample_inferencemax",
                                 description="Regenerate the synthetic InferenceMAX sample snapshot.")
    ap.add_argument("--out", type=Path, default=_paths.sample_dir(), help="output directory")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    written = generate_sample(args.out, args.seed)
    size = sum(p.stat().st_size for p in written)
    points = sum(len(json.loads(p.read_text())) for p in written if p.name.endswith("-interactivity.json"))
    print(f"wrote {len(written)} files to {args.out}: {points} points per data type, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

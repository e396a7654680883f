"""--find-max: the highest load an endpoint sustains within the SLOs (the knee).

Rate mode (default): a closed-loop probe step measures what the server delivers flat out;
then short open-loop steps at chosen rates, each judged by loadgen.saturation.judge_step
(achieved rate tracks the offered one, TTFT does not grow through the step, errors low,
SLO attainment high). It climbs x1.5 until a step fails (or falls /1.5 until one passes),
then bisects until the passing and failing rates are within --find-max-tolerance. The
knee is the highest passing rate. Steps carry the over-saturation guard, so a step far past
the knee ends early instead of filling the server's queue for its whole duration.

Concurrency mode: closed-loop steps at doubling concurrency, then integer bisection; it
needs at least one --goodput SLO (a closed loop never outruns the server, so the SLOs are
what define "sustained").

Arrivals are constant-rate unless --arrival says otherwise (as GuideLLM's constant
strategy): a Poisson process queues near capacity by chance, which moves the knee to
where the SLOs break rather than where the server saturates.

Every step is a full run directory under the sweep directory (run ids <sweep>-sNN, each
with sweep_id/sweep_step in its header), and sweep.json lists the steps with their verdicts
and the knee.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from loadgen import saturation as sat
from loadgen.config import LoadTestConfig
from loadgen.runinfo import new_run_id
from loadgen.runner import RunResult
from loadgen.shards import ConfigError

MODES = ("rate", "concurrency")
SUMMARY_KEYS = ("completed", "failed", "duration", "request_throughput", "request_goodput",
                "output_throughput", "median_ttft_ms", "p99_ttft_ms", "median_itl_ms", "p99_itl_ms",
                "median_tpot_ms", "p99_e2el_ms", "stopped_early")


@dataclass
class FindMaxOptions:
    mode: str = "rate"
    step_duration_s: float = 6.0
    start: float | None = None          # first load to try; None = from a closed-loop probe
    max_steps: int = 12
    tolerance: float = 0.05             # stop when failing / passing load <= 1 + tolerance
    probe_concurrency: int = 64
    min_achieved_ratio: float = sat.MIN_ACHIEVED_RATIO
    max_ttft_growth: float = sat.MAX_TTFT_GROWTH
    min_slo_attainment: float = sat.MIN_SLO_ATTAINMENT
    max_error_rate: float = sat.MAX_STEP_ERROR_RATE

    def validate(self, cfg: LoadTestConfig) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"--find-max takes {' or '.join(MODES)}, got {self.mode!r}")
        if not self.step_duration_s > 0:
            raise ConfigError(f"--step-duration must be > 0 seconds, got {self.step_duration_s}")
        if self.max_steps < 2:
            raise ConfigError(f"--find-max-steps must be >= 2, got {self.max_steps}")
        if not 0 < self.tolerance < 1:
            raise ConfigError(f"--find-max-tolerance must be in (0, 1), got {self.tolerance}")
        if self.start is not None and not self.start > 0:
            raise ConfigError(f"--find-max-start must be > 0, got {self.start}")
        if not 0 < self.min_slo_attainment <= 1:
            raise ConfigError(f"--slo-attainment must be in (0, 1], got {self.min_slo_attainment}")
        if self.mode == "concurrency" and not cfg.goodput:
            raise ConfigError("--find-max concurrency needs at least one --goodput SLO (e.g. ttft:500)")
        if cfg.dataset in ("replay", "mooncake"):
            raise ConfigError(f"--find-max sets the load itself; --dataset {cfg.dataset} replays its own timing")


@dataclass
class Step:
    index: int
    load: float | None                  # offered rate or concurrency; None for the probe
    kind: str                           # probe | step
    result: RunResult
    verdict: sat.StepVerdict


@dataclass
class FindMaxResult:
    sweep_id: str
    sweep_dir: Path
    mode: str
    steps: list[Step] = field(default_factory=list)
    knee: float | None = None
    bound: float | None = None          # lowest failing load (None: never failed)
    note: str | None = None

    @property
    def interrupted(self) -> bool:
        return any(s.result.interrupted for s in self.steps)


def _label(load: float | None, mode: str) -> str:
    if load is None:
        return "probe"
    return f"{load:g}" if mode == "concurrency" else f"{load:.4g}"


async def find_max_async(cfg: LoadTestConfig, opts: FindMaxOptions) -> FindMaxResult:
    from loadgen.api import run_loadtest_async
    from loadgen.trace import read_trace

    opts.validate(cfg)
    sweep_id = cfg.run_id or new_run_id("sweep-")
    sweep_dir = Path(cfg.out_dir) if cfg.out_dir else Path(cfg.runs_root) / sweep_id
    res = FindMaxResult(sweep_id, sweep_dir, opts.mode)
    arrival = cfg.arrival if cfg.arrival != "auto" else "constant"
    base = cfg.copy(num_prompts=None, duration_s=opts.step_duration_s, sweep_id=sweep_id,
                    stop_on_saturation=True, ramp_up_s=0.0, rate_series=None)

    def step_cfg(i: int, load: float | None) -> LoadTestConfig:
        name = f"step-{i:02d}-{'probe' if load is None else opts.mode + '-' + _label(load, opts.mode)}"
        common = dict(run_id=f"{sweep_id}-s{i:02d}", out_dir=str(sweep_dir / name), sweep_step=i)
        if load is None:      # closed loop, flat out: what the server delivers
            return base.copy(request_rate=math.inf, arrival="auto",
                             max_concurrency=cfg.max_concurrency or opts.probe_concurrency, **common)
        if opts.mode == "concurrency":
            return base.copy(request_rate=math.inf, arrival="auto", max_concurrency=int(load), **common)
        return base.copy(request_rate=float(load), arrival=arrival, **common)

    step_cfg(0, None).resolve()  # bad arguments fail before the first step

    async def run_step(load: float | None) -> Step:
        i = len(res.steps)
        r = await run_loadtest_async(step_cfg(i, load))
        _, records, _ = read_trace(r.trace_path)
        offered = load if (load is not None and opts.mode == "rate") else None
        v = sat.judge_step(records, offered_rate=offered, goodput=cfg.goodput,
                           stopped_early=(r.summary or {}).get("stopped_early"),
                           min_achieved_ratio=opts.min_achieved_ratio, max_ttft_growth=opts.max_ttft_growth,
                           min_slo_attainment=opts.min_slo_attainment, max_error_rate=opts.max_error_rate)
        st = Step(i, load, "probe" if load is None else "step", r, v)
        res.steps.append(st)
        _write_index(res, cfg, opts)
        return st

    conc = opts.mode == "concurrency"
    load = opts.start
    if load is None and not conc:
        probe = await run_step(None)
        if probe.result.interrupted:
            return res
        load = probe.verdict.achieved_rate or (probe.result.summary or {}).get("request_throughput")
        if not load:
            res.note = "the probe step completed no request: nothing to search"
            _write_index(res, cfg, opts)
            return res
    load = load or 1
    lo = hi = None
    while len(res.steps) < opts.max_steps:
        st = await run_step(int(load) if conc else load)
        if st.result.interrupted:
            break
        if st.verdict.passed:
            lo = st.load if lo is None else max(lo, st.load)
        else:
            hi = st.load if hi is None else min(hi, st.load)
        if hi is None:
            load = load * 2 if conc else load * 1.5
        elif lo is None:
            load = max(1, load // 2) if conc else load / 1.5
            if conc and load == st.load:
                break  # concurrency 1 fails the SLOs: there is no knee
        else:
            if hi / lo <= 1 + opts.tolerance or (conc and hi - lo <= 1):
                break
            load = (lo + hi) // 2 if conc else (lo + hi) / 2
    res.knee, res.bound = lo, hi
    if lo is None:
        res.note = "no step met the criteria: the knee is below the lowest load tried"
    elif hi is None:
        res.note = "every step passed: the knee is above the highest load tried (raise --find-max-steps)"
    elif hi / lo > 1 + opts.tolerance and not (conc and hi - lo <= 1):
        res.note = f"step budget spent: the knee is between {lo:g} and {hi:g}"
    _write_index(res, cfg, opts)
    return res


def _write_index(res: FindMaxResult, cfg: LoadTestConfig, opts: FindMaxOptions) -> None:
    doc = {
        "sweep_id": res.sweep_id, "kind": "find-max", "mode": res.mode,
        "param": "max_concurrency" if res.mode == "concurrency" else "request_rate",
        "knee": res.knee, "first_failing": res.bound, "note": res.note,
        "slos_ms": cfg.goodput, "criteria": {
            "step_duration_s": opts.step_duration_s, "tolerance": opts.tolerance,
            "min_achieved_ratio": opts.min_achieved_ratio, "max_ttft_growth": opts.max_ttft_growth,
            "min_slo_attainment": opts.min_slo_attainment, "max_error_rate": opts.max_error_rate},
        "steps": [{"step": s.index, "kind": s.kind, "load": s.load, "run_id": s.result.run_id,
                   "run_dir": str(s.result.run_dir), "status": s.result.status, **s.verdict.as_dict(),
                   **{k: (s.result.summary or {}).get(k) for k in SUMMARY_KEYS}} for s in res.steps],
    }
    res.sweep_dir.mkdir(parents=True, exist_ok=True)
    tmp = res.sweep_dir / "sweep.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    tmp.replace(res.sweep_dir / "sweep.json")


def format_find_max(res: FindMaxResult) -> str:
    unit = "concurrency" if res.mode == "concurrency" else "req/s offered"
    head = (f"{'step':>4} {unit:>14} {'verdict':>8} {'ok':>5} {'achieved':>9} {'TTFT p50':>9} "
            f"{'TTFT p99':>9} {'ITL p99':>8}  why")
    lines = [head, "-" * len(head)]
    for s in res.steps:
        sm = s.result.summary or {}
        v = s.verdict
        verdict = "probe" if s.kind == "probe" else ("pass" if v.passed else "FAIL")

        def f(x, fmt=".1f"):
            return format(x, fmt) if isinstance(x, (int, float)) else "n/a"
        lines.append(f"{s.index:>4} {_label(s.load, res.mode):>14} {verdict:>8} {sm.get('completed', 0):>5} "
                     f"{f(v.achieved_rate, '.2f'):>9} {f(sm.get('median_ttft_ms')):>9} "
                     f"{f(sm.get('p99_ttft_ms')):>9} {f(sm.get('p99_itl_ms'), '.2f'):>8}  "
                     f"{'; '.join(v.reasons) if s.kind == 'step' else ''}")
    knee = "none" if res.knee is None else (f"{res.knee:g}" if res.mode == "concurrency" else f"{res.knee:.2f} req/s")
    lines.append(f"knee: {knee}" + (f" (first failing: {res.bound:.4g})" if res.bound is not None else "")
                 + (f" - {res.note}" if res.note else ""))
    return "\n".join(lines)

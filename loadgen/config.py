"""LoadTestConfig: everything one load-test run needs, validated in one place.

The CLI and the Python API both build one of these; `resolve()` checks it and derives
the shard list, so every entry point fails the same way with the same one-line message.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from loadgen.arrivals import resolve_arrival
from loadgen.client import BACKENDS
from loadgen.datasets import DATASETS, MULTI_TURN, TIMESTAMPED
from loadgen.shards import RATE_MODES, ConfigError, ShardConfig, base_model_name, load_shards_file

GOODPUT_METRICS = ("ttft", "tpot", "e2el")


@dataclass
class LoadTestConfig:
    # Target
    base_url: str | None = None
    model: str | None = None
    base_model: str | None = None          # report-under name; default derived from model
    backend: str = "openai-chat"
    endpoint: str | None = None            # path; default per backend
    api_key_env: str | None = "OPENAI_API_KEY"
    shards_file: str | None = None
    # Workload
    dataset: str = "random"
    dataset_path: str | None = None
    isl: int | None = None
    osl: int | None = None
    random_range_ratio: float = 0.0
    replay_speed: float = 1.0
    num_prompts: int | None = None
    duration_s: float | None = None
    request_rate: float = math.inf
    burstiness: float = 1.0
    arrival: str = "auto"
    max_concurrency: int | None = None
    qps_cap: float | None = None
    rate_mode: str = "fixed"
    adaptive_interval_s: float = 1.0       # adaptive mode: back-off cooldown and climb step period
    shard_stagger_s: float = 0.0
    warmup: int = 0
    seed: int = 0
    arrival_spin_ms: float = 1.0           # busy-wait this long before each timed arrival
    busy_poll: bool = False                # keep the event loop spinning (a core at 100 %)
    # Workload shapes beyond one prompt per request
    prefix_count: int = 8                  # shared-prefix: distinct prefixes
    prefix_len: int = 512                  # shared-prefix: tokens per prefix
    block_tokens: int = 512                # mooncake: tokens per hash-id block
    turns: str | None = None               # multi-turn: turns per session (number or distribution)
    think_time: str | None = None          # multi-turn: seconds between an answer and the next turn
    max_turns: int | None = None           # sharegpt/sessions: keep the first N turns
    ramp_up_s: float = 0.0                 # rate grows linearly from 0 to --request-rate over this
    rate_series: str | None = None         # file of "SECONDS RATE" lines: piecewise arrival rate
    # Honest measurements
    stop_on_saturation: bool = False       # over-saturation guard (loadgen.saturation)
    max_backlog: int | None = None         # guard: unsent released requests that mean "saturated"
    calibrate_isl: bool = False            # preflight requests measure usage.prompt_tokens per word
    words_per_token: float = 1.0           # set by the calibration (random dataset)
    scrape_metrics: str | None = None      # Prometheus URL, or "auto" = <base-url>/metrics
    scrape_interval_s: float = 1.0
    # Request shaping
    ignore_eos: bool | None = None         # None = on for the random dataset (like vLLM)
    stream_usage: bool = True
    temperature: float | None = None
    extra_body: dict = field(default_factory=dict)
    request_timeout_s: float = 600.0
    read_timeout_s: float = 300.0
    connect_timeout_s: float = 30.0
    max_retries: int = 0
    # Run verdict and readiness
    max_error_rate: float = 0.5            # more failed than this fraction = the run failed
    preflight: bool = True                 # one cheap check of server, model and key first
    wait_for_server_s: float = 0.0         # poll until the server is ready, up to this long
    simulated: bool = False                # the target is serve-sim (also detected: runinfo)
    # Output
    out_dir: str | None = None             # default runs/<run_id>
    runs_root: str = "runs"
    run_id: str | None = None
    parquet: bool = False
    save_text: bool = True
    metric_percentiles: list[float] = field(default_factory=lambda: [99.0])
    goodput: dict[str, float] = field(default_factory=dict)
    num_gpus: int | None = None
    label: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    progress: bool = True
    progress_interval_s: float = 1.0
    flush_every: int = 64
    flush_interval_s: float = 0.5
    # Execution
    workers: int = 1
    # Internal: set by sweeps / worker processes.
    sweep_id: str | None = None
    sweep_step: int | None = None
    worker_index: int = 0
    t0_mono_ns: int | None = None

    def copy(self, **changes) -> "LoadTestConfig":
        return replace(self, **changes)

    def header_dict(self) -> dict:
        """The config as recorded in the trace header: JSON-safe, no secret values
        (only environment variable *names* are kept)."""
        d = asdict(self)
        d["request_rate"] = None if math.isinf(self.request_rate) else self.request_rate
        d.pop("t0_mono_ns", None)
        if d.get("base_url"):
            from loadgen.shards import redact_url
            d["base_url"] = redact_url(d["base_url"])
        return d

    # -- validation --------------------------------------------------------------------
    def resolve(self) -> tuple[list[ShardConfig], str, bool]:
        """Validate; return (shards, concrete arrival process, ignore_eos)."""
        try:
            self.request_rate = float(self.request_rate)
            self.burstiness = float(self.burstiness)
        except (TypeError, ValueError):
            raise ConfigError("--request-rate and --burstiness must be numbers") from None
        if self.backend not in BACKENDS:
            raise ConfigError(f"unknown --backend {self.backend!r}; choose one of {sorted(BACKENDS)}")
        if self.dataset not in DATASETS:
            raise ConfigError(f"unknown --dataset {self.dataset!r}; choose one of {DATASETS}")
        if self.rate_mode not in RATE_MODES:
            raise ConfigError(f"--rate-mode must be one of {RATE_MODES}, got {self.rate_mode!r}")
        for name in ("num_prompts", "max_concurrency", "num_gpus", "isl", "osl"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be > 0, got {v}")
        if self.duration_s is not None and not self.duration_s > 0:
            raise ConfigError(f"--duration must be > 0 seconds, got {self.duration_s}")
        if self.qps_cap is not None and not self.qps_cap > 0:
            raise ConfigError(f"--qps-cap must be > 0, got {self.qps_cap}")
        if not 0 <= self.arrival_spin_ms <= 50:
            raise ConfigError(f"--arrival-spin-ms must be in [0, 50], got {self.arrival_spin_ms}")
        if self.warmup < 0 or self.max_retries < 0:
            raise ConfigError("--warmup and --max-retries must be >= 0")
        if not 0 <= self.max_error_rate <= 1:
            raise ConfigError(f"--max-error-rate must be a fraction in [0, 1], got {self.max_error_rate}")
        if not self.wait_for_server_s >= 0:
            raise ConfigError(f"--wait-for-server must be >= 0 seconds, got {self.wait_for_server_s}")
        if self.workers < 1:
            raise ConfigError(f"--workers must be >= 1, got {self.workers}")
        for p in self.metric_percentiles:
            if not 0 < p <= 100:
                raise ConfigError(f"--metric-percentiles values must be in (0, 100], got {p}")
        for k, v in self.goodput.items():
            if k not in GOODPUT_METRICS or v < 0:
                raise ConfigError(f"--goodput takes {'/'.join(GOODPUT_METRICS)}:MS with MS >= 0, got {k}:{v}")
        for t in (self.request_timeout_s, self.read_timeout_s, self.connect_timeout_s,
                  self.adaptive_interval_s):
            if not t > 0:
                raise ConfigError("timeouts and --adaptive-interval must be > 0 seconds")
        if self.prefix_count < 1 or self.prefix_len < 1 or self.block_tokens < 1:
            raise ConfigError("--prefix-count, --prefix-len and --block-tokens must be >= 1")
        if self.max_turns is not None and self.max_turns < 1:
            raise ConfigError(f"--max-turns must be >= 1, got {self.max_turns}")
        if not self.ramp_up_s >= 0:
            raise ConfigError(f"--ramp-up must be >= 0 seconds, got {self.ramp_up_s}")
        if self.max_backlog is not None and self.max_backlog < 1:
            raise ConfigError(f"--max-backlog must be >= 1, got {self.max_backlog}")
        if not self.scrape_interval_s > 0:
            raise ConfigError(f"--scrape-interval must be > 0 seconds, got {self.scrape_interval_s}")
        if not self.words_per_token > 0:
            raise ConfigError(f"words_per_token must be > 0, got {self.words_per_token}")
        if self.calibrate_isl and self.dataset != "random":
            raise ConfigError("--calibrate-isl works on --dataset random (generated prompts of --isl tokens)")
        has_ts = self.dataset in TIMESTAMPED
        rate = self.request_rate
        if self.rate_series:
            from loadgen.arrivals import read_rate_series
            read_rate_series(self.rate_series)  # fail on a bad file before anything starts
            rate = 1.0  # the file sets the rates; only the process kind is resolved here
        if (self.ramp_up_s or self.rate_series) and has_ts:
            raise ConfigError(f"--ramp-up / --rate-series shape generated arrivals; --dataset {self.dataset} "
                              "replays its own timestamps (use --replay-speed)")
        if self.dataset in MULTI_TURN and self.workers > 1:
            raise ConfigError("multi-turn datasets run in one process (--workers 1)")
        arrival = resolve_arrival(self.arrival, rate, self.burstiness, has_ts)
        if self.ramp_up_s and arrival not in ("poisson", "gamma", "constant"):
            raise ConfigError("--ramp-up needs a finite --request-rate (the rate it ramps up to)")
        if arrival == "all-at-once" and self.duration_s is not None and not self.max_concurrency \
                and not self.shards_file and self.qps_cap is None:
            raise ConfigError("--duration with an infinite --request-rate needs --max-concurrency "
                              "(or a QPS cap), or it would open requests without bound")

        if self.shards_file:
            shards = load_shards_file(Path(self.shards_file), default_model=self.model,
                                      default_base_url=self.base_url,
                                      default_api_key_env=self.api_key_env,
                                      default_rate_mode=self.rate_mode,
                                      default_stagger_s=self.shard_stagger_s)
        else:
            if not self.base_url:
                raise ConfigError("--base-url is required (or give --shards FILE.yaml)")
            if not self.base_url.startswith(("http://", "https://")):
                raise ConfigError(f"--base-url must start with http:// or https://, got {self.base_url!r}")
            if not self.model:
                raise ConfigError("--model is required (the model name sent in each request)")
            if self.rate_mode == "adaptive" and not self.max_concurrency and self.qps_cap is None:
                raise ConfigError("--rate-mode adaptive needs --max-concurrency or --qps-cap to scale")
            shards = [ShardConfig(name="default", base_url=self.base_url.rstrip("/"),
                                  model=self.model,
                                  base_model=self.base_model or base_model_name(self.model),
                                  api_key_env=self.api_key_env,
                                  max_concurrency=self.max_concurrency, qps=self.qps_cap,
                                  rate_mode=self.rate_mode)]
        if self.base_model and self.shards_file:
            for s in shards:
                s.base_model = self.base_model
        if self.workers > 1:
            for s in shards:
                if s.max_concurrency is not None and s.max_concurrency < self.workers:
                    raise ConfigError(f"shard {s.name}: max_concurrency {s.max_concurrency} is below "
                                      f"--workers {self.workers} (each worker needs at least 1)")
            if self.max_concurrency is not None and self.max_concurrency < self.workers:
                raise ConfigError(f"--max-concurrency {self.max_concurrency} is below --workers {self.workers}")
        ignore_eos = self.ignore_eos if self.ignore_eos is not None else \
            self.dataset in ("random", "shared-prefix", "multi-turn", "mooncake")
        return shards, arrival, ignore_eos


def split_cap(total: int | None, n: int, k: int) -> int | None:
    """Worker k's share of a cap split over n workers (shares differ by at most 1)."""
    if total is None:
        return None
    return total // n + (1 if k < total % n else 0)

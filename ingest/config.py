"""Ingest configuration: built-in defaults that fetch the 18 known InferenceMAX files, overridable by a YAML
file that may set any subset of keys. Unknown keys are an error rather than ignored, because a typo such as
`retires: 10` would otherwise silently run with the default."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import IngestError

DEFAULT_BASE_URL = "https://inferencemax.semianalysis.com"
# Slugs exactly as the site serves them (llama's is NOT the display-name slug; see shared/README §1).
DEFAULT_MODELS = ("gpt-oss-120b", "llama-3_3-70b-instruct-fp8", "deepseek-r1-0528")
DEFAULT_SEQUENCES = ("1k_1k", "1k_8k", "8k_1k")
DATA_TYPES = ("interactivity", "e2e")


class ConfigError(IngestError):
    """The config file is unreadable or has an unknown key or a value of the wrong type."""


@dataclass(frozen=True)
class InferenceMaxConfig:
    base_url: str = DEFAULT_BASE_URL
    models: tuple[str, ...] = DEFAULT_MODELS
    sequences: tuple[str, ...] = DEFAULT_SEQUENCES
    types: tuple[str, ...] = DATA_TYPES
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0
    concurrency: int = 4

    def file_names(self) -> list[str]:
        """Canonical (served) names of every file this config fetches."""
        return [f"{m}-{s}-{t}.json" for m in self.models for s in self.sequences for t in self.types]


DEFAULT_INFERENCEX_URL = "https://inferencex.semianalysis.com"
# Display names, as the API's `model=` parameter takes them (shared/README section 5).
DEFAULT_INFERENCEX_MODELS = ("DeepSeek-R1-0528", "gpt-oss-120b", "Llama-3.3-70B-Instruct-FP8", "Qwen-3.5-397B-A17B",
                             "Kimi-K2.5", "MiniMax-M2.5", "GLM-5")
INFERENCEX_SEQUENCES = {"1k/1k": (1024, 1024), "1k/8k": (1024, 8192), "8k/1k": (8192, 1024)}
INFERENCEX_ROUTES = ("benchmarks", "benchmarks/history", "availability", "evaluations", "reliability", "workflow-info")


@dataclass(frozen=True)
class InferenceXConfig:
    base_url: str = DEFAULT_INFERENCEX_URL
    models: tuple[str, ...] = DEFAULT_INFERENCEX_MODELS
    sequences: tuple[str, ...] = tuple(INFERENCEX_SEQUENCES)
    routes: tuple[str, ...] = INFERENCEX_ROUTES
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 1.0
    concurrency: int = 4


@dataclass(frozen=True)
class ArchiveConfig:
    compress: bool = False
    retention: int | None = None  # None keeps every snapshot; N keeps the newest N


@dataclass(frozen=True)
class Config:
    inferencemax: InferenceMaxConfig = field(default_factory=InferenceMaxConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    inferencex: InferenceXConfig = field(default_factory=InferenceXConfig)

    def with_overrides(self, *, compress: bool | None = None, retention: int | None = None) -> "Config":
        """CLI flags win over the file; None means 'not given on the command line'."""
        archive = self.archive
        if compress is not None:
            archive = replace(archive, compress=compress)
        if retention is not None:
            archive = replace(archive, retention=_check_retention(retention, "--retention"))
        return replace(self, archive=archive)


def _check_retention(value: int, where: str) -> int:
    if value < 1:
        raise ConfigError(f"{where}: retention must be at least 1 (leave it unset to keep every snapshot), got {value}")
    return value


# Per-key validators: each takes (value, dotted key name, file) and returns the normalised value.
def _str(value: Any, key: str, src: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{src}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _str_list(value: Any, key: str, src: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{src}: '{key}' must be a non-empty list of strings, got {value!r}")
    if len(set(value)) != len(value):
        raise ConfigError(f"{src}: '{key}' lists a value twice: {value!r}")
    return tuple(v.strip() for v in value)


def _types(value: Any, key: str, src: str) -> tuple[str, ...]:
    types = _str_list(value, key, src)
    bad = [t for t in types if t not in DATA_TYPES]
    if bad:
        raise ConfigError(f"{src}: '{key}' has unknown data type {bad[0]!r} (known: {', '.join(DATA_TYPES)})")
    return types


def _one_of(known: tuple[str, ...]):
    def check(value: Any, key: str, src: str) -> tuple[str, ...]:
        values = _str_list(value, key, src)
        bad = [v for v in values if v not in known]
        if bad:
            raise ConfigError(f"{src}: '{key}' has unknown value {bad[0]!r} (known: {', '.join(known)})")
        return values
    return check


def _positive_number(value: Any, key: str, src: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{src}: '{key}' must be a positive number, got {value!r}")
    return float(value)


def _non_negative_number(value: Any, key: str, src: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{src}: '{key}' must be a number >= 0, got {value!r}")
    return float(value)


def _int_at_least(minimum: int):
    def check(value: Any, key: str, src: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{src}: '{key}' must be an integer >= {minimum}, got {value!r}")
        return value
    return check


def _bool(value: Any, key: str, src: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{src}: '{key}' must be true or false, got {value!r}")
    return value


def _retention(value: Any, key: str, src: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{src}: '{key}' must be null (keep all) or an integer >= 1, got {value!r}")
    return _check_retention(value, f"{src}: '{key}'")


_SECTIONS: dict[str, tuple[type, dict[str, Any]]] = {
    "inferencemax": (InferenceMaxConfig, {
        "base_url": _str, "models": _str_list, "sequences": _str_list, "types": _types,
        "timeout_s": _positive_number, "retries": _int_at_least(0), "backoff_s": _non_negative_number,
        "concurrency": _int_at_least(1),
    }),
    "archive": (ArchiveConfig, {"compress": _bool, "retention": _retention}),
    "inferencex": (InferenceXConfig, {
        "base_url": _str, "models": _str_list, "sequences": _one_of(tuple(INFERENCEX_SEQUENCES)),
        "routes": _one_of(INFERENCEX_ROUTES), "timeout_s": _positive_number, "retries": _int_at_least(0),
        "backoff_s": _non_negative_number, "concurrency": _int_at_least(1),
    }),
}
# Sections of the same file that other parts of semibench own and validate (semibench/ops/config.py): the
# ingester skips them, so one config file can drive ingest, the scheduler and alerts.
FOREIGN_SECTIONS = ("schedule", "alerts")
# Guards against a field added to a dataclass but not to the validator table (it could never be configured).
assert all({f.name for f in fields(cls)} == set(checks) for cls, checks in _SECTIONS.values())


def load_config(path: Path | str | None = None) -> Config:
    """Built-in defaults, overridden by whatever subset of keys the YAML file at `path` sets."""
    if path is None:
        return Config()
    path = Path(path)
    src = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{src}: cannot read config: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{src}: not valid YAML: {' '.join(str(exc).split())}") from exc
    if doc is None:  # an empty file means "all defaults"
        return Config()
    if not isinstance(doc, dict):
        raise ConfigError(f"{src}: expected a mapping with an 'inferencemax:' and/or 'archive:' section")

    sections = {}
    for name, body in doc.items():
        if name in FOREIGN_SECTIONS:
            continue
        if name not in _SECTIONS:
            raise ConfigError(f"{src}: unknown section '{name}' (known: {', '.join([*_SECTIONS, *FOREIGN_SECTIONS])})")
        cls, checks = _SECTIONS[name]
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ConfigError(f"{src}: section '{name}' must be a mapping, got {body!r}")
        values = {}
        for key, value in body.items():
            if key not in checks:
                raise ConfigError(f"{src}: unknown key '{name}.{key}' (known: {', '.join(checks)})")
            values[key] = checks[key](value, f"{name}.{key}", src)
        sections[name] = cls(**values)
    return Config(**sections)

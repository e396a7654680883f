"""The `schedule:` and `alerts:` sections of the semibench YAML config (the same file as `inferencemax:` and
`archive:`, which the ingester validates). Every key is optional; unknown keys are an error, so a typo such
as `on_falure: false` cannot silently keep the default.

    schedule:
      cron: "15 6 * * *"      # when `semibench schedule` runs the pipeline (5 fields; a 6th = seconds)
      timezone: UTC           # zone the cron expression is read in (IANA name)
      grace_s: 600            # on SIGTERM, let a running pipeline finish this long before terminating it
    alerts:
      webhook_url: https://hooks.example/semibench   # JSON POST of the run summary
      command: "mail -s 'semibench alert' ops@example" # run with the summary JSON on stdin and in $SEMIBENCH_ALERT_JSON
      timeout_s: 10           # per webhook POST / command; one attempt each, no retry storm
      on_failure: true        # a run failed (ingest, build, publish, corrupt warehouse)
      on_coverage_loss: true  # the new snapshot lost a model x sequence x hwKey the previous one had
      on_big_change: true     # best tput_per_gpu of a model x sequence x hwKey moved by more than big_change_pct
      big_change_pct: 25
      on_quarantine: true     # the run landed records it had to quarantine (records_quarantined > 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter

from ingest.config import ConfigError

DEFAULT_CRON = "15 6 * * *"  # daily, 06:15


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str = DEFAULT_CRON
    timezone: str = "UTC"
    grace_s: float = 600.0


@dataclass(frozen=True)
class AlertConfig:
    webhook_url: str | None = None
    command: str | None = None
    timeout_s: float = 10.0
    on_failure: bool = True
    on_coverage_loss: bool = True
    on_big_change: bool = True
    big_change_pct: float = 25.0
    on_quarantine: bool = True

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url or self.command)


@dataclass(frozen=True)
class OpsConfig:
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    alerts: AlertConfig = field(default_factory=AlertConfig)


def check_cron(value: Any, where: str) -> str:
    if not isinstance(value, str) or not croniter.is_valid(value.strip()):
        raise ConfigError(f"{where}: not a valid cron expression: {value!r} (e.g. \"15 6 * * *\" = daily at 06:15)")
    return value.strip()


def check_timezone(value: Any, where: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {value!r} (an IANA name such as UTC or Europe/Berlin)") from None
    return str(value)


def _number(minimum: float):
    def check(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < minimum:
            raise ConfigError(f"{where}: must be a number >= {minimum:g}, got {value!r}")
        return float(value)
    return check


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: must be true or false, got {value!r}")
    return value


def _opt_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: must be a non-empty string (or null), got {value!r}")
    return value.strip()


_SECTIONS: dict[str, tuple[type, dict[str, Any]]] = {
    "schedule": (ScheduleConfig, {"cron": check_cron, "timezone": check_timezone, "grace_s": _number(0)}),
    "alerts": (AlertConfig, {
        "webhook_url": _opt_str, "command": _opt_str, "timeout_s": _number(0.1), "on_failure": _bool,
        "on_coverage_loss": _bool, "on_big_change": _bool, "big_change_pct": _number(0),
        "on_quarantine": _bool,
    }),
}


def load_ops_config(path: Path | str | None) -> OpsConfig:
    """Defaults, overridden by the `schedule:`/`alerts:` sections of the YAML file (other sections are the
    ingester's). Errors are ConfigError with one line naming the file and key."""
    if path is None:
        return OpsConfig()
    src = str(path)
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{src}: cannot read config: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{src}: not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(doc, dict):
        return OpsConfig()
    sections = {}
    for name, (cls, checks) in _SECTIONS.items():
        body = doc.get(name) or {}
        if not isinstance(body, dict):
            raise ConfigError(f"{src}: section '{name}' must be a mapping, got {body!r}")
        values = {}
        for key, value in body.items():
            if key not in checks:
                raise ConfigError(f"{src}: unknown key '{name}.{key}' (known: {', '.join(checks)})")
            values[key] = checks[key](value, f"{src}: '{name}.{key}'")
        sections[name] = cls(**values)
    return OpsConfig(**sections)

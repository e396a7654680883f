"""Shards: the endpoints / deployments / API keys one run spreads its requests over.

A run without a shards file has one implicit shard built from --base-url/--model. A
shards YAML lists several, each with its own concurrency cap, QPS cap, rate mode and
start delay. Only the *name* of the environment variable holding a shard's API key is
ever stored; the key itself is read from the environment when the session is opened.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

RATE_MODES = ("fixed", "adaptive")


class ConfigError(ValueError):
    """A user-facing configuration problem; the message is one line, shown as is."""


@dataclass
class ShardConfig:
    name: str
    base_url: str
    model: str                       # deployment name, sent as "model" in each request
    base_model: str                  # what the run reports under (DeepSeek-V3-0324-2 -> DeepSeek-V3-0324)
    api_key_env: str | None = None   # env var holding the key; None = send no Authorization
    max_concurrency: int | None = None
    qps: float | None = None         # hard cap on request starts per second
    rate_mode: str = "fixed"
    start_delay_s: float = 0.0       # staggered start: no request leaves this shard before then

    def header_dict(self) -> dict:
        d = asdict(self)
        d["base_url"] = redact_url(self.base_url)
        return d


# A trailing "-<1-2 digits>" is a replica / deployment index (DeepSeek-V3-0324-2) only when
# what precedes it already carries a version digit; "gpt-4" or "Llama-3" keep their number.
_REPLICA_SUFFIX = re.compile(r"^(?P<base>.*\d.*)-\d{1,2}$")


def base_model_name(deployment: str) -> str:
    """Report name for a deployment: strip a replica index such as `-2`.

    `DeepSeek-V3-0324-2` -> `DeepSeek-V3-0324`; `DeepSeek-V3-0324` (4-digit date) and
    `gpt-4` are left alone. Give `base_model:` explicitly when the rule guesses wrong.
    """
    m = _REPLICA_SUFFIX.match(deployment)
    return m.group("base") if m else deployment


def redact_url(url: str) -> str:
    """Drop user:password and query string (either may carry a key) from a URL we record."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _pos_int(v, where: str, key: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ConfigError(f"{where}: {key} must be a positive integer, got {v!r}")
    return v


def _pos_float(v, where: str, key: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or math.isinf(v):
        raise ConfigError(f"{where}: {key} must be a positive number, got {v!r}")
    return float(v)


_SHARD_KEYS = {"name", "base_url", "model", "base_model", "api_key_env", "max_concurrency",
               "qps", "rate_mode", "start_delay_s"}
_TOP_KEYS = {"shards", "stagger_s", "rate_mode", "model", "api_key_env", "base_url"}


def load_shards_file(path: Path, *, default_model: str | None = None,
                     default_base_url: str | None = None,
                     default_api_key_env: str | None = None,
                     default_rate_mode: str = "fixed",
                     default_stagger_s: float = 0.0) -> list[ShardConfig]:
    """Parse a shards YAML file; every problem names the file and the shard."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read shards file: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} invalid YAML: {getattr(e, 'problem', e)}") from None
    if isinstance(doc, list):
        doc = {"shards": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("shards"), list) or not doc["shards"]:
        raise ConfigError(f"{path}: expected a non-empty `shards:` list")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s) {sorted(unknown)}; "
                          f"allowed: {sorted(_TOP_KEYS)}")
    model = doc.get("model", default_model)
    base_url = doc.get("base_url", default_base_url)
    key_env = doc.get("api_key_env", default_api_key_env)
    mode = doc.get("rate_mode", default_rate_mode)
    stagger = doc.get("stagger_s", default_stagger_s)
    if not isinstance(stagger, (int, float)) or stagger < 0:
        raise ConfigError(f"{path}: stagger_s must be a number >= 0, got {stagger!r}")

    shards: list[ShardConfig] = []
    for i, raw in enumerate(doc["shards"]):
        where = f"{path}: shard #{i + 1}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
        unknown = set(raw) - _SHARD_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_SHARD_KEYS)}")
        name = str(raw.get("name") or f"shard{i}")
        where = f"{path}: shard #{i + 1} ({name})"
        url = raw.get("base_url", base_url)
        if not url:
            raise ConfigError(f"{where}: base_url missing (set it on the shard, at top level, or pass --base-url)")
        mdl = raw.get("model", model)
        if not mdl:
            raise ConfigError(f"{where}: model missing (set it on the shard, at top level, or pass --model)")
        rm = raw.get("rate_mode", mode)
        if rm not in RATE_MODES:
            raise ConfigError(f"{where}: rate_mode must be one of {RATE_MODES}, got {rm!r}")
        delay = raw.get("start_delay_s", i * stagger)
        if not isinstance(delay, (int, float)) or delay < 0:
            raise ConfigError(f"{where}: start_delay_s must be a number >= 0, got {delay!r}")
        shard = ShardConfig(
            name=name, base_url=str(url).rstrip("/"), model=str(mdl),
            base_model=str(raw.get("base_model") or base_model_name(str(mdl))),
            api_key_env=raw.get("api_key_env", key_env),
            max_concurrency=_pos_int(raw.get("max_concurrency"), where, "max_concurrency"),
            qps=_pos_float(raw.get("qps"), where, "qps"),
            rate_mode=rm, start_delay_s=float(delay))
        if shard.rate_mode == "adaptive" and shard.max_concurrency is None and shard.qps is None:
            raise ConfigError(f"{where}: adaptive rate mode needs max_concurrency or qps to scale")
        shards.append(shard)
    names = [s.name for s in shards]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ConfigError(f"{path}: duplicate shard name(s) {sorted(dup)}")
    return shards

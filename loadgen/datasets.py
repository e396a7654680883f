"""Workload prompts: synthetic random, custom JSONL chat messages, and trace replay.

Each dataset hands out `Prompt`s by sequence number (cycling when a run asks for more
prompts than the dataset holds), so a run — or each worker process of a run — can take
exactly the prompts it needs without materialising the rest.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from loadgen.shards import ConfigError
from loadgen.tokens import estimate_tokens, messages_text

DATASETS = ("random", "custom", "replay", "shared-prefix", "mooncake", "multi-turn", "sessions", "sharegpt")
TIMESTAMPED = ("replay", "mooncake")                     # arrivals follow the file's timestamps
MULTI_TURN = ("multi-turn", "sessions", "sharegpt")      # one task per conversation


@dataclass(slots=True)
class Prompt:
    messages: list[dict]               # chat messages (openai-chat sends these as is)
    target_input_tokens: int | None    # what the prompt should cost (ISL target or estimate)
    target_output_tokens: int | None   # max_tokens to request; None = server default
    timestamp_s: float | None = None   # replay only: arrival offset from trace start
    session_id: str | None = None      # multi-turn: conversation id (the trace records it)
    turn: int | None = None            # multi-turn: 0-based turn index
    prefix_id: int | None = None       # shared-prefix / Mooncake: the shared prefix used

    def as_text(self) -> str:
        """The prompt for the completions API: message contents joined by newlines."""
        return messages_text(self.messages)


class Dataset:
    name: str = ""
    path: str | None = None

    def __len__(self) -> int:
        raise NotImplementedError

    def get(self, seq: int) -> Prompt:
        raise NotImplementedError

    def timestamps(self) -> list[float] | None:
        """Arrival offsets (s) when the dataset carries its own timing (replay)."""
        return None


# Three-letter consonant-vowel-consonant words: with their separating space each is
# exactly 4 characters, i.e. exactly one token under the offline estimate, so a
# prompt of N words costs N estimated tokens.
_C = "bcdfghjklmnprstvwz"
_V = "aeiou"
_VOCAB = [a + b + c for a in _C for b in _V for c in _C]


def random_text(rng: random.Random, tokens: int) -> str:
    return " ".join(rng.choices(_VOCAB, k=max(1, tokens)))


def _vary(rng: random.Random, target: int, ratio: float) -> int:
    if ratio <= 0:
        return target
    lo, hi = max(1, int(target * (1 - ratio))), max(1, int(target * (1 + ratio)))
    return rng.randint(lo, hi)


class RandomDataset(Dataset):
    """Synthetic prompts of a target input length; max_tokens = target output length.

    Like vLLM's random dataset: lengths may vary uniformly by +-range_ratio. Each prompt
    is seeded from (seed, seq), so any process can regenerate prompt #seq on its own.
    """

    name = "random"

    def __init__(self, isl: int, osl: int, range_ratio: float = 0.0, seed: int = 0,
                 size: int = 1000, words_per_token: float = 1.0):
        if isl <= 0 or osl <= 0:
            raise ConfigError("random dataset needs --isl and --osl > 0")
        if not 0 <= range_ratio < 1:
            raise ConfigError(f"--random-range-ratio must be in [0, 1), got {range_ratio}")
        self.isl, self.osl, self.ratio, self.seed, self.size = isl, osl, range_ratio, seed, size
        # --calibrate-isl: words per server token, measured from the server's usage.prompt_tokens,
        # so a prompt of isl x this many words costs isl tokens on the server's own tokenizer.
        self.words_per_token = words_per_token

    def __len__(self) -> int:
        return self.size

    def get(self, seq: int) -> Prompt:
        rng = random.Random(f"loadgen-random:{self.seed}:{seq}")
        n_in = _vary(rng, self.isl, self.ratio)
        n_out = _vary(rng, self.osl, self.ratio)
        words = n_in if self.words_per_token == 1.0 else max(1, round(n_in * self.words_per_token))
        return Prompt([{"role": "user", "content": random_text(rng, words)}], n_in, n_out)


def _check_messages(msgs, where: str) -> list[dict]:
    if not isinstance(msgs, list) or not msgs:
        raise ConfigError(f"{where}: expected a non-empty JSON array of chat messages, "
                          f"got {type(msgs).__name__}")
    for j, m in enumerate(msgs):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) \
                or not isinstance(m.get("content"), (str, list)):
            raise ConfigError(f"{where}: message {j} must be an object with string `role` "
                              f"and string/list `content`")
    return msgs


def _read_jsonl(path: Path):
    try:
        f = path.open(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read dataset: {e.strerror or e}") from None
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as e:
                raise ConfigError(f"{path}:{lineno}: invalid JSON: {e.msg} (column {e.colno})") from None
            except UnicodeDecodeError:
                raise ConfigError(f"{path}:{lineno}: not UTF-8 text") from None


class CustomDataset(Dataset):
    """One JSON array of chat messages per line (or {"messages": [...], "max_tokens": N})."""

    def __init__(self, path: Path, osl: int | None = None):
        self.path = str(path)
        self.name = "custom"
        self.items: list[Prompt] = []
        for lineno, obj in _read_jsonl(Path(path)):
            where = f"{path}:{lineno}"
            max_tokens = osl
            if isinstance(obj, dict) and "messages" in obj:
                mt = obj.get("max_tokens")
                if mt is not None and (not isinstance(mt, int) or isinstance(mt, bool) or mt <= 0):
                    raise ConfigError(f"{where}: max_tokens must be a positive integer, got {mt!r}")
                max_tokens = osl if osl is not None else mt
                obj = obj["messages"]
            msgs = _check_messages(obj, where)
            self.items.append(Prompt(msgs, estimate_tokens(messages_text(msgs)), max_tokens))
        if not self.items:
            raise ConfigError(f"{path}: dataset is empty")

    def __len__(self) -> int:
        return len(self.items)

    def get(self, seq: int) -> Prompt:
        return self.items[seq % len(self.items)]


def _num(obj: dict, keys: tuple[str, ...], where: str) -> float | None:
    for k in keys:
        if k in obj and obj[k] is not None:
            v = obj[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ConfigError(f"{where}: {k} must be a number >= 0, got {v!r}")
            return v
    return None


class ReplayDataset(Dataset):
    """Replay a timestamped trace: each request at its recorded offset, with its lengths.

    Accepted lines: {"timestamp": s | "timestamp_ms": ms, then "messages": [...] or
    "prompt": "..." or "input_length": N, optional "output_length"/"max_tokens"} — or a
    loadgen trace.jsonl itself (request lines replay their scheduled time and token counts).
    """

    def __init__(self, path: Path, osl: int | None = None, seed: int = 0, speed: float = 1.0):
        if speed <= 0:
            raise ConfigError(f"--replay-speed must be > 0, got {speed}")
        self.path = str(path)
        self.name = "replay"
        rows: list[tuple[float, Prompt]] = []
        for lineno, obj in _read_jsonl(Path(path)):
            where = f"{path}:{lineno}"
            if not isinstance(obj, dict):
                raise ConfigError(f"{where}: expected a JSON object with a timestamp")
            if obj.get("type") in ("run", "end"):
                continue  # a loadgen trace's header / end line
            if obj.get("type") == "request":
                if obj.get("warmup"):
                    continue
                ts = (obj.get("scheduled_offset_ns") or obj.get("send_offset_ns") or 0) / 1e9
                n_in = obj.get("input_tokens") or obj.get("target_input_tokens") or 1
                n_out = obj.get("target_output_tokens") or obj.get("output_tokens")
                rng = random.Random(f"loadgen-replay:{seed}:{lineno}")
                msgs = [{"role": "user", "content": random_text(rng, int(n_in))}]
                rows.append((ts, Prompt(msgs, int(n_in), int(n_out) if n_out else osl)))
                continue
            ts = _num(obj, ("timestamp",), where)
            if ts is None:
                ms = _num(obj, ("timestamp_ms",), where)
                if ms is None:
                    raise ConfigError(f"{where}: missing `timestamp` (seconds) or `timestamp_ms`")
                ts = ms / 1000.0
            n_out = _num(obj, ("output_length", "output_tokens", "max_tokens"), where)
            n_out = osl if osl is not None else (int(n_out) if n_out else None)
            if "messages" in obj:
                msgs = _check_messages(obj["messages"], where)
                n_in = estimate_tokens(messages_text(msgs))
            elif isinstance(obj.get("prompt"), str):
                msgs = [{"role": "user", "content": obj["prompt"]}]
                n_in = estimate_tokens(obj["prompt"])
            else:
                n_in = _num(obj, ("input_length", "input_tokens"), where)
                if not n_in:
                    raise ConfigError(f"{where}: needs `messages`, `prompt` or `input_length`")
                n_in = int(n_in)
                rng = random.Random(f"loadgen-replay:{seed}:{lineno}")
                msgs = [{"role": "user", "content": random_text(rng, n_in)}]
            rows.append((float(ts), Prompt(msgs, n_in, n_out)))
        if not rows:
            raise ConfigError(f"{path}: replay trace has no requests")
        rows.sort(key=lambda r: r[0])
        t0 = rows[0][0]
        self.items = []
        for ts, p in rows:
            p.timestamp_s = (ts - t0) / speed
            self.items.append(p)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, seq: int) -> Prompt:
        return self.items[seq % len(self.items)]

    def timestamps(self) -> list[float]:
        return [p.timestamp_s for p in self.items]

"""Workloads whose prompts share prefixes, to see prefix caching in TTFT.

* `shared-prefix`: --prefix-count distinct prefixes of --prefix-len tokens; each request
  starts with one of them (picked at random, seeded) followed by a unique part of --isl
  tokens. The trace records which prefix (`prefix_id`).
* `mooncake`: a Mooncake-style timestamped trace, replayed on schedule: JSONL lines of
  {"timestamp": ms, "input_length": N, "output_length": M, "hash_ids": [...]}, where equal
  hash ids are equal blocks of --block-tokens tokens (Mooncake's 512), so prompts share
  exactly the prefixes the production requests shared. `prefix_id` = the first hash id.
"""

from __future__ import annotations

import random
from pathlib import Path

from loadgen.datasets import Dataset, Prompt, _VOCAB, _read_jsonl, _vary, random_text
from loadgen.shards import ConfigError


class SharedPrefixDataset(Dataset):
    name = "shared-prefix"

    def __init__(self, isl: int, osl: int, prefix_count: int, prefix_len: int, range_ratio: float = 0.0,
                 seed: int = 0, size: int = 1000):
        if isl <= 0 or osl <= 0:
            raise ConfigError("shared-prefix dataset needs --isl and --osl > 0")
        if prefix_count < 1 or prefix_len < 1:
            raise ConfigError(f"--prefix-count and --prefix-len must be >= 1, got {prefix_count}, {prefix_len}")
        self.isl, self.osl, self.ratio, self.seed, self.size = isl, osl, range_ratio, seed, size
        self.prefix_count, self.prefix_len = prefix_count, prefix_len
        self._prefixes: dict[int, str] = {}

    def __len__(self) -> int:
        return self.size

    def prefix(self, j: int) -> str:
        p = self._prefixes.get(j)
        if p is None:
            p = self._prefixes[j] = random_text(random.Random(f"loadgen-prefix:{self.seed}:{j}"), self.prefix_len)
        return p

    def get(self, seq: int) -> Prompt:
        rng = random.Random(f"loadgen-shared:{self.seed}:{seq}")
        j = rng.randrange(self.prefix_count)
        n_in = _vary(rng, self.isl, self.ratio)
        n_out = _vary(rng, self.osl, self.ratio)
        # every word is 4 characters with its separator: the prefix ends on a token boundary
        text = self.prefix(j) + " " + random_text(rng, n_in)
        return Prompt([{"role": "user", "content": text}], self.prefix_len + n_in, n_out, prefix_id=j)


def _int_field(obj: dict, key: str, where: str, required: bool = True, minimum: int = 0) -> int | None:
    v = obj.get(key)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise ConfigError(f"{where}: {key} must be an integer >= {minimum}, got {v!r}")
    return v


class MooncakeDataset(Dataset):
    name = "mooncake"

    def __init__(self, path: Path, osl: int | None = None, block_tokens: int = 512, speed: float = 1.0,
                 seed: int = 0):
        if speed <= 0:
            raise ConfigError(f"--replay-speed must be > 0, got {speed}")
        if block_tokens < 1:
            raise ConfigError(f"--block-tokens must be >= 1, got {block_tokens}")
        self.path, self.block_tokens, self.seed = str(path), block_tokens, seed
        rows = []
        for lineno, obj in _read_jsonl(Path(path)):
            where = f"{path}:{lineno}"
            if not isinstance(obj, dict):
                raise ConfigError(f"{where}: expected a JSON object")
            ts = obj.get("timestamp")
            if isinstance(ts, bool) or not isinstance(ts, (int, float)) or ts < 0:
                raise ConfigError(f"{where}: timestamp must be a number >= 0 (milliseconds), got {ts!r}")
            n_in = _int_field(obj, "input_length", where, minimum=1)
            n_out = _int_field(obj, "output_length", where, required=False, minimum=1)
            hids = obj.get("hash_ids", [])
            if not isinstance(hids, list) or any(isinstance(h, bool) or not isinstance(h, int) for h in hids):
                raise ConfigError(f"{where}: hash_ids must be a list of integers")
            rows.append((ts / 1000.0, lineno, n_in, osl if osl is not None else n_out, hids))
        if not rows:
            raise ConfigError(f"{path}: trace has no requests")
        rows.sort(key=lambda r: r[0])
        t0 = rows[0][0]
        self.rows = [((ts - t0) / speed, lineno, n_in, n_out, hids) for ts, lineno, n_in, n_out, hids in rows]
        self._blocks: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def _block(self, hid: int) -> list[str]:
        b = self._blocks.get(hid)
        if b is None:
            if len(self._blocks) > 50_000:
                self._blocks.clear()  # bounded memory: blocks are cheap to regenerate
            b = self._blocks[hid] = random.Random(f"loadgen-mooncake:{self.seed}:{hid}").choices(
                _VOCAB, k=self.block_tokens)
        return b

    def get(self, seq: int) -> Prompt:
        ts, lineno, n_in, n_out, hids = self.rows[seq % len(self.rows)]
        words: list[str] = []
        for hid in hids:
            if len(words) >= n_in:
                break
            words.extend(self._block(hid))
        if len(words) < n_in:  # more tokens than the hash ids cover: a unique tail
            words.extend(random.Random(f"loadgen-mooncake-tail:{self.seed}:{lineno}").choices(
                _VOCAB, k=n_in - len(words)))
        p = Prompt([{"role": "user", "content": " ".join(words[:n_in])}], n_in, n_out, timestamp_s=ts,
                   prefix_id=hids[0] if hids else None)
        return p

    def timestamps(self) -> list[float]:
        return [r[0] for r in self.rows]

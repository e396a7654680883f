"""`--dataset NAME` -> the dataset object: the one place that knows every dataset module (datasets,
prefix_datasets, sessions), so those modules build on datasets.py without importing each other round a loop."""

from __future__ import annotations

from pathlib import Path

from loadgen.datasets import DATASETS, CustomDataset, Dataset, RandomDataset, ReplayDataset
from loadgen.dists import parse_dist
from loadgen.prefix_datasets import MooncakeDataset, SharedPrefixDataset
from loadgen.sessions import SessionsFile, ShareGPTSessions, SyntheticSessions
from loadgen.shards import ConfigError


def build_dataset(name: str, *, path: str | Path | None, isl: int | None, osl: int | None,
                  range_ratio: float = 0.0, seed: int = 0, size: int = 1000,
                  replay_speed: float = 1.0, prefix_count: int = 8, prefix_len: int = 512,
                  block_tokens: int = 512, turns=None, think_time=None,
                  max_turns: int | None = None, words_per_token: float = 1.0) -> Dataset:
    if name in ("random", "shared-prefix", "multi-turn") and path:
        raise ConfigError(f"--dataset {name} takes no --dataset-path (its prompts are generated)")
    if name == "random":
        return RandomDataset(isl or 1024, osl or 128, range_ratio, seed, size, words_per_token)
    if name == "shared-prefix":
        return SharedPrefixDataset(isl or 256, osl or 128, prefix_count, prefix_len, range_ratio, seed, size)
    think = parse_dist(think_time, "--think-time")
    if name == "multi-turn":
        return SyntheticSessions(isl or 256, osl or 128, parse_dist(turns, "--turns", 4.0), think,
                                 range_ratio, seed, size)
    if name in ("sessions", "sharegpt", "mooncake"):
        if not path:
            raise ConfigError(f"--dataset {name} needs --dataset-path FILE")
        if name == "sessions":
            return SessionsFile(Path(path), osl, think, seed)
        if name == "sharegpt":
            return ShareGPTSessions(Path(path), osl, think, max_turns, seed)
        return MooncakeDataset(Path(path), osl, block_tokens, replay_speed, seed)
    if name in ("custom", "replay"):
        if not path:
            raise ConfigError(f"--dataset {name} needs --dataset-path FILE.jsonl")
        if name == "custom":
            return CustomDataset(Path(path), osl)
        return ReplayDataset(Path(path), osl, seed, replay_speed)
    raise ConfigError(f"unknown dataset {name!r}; choose one of {DATASETS}")

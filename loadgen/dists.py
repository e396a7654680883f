"""Distribution specs for workload options (`--turns`, `--think-time`): a number, or
`exp:MEAN`, `uniform:LO,HI`, `normal:MEAN,STD` (clipped at 0). Sampled from a caller's rng
so a workload stays a function of its seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from loadgen.shards import ConfigError

KINDS = ("const", "exp", "uniform", "normal")


@dataclass(frozen=True)
class Dist:
    kind: str
    a: float
    b: float = 0.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "const":
            return self.a
        if self.kind == "exp":
            return rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        return max(0.0, rng.gauss(self.a, self.b))

    @property
    def mean(self) -> float:
        return (self.a + self.b) / 2 if self.kind == "uniform" else self.a


def parse_dist(text: str | float | int | None, option: str, default: float = 0.0) -> Dist:
    if text is None or text == "":
        return Dist("const", default)
    if isinstance(text, (int, float)):
        return Dist("const", float(text))
    kind, _, args = str(text).partition(":")
    try:
        if not args:
            v = float(kind)
            if v < 0:
                raise ValueError
            return Dist("const", v)
        nums = [float(x) for x in args.split(",")]
    except ValueError:
        raise ConfigError(f"{option}: expected a number >= 0 or exp:MEAN, uniform:LO,HI, normal:MEAN,STD; "
                          f"got {text!r}") from None
    want = {"exp": 1, "uniform": 2, "normal": 2}.get(kind)
    if want is None or len(nums) != want or any(n < 0 for n in nums) or \
            (kind == "uniform" and nums[0] > nums[1]):
        raise ConfigError(f"{option}: expected exp:MEAN, uniform:LO,HI (LO <= HI) or normal:MEAN,STD, "
                          f"all >= 0; got {text!r}")
    return Dist(kind, *nums)

"""Fixtures for loadgen tests: serve-sim on 127.0.0.1 (in a thread or as a real
subprocess), run configs writing into tmp_path, and a sentinel API key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from loadgen.config import LoadTestConfig
from loadgen.sim.latency import LatencyModel
from loadgen.sim.run import SimHandle

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim():
    """make_sim(LatencyModel(...), **SimHandle kwargs) -> SimHandle, stopped at teardown."""
    handles: list[SimHandle] = []

    def make(latency: LatencyModel | None = None, **kw) -> SimHandle:
        h = SimHandle(latency or LatencyModel(ttft_ms=5, tpot_ms=1), **kw)
        handles.append(h)
        return h

    yield make
    for h in handles:
        h.close()


def _read_url(proc: subprocess.Popen, timeout: float = 20.0) -> str:
    found: dict = {}

    def reader() -> None:
        for line in proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                found["url"] = m.group(1)
                return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    if "url" not in found:
        proc.kill()
        raise RuntimeError("serve-sim subprocess did not announce its URL")
    return found["url"]


@pytest.fixture
def sim_proc():
    """start(*cli_args, env=None) -> (Popen, base_url): `python -m loadgen.sim --port 0 ...`
    as a separate process (so it can be killed mid-run)."""
    procs: list[subprocess.Popen] = []

    def start(*args: str, env: dict | None = None):
        p = subprocess.Popen([sys.executable, "-m", "loadgen.sim", "--port", "0", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=PROJECT, env={**os.environ, **(env or {})})
        procs.append(p)
        return p, _read_url(p)

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)


@pytest.fixture
def cfg(tmp_path):
    """make_cfg(base_url, **overrides) -> LoadTestConfig writing into tmp_path/run."""

    def make(base_url: str, **kw) -> LoadTestConfig:
        base = dict(base_url=base_url, model="sim-model", isl=64, osl=8, num_prompts=10,
                    out_dir=str(tmp_path / kw.pop("dirname", "run")), progress=False,
                    api_key_env=None)
        base.update(kw)
        return LoadTestConfig(**base)

    return make


def loadgen_cli(*args: str, env: dict | None = None, **popen_kw) -> subprocess.Popen:
    """`python -m loadgen ...` as a real subprocess."""
    return subprocess.Popen([sys.executable, "-m", "loadgen", *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, **popen_kw)


def wait_for_lines(path: Path, n: int, timeout: float = 30.0) -> int:
    """Poll a trace until it has >= n request lines (it is flushed in batches)."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        if path.exists():
            count = path.read_text(encoding="utf-8").count('"type":"request"')
            if count >= n:
                return count
        time.sleep(0.05)
    raise AssertionError(f"{path} reached only {count} request lines in {timeout}s")

"""SVG charts remembered by what they were drawn from: a report over unchanged data (the usual scheduled run)
reuses last report's SVGs instead of paying matplotlib ~0.5-1 s per chart again.

The key is a hash of the chart function, its arguments' repr (dataclasses and floats repr exactly), this
package's plotting code and matplotlib's version, so any change to data, style or code draws afresh. The
cache keeps only the charts of the newest report (no growth); a missing or unreadable entry is redrawn."""

from __future__ import annotations

import functools
import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import matplotlib

_cache_dir: ContextVar[Path | None] = ContextVar("chart_cache_dir", default=None)
_used: ContextVar[set | None] = ContextVar("chart_cache_used", default=None)
_PLOTTING_CODE = hashlib.sha256(Path(__file__).with_name("plots.py").read_bytes()
                                + matplotlib.__version__.encode()).hexdigest()
stats = {"hits": 0, "misses": 0}


@contextmanager
def charts_cached_in(directory: Path | None):
    """Within this block, cached() charts are read from and written to `directory`; afterwards entries this
    block did not use are removed. None: no caching."""
    used: set[str] = set()
    tokens = (_cache_dir.set(Path(directory) if directory else None), _used.set(used))
    try:
        yield
    finally:
        _cache_dir.reset(tokens[0])
        _used.reset(tokens[1])
    if directory and Path(directory).is_dir():
        for entry in Path(directory).glob("*.svg"):
            if entry.stem not in used:
                entry.unlink(missing_ok=True)


def cached(render_chart):
    @functools.wraps(render_chart)
    def wrapper(*args):
        directory, used = _cache_dir.get(), _used.get()
        if directory is None:
            return render_chart(*args)
        key = hashlib.sha256(repr((render_chart.__qualname__, args, _PLOTTING_CODE)).encode()).hexdigest()
        used.add(key)
        entry = directory / f"{key}.svg"
        try:
            svg = entry.read_text()
            stats["hits"] += 1
            return svg
        except (OSError, UnicodeDecodeError):
            pass
        stats["misses"] += 1
        svg = render_chart(*args)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(svg)
        tmp.replace(entry)
        return svg
    return wrapper

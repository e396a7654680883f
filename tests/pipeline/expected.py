"""Independent Python reference computations over raw point files, to check the dbt marts against."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

SERVED = re.compile(r"^(?P<model>.+)-(?P<seq>\d+k_\d+k)-(?P<type>interactivity|e2e)\.json$")


def load_points(directory: Path, data_type: str) -> dict[tuple[str, str], list[dict]]:
    """(model_slug, sequence_slug) -> points of the given type."""
    out: dict[tuple[str, str], list[dict]] = {}
    for f in sorted(directory.glob("*.json")):
        m = SERVED.match(f.name)
        if m and m["type"] == data_type:
            out[(m["model"], m["seq"])] = json.loads(f.read_text())
    return out


def pareto_frontier(points: list[tuple[float, float]]) -> set[tuple[float, float]]:
    """Points not dominated by another (both coordinates higher-is-better)."""
    front = set()
    for x, y in points:
        if not any((qx >= x and qy >= y) and (qx > x or qy > y) for qx, qy in points):
            front.add((x, y))
    return front


def interpolate(frontier: set[tuple[float, float]], target: float) -> float | None:
    """Throughput at AT LEAST `target` interactivity: linear inside the frontier, its best point below it
    (every point meets a looser floor), None above it."""
    pts = sorted(frontier)
    if pts and target < pts[0][0]:
        return max(y for _, y in pts)
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 <= target <= x1 and x1 > x0:
            return y0 + (target - x0) * (y1 - y0) / (x1 - x0)
    for x, y in pts:
        if x == target:
            return y
    return None


def per_hardware(points_by_file: dict[tuple[str, str], list[dict]]):
    """(model, seq, hwKey) -> list of (x, y)."""
    groups: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for (model, seq), points in points_by_file.items():
        for p in points:
            groups[(model, seq, p["hwKey"])].append((float(p["x"]), float(p["y"])))
    return groups

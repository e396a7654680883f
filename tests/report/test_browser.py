"""The report in a real browser: headless Chromium loads report.html from disk, its DOM holds the SVG charts,
and a screenshot shows a rendered page rather than a blank or broken one.

Skips when no Chromium is installed, except in CI (CI set), where .ci/run installs it and a skip would
hide a broken report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib import image as mpimg

WIDTH, HEIGHT = 1400, 2400


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but no chromium is installed (.ci/run should have installed it)")
    pytest.skip("chromium not installed (apt-get install -y chromium)")


def run_chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        # without these, Chromium waits on network services that are refused here and hangs
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]
    # the timeout only stops a hung browser from hanging the suite; nothing asserts on time
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def test_chromium_dom_holds_every_chart(built_report, tmp_path):
    url = (built_report.directory / "report.html").resolve().as_uri()
    proc = run_chromium(tmp_path, "--dump-dom", url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    charts = re.findall(r'<section class="chart" id="(chart-[^"]+)"', built_report.html)
    assert len(charts) == 9
    for cid in charts:
        block = dom[dom.index(f'id="{cid}"'):]
        block = block[:block.index("</section>")]
        # parsed as SVG by the browser: the element, its legend group and its frontier lines are in the DOM
        assert "<svg" in block and f'id="{cid}-legend"' in block and f'id="{cid}-frontier-' in block, cid
    assert dom.count("<svg") == built_report.html.count("<svg")


def test_chromium_screenshot_is_a_rendered_page(built_report, tmp_path):
    shot = tmp_path / "report.png"
    url = (built_report.directory / "report.html").resolve().as_uri()
    proc = run_chromium(tmp_path, f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", url)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    pixels = mpimg.imread(shot)  # PNG decoder of matplotlib (Pillow underneath)
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    rgb = np.round(pixels[:, :, :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours = np.unique(rgb, axis=0)
    # text, the palette of ten hwKeys and anti-aliasing give thousands of colours; a blank or error page a few
    assert len(colours) > 500, len(colours)
    white = np.all(rgb > 245, axis=1).mean()
    assert 0.3 < white < 0.97, white  # mostly light page, but not empty
    # the sticky contents panel sits on the left edge in its own background colour
    left = pixels[: HEIGHT // 2, :120, :3].reshape(-1, 3)
    assert np.abs(left.mean(axis=0) - np.array([0xF5, 0xF7, 0xFA]) / 255).max() < 0.05
    # the first chart's hwKey colours are on screen (tab10 blue of the first key, orange of the second)
    for colour in ("#1f77b4", "#ff7f0e"):
        target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(rgb.astype(int) - target).sum(axis=1) < 12).sum() > 200, colour

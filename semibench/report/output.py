"""Write a report directory atomically and point `latest` at it.

Both files are written into a hidden temp directory that is renamed into place, so a reader (a browser
refreshing `latest/report.html`, a CI artifact upload) never sees a half-written report or an HTML file
without its Markdown twin. `latest` is a relative symlink swapped with os.replace; where symlinks are not
available it is a copy, replaced the same way."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

LATEST = "latest"


@dataclass
class ReportPaths:
    directory: Path  # reports/<timestamp>/
    html: Path
    markdown: Path
    latest: Path | None  # reports/latest (symlink or copy), None when not updated


def write_report(root: Path, files: dict[str, str], *, when: datetime | None = None,
                 update_latest: bool = True) -> tuple[Path, Path | None]:
    """Write `files` (name -> text) to root/<UTC timestamp>/ atomically; returns (directory, latest)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    tmp = Path(tempfile.mkdtemp(prefix=f".{stamp}.", dir=root))
    try:
        for name, text in files.items():
            with open(tmp / name, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)  # mkdtemp makes it owner-only; a report is for everyone who can read the dir
        final = _rename_unique(tmp, root, stamp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    latest = _point_latest(root, final) if update_latest else None
    return final, latest


def _rename_unique(tmp: Path, root: Path, stamp: str) -> Path:
    """Rename tmp to root/stamp, or stamp-2, -3... when reports are made within the same second."""
    for n in range(1, 1000):
        final = root / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            os.rename(tmp, final)  # fails if final exists and is not empty: never overwrites a report
            return final
        except OSError:
            if not final.exists():
                raise
    raise FileExistsError(f"{root}: too many reports named {stamp}")


def _point_latest(root: Path, target: Path) -> Path:
    latest = root / LATEST
    tmp = root / f".{LATEST}.{os.getpid()}.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            _remove(tmp)
        os.symlink(target.name, tmp, target_is_directory=True)
    except OSError:
        _remove(tmp)
        shutil.copytree(target, tmp)
    if latest.is_dir() and not latest.is_symlink():
        _remove(latest)  # an earlier copy: os.replace cannot replace a non-empty directory
    os.replace(tmp, latest)
    return latest


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path)

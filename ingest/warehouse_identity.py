"""Which warehouse a landing went into: `semibench rebuild` replays only its own warehouse's landings.

A warehouse's identity is a random id in `<warehouse file>.id` beside it, created by its first landing. An id,
not the path, so a warehouse directory moved (or a test workspace copied) keeps its batches; the file stays
put when a rebuild moves a corrupt warehouse aside, so the rebuilt file is the same warehouse.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

IDENTITY_SUFFIX = ".id"


def warehouse_identity(warehouse: Path) -> str:
    path = Path(warehouse).resolve()
    id_file = path.with_name(path.name + IDENTITY_SUFFIX)
    try:
        return id_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    id_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(id_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # a concurrent first landing won
        return id_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(uuid.uuid4().hex + "\n")
    return id_file.read_text(encoding="utf-8").strip()


def landing_mark(warehouse: Path) -> dict[str, str]:
    """What a log line records about the warehouse a batch landed in (rebuild replays only its own)."""
    return {"warehouse": str(Path(warehouse).resolve()), "warehouse_id": warehouse_identity(warehouse)}


def landed_here(event: dict[str, Any], warehouse: Path | None) -> bool:
    """Whether a logged landing went into `warehouse`: same identity; a line with a path but no identity
    compares paths; lines written before warehouses were recorded count as landed here (the only warehouse
    there was, for most installs)."""
    if warehouse is None:
        return True
    if event.get("warehouse_id"):
        return event["warehouse_id"] == warehouse_identity(warehouse)
    recorded = event.get("warehouse")
    return not recorded or recorded == str(Path(warehouse).resolve())

"""Alerts on failure, coverage loss or a big change, by webhook (JSON POST) and/or a command hook.

Coverage loss and big changes are read from the published warehouse with SQL, and only for a run that
landed a new snapshot: re-fetching unchanged content must not repeat yesterday's alert every day.
Delivery is one attempt with a timeout per channel; a failed delivery is noted in the run record and
never fails the run or retries in a loop (an alert storm against a struggling endpoint helps nobody).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb
import requests

from semibench.ops.config import AlertConfig
from semibench.ops.runlog import RunRecord

# The latest snapshot's hwKeys that the previous snapshot had and it lacks (see the coverage mart).
COVERAGE_LOST_SQL = """
    select model_slug, sequence_slug, hw_key, previous_point_count
    from mart_inferencemax__coverage
    where is_latest_snapshot and status = 'lost'
    order by all
"""

# Best throughput per GPU of each model x sequence x hwKey in the latest snapshot vs the one before it
# (the rollup's definition: the interactivity point's y, else the e2e point's), changes beyond ? percent.
BIG_CHANGE_SQL = """
    with latest as (
        select snapshot_id, previous_snapshot_id
        from staging.stg_inferencemax__snapshots
        where is_latest and previous_snapshot_id is not null
    ),
    best as (
        select snapshot_id, model_slug, sequence_slug, hw_key,
               max(coalesce(interactivity_y, e2e_y)) as best_tput_per_gpu
        from intermediate.int_inferencemax__points_joined
        where snapshot_id in (select snapshot_id from latest union all select previous_snapshot_id from latest)
        group by all
    )
    select cur.model_slug, cur.sequence_slug, cur.hw_key,
           prev.best_tput_per_gpu as previous_best_tput_per_gpu,
           cur.best_tput_per_gpu,
           round(100 * (cur.best_tput_per_gpu - prev.best_tput_per_gpu) / prev.best_tput_per_gpu, 2) as change_pct
    from latest
    join best as cur on cur.snapshot_id = latest.snapshot_id
    join best as prev on prev.snapshot_id = latest.previous_snapshot_id
        and prev.model_slug = cur.model_slug and prev.sequence_slug = cur.sequence_slug and prev.hw_key = cur.hw_key
    where prev.best_tput_per_gpu > 0
      and abs(cur.best_tput_per_gpu - prev.best_tput_per_gpu) / prev.best_tput_per_gpu * 100 > ?
    order by abs(change_pct) desc, cur.model_slug, cur.sequence_slug, cur.hw_key
"""


def _rows(db: Path, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def coverage_lost(db: Path) -> list[dict[str, Any]]:
    return _rows(db, COVERAGE_LOST_SQL)


def big_changes(db: Path, threshold_pct: float) -> list[dict[str, Any]]:
    return _rows(db, BIG_CHANGE_SQL, [threshold_pct])


def build_alert(record: RunRecord, cfg: AlertConfig, published: Path | None) -> dict[str, Any] | None:
    """The alert payload for this run, or None when nothing is worth telling."""
    kinds: list[str] = []
    details: dict[str, Any] = {}
    if cfg.on_failure and record.status in ("failed", "interrupted"):
        kinds.append("failure")
    if cfg.on_quarantine and (record.records_quarantined or 0) > 0:
        kinds.append("quarantine")
        details["records_quarantined"] = record.records_quarantined
    if record.published and record.snapshot_was_new and published is not None and published.exists():
        try:
            if cfg.on_coverage_loss and (lost := coverage_lost(published)):
                kinds.append("coverage_loss")
                details["coverage_lost"] = lost
            if cfg.on_big_change and (changed := big_changes(published, cfg.big_change_pct)):
                kinds.append("big_change")
                details["big_changes"] = changed
        except duckdb.Error as exc:
            kinds.append("check_failed")
            details["check_error"] = " ".join(str(exc).split())[:300]
    if not kinds:
        return None
    return {
        "source": "semibench",
        "host": socket.gethostname(),
        "kinds": kinds,
        "summary": _headline(record, kinds, details, cfg),
        "run": asdict(record),
        "big_change_pct": cfg.big_change_pct,
        **details,
    }


def _headline(record: RunRecord, kinds: list[str], details: dict[str, Any], cfg: AlertConfig) -> str:
    parts = []
    if "failure" in kinds:
        parts.append(f"run {record.run_id} {record.status}: {record.error or 'see the run log'}")
    if "quarantine" in kinds:
        parts.append(f"run {record.run_id} quarantined {details['records_quarantined']} records "
                     f"(landed verbatim, kept out of the marts)")
    if "coverage_loss" in kinds:
        parts.append(f"{len(details['coverage_lost'])} model x sequence x hwKey lost in snapshot {record.snapshot_id}")
    if "big_change" in kinds:
        parts.append(f"{len(details['big_changes'])} best tput_per_gpu changed by more than {cfg.big_change_pct:g}%")
    if "check_failed" in kinds:
        parts.append(f"alert checks could not run: {details['check_error']}")
    return "semibench: " + "; ".join(parts)


def send(payload: dict[str, Any], cfg: AlertConfig) -> list[str]:
    """Deliver through every configured channel; returns one note per channel (kept in the run record)."""
    body = json.dumps(payload, default=str)
    notes = []
    if cfg.webhook_url:
        try:
            resp = requests.post(cfg.webhook_url, data=body, timeout=cfg.timeout_s,
                                 headers={"Content-Type": "application/json", "User-Agent": "semibench-alerts"})
            notes.append(f"webhook {resp.status_code}" + ("" if resp.ok else f" {resp.reason}"))
        except requests.RequestException as exc:
            notes.append(f"webhook failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    if cfg.command:
        env = {**os.environ, "SEMIBENCH_ALERT_JSON": body, "SEMIBENCH_ALERT_KINDS": ",".join(payload["kinds"]),
               "SEMIBENCH_ALERT_SUMMARY": payload["summary"]}
        try:
            # a shell command, so the config can say `mail -s ... ops@x` or pipe into a script
            proc = subprocess.run(cfg.command, shell=True, input=body, text=True, env=env,
                                  capture_output=True, timeout=cfg.timeout_s)
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] if proc.returncode else []
            notes.append(f"command exit {proc.returncode}" + (f": {tail[0][:200]}" if tail else ""))
        except subprocess.TimeoutExpired:
            notes.append(f"command timed out after {cfg.timeout_s:g}s")
        except OSError as exc:
            notes.append(f"command failed: {exc}")
    return [f"{','.join(payload['kinds'])}: {note}" for note in notes]

"""Fetch one InferenceX capture from its /api/v1 routes, in parallel, with the shared fetch discipline
(ingest/http_client.py). All or nothing: the first request that still fails after its retries cancels
the others and raises FetchError naming its URL.

Phase 1 fetches benchmarks (per model, optionally as of --date), benchmarks/history (per model x sequence),
availability, evaluations and reliability; phase 2 fetches workflow-info for every date seen in the
benchmarks of phase 1 that is not yet landed (`known_dates`).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import Callable, Iterable

from ingest.config import INFERENCEX_SEQUENCES, InferenceXConfig
from ingest.fetch import FetchError
from ingest.http_client import Cancelled, RetryPolicy, get, new_session
from ingest.inferencex_archive import CaptureFile
from ingest.inferencex_routes import WORKFLOW_INFO, file_name_for, url_for

Request = tuple[str, dict[str, str]]  # (route, params)


def unknown_model(model: str | None) -> Callable[[int, bytes], str | None]:
    """A 400 whose body says "Unknown model" will not get better with retries: say which model."""
    def check(status: int, body: bytes) -> str | None:
        if status == 400 and b"unknown model" in body.lower():
            return (f"HTTP 400: the API does not know model {model!r} (check inferencex.models / --model: "
                    f"display names such as DeepSeek-R1-0528)")
        return None
    return check


def plan_requests(cfg: InferenceXConfig, models: Iterable[str], date: str | None) -> list[Request]:
    plan: list[Request] = []
    for model in models:
        if "benchmarks" in cfg.routes:
            plan.append(("benchmarks", {"model": model, **({"date": date} if date else {})}))
        if "benchmarks/history" in cfg.routes:
            for seq in cfg.sequences:
                isl, osl = INFERENCEX_SEQUENCES[seq]
                plan.append(("benchmarks/history", {"model": model, "isl": str(isl), "osl": str(osl)}))
    plan += [(r, {}) for r in ("availability", "evaluations", "reliability") if r in cfg.routes]
    return plan


def dates_in(files: list[CaptureFile]) -> set[str]:
    """Result dates in the benchmark responses (bodies that fail to parse are left to validation)."""
    dates: set[str] = set()
    for f in files:
        if not f.route.startswith("benchmarks"):
            continue
        try:
            doc = json.loads(f.body)
        except ValueError:
            continue
        for rec in doc if isinstance(doc, list) else []:
            if isinstance(rec, dict) and isinstance(rec.get("date"), str):
                dates.add(rec["date"][:10])
    return dates


def fetch_many(cfg: InferenceXConfig, plan: list[Request]) -> list[CaptureFile]:
    policy = RetryPolicy(cfg.timeout_s, cfg.retries, cfg.backoff_s)
    cancelled = threading.Event()
    local = threading.local()

    def one(route: str, params: dict[str, str]) -> CaptureFile:
        if not hasattr(local, "session"):
            local.session = new_session()
        url = url_for(cfg.base_url, route, params)
        resp = get(local.session, url, policy, permanent=unknown_model(params.get("model")), cancelled=cancelled)
        return CaptureFile(file_name_for(route, params), route, params, url, resp.body,
                           datetime.now(timezone.utc))

    results: list[CaptureFile] = []
    failures: list[FetchError] = []
    with ThreadPoolExecutor(max_workers=cfg.concurrency, thread_name_prefix="inferencex-fetch") as pool:
        pending = {pool.submit(one, route, params) for route, params in plan}
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                exc = fut.exception() if not fut.cancelled() else None
                if fut.cancelled() or isinstance(exc, Cancelled):
                    continue
                if exc is None:
                    results.append(fut.result())
                elif isinstance(exc, FetchError):
                    failures.append(exc)
                else:
                    cancelled.set()
                    raise exc
            if failures and not cancelled.is_set():
                # the capture is lost anyway: stop the other workers' retries now
                cancelled.set()
                for fut in pending:
                    fut.cancel()
    if failures:
        failures.sort(key=lambda e: e.url)
        first = failures[0]
        more = f" (and {len(failures) - 1} other request(s) failed)" if len(failures) > 1 else ""
        raise FetchError(first.url, first.reason + more)
    return sorted(results, key=lambda f: f.file_name)


def fetch_capture(cfg: InferenceXConfig, models: Iterable[str], date: str | None,
                  known_dates: set[str]) -> list[CaptureFile]:
    files = fetch_many(cfg, plan_requests(cfg, models, date))
    if WORKFLOW_INFO in cfg.routes:
        needed = sorted(dates_in(files) - known_dates)
        files += fetch_many(cfg, [(WORKFLOW_INFO, {"date": d}) for d in needed])
    return files

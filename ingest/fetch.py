"""Download every configured InferenceMAX file, in parallel, with bounded retries.

All-or-nothing: if any file still fails after its retries, IngestError names it and nothing is returned,
because a snapshot missing one file would look like hardware silently disappearing from the data. The one
exception is asked for explicitly (--allow-partial): a file the server says it does not have (404, 410) is
left out, and the ingester lands the snapshot flagged partial.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from urllib.parse import quote

import requests
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.config import InferenceMaxConfig
from ingest.errors import IngestError
from ingest.validate import RawFile
from semibench_core import __version__
from semibench_core.faults import fault_point

DATA_PATH = "/data/inference-performance/"
USER_AGENT = f"semibench-ingest/{__version__}"
# A server asking us to come back later than this is treated as down rather than waited for, so a
# scheduled run cannot hang for an hour on one header.
MAX_RETRY_AFTER_S = 120.0
MAX_BACKOFF_S = 60.0
_CHUNK = 64 * 1024
# Transport failures worth another attempt; anything else from requests (bad URL, redirect loop) is not.
_RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)


class FetchError(IngestError):
    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"GET {url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status of a definitive answer (404...), None for transport failures


class _Cancelled(Exception):
    """Another file already failed; stop retrying this one."""


def file_url(base_url: str, file_name: str) -> str:
    # a slug may hold characters a URL cannot carry raw (quotes, spaces, '#', '?'); '/' stays a path separator
    return base_url.rstrip("/") + DATA_PATH + quote(file_name, safe="/")


def _retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header, which may be a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def backoff_delay(attempt: int, base_s: float) -> float:
    """Exponential backoff with jitter (half fixed, half random) so parallel workers do not retry in step."""
    delay = min(MAX_BACKOFF_S, base_s * (2 ** attempt))
    return delay / 2 + random.uniform(0, delay / 2)


def _get(session: requests.Session, url: str, timeout_s: float) -> tuple[int, str, dict, bytes]:
    """One GET. timeout_s bounds the whole exchange, not just each socket read, so a server that trickles
    bytes cannot hold a worker forever."""
    deadline = time.monotonic() + timeout_s
    with session.get(url, timeout=(timeout_s, timeout_s), stream=True) as resp:
        if not 200 <= resp.status_code < 300:
            return resp.status_code, resp.reason or "", dict(resp.headers), b""
        chunks = []
        for chunk in resp.iter_content(_CHUNK):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise requests.Timeout("read timed out")
        return resp.status_code, resp.reason or "", dict(resp.headers), b"".join(chunks)


def _describe(exc: requests.RequestException, timeout_s: float) -> str:
    # requests reports a read timeout inside the body as a ConnectionError; call both what they are.
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
        return f"timed out after {timeout_s:g}s"
    # requests wraps urllib3's MaxRetryError, whose .reason holds the useful part (DNS failure, refused...);
    # its text starts with an object repr that only adds noise.
    cause = exc.args[0] if exc.args else exc
    text = str(getattr(cause, "reason", None) or cause)
    text = " ".join(re.sub(r"^<[^>]*>:\s*", "", text).split())[:200]
    kind = "connection failed" if isinstance(exc, requests.ConnectionError) else type(exc).__name__
    return f"{kind}: {text}"


def fetch_one(url: str, file_name: str, cfg: InferenceMaxConfig, cancelled: threading.Event | None = None) -> RawFile:
    """GET one file with retries on timeouts, connection errors, 5xx and 429; other 4xx fail at once."""
    cancelled = cancelled or threading.Event()
    attempts = cfg.retries + 1
    reason = ""
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        for attempt in range(attempts):
            if cancelled.is_set():
                raise _Cancelled()
            retry_after = None
            try:
                status, phrase, headers, body = _get(session, url, cfg.timeout_s)
            except _RETRYABLE as exc:
                reason = _describe(exc, cfg.timeout_s)
            except requests.RequestException as exc:
                raise FetchError(url, _describe(exc, cfg.timeout_s)) from exc
            else:
                if 200 <= status < 300:
                    return RawFile(file_name=file_name, url=url, body=body, content_type=headers.get("Content-Type"))
                reason = f"HTTP {status} {phrase}".rstrip()
                if status != 429 and status < 500:
                    raise FetchError(url, reason, status)
                if status in (429, 503):
                    retry_after = _retry_after_s(headers.get("Retry-After"))
                    if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
                        raise FetchError(url, f"{reason}, server asks to retry after {retry_after:.0f}s (more than {MAX_RETRY_AFTER_S:.0f}s)")
            if attempt + 1 < attempts:
                delay = backoff_delay(attempt, cfg.backoff_s)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                if cancelled.wait(delay):
                    raise _Cancelled()
    raise FetchError(url, f"{reason} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})")


def _progress(enabled: bool) -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("fetching InferenceMAX"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not (enabled and console.is_terminal),
    )


# Answers that say "this file does not exist" rather than "try again": with allow_missing such a file is
# left out, and the caller's completeness check names it (a partial snapshot).
_ABSENT = (404, 410)


def fetch_all(cfg: InferenceMaxConfig, *, progress: bool = True, allow_missing: bool = False) -> list[RawFile]:
    """Every file of cfg (models x sequences x types), or IngestError for the first URL that failed.
    allow_missing: a file the server says does not exist (404, 410) is skipped instead of failing."""
    names = cfg.file_names()
    cancelled = threading.Event()
    results: list[RawFile] = []
    failures: list[FetchError] = []
    with _progress(progress) as bar, ThreadPoolExecutor(max_workers=cfg.concurrency,
                                                        thread_name_prefix="inferencemax-fetch") as pool:
        task = bar.add_task("fetch", total=len(names))
        pending = {pool.submit(fetch_one, file_url(cfg.base_url, n), n, cfg, cancelled) for n in names}
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                if fut.cancelled():
                    continue
                exc = fut.exception()
                if exc is None:
                    results.append(fut.result())
                    bar.advance(task)
                    fault_point("fetch")
                elif isinstance(exc, FetchError) and allow_missing and exc.status in _ABSENT:
                    bar.advance(task)
                elif isinstance(exc, FetchError):
                    failures.append(exc)
                elif not isinstance(exc, _Cancelled):
                    cancelled.set()
                    raise exc
            if failures and not cancelled.is_set():
                # Stop the other workers early: the snapshot is lost anyway and should fail fast.
                cancelled.set()
                for fut in pending:
                    fut.cancel()
    if failures:
        failures.sort(key=lambda e: e.url)
        first = failures[0]
        others = f" (and {len(failures) - 1} other file{'s' if len(failures) > 2 else ''} failed)" if len(failures) > 1 else ""
        raise FetchError(first.url, first.reason + others)
    return sorted(results, key=lambda r: r.file_name)

"""One polite HTTP GET with bounded retries: the fetch discipline every ingester that talks to a web API shares.

Retries timeouts, connection errors, 5xx and 429 with exponential backoff and jitter; honours Retry-After
(up to a cap, beyond which the server counts as down); bounds each attempt by a wall-clock timeout; asks for
gzip and names itself. Any other 4xx fails at once. Every failure is a FetchError whose message is one line
naming the URL. (`ingest/fetch.py` predates this module and keeps its own copy of the loop; it should move
onto `get` later.)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import requests

from ingest.fetch import (MAX_RETRY_AFTER_S, USER_AGENT, FetchError, _describe, _retry_after_s,
                          backoff_delay)

_CHUNK = 64 * 1024
# Error bodies are read only to explain the failure (e.g. a 400 "Unknown model"): a little is enough.
_ERROR_BODY_LIMIT = 4096
_RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)


class Cancelled(Exception):
    """Another request of the same unit already failed; stop retrying this one."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes          # decoded (gunzipped) body
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 1.0
    max_retry_after_s: float = MAX_RETRY_AFTER_S


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "gzip"
    session.headers["Accept"] = "application/json"
    return session


def _get_once(session: requests.Session, url: str, timeout_s: float) -> tuple[int, str, dict, bytes]:
    # timeout_s bounds the whole exchange, not just each socket read: a server trickling bytes cannot hold
    # a worker forever.
    deadline = time.monotonic() + timeout_s
    with session.get(url, timeout=(timeout_s, timeout_s), stream=True) as resp:
        ok = 200 <= resp.status_code < 300
        chunks, size = [], 0
        for chunk in resp.iter_content(_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if time.monotonic() > deadline:
                raise requests.Timeout("read timed out")
            if not ok and size >= _ERROR_BODY_LIMIT:
                break
        return resp.status_code, resp.reason or "", dict(resp.headers), b"".join(chunks)


def get(session: requests.Session, url: str, policy: RetryPolicy, *,
        permanent: Callable[[int, bytes], str | None] | None = None,
        cancelled: threading.Event | None = None) -> Response:
    """GET url, retrying what is worth retrying. `permanent(status, body)` may turn a non-2xx answer into an
    immediate failure with its own reason (e.g. 400 "Unknown model"), whatever its status."""
    cancelled = cancelled or threading.Event()
    attempts = policy.retries + 1
    reason = ""
    for attempt in range(attempts):
        if cancelled.is_set():
            raise Cancelled()
        retry_after = None
        try:
            status, phrase, headers, body = _get_once(session, url, policy.timeout_s)
        except _RETRYABLE as exc:
            reason = _describe(exc, policy.timeout_s)
        except requests.RequestException as exc:
            raise FetchError(url, _describe(exc, policy.timeout_s)) from exc
        else:
            if 200 <= status < 300:
                return Response(url, status, headers, body, attempt + 1)
            special = permanent(status, body) if permanent else None
            if special:
                raise FetchError(url, special)
            reason = f"HTTP {status} {phrase}".rstrip()
            if status != 429 and status < 500:
                raise FetchError(url, reason)
            retry_after = _retry_after_s(headers.get("Retry-After"))
            if retry_after is not None and retry_after > policy.max_retry_after_s:
                raise FetchError(url, f"{reason}, server asks to retry after {retry_after:.0f}s "
                                      f"(more than {policy.max_retry_after_s:.0f}s)")
        if attempt + 1 < attempts:
            delay = backoff_delay(attempt, policy.backoff_s)
            if retry_after is not None:
                delay = max(delay, retry_after)
            if cancelled.wait(delay):
                raise Cancelled()
    raise FetchError(url, f"{reason} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})")

"""Error classes a request can end with, and turning exceptions into one-line messages.

The class is a short stable string (the warehouse groups by it); the message is one
human-readable line, truncated, with every secret scrubbed out.
"""

from __future__ import annotations

import asyncio

import aiohttp

TIMEOUT = "timeout"                # no answer / stalled stream past --request-timeout or --read-timeout
CONNECT_ERROR = "connect_error"    # could not open the connection (refused, DNS, unreachable)
DISCONNECTED = "disconnected"      # connection reset / closed by the server before the stream ended
HTTP_429 = "http_429"              # rate limited
HTTP_4XX = "http_4xx"              # any other 4xx
HTTP_5XX = "http_5xx"              # server error status
MALFORMED_SSE = "malformed_sse"    # a data: payload that is not JSON
STREAM_ERROR = "stream_error"      # the server sent an {"error": ...} event inside a 200 stream
NO_TOKENS = "no_tokens"            # a 200 stream that ended without a single token chunk
CANCELLED = "cancelled"            # still in flight when the run was interrupted (Ctrl-C)
CLIENT_ERROR = "client_error"      # anything else raised on the client side

ALL = (TIMEOUT, CONNECT_ERROR, DISCONNECTED, HTTP_429, HTTP_4XX, HTTP_5XX, MALFORMED_SSE,
       STREAM_ERROR, NO_TOKENS, CANCELLED, CLIENT_ERROR)

# Statuses worth retrying (when --max-retries > 0) and that make adaptive mode back off.
BACKOFF_CLASSES = frozenset({HTTP_429, HTTP_5XX})

MAX_MESSAGE = 300


def http_class(status: int) -> str:
    if status == 429:
        return HTTP_429
    if status >= 500:
        return HTTP_5XX
    return HTTP_4XX


def classify_exception(exc: BaseException) -> str:
    # Order matters: aiohttp's timeout errors subclass both TimeoutError and ClientError.
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return TIMEOUT
    if isinstance(exc, aiohttp.ClientConnectorError):
        return CONNECT_ERROR
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError,
                        aiohttp.ClientOSError, ConnectionError)):
        return DISCONNECTED
    if isinstance(exc, asyncio.CancelledError):
        return CANCELLED
    return CLIENT_ERROR


def one_line(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Collapse to one line, scrub secrets, truncate."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return text


def describe_exception(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    detail = str(exc) or repr(exc)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) and not str(exc):
        detail = "timed out"
    return one_line(f"{type(exc).__name__}: {detail}", secrets)

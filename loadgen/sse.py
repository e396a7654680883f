"""Incremental Server-Sent-Events parser for streamed completions.

Bytes arrive from the socket in arbitrary pieces: an event may be split across reads
and one read may hold many events. `feed()` returns the `data:` payload of every event
completed so far and keeps the tail for the next read, so the caller can timestamp
events at the moment their bytes arrived without ever buffering the whole response.
"""

from __future__ import annotations


class SSEParser:
    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the data payloads of the events they completed (comments dropped)."""
        buf = self._buf + data if self._buf else data
        if b"\r" in buf:
            # CRLF / CR line endings are legal SSE. A lone trailing CR may be the first half
            # of a CRLF split across reads, so hold it back until the next read.
            hold = b""
            if buf.endswith(b"\r"):
                buf, hold = buf[:-1], b"\r"
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if b"\n\n" not in buf:
                self._buf = buf + hold
                return []
            blocks = buf.split(b"\n\n")
            self._buf = blocks.pop() + hold
        else:
            if b"\n\n" not in buf:
                self._buf = buf
                return []
            blocks = buf.split(b"\n\n")
            self._buf = blocks.pop()
        out: list[bytes] = []
        for block in blocks:
            payload = _payload(block)
            if payload is not None:
                out.append(payload)
        return out

    def close(self) -> list[bytes]:
        """End of stream: return a final event that lacked its blank-line terminator.

        Strictly such an event should be dropped, but several servers end the stream
        with `data: [DONE]\\n` only; being lenient here loses nothing.
        """
        block, self._buf = self._buf.strip(b"\r\n"), b""
        if not block:
            return []
        payload = _payload(block.replace(b"\r\n", b"\n"))
        return [payload] if payload is not None else []

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of an event."""
        return len(self._buf)


def _payload(block: bytes) -> bytes | None:
    # Fast path: the one-line `data: {...}` event every OpenAI-compatible server sends.
    if block.startswith(b"data: ") and b"\n" not in block:
        return block[6:]
    lines = []
    for line in block.split(b"\n"):
        if line.startswith(b"data:"):
            value = line[5:]
            lines.append(value[1:] if value.startswith(b" ") else value)
        # `:comment`, `event:`, `id:`, `retry:` lines carry no payload we use.
    if not lines:
        return None
    return b"\n".join(lines)

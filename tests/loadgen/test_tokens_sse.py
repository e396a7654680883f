"""Offline token estimate and the incremental SSE parser."""

from __future__ import annotations

import pytest

from loadgen.sse import SSEParser
from loadgen.tokens import estimate_tokens, messages_text


def test_estimate_ascii_is_chars_over_four():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 10) == 10
    assert estimate_tokens("a") == 1  # never 0 for non-empty text


def test_estimate_cjk_is_chars_over_one_and_a_half():
    assert estimate_tokens("你好世界你好") == 4               # 6 / 1.5
    assert estimate_tokens("日本語テキスト") == 5              # 7 / 1.5 = 4.67 -> 5
    assert estimate_tokens("한국어" + "abcdefgh") == 4        # 3/1.5 + 8/4


def test_messages_text_takes_string_and_text_parts():
    msgs = [{"role": "system", "content": "abc"},
            {"role": "user", "content": [{"type": "text", "text": "def"},
                                         {"type": "image_url", "image_url": {"url": "x"}}]}]
    assert messages_text(msgs) == "abc\ndef"


STREAM = (b'data: {"a":1}\n\n'
          b': keep-alive comment\n\n'
          b'event: message\ndata: {"b":\ndata: 2}\n\n'
          b'data: {"c":"x\xc3\xa9"}\n\n'
          b'data: [DONE]\n\n')
EXPECTED = [b'{"a":1}', b'{"b":\n2}', b'{"c":"x\xc3\xa9"}', b"[DONE]"]


def _feed_in_pieces(data: bytes, size: int) -> list[bytes]:
    p = SSEParser()
    out = []
    for i in range(0, len(data), size):
        out += p.feed(data[i:i + size])
    return out + p.close()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 1000])
def test_sse_same_events_however_the_bytes_are_split(size):
    assert _feed_in_pieces(STREAM, size) == EXPECTED


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_sse_crlf_line_endings(size):
    assert _feed_in_pieces(STREAM.replace(b"\n", b"\r\n"), size) == EXPECTED


def test_sse_holds_incomplete_event_until_terminated():
    p = SSEParser()
    assert p.feed(b'data: {"x"') == []
    assert p.pending > 0
    assert p.feed(b':1}\n') == []
    assert p.feed(b'\n') == [b'{"x":1}']


def test_sse_close_returns_unterminated_last_event():
    p = SSEParser()
    assert p.feed(b'data: {"x":1}\n\ndata: [DONE]\n') == [b'{"x":1}']
    assert p.close() == [b"[DONE]"]

"""Multi-turn workloads: conversations whose every turn sends the history so far (each earlier
user turn with the server's actual answer to it) plus the next user message.

Three sources of sessions: `multi-turn` (synthetic: random user messages of --isl tokens,
--turns and --think-time distributions), `sessions` (JSONL, one conversation per line) and
`sharegpt` (a ShareGPT-format file read from a local path). The runner (loadgen.runner)
plays each session as one task: concurrency and --request-rate count sessions, and a turn
is sent --think-time after the answer to the previous one.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from loadgen.datasets import Dataset, Prompt, _read_jsonl, _vary, random_text
from loadgen.dists import Dist
from loadgen.shards import ConfigError
from loadgen.tokens import estimate_tokens, messages_text

MAX_TURNS = 1000  # request seq = session index * MAX_TURNS + turn: unique across --workers


@dataclass(slots=True)
class Turn:
    content: str                 # the user message of this turn
    max_tokens: int | None       # max_tokens to request (None = server default)
    think_time_s: float = 0.0    # pause after the previous answer before sending this turn


@dataclass(slots=True)
class Session:
    session_id: str
    turns: list[Turn]
    system: str | None = None


class SessionDataset(Dataset):
    multi_turn = True

    def session(self, idx: int) -> Session:
        raise NotImplementedError

    def get(self, seq: int) -> Prompt:
        """Turn 0 of session `seq` alone (warm-up requests use it)."""
        s = self.session(seq)
        return turn_prompt(s, 0, [])

    def turns_of(self, n_sessions: int) -> int:
        return sum(len(self.session(i).turns) for i in range(n_sessions))


def turn_prompt(s: Session, t: int, history: list[dict]) -> Prompt:
    msgs = ([{"role": "system", "content": s.system}] if s.system else []) + history + \
        [{"role": "user", "content": s.turns[t].content}]
    return Prompt(msgs, estimate_tokens(messages_text(msgs)), s.turns[t].max_tokens,
                  session_id=s.session_id, turn=t)


class SyntheticSessions(SessionDataset):
    name = "multi-turn"

    def __init__(self, isl: int, osl: int, turns: Dist, think: Dist, range_ratio: float = 0.0,
                 seed: int = 0, size: int = 100):
        if isl <= 0 or osl <= 0:
            raise ConfigError("multi-turn dataset needs --isl and --osl > 0")
        if turns.mean < 1:
            raise ConfigError("--turns must be at least 1 on average")
        self.isl, self.osl, self.turns, self.think = isl, osl, turns, think
        self.ratio, self.seed, self.size = range_ratio, seed, size

    def __len__(self) -> int:
        return self.size

    def session(self, idx: int) -> Session:
        rng = random.Random(f"loadgen-session:{self.seed}:{idx}")
        n = min(MAX_TURNS, max(1, round(self.turns.sample(rng))))
        turns = [Turn(random_text(rng, _vary(rng, self.isl, self.ratio)), _vary(rng, self.osl, self.ratio),
                      0.0 if t == 0 else self.think.sample(rng)) for t in range(n)]
        return Session(f"s{self.seed}-{idx:06d}", turns)


class _ListSessions(SessionDataset):
    def __init__(self) -> None:
        self.items: list[Session] = []

    def __len__(self) -> int:
        return len(self.items)

    def session(self, idx: int) -> Session:
        s = self.items[idx % len(self.items)]
        if idx < len(self.items):
            return s
        # a run asking for more sessions than the file holds: repeat them under new ids
        return Session(f"{s.session_id}#{idx // len(self.items)}", s.turns, s.system)


def _pos_int(v, where: str, field: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ConfigError(f"{where}: {field} must be a positive integer, got {v!r}")
    return v


class SessionsFile(_ListSessions):
    """JSONL, one conversation per line: {"session_id": "...", "system": "...", "turns": [...]}
    (or the bare list of turns). A turn is a string (the user message) or {"content": "...",
    "max_tokens": N, "think_time_s": S}."""

    name = "sessions"

    def __init__(self, path: Path, osl: int | None, think: Dist, seed: int = 0):
        super().__init__()
        self.path = str(path)
        rng = random.Random(f"loadgen-sessions:{seed}")
        for lineno, obj in _read_jsonl(Path(path)):
            where = f"{path}:{lineno}"
            sid, system = f"line{lineno}", None
            if isinstance(obj, dict):
                sid = str(obj.get("session_id") or sid)
                system = obj.get("system")
                if system is not None and not isinstance(system, str):
                    raise ConfigError(f"{where}: system must be a string")
                obj = obj.get("turns")
            if not isinstance(obj, list) or not obj:
                raise ConfigError(f"{where}: turns: expected a non-empty list of turns")
            if len(obj) > MAX_TURNS:
                raise ConfigError(f"{where}: turns: at most {MAX_TURNS} turns per session, got {len(obj)}")
            turns = []
            for t, item in enumerate(obj):
                if isinstance(item, str):
                    item = {"content": item}
                if not isinstance(item, dict) or not isinstance(item.get("content"), str) or not item["content"]:
                    raise ConfigError(f"{where}: turns[{t}].content must be a non-empty string")
                mt = _pos_int(item.get("max_tokens"), where, f"turns[{t}].max_tokens")
                tt = item.get("think_time_s")
                if tt is not None and (isinstance(tt, bool) or not isinstance(tt, (int, float)) or tt < 0):
                    raise ConfigError(f"{where}: turns[{t}].think_time_s must be a number >= 0, got {tt!r}")
                turns.append(Turn(item["content"], osl if osl is not None else mt,
                                  0.0 if t == 0 else (float(tt) if tt is not None else think.sample(rng))))
            self.items.append(Session(sid, turns, system))
        if not self.items:
            raise ConfigError(f"{path}: dataset is empty")


_HUMAN = ("human", "user")
_BOT = ("gpt", "assistant", "chatgpt", "bard", "bing", "model")


def _sharegpt_items(path: Path):
    """A ShareGPT file is one JSON array (the usual dump) or JSONL."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read dataset: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    if text.lstrip().startswith("["):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{e.lineno}: invalid JSON: {e.msg} (column {e.colno})") from None
        for i, item in enumerate(doc):
            yield f"{path}: item {i}", item
    else:
        for lineno, item in _read_jsonl(path):
            yield f"{path}:{lineno}", item


class ShareGPTSessions(_ListSessions):
    """ShareGPT conversations ({"id", "conversations": [{"from": "human"|"gpt", "value": ...}]}):
    each human message is a turn; its max_tokens is the length of the recorded answer (as vLLM's
    sharegpt dataset does) unless --osl is given. --max-turns keeps the first N turns."""

    name = "sharegpt"

    def __init__(self, path: Path, osl: int | None, think: Dist, max_turns: int | None = None,
                 seed: int = 0):
        super().__init__()
        self.path = str(path)
        rng = random.Random(f"loadgen-sharegpt:{seed}")
        skipped = 0
        for where, item in _sharegpt_items(Path(path)):
            if not isinstance(item, dict) or not isinstance(item.get("conversations"), list):
                raise ConfigError(f"{where}: expected an object with a `conversations` list")
            sid = str(item.get("id") or item.get("conversation_id") or where.rsplit(" ", 1)[-1])
            turns: list[Turn] = []
            system = None
            convo = item["conversations"]
            for j, m in enumerate(convo):
                if not isinstance(m, dict) or not isinstance(m.get("value"), str):
                    raise ConfigError(f"{where}: conversations[{j}] must have a string `value`")
                who = str(m.get("from") or m.get("role") or "").lower()
                if who == "system":
                    system = m["value"]
                elif who in _HUMAN and m["value"]:
                    answer = convo[j + 1] if j + 1 < len(convo) else None
                    ref = answer.get("value") if isinstance(answer, dict) and \
                        str(answer.get("from") or answer.get("role") or "").lower() in _BOT else None
                    mt = osl if osl is not None else (max(1, estimate_tokens(ref)) if isinstance(ref, str) and ref
                                                      else None)
                    turns.append(Turn(m["value"], mt, 0.0 if not turns else think.sample(rng)))
            if max_turns:
                turns = turns[:max_turns]
            if not turns:
                skipped += 1
                continue
            self.items.append(Session(sid, turns[:MAX_TURNS], system))
        if not self.items:
            raise ConfigError(f"{path}: no conversation with a human turn"
                              + (f" ({skipped} skipped)" if skipped else ""))

"""Start a command that dies with its parent: `python -m semibench.ops.child PARENT_PID PROGRAM ARGS...`.

On Linux, PR_SET_PDEATHSIG makes the kernel send SIGTERM to the command when the process that started it
dies, even by SIGKILL; the setting survives the exec into the command. Set here, in a tiny trampoline that
then execs the real program, instead of a subprocess preexec_fn, which is unsafe in a parent with threads.
If the parent already died before the setting took effect, the command is not started at all. Elsewhere
(no prctl) the command just runs; the stale-lock takeover (semibench.ops.lock) still ends it.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def main(argv: list[str]) -> None:
    parent, program = int(argv[0]), argv[1:]
    set_parent_death_signal()
    if os.getppid() != parent:
        os._exit(143)  # orphaned before the signal was armed: the run that wanted this is gone
    os.execv(program[0], program)


if __name__ == "__main__":
    main(sys.argv[1:])

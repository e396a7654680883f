"""The shipped systemd units and the documented crontab line: the settings that make missed runs not
stack, and command lines that only use options the CLI really has."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import PROJECT_DIR

SYSTEMD = PROJECT_DIR / "deploy" / "systemd"


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """systemd's format: sections, and keys that may repeat (Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (SYSTEMD / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def options_used(command: str) -> tuple[str, list[str]]:
    args = shlex.split(command)
    i = next(i for i, a in enumerate(args) if a.endswith("semibench"))
    return args[i + 1], [a for a in args[i + 2:] if a.startswith("--")]


def assert_cli_accepts(built_cli, command: str) -> None:
    sub, options = options_used(command)
    help_text = built_cli("--help" if sub == "--help" else sub, "--help").stdout
    for option in options:
        assert option in help_text, f"{command}: `semibench {sub}` has no option {option}"


@pytest.fixture
def cli(fresh):
    return lambda *args: fresh.cli(*args, check=True)


def test_timer_does_not_make_up_missed_runs():
    timer = unit("semibench.timer")
    assert timer["Timer"]["Persistent"] == ["false"]
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_oneshot_service_runs_once_and_treats_a_held_lock_as_success(cli):
    service = unit("semibench.service")["Service"]
    assert service["Type"] == ["oneshot"]
    (command,) = service["ExecStart"]
    assert options_used(command)[0] == "run" and "--once" in command
    assert "75" in service["SuccessExitStatus"][0].split()
    assert_cli_accepts(cli, command)


def test_daemon_service_gives_the_grace_period_room(cli):
    service = unit("semibench-schedule.service")["Service"]
    (command,) = service["ExecStart"]
    assert options_used(command)[0] == "schedule"
    assert service["KillMode"] == ["mixed"]  # SIGTERM to the daemon only; it applies the grace itself
    assert float(service["TimeoutStopSec"][0]) > 600  # the default schedule.grace_s
    assert_cli_accepts(cli, command)


def test_documented_crontab_line_uses_run_once(cli):
    doc = (PROJECT_DIR / "docs" / "operations.md").read_text()
    (block,) = re.findall(r"```cron\n(.*?)```", doc, flags=re.S)
    (line,) = block.strip().splitlines()
    schedule, command = line.split(None, 5)[:5], line.split(None, 5)[5]
    assert len(schedule) == 5 and all(re.fullmatch(r"[0-9*/,-]+", f) for f in schedule)
    run = command.split("&&", 1)[1].split(">>")[0]  # after `cd /opt/semibench &&`, before the redirect
    assert "semibench run --once" in run
    assert_cli_accepts(cli, run[run.index(".venv/bin/semibench"):])

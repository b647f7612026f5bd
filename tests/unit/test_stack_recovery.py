"""A `bgc up` after a crash waits for the crashed run's watchdog before it starts anything:
the watchdog would otherwise stop the database the new run had just started."""

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bgc_cli import watchdog
from bgc_cli.stack import RunState, StackError, recover_crashed_run, wait_for_watchdog
from bgc_core.settings import load_settings
from tests.support.waiting import wait_until

# A child of the crashed run that takes a while to stop, as Dagster's servers do.
SLOW_TO_STOP = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: (time.sleep(1.5), sys.exit(0)))\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


def a_dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


@pytest.fixture
def state(tmp_path: Path) -> RunState:
    return RunState(load_settings({"BGC_HOME": str(tmp_path / "home")}))


@pytest.fixture
def slow_child() -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_TO_STOP], stdout=subprocess.PIPE, start_new_session=True
    )
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    threading.Thread(target=child.wait, daemon=True).start()  # as init reaps an orphan
    yield child
    child.kill()
    child.wait()


def crash_with_watchdog(state: RunState, groups: list[int]) -> subprocess.Popen[bytes]:
    """What a killed `bgc up` leaves: its record, and its watchdog woken by the closed pipe."""
    state.path.parent.mkdir(parents=True)
    record = {"pid": a_dead_pid(), "groups": groups, "pgdata": ""}
    state.path.write_text(json.dumps(record), encoding="utf-8")
    read_end, write_end = os.pipe()
    guard = subprocess.Popen(
        [sys.executable, "-m", "bgc_cli.watchdog", str(read_end), str(state.path)],
        pass_fds=(read_end,),
    )
    os.close(read_end)
    lock = state.path.with_name(watchdog.LOCK_NAME)
    wait_until(
        "the watchdog holds its lock",
        lambda: lock.exists() and lock.read_text() == str(guard.pid),
        timeout_s=30,
        process=guard,
        interval_s=0.05,
    )
    os.close(write_end)  # the crash: the pipe closes with nothing written
    return guard


def test_the_next_up_waits_until_the_watchdog_has_stopped_the_crashed_run(
    state: RunState, slow_child: subprocess.Popen[bytes]
) -> None:
    guard = crash_with_watchdog(state, [slow_child.pid])

    said = recover_crashed_run(state)

    assert guard.poll() == 0, "recovery went on while the watchdog was still stopping the run"
    assert slow_child.wait(1) == 0, "the slow child was stopped by SIGTERM, not killed"
    assert said is None, "the watchdog did the cleanup and cleared the record"
    assert not state.path.exists()


def test_a_watchdog_that_never_finishes_is_named_after_the_wait(state: RunState) -> None:
    state.path.parent.mkdir(parents=True)
    lock = state.path.with_name(watchdog.LOCK_NAME)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        started = time.monotonic()
        with pytest.raises(StackError) as refused:
            wait_for_watchdog(state, timeout_s=0.5)
    assert time.monotonic() - started >= 0.5
    assert str(lock) in str(refused.value) and "pid 4242" in str(refused.value)


def test_without_a_watchdog_lock_there_is_nothing_to_wait_for(state: RunState) -> None:
    started = time.monotonic()
    wait_for_watchdog(state, timeout_s=30)
    assert time.monotonic() - started < 5

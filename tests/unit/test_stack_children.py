"""`bgc up`'s children stop when told to, whatever signals the shell left ignored."""

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from bgc_cli.stack import _prepare_child

# A child that answers SIGTERM as Dagster's servers do (dagster._utils.interrupts).
DAGSTER_LIKE = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """As a shell without job control starts a background job."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def seconds_to_stop(preexec: Callable[[], None] | None, patience_s: float) -> float:
    with sigint_ignored():
        child = subprocess.Popen(
            [sys.executable, "-c", DAGSTER_LIKE], stdout=subprocess.PIPE, preexec_fn=preexec
        )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(patience_s)
        return time.monotonic() - started
    finally:
        child.kill()
        child.wait()


def test_a_child_stops_on_sigterm_though_its_parent_ignores_sigint() -> None:
    assert seconds_to_stop(_prepare_child, patience_s=10) < 10


def test_without_the_preparation_the_same_child_ignores_sigterm() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        seconds_to_stop(None, patience_s=2)

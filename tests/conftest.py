"""The test suite: tiers by folder (unit, integration, e2e); fixtures in tests/support."""

import shutil
import signal

from tests.support.settings import SNAPSHOT_CACHE

pytest_plugins = ["tests.support.fixtures"]


def pytest_configure() -> None:
    """SIGINT back to its default when the run inherited it ignored (a background job of
    a shell without job control, as CI scripts start them): the processes the tests
    start inherit it, and Dagster's servers answer SIGTERM as they answer SIGINT, so
    they would ignore every stop signal the tests send."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure() -> None:
    """The test process's snapshot cache goes with it (one folder of local copies per
    run, in the temporary folder: runs would otherwise pile them up there)."""
    shutil.rmtree(SNAPSHOT_CACHE, ignore_errors=True)

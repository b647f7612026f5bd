"""`bgc up` leaves nothing behind, however it ends: SIGHUP (a closed terminal), SIGTERM,
and SIGKILL of the `bgc up` process alone. A later `bgc up` in the same home starts."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.support.db import free_port
from tests.support.waiting import wait_until

BANNER = "BGC Analytics is up."


class Stack:
    """One `bgc up` in its own home and ports, its output in a file."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.api_port, self.dagster_port = free_port(), free_port()
        self.output = home.parent / f"up-{self.api_port}.out"

    def start(self) -> subprocess.Popen[str]:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("BGC_")},
            "BGC_HOME": str(self.home),
            "BGC_API_PORT": str(self.api_port),
            "BGC_DAGSTER_PORT": str(self.dagster_port),
        }
        with self.output.open("w") as out:
            return subprocess.Popen(
                [str(Path(sys.executable).parent / "bgc"), "up", "--no-demo"],
                env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip

    def wait_up(self, process: subprocess.Popen[str], timeout_s: float = 240) -> None:
        wait_until("for the banner", lambda: BANNER in self.output.read_text(), timeout_s,
                   process=process)  # fmt: skip

    def interrupt(self, process: subprocess.Popen[str]) -> None:
        """Ctrl-C, as a person stops it, and wait for the run to end."""
        process.send_signal(signal.SIGINT)
        process.wait(60)

    def processes(self, process: subprocess.Popen[str]) -> list[psutil.Process]:
        """Every process of the stack: descendants of `bgc up`, the database server, the
        watchdog."""
        found = psutil.Process(process.pid).children(recursive=True)
        for candidate in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(candidate.info["cmdline"] or [])
            if str(self.home) in cmdline and candidate.pid != process.pid:
                found.append(candidate)
        return found


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def assert_nothing_left(stack: Stack, processes: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(processes, timeout=45)
    assert alive == [], [(p.pid, p.name()) for p in alive]
    assert port_free(stack.api_port) and port_free(stack.dagster_port)
    assert not (stack.home / "pgdata" / "postmaster.pid").exists(), "the database still runs"


@pytest.mark.parametrize(
    "sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_nothing_outlives_bgc_up(tmp_path: Path, sig: signal.Signals) -> None:
    stack = Stack(tmp_path / "home")
    process = stack.start()
    try:
        stack.wait_up(process)
        processes = stack.processes(process)
        assert len(processes) >= 4, processes  # API, webserver, daemon, database, ...
        process.send_signal(sig)
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()
    assert_nothing_left(stack, processes)
    if sig != signal.SIGKILL:
        assert stack.output.read_text().rstrip().endswith("stopped.")


def test_a_second_up_after_a_kill_starts_cleanly(tmp_path: Path) -> None:
    stack = Stack(tmp_path / "home")
    first = stack.start()
    stack.wait_up(first)
    first.kill()
    first.wait(30)
    second = stack.start()
    try:
        stack.wait_up(second)
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.api_port}/ready", timeout=5) as r:
            assert r.status == 200
        processes = stack.processes(second)
    finally:
        stack.interrupt(second)
    assert second.returncode == 0, stack.output.read_text()
    assert_nothing_left(stack, processes)


def test_a_crash_that_took_the_watchdog_too_is_cleaned_up_by_the_next_up(
    tmp_path: Path,
) -> None:
    stack = Stack(tmp_path / "home")
    first = stack.start()
    try:
        stack.wait_up(first)
        running = {p.pid: p for p in stack.processes(first)}.values()
        [guard] = [p for p in running if "bgc_cli.watchdog" in " ".join(p.cmdline())]
        guard.kill()  # nothing is left to clean up after `bgc up`...
        first.kill()  # ...when it dies too
        first.wait(30)
    finally:
        if first.poll() is None:
            stack.interrupt(first)
    assert (stack.home / "pgdata" / "postmaster.pid").exists(), "a crash leaves the database"
    second = stack.start()
    try:
        stack.wait_up(second)
        lines = stack.output.read_text().splitlines()
        recovered = [line for line in lines if line.startswith("recovered from a crashed run")]
        assert len(recovered) == 1, lines[:5]
        assert f"(pid {first.pid})" in recovered[0] and "database server" in recovered[0]
        processes = stack.processes(second)
    finally:
        stack.interrupt(second)
    assert second.returncode == 0, stack.output.read_text()
    assert_nothing_left(stack, processes)
    mentions_home = [
        p.pid for p in psutil.process_iter(["cmdline"])
        if str(stack.home) in " ".join(p.info["cmdline"] or [])
    ]  # fmt: skip
    assert mentions_home == [], "the first run's processes were stopped too"

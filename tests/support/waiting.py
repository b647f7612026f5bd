"""Waiting for real processes: every wait ends in an answer or an assertion that names it."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def wait_until(
    what: str,
    condition: Callable[[], T],
    timeout_s: float,
    *,
    process: subprocess.Popen[Any] | None = None,
    interval_s: float = 0.5,
) -> T:
    """Poll ``condition`` until it returns something true and return that; fail naming
    ``what`` when time is up, or at once when ``process`` exits meanwhile."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) while waiting {what}")
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting {what}")


def get_json(url: str, timeout_s: float = 2) -> Any:
    """The JSON answer of ``url`` (numbers with decimals as Decimal), ``None`` while it
    cannot be reached."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return json.loads(response.read(), parse_float=Decimal)
    except OSError:
        return None

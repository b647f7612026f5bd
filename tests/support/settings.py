"""Settings for API processes built by the tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bgc_core.settings import Settings, load_settings

SNAPSHOT_CACHE = Path(tempfile.gettempdir()) / f"bgc-test-snapshots-{os.getpid()}"
"""One snapshot cache per test process: files are named by their content, so tests may
share it; none writes into the checkout's .bgc/."""


def api_settings(**env: str) -> Settings:
    """The defaults, with the snapshot cache in the test process's own folder."""
    return load_settings({"BGC_CACHE_DIR": str(SNAPSHOT_CACHE), **env})

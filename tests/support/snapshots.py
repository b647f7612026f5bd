"""Snapshot files: an intended contract change is one reviewed diff of tests/snapshots/.

Set ``BGC_UPDATE_SNAPSHOTS=1`` to rewrite them from the code instead of comparing.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tests.support.paths import SNAPSHOTS


def matches_snapshot(name: str, actual: Any) -> bool:
    """Compare ``actual`` with the stored JSON (or store it when updating)."""
    path = SNAPSHOTS / name
    if os.environ.get("BGC_UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return True
    return bool(json.loads(path.read_text(encoding="utf-8")) == actual)

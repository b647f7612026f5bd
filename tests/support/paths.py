"""Paths the tests read, resolved from the repository root (never the working directory)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SAMPLES = REPO_ROOT / "data_samples"
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"

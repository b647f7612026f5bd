"""The layout's direction holds: the foundation imports neither side, the API no Dagster
and no ingest code, and the pipeline nothing of the API or the CLIs."""

from pathlib import Path

from tests.support.architecture import violations
from tests.support.paths import REPO_ROOT


def test_no_package_imports_across_the_layers() -> None:
    assert violations(REPO_ROOT) == []


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    for package in ("bgc_core", "bgc_api", "bgc_pipeline"):
        (tmp_path / package).mkdir()
    (tmp_path / "bgc_api" / "handlers.py").write_text(
        "import json\nfrom dagster import asset\n", encoding="utf-8"
    )
    (tmp_path / "bgc_core" / "db.py").write_text(
        "def f():\n    from bgc_pipeline.ingest import load_file\n", encoding="utf-8"
    )
    assert violations(tmp_path) == [
        "bgc_core/db.py: imports bgc_pipeline.ingest",
        "bgc_api/handlers.py: imports dagster",
    ]


def test_the_sensor_module_imports_no_dataframe_library() -> None:
    import subprocess
    import sys

    probe = "import sys, bgc_pipeline.defs.sensors; print('polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr

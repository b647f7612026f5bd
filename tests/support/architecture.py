"""The import rules of the layout, checked on the source text (no import is executed)."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bgc_core": ("bgc_pipeline", "bgc_api", "bgc_cli", "dagster"),
    "bgc_api": ("dagster", "bgc_pipeline", "bgc_cli", "polars", "fastexcel"),
    "bgc_pipeline": ("bgc_api", "bgc_cli"),
}
"""Package -> top-level modules it must never import: the foundation imports neither side,
the API no Dagster and no ingest code, the pipeline nothing of the API or the CLIs."""


def imported_modules(source: str) -> set[str]:
    """Every module an ``import`` or ``from ... import`` statement of ``source`` names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(root: Path, rules: dict[str, tuple[str, ...]] = FORBIDDEN) -> list[str]:
    """``path: imports module`` for every forbidden import under ``root``'s packages."""
    found = []
    for package, forbidden in rules.items():
        for path in sorted((root / package).rglob("*.py")):
            for module in sorted(imported_modules(path.read_text(encoding="utf-8"))):
                if module.split(".")[0] in forbidden:
                    found.append(f"{path.relative_to(root)}: imports {module}")
    return found

"""The SQL files shipped as the package ``bgc_sql`` (``sql/`` in the repository).

Read through :mod:`importlib.resources`, so an installed wheel finds them as well as a
checkout does: nothing depends on the working directory or on the source tree.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from importlib.abc import Traversable

PACKAGE = "bgc_sql"
_NAME = re.compile(r"--\s*name:\s*(\w+)")


def root() -> Traversable:
    return resources.files(PACKAGE)


def migrations_dir() -> Traversable:
    return root() / "migrations"


def reference_file(table: str) -> Traversable:
    """The shipped CSV of a reference table (``cfg.pais`` -> ``reference/pais.csv``)."""
    return root() / "reference" / f"{table.split('.')[-1]}.csv"


@cache
def queries(name: str) -> dict[str, str]:
    """Named blocks of ``queries/<name>.sql``: each starts with a ``-- name: NAME`` line."""
    return parse_named_blocks((root() / "queries" / f"{name}.sql").read_text("utf-8"))


def parse_named_blocks(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = _NAME.match(line)
        if match:
            if name:
                found[name] = "\n".join(lines).strip()
            name, lines = match.group(1), []
        elif name:
            lines.append(line)
    if name:
        found[name] = "\n".join(lines).strip()
    return found

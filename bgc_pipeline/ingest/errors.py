"""The one error a file can cause: its message names the file and what is wrong."""

from __future__ import annotations


class IngestError(Exception):
    """A whole file is refused; nothing of it is stored."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem

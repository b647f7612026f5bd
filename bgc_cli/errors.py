"""Errors a user can fix: the CLIs print their one-line message instead of a traceback."""

from __future__ import annotations

from bgc_cli.stack import StackError
from bgc_core.db import DatabaseUnavailable
from bgc_core.migrate import MigrationError
from bgc_core.settings import SettingsError
from bgc_pipeline.ingest.errors import IngestError

USER_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    IngestError,
    MigrationError,
    SettingsError,
    StackError,
)

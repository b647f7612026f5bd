"""Errors a user can fix: the CLIs print their one-line message instead of a traceback."""

from __future__ import annotations

from bgc_pipeline.db import DatabaseUnavailable
from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.migrate import MigrationError
from bgc_pipeline.settings import SettingsError
from bgc_pipeline.stack import StackError

USER_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    IngestError,
    MigrationError,
    SettingsError,
    StackError,
)

"""Facts that several layers check agree with each other."""

import datetime as dt
import re

from bgc_core.domain import FIRST_YEAR, last_year
from tests.support.paths import REPO_ROOT


def test_first_year_is_the_staging_tables_check() -> None:
    baseline = (REPO_ROOT / "sql" / "migrations" / "0001_baseline.sql").read_text(encoding="utf-8")
    staging = baseline[baseline.index("CREATE TABLE stg.exportacao") :]
    [low, *_] = re.findall(r"CHECK \(\(\(ano >= (\d{4})\) AND \(ano <= \d{4}\)\)\)", staging)
    assert int(low) == FIRST_YEAR == 1997


def test_the_last_year_accepted_is_next_year() -> None:
    assert last_year(dt.date(2026, 11, 30)) == 2027

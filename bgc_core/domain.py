"""Facts of the domain that several layers check: keep each in one place."""

from __future__ import annotations

import datetime as dt

FIRST_YEAR = 1997
"""The first year of Comex Stat's NCM-based export series: nothing earlier is accepted.

The staging table's CHECK says the same (``tests/unit/test_domain.py`` compares them).
"""


def last_year(today: dt.date | None = None) -> int:
    """The latest year accepted: next year (files may carry the coming year's first days)."""
    return (today or dt.date.today()).year + 1


EXPORTS = "exportacao"
IMPORTS = "importacao"
FLOWS = (EXPORTS, IMPORTS)
"""The two trade flows, by the names the API's ``fluxo`` takes (exports, the default)."""
FILE_PREFIXES = {EXPORTS: "EXP", IMPORTS: "IMP"}
"""How MDIC's file names start for each flow (``EXP_2024.csv``, ``IMP_2024.csv``)."""

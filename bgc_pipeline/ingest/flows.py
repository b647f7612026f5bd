"""Which flow a landing file holds, before it is loaded: the sensor hands each file to
the staging asset of its flow (``stg/exportacao`` or ``stg/importacao``)."""

from __future__ import annotations

from pathlib import Path

from bgc_core.domain import EXPORTS
from bgc_pipeline.ingest import totals
from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.layouts import LayoutError, name_flow
from bgc_pipeline.ingest.readers import is_spreadsheet, loadable_sheets, open_csv, open_sheet


def flow_of(path: Path) -> str:
    """MDIC's totals files by their name or header; data files by their name (``EXP_``,
    ``IMP_``), else their header (a workbook: its first sheet that fits a layout). A file
    that cannot be read goes to the exports, whose load names the problem; a name and a
    header that disagree are refused by the load itself."""
    try:
        if is_spreadsheet(path):
            return name_flow(path.name) or _first_sheet_flow(path)
        if totals.is_totals_file(path):
            return totals.flow_of(path)
        return name_flow(path.name) or open_csv(path, path.name).match.flow
    except (IngestError, LayoutError, OSError, UnicodeDecodeError):
        return EXPORTS


def _first_sheet_flow(path: Path) -> str:
    first = loadable_sheets(path, path.name)[0]
    return open_sheet(path, path.name, first).match.flow

"""``bgc-ingest``: load files and refresh the views by hand, on the same code path as Dagster.

bgc-ingest load-csv FILE
bgc-ingest load-xlsx FILE [--sheet=NAME]
bgc-ingest refresh-mv [--full]
bgc-ingest check-totals [FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bgc_core.views import ViewRefresh
    from bgc_pipeline.ingest.loader import Progress


BAR_WIDTH = 30


def _progress_bar() -> Progress | None:
    """A progress bar on standard error when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        return None
    started = time.perf_counter()

    def show(rows: int, fraction: float) -> None:
        filled = int(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = time.perf_counter() - started
        sys.stderr.write(f"\r  [{bar}] {fraction:4.0%}  {rows:>12,} rows  {elapsed:6.1f} s")
        sys.stderr.flush()

    return show


def _database_url() -> str:
    """``BGC_DATABASE_URL`` as it is; the embedded default is migrated on first use."""
    from bgc_core.migrate import database_url_for
    from bgc_core.settings import load_settings

    return database_url_for(load_settings())


def _load(args: argparse.Namespace, sheet: str | None) -> int:
    """One summary line per source: the file, or each loadable sheet of a workbook."""
    from bgc_pipeline.ingest import load_file, load_sources

    url = _database_url()
    progress = _progress_bar()
    if sheet is None:
        results = load_sources(url, args.file, progress=progress)
    else:
        results = [load_file(url, args.file, sheet=sheet, progress=progress)]
    if progress:
        sys.stderr.write("\n")
    for result in results:
        print(result.summary())
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from bgc_core import views

    url = _database_url()
    started = time.perf_counter()
    done = views.refresh_all(url, full=args.full)
    parts = ", ".join(f"{r.view} {r.rows:,} rows {r.seconds:.2f} s{_years(r)}" for r in done)
    print(f"refreshed {len(done)} views in {time.perf_counter() - started:.2f} s: {parts}")
    return 0


def _years(done: ViewRefresh) -> str:
    if done.years is None:
        return ""
    return f" (years recomputed: {', '.join(map(str, done.years)) or 'none'})"


def _check_totals(args: argparse.Namespace) -> int:
    """The reconciliation table; exit 1 when a file diverges from MDIC's totals."""
    from bgc_core import reconciliation
    from bgc_core.domain import EXPORTS, IMPORTS
    from bgc_pipeline.ingest import load_file

    url = _database_url()
    if args.file is not None:
        print(load_file(url, args.file).summary())
    exports = reconciliation.reconcile(url, fluxo=EXPORTS)
    imports = reconciliation.reconcile(url, fluxo=IMPORTS)
    print(reconciliation.table(exports, EXPORTS))
    if imports:  # a warehouse of exports only reads as before
        print(f"\nimports\n{reconciliation.table(imports, IMPORTS)}")
    return 1 if any(r.status == reconciliation.DIVERGENT for r in exports + imports) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bgc-ingest", description="Load Comex Stat export and import files."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    csv_cmd = sub.add_parser(
        "load-csv", help="load a CSV file into stg.exportacao (stg.importacao for imports)"
    )
    csv_cmd.add_argument("file", type=Path)
    xlsx = sub.add_parser(
        "load-xlsx", help="load a spreadsheet into stg.exportacao (stg.importacao for imports)"
    )
    xlsx.add_argument("file", type=Path)
    xlsx.add_argument(
        "--sheet", help="load this sheet only (default: every sheet whose header fits a layout)"
    )
    refresh = sub.add_parser(
        "refresh-mv",
        help="bring every rpt view up to date, in dependency order (the yearly tables "
        "recompute the years changed since their last refresh)",
    )
    refresh.add_argument(
        "--full", action="store_true", help="recompute every year (a repair, O(history))"
    )
    totals = sub.add_parser(
        "check-totals",
        help="compare each official yearly file loaded with MDIC's totals "
        "(EXP_TOTAIS_CONFERENCIA.csv, IMP_TOTAIS_CONFERENCIA.csv); exit 1 on a divergence",
    )
    totals.add_argument(
        "file", type=Path, nargs="?", help="a totals file to store first (as if dropped)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bgc_cli.errors import USER_ERRORS

    try:
        if args.command == "refresh-mv":
            return _refresh(args)
        if args.command == "check-totals":
            return _check_totals(args)
        return _load(args, args.sheet if args.command == "load-xlsx" else None)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

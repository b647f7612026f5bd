"""``bgc``: run the stack, migrate the database, serve the API, generate sample data.

Heavy imports (Dagster, polars, uvicorn) happen inside the command that needs them,
so ``bgc --help`` and ``bgc db migrate`` start fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bgc_core.reference import TABLES as REFERENCE_TABLES
from bgc_core.settings import Settings, load_settings


def _cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    from bgc_cli import stack

    return stack.run(settings, verbose=args.verbose, demo=not args.no_demo)


def _cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    from bgc_core import db, migrate

    applied, filled = migrate.prepare_database(db.server_url(settings))
    if applied:
        print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        print("database is up to date: nothing to apply")
    if filled:
        print(f"loaded reference tables: {', '.join(filled)}")
    return 0


def _cmd_reset(settings: Settings, args: argparse.Namespace) -> int:
    from bgc_core import db, migrate

    url = db.server_url(settings)
    target = db.describe_target(url)
    if not args.yes and not _confirmed(f"Drop every table of the warehouse at {target}?"):
        print("nothing was changed (confirm with `yes`, or pass --yes)", file=sys.stderr)
        return 1
    applied, filled = migrate.reset(url)
    print(f"recreated the warehouse at {target}: {', '.join(applied)}")
    if filled:
        print(f"loaded reference tables: {', '.join(filled)}")
    print("the landing files load again through the sensor (`bgc up` or Dagster)")
    return 0


def _confirmed(question: str) -> bool:
    """Ask on the terminal; no terminal (a script, CI) is no."""
    if not sys.stdin.isatty():
        return False
    return input(f"{question} Type yes: ").strip().lower() == "yes"


def _cmd_load_reference(settings: Settings, args: argparse.Namespace) -> int:
    from bgc_core import db, reference

    rows = reference.load_reference(db.server_url(settings), args.table, args.file)
    print(f"{args.table}: replaced with {rows} row(s) from {args.file}")
    return 0


def _cmd_api(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "bgc_api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=settings.api_workers,
        access_log=False,
        log_level=settings.log_level.lower(),
    )
    return 0


def _cmd_generate_sample(_: Settings, args: argparse.Namespace) -> int:
    from bgc_pipeline.ingest import history, sample

    if args.years is None:
        if args.rows is None:
            raise SystemExit("bgc generate-sample: give --rows N (one file) or --years A-B")
        if args.flow != "exportacao":
            raise SystemExit(
                "bgc generate-sample: imports are written in the official layout: "
                "--flow importacao --layout comexstat --years A-B"
            )
        rows = sample.write_sample(args.out, rows=args.rows, layout=args.layout, seed=args.seed)
        print(f"wrote {rows} row(s) in the {args.layout} layout to {args.out}")
        return 0
    if args.layout != "comexstat":
        raise SystemExit(
            "bgc generate-sample: --years writes the official layout: --layout comexstat"
        )
    try:
        years = history.parse_years(args.years)
    except ValueError as exc:
        raise SystemExit(f"bgc generate-sample: {exc}") from None
    per_year = args.rows_per_year or history.DEFAULT_ROWS_PER_YEAR
    for written in history.write_history(args.out, years, per_year, args.seed, args.flow):
        print(f"wrote {written.path.name}: {written.rows:,} row(s)", flush=True)
    print(f"wrote {history.TOTALS_FILES[args.flow]}: {len(years)} year(s) in {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bgc", description="Run the stack, migrate the database, serve the API, generate data."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up", help="run database, Dagster (webserver + daemon) and API until Ctrl-C"
    )
    up.add_argument(
        "--verbose", action="store_true", help="show the output of every process (default: logs/)"
    )
    up.add_argument(
        "--no-demo",
        action="store_true",
        help="do not drop the generated demo years on the first start in this BGC_HOME",
    )
    dbp = sub.add_parser("db", help="database commands").add_subparsers(
        dest="db_command", required=True
    )
    dbp.add_parser("migrate", help="apply pending SQL migrations and fill empty reference tables")
    reset = dbp.add_parser(
        "reset", help="drop and recreate the warehouse (after a confirmation); files reload"
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for a confirmation")
    ref = dbp.add_parser("load-reference", help="replace a reference table from a CSV file")
    ref.add_argument("table", choices=list(REFERENCE_TABLES))
    ref.add_argument("file", type=Path)
    sub.add_parser("api", help="serve the API alone (production server)")
    gen = sub.add_parser(
        "generate-sample",
        help="write deterministic synthetic trade data: one file of exports (--rows), or one "
        "official file per year and MDIC's totals file (--years 1997-2025; --flow importacao "
        "for imports)",
    )
    gen.add_argument("--rows", type=int, help="rows of the one file written to --out")
    gen.add_argument("--years", help="FIRST-LAST: write EXP_<year>.csv per year into --out")
    gen.add_argument("--rows-per-year", type=int, help="with --years (default 1,600,000)")
    gen.add_argument("--layout", choices=["project", "comexstat"], default="project")
    gen.add_argument("--out", type=Path, required=True, help="the file (--rows) or folder")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--flow",
        choices=["exportacao", "importacao"],
        default="exportacao",
        help="with --years: exports (EXP_*) or imports (IMP_*, with freight and insurance)",
    )
    return parser


COMMANDS = {
    "up": _cmd_up,
    "migrate": _cmd_migrate,
    "reset": _cmd_reset,
    "load-reference": _cmd_load_reference,
    "api": _cmd_api,
    "generate-sample": _cmd_generate_sample,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bgc_cli.errors import USER_ERRORS

    try:
        settings = load_settings()
        quiet_up = args.command == "up" and not args.verbose  # the banner and events say enough
        level = "WARNING" if quiet_up else settings.log_level
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        command = args.db_command if args.command == "db" else args.command
        return COMMANDS[command](settings, args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Per-year Parquet snapshots of the facts: what the API's columnar engine reads.

A refresh writes one file per year whose data changed, at the analytical grain (year,
month, NCM, country, state, route, customs unit, unit, with the NCM's sector and
classes), sorted so that row-group statistics prune the common filters. The bytes live
in ``rpt.snapshot_exportacao``, written in the refresh's transaction and named by their
SHA-256: one data version names the views and the files together, and a backup of the
database holds everything. Each API process caches the files it reads by that hash.

The year's rows leave PostgreSQL through ``COPY`` (its fastest way out) and DuckDB sums,
sorts and writes them (sql/queries/snapshots.sql): for a 1.2M-row year about 1.0 s of
COPY and 2.2 s of DuckDB, against 4.4 s with polars doing it all (docs/benchmarks.md).
The two halves are apart so that DuckDB's runs beside the database's work.

Each flow has its snapshots (:class:`Kind`): the exports' in ``rpt.snapshot_exportacao``,
the imports' (with freight and insurance) in ``rpt.snapshot_importacao``.
"""

from __future__ import annotations

import hashlib
import struct
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg2 import sql

from bgc_core import sqlfiles
from bgc_core.domain import EXPORTS, IMPORTS

if TYPE_CHECKING:
    import psycopg2.extensions

_QUERIES = sqlfiles.queries("refresh")
_WRITE = sqlfiles.queries("snapshots")


@dataclass(frozen=True)
class Kind:
    """One flow's snapshots: their table (also their name in ``rpt.anos_pendentes`` and
    ``rpt.atualizacoes``), the per-file totals whose years they follow, and the suffix
    of their flow's own statements (``snapshot_rows_importacao``, ``write_importacao``)."""

    flow: str
    relation: str
    files: str
    suffix: str

    @property
    def table(self) -> sql.Identifier:
        return sql.Identifier("rpt", self.relation)

    def query(self, name: str) -> sql.Composed:
        """A statement of refresh.sql over this flow's table (``{snapshot}``)."""
        return sql.SQL(_QUERIES[name]).format(snapshot=self.table)


EXPORT_SNAPSHOTS = Kind(EXPORTS, "snapshot_exportacao", "agg_arquivo", "")
IMPORT_SNAPSHOTS = Kind(IMPORTS, "snapshot_importacao", "agg_arquivo_importacao", "_importacao")
KINDS = {kind.relation: kind for kind in (EXPORT_SNAPSHOTS, IMPORT_SNAPSHOTS)}
RELATION = EXPORT_SNAPSHOTS.relation
"""The exports' snapshots (the API's columnar engine reads them)."""


@dataclass(frozen=True)
class YearSnapshot:
    """One year's file, as stored: its content hash, rows, bytes and totals."""

    ano: int
    sha256: str
    linhas: int
    registros: int
    total_usd: Decimal
    total_kg: Decimal
    content: bytes
    total_frete: Decimal | None = None
    """Imports only: the year's freight and insurance."""
    total_seguro: Decimal | None = None
    mes_max: int | None = None
    """The year's latest month (``None``: annual figures only)."""

    @property
    def bytes(self) -> int:
        return len(self.content)

    @property
    def file_name(self) -> str:
        return file_name(self.sha256)


def file_name(sha256: str) -> str:
    """The name a snapshot has on every disk: its content's hash."""
    return f"{sha256}.parquet"


HALVES = ("rows_1.csv", "rows_2.csv")
"""The year's rows as two files: months 1-6, then the rest with the annual figures."""


@dataclass
class Staged:
    """A year's rows and the NCM classes copied out of PostgreSQL into a temporary
    folder, waiting for DuckDB (which needs no database connection)."""

    ano: int
    folder: tempfile.TemporaryDirectory[str]
    kind: Kind = EXPORT_SNAPSHOTS

    @property
    def path(self) -> Path:
        return Path(self.folder.name)

    def rows(self) -> list[Path]:
        return [self.path / name for name in HALVES]

    def discard(self) -> None:
        self.folder.cleanup()


def copy_year(
    cur: psycopg2.extensions.cursor,
    ano: int,
    beside: psycopg2.extensions.cursor | None = None,
    kind: Kind = EXPORT_SNAPSHOTS,
) -> Staged | None:
    """Staging's rows of one year and the NCM classes, out through ``COPY`` in the
    caller's transaction (so the file holds what the views refreshed beside it hold), or
    ``None`` for a year staging no longer holds. With ``beside`` (a connection in the
    same snapshot: ``views.SnapshotRefresh``), the second half of the rows is copied
    there at the same time."""
    folder = tempfile.TemporaryDirectory(prefix=f"bgc-snapshot-{kind.flow}-{ano}-")
    staged = Staged(ano, folder, kind)
    rows = f"snapshot_rows{kind.suffix}"
    try:
        first, second = staged.rows()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"bgc-copy-{ano}") as pool:
            other = beside or cur
            later = pool.submit(
                _copy_out, other, _half_query(other, rows, ano, primeira=False), second
            )
            if beside is None:  # one connection: one COPY at a time
                later.result()
            _copy_out(cur, _half_query(cur, rows, ano, primeira=True), first)
            later.result()
        if first.stat().st_size + second.stat().st_size == 0:
            staged.discard()
            return None
        _copy_out(cur, _QUERIES["snapshot_classes"], staged.path / "classes.csv")
    except BaseException:
        staged.discard()
        raise
    return staged


def _half_query(cur: psycopg2.extensions.cursor, name: str, ano: int, *, primeira: bool) -> str:
    return cur.mogrify(_QUERIES[name], {"ano": ano, "primeira": primeira}).decode()


def write_year(staged: Staged) -> YearSnapshot:
    """The staged year as one Parquet file, summed, sorted and written by DuckDB; the
    staged folder is removed either way. Runs beside the refresh's SQL (views.py)."""
    import duckdb  # here, not with the module: the sensor imports it without DuckDB

    suffix = staged.kind.suffix
    try:
        target = staged.path / "year.parquet"
        write = _WRITE[f"write{suffix}"].format(
            rows=_list_literal([path for path in staged.rows() if path.stat().st_size > 0]),
            classes=_literal(staged.path / "classes.csv"),
            target=_literal(target),
        )
        with duckdb.connect(config={"autoinstall_known_extensions": False}) as duck:
            duck.execute(write, {"ano": staged.ano})
            found = duck.execute(_WRITE[f"totals{suffix}"], {"target": str(target)}).fetchone()
        assert found is not None
        linhas, registros, usd, kg, frete, seguro, mes_max = found
        content = target.read_bytes()
    finally:
        staged.discard()
    return YearSnapshot(
        ano=staged.ano,
        sha256=hashlib.sha256(content).hexdigest(),
        linhas=int(linhas),
        registros=int(registros),
        total_usd=Decimal(usd),
        total_kg=Decimal(kg),
        content=content,
        total_frete=None if frete is None else Decimal(frete),
        total_seguro=None if seguro is None else Decimal(seguro),
        mes_max=None if mes_max is None else int(mes_max),
    )


COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def binary_copy(content: bytes) -> bytes:
    """One row of one BYTEA column in COPY's binary format: its signature, no flags, no
    header extension; a field count, the value's length and bytes; the end marker."""
    header = COPY_SIGNATURE + struct.pack("!ii", 0, 0)
    return header + struct.pack("!hi", 1, len(content)) + content + struct.pack("!h", -1)


def from_binary_copy(data: bytes) -> bytes | None:
    """The BYTEA value of the first row of a one-column binary COPY (``binary_copy``'s
    inverse), or ``None`` when it has no row: a fetch through COPY costs a third of a
    SELECT, which psycopg2 receives as hex text."""
    offset = len(COPY_SIGNATURE) + 4
    (extension,) = struct.unpack_from("!i", data, offset)
    offset += 4 + extension
    (fields,) = struct.unpack_from("!h", data, offset)
    if fields == -1:
        return None
    (length,) = struct.unpack_from("!i", data, offset + 2)
    start = offset + 6
    return data[start : start + length]


def _copy_out(cur: psycopg2.extensions.cursor, query: str, path: Path) -> None:
    with path.open("wb") as handle:
        cur.copy_expert(query, handle)


def _literal(path: Path) -> str:
    """A path as a DuckDB string literal (the refresh's own temporary paths)."""
    return "'" + str(path).replace("'", "''") + "'"


def _list_literal(paths: list[Path]) -> str:
    """Paths as a DuckDB list literal (an empty CSV cannot be read: leave it out)."""
    return "[" + ", ".join(_literal(path) for path in paths) + "]"


def export(
    cur: psycopg2.extensions.cursor, folder: Path, kind: Kind = EXPORT_SNAPSHOTS
) -> list[Path]:
    """Write every stored snapshot of a flow into ``folder`` by its name, each checked
    against its hash; the paths, by year."""
    cur.execute(kind.query("snapshot_all"))
    paths = []
    for ano, sha256, content in cur.fetchall():
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"the stored snapshot of {ano} does not match its hash {sha256}")
        path = folder / file_name(sha256)
        path.write_bytes(data)
        paths.append(path)
    return paths

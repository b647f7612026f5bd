"""Per-year Parquet snapshots of the facts: what the API's columnar engine reads.

A refresh writes one file per year whose data changed, at the analytical grain (year,
month, NCM, country, state, route, customs unit, unit, with the NCM's sector and
classes), sorted so that row-group statistics prune the common filters. The bytes live
in ``rpt.snapshot_exportacao``, written in the refresh's transaction and named by their
SHA-256: one data version names the views and the files together, and a backup of the
database holds everything. Each API process caches the files it reads by that hash.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bgc_core import sqlfiles

if TYPE_CHECKING:
    import polars as pl
    import psycopg2.extensions

RELATION = "snapshot_exportacao"
"""The table of snapshots, and its name in ``rpt.anos_pendentes`` and ``rpt.atualizacoes``."""
STAGED = ("ano", "mes", "ncm", "pais", "uf", "via", "urf", "unid", "setor", "fator", "cgce",
          "cuci", "usd", "kg", "qt")  # fmt: skip
"""The columns ``snapshot_rows`` copies out of staging, in its order."""


def staged_schema() -> dict[str, pl.DataType]:
    """The types of ``STAGED``: codes as text, so leading zeros stay (Parquet stores
    repeated strings in dictionaries); values as exact decimals. polars is imported here,
    not with the module: the sensor and the API import this module without it."""
    import polars as pl

    codes = {name: pl.String() for name in STAGED[2:12]}
    return {
        "ano": pl.Int16(), "mes": pl.Int8(), **codes,
        "usd": pl.Decimal(18, 2), "kg": pl.Decimal(18, 3), "qt": pl.Decimal(18, 3),
    }  # fmt: skip


GRAIN = ["ano", "mes", "ncm", "pais", "uf", "via", "urf", "unid", "setor", "fator", "cgce", "cuci"]
SORT = ["uf", "pais", "ncm", "mes"]
"""The order of a file's rows: a state's, then a country's rows lie together, so the
filters analysts use most skip whole row groups by their statistics. The rest of the
grain follows, so the same facts always make the same bytes (and the same hash)."""
ROW_GROUP = 122_880
"""Rows per row group: DuckDB's own vector multiple, small enough to prune within a year."""

_QUERIES = sqlfiles.queries("refresh")


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

    @property
    def bytes(self) -> int:
        return len(self.content)

    @property
    def file_name(self) -> str:
        return file_name(self.sha256)


def file_name(sha256: str) -> str:
    """The name a snapshot has on every disk: its content's hash."""
    return f"{sha256}.parquet"


def build_year(cur: psycopg2.extensions.cursor, ano: int) -> YearSnapshot | None:
    """The year's facts from staging as one Parquet file, or ``None`` for a year staging
    no longer holds. Read in the caller's transaction, so the file holds what the views
    refreshed beside it hold."""
    staged = _copy_out(cur, ano)
    if staged.is_empty():
        return None
    facts = summed(staged)
    buffer = io.BytesIO()
    facts.write_parquet(buffer, compression="zstd", statistics=True, row_group_size=ROW_GROUP)
    content = buffer.getvalue()
    return YearSnapshot(
        ano=ano,
        sha256=hashlib.sha256(content).hexdigest(),
        linhas=facts.height,
        registros=staged.height,
        total_usd=Decimal(facts["usd"].sum()),
        total_kg=Decimal(facts["kg"].sum()),
        content=content,
    )


def export(cur: psycopg2.extensions.cursor, folder: Path) -> list[Path]:
    """Write every stored snapshot into ``folder`` by its name, each checked against its
    hash; the paths, by year."""
    cur.execute(_QUERIES["snapshot_all"])
    paths = []
    for ano, sha256, content in cur.fetchall():
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"the stored snapshot of {ano} does not match its hash {sha256}")
        path = folder / file_name(sha256)
        path.write_bytes(data)
        paths.append(path)
    return paths


def _copy_out(cur: psycopg2.extensions.cursor, ano: int) -> pl.DataFrame:
    """Staging's rows of one year with their NCM's classes, through COPY (the fastest way
    out of PostgreSQL, measured in ../shared/STACK-NOTES.md)."""
    buffer = io.BytesIO()
    query = cur.mogrify(_QUERIES["snapshot_rows"], {"ano": ano}).decode()
    cur.copy_expert(query, buffer)
    buffer.seek(0)
    import polars as pl

    return pl.read_csv(buffer, has_header=False, new_columns=list(STAGED), schema=staged_schema())


def summed(staged: pl.DataFrame) -> pl.DataFrame:
    """Staging's rows summed to the analytical grain and sorted for pruning. The
    statistical quantity stays NULL where a row has none (the project layout)."""
    import polars as pl

    return (
        staged.group_by(GRAIN)
        .agg(
            pl.col("usd").sum(),
            pl.col("kg").sum(),
            pl.when(pl.col("qt").null_count() == pl.len())
            .then(None)
            .otherwise(pl.col("qt").sum())
            .alias("qt"),
            pl.len().cast(pl.Int32).alias("registros"),
        )
        .sort([*SORT, *(c for c in GRAIN if c not in SORT)], nulls_last=True)
    )

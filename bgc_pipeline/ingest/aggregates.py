"""The aggregates kept with each staging partition, computed while the file is read.

Each validated batch is summed in the reader thread (polars, exact decimal sums), the
partial sums are combined at the end of the file, and the loader COPYs the result into
``rpt.agg_mensal``, ``rpt.agg_dimensao`` and ``rpt.agg_arquivo`` in the transaction
that swaps the partition in. PostgreSQL never scans the new partition to build them;
the staging check proves they equal its rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

MONTHLY_KEYS = ["ano", "mes", "pais", "setor"]
MONTHLY_COLUMNS = ("ingest_source", *MONTHLY_KEYS, "total_usd", "total_kg", "registros")
DIMENSIONS = {"uf": "sg_uf", "via": "co_via", "urf": "co_urf", "ncm": "ncm"}
"""The official codes summed one by one (``rpt.agg_dimensao``), by the name analysts use
and the staging column that holds it. A row without the code (the project layout has
none) is summed under a NULL code, so each dimension's total is the file's."""
MONTHS = range(1, 13)
MONTH_SUMS = [f"{measure}_m{month:02d}" for measure in ("usd", "kg") for month in MONTHS]
"""One column per month and measure: a year's code in one row, not twelve (annual
figures, with no month, count as December)."""
DIMENSION_KEYS = ["ano", "dimensao", "codigo"]
DIMENSION_COLUMNS = ("ingest_source", *DIMENSION_KEYS, "registros", *MONTH_SUMS)
FILE_COLUMNS = (
    "ingest_source", "ingest_batch", "ano", "registros", "total_usd", "total_kg", "total_qt",
    "mes_max",
)  # fmt: skip


@dataclass(frozen=True)
class Sums:
    """Sums of some rows at the grains kept: (ano, mes, pais, setor), (ano, one official
    code) by month, and ano."""

    monthly: pl.DataFrame
    dimensional: pl.DataFrame
    yearly: pl.DataFrame

    @classmethod
    def of(cls, rows: pl.DataFrame) -> Sums:
        """The sums of one batch of rows shaped like ``stg.exportacao``."""
        return cls(
            rows.group_by(MONTHLY_KEYS).agg(
                total_usd=pl.col("valor_usd").sum(),
                total_kg=pl.col("peso_kg").sum(),
                registros=pl.len(),
            ),
            pl.concat([_by_code(rows, name, column) for name, column in DIMENSIONS.items()]),
            rows.group_by("ano").agg(
                registros=pl.len(),
                total_usd=pl.col("valor_usd").sum(),
                total_kg=pl.col("peso_kg").sum(),
                total_qt=pl.col("qt_estat").sum(),
                mes_max=pl.col("mes").max(),
            ),
        )

    @classmethod
    def combine(cls, parts: list[Sums]) -> Sums:
        """The sums of all the batches (an empty file sums to no row)."""
        if not parts:
            return cls.of(_EMPTY)
        monthly = (
            pl.concat([p.monthly for p in parts])
            .group_by(MONTHLY_KEYS)
            .agg(pl.col("total_usd").sum(), pl.col("total_kg").sum(), pl.col("registros").sum())
        )
        dimensional = (
            pl.concat([p.dimensional for p in parts])
            .group_by("ano", "mes", "dimensao", "codigo")
            .agg(pl.col("total_usd").sum(), pl.col("total_kg").sum(), pl.col("registros").sum())
        )
        yearly = (
            pl.concat([p.yearly for p in parts])
            .group_by("ano")
            .agg(
                pl.col("registros").sum(),
                pl.col("total_usd").sum(),
                pl.col("total_kg").sum(),
                pl.col("total_qt").sum(),
                pl.col("mes_max").max(),
            )
        )
        return cls(monthly, dimensional, yearly)

    def monthly_csv(self, source: str) -> bytes:
        frame = self.monthly.select(pl.lit(source).alias("ingest_source"), *MONTHLY_COLUMNS[1:])
        return _csv(frame)

    def dimensional_csv(self, source: str) -> bytes:
        frame = _by_month(self.dimensional).select(
            pl.lit(source).alias("ingest_source"), *DIMENSION_COLUMNS[1:]
        )
        return _csv(frame)

    def yearly_csv(self, source: str, batch_id: str) -> bytes:
        frame = self.yearly.select(
            pl.lit(source).alias("ingest_source"), pl.lit(batch_id).alias("ingest_batch"),
            *FILE_COLUMNS[2:],
        )  # fmt: skip
        return _csv(frame)


IMPORT_FILE_COLUMNS = (
    "ingest_source", "ingest_batch", "ano", "registros", "total_usd", "total_kg", "total_qt",
    "total_frete", "total_seguro", "mes_max",
)  # fmt: skip
_IMPORT_SUMS = ("total_usd", "total_kg", "total_qt", "total_frete", "total_seguro")


@dataclass(frozen=True)
class ImportSums:
    """An import file's totals per year (``rpt.agg_arquivo_importacao``): what its
    reconciliation with MDIC's totals reads. The imports' views are built from their
    snapshots, not from load-time sums."""

    yearly: pl.DataFrame

    @classmethod
    def of(cls, rows: pl.DataFrame) -> ImportSums:
        """The sums of one batch of rows shaped like ``stg.importacao``."""
        return cls(
            rows.group_by("ano").agg(
                registros=pl.len(),
                total_usd=pl.col("valor_usd").sum(),
                total_kg=pl.col("peso_kg").sum(),
                total_qt=pl.col("qt_estat").sum(),
                total_frete=pl.col("valor_frete").sum(),
                total_seguro=pl.col("valor_seguro").sum(),
                mes_max=pl.col("mes").max(),
            )
        )

    @classmethod
    def combine(cls, parts: list[ImportSums]) -> ImportSums:
        """The sums of all the batches (an empty file sums to no row)."""
        if not parts:
            return cls(pl.DataFrame(schema={"ano": pl.Int32}))
        yearly = (
            pl.concat([p.yearly for p in parts])
            .group_by("ano")
            .agg(pl.col("registros").sum(), *(pl.col(c).sum() for c in _IMPORT_SUMS),
                 pl.col("mes_max").max())
        )  # fmt: skip
        return cls(yearly)

    def yearly_csv(self, source: str, batch_id: str) -> bytes:
        if self.yearly.height == 0:
            return b""
        frame = self.yearly.select(
            pl.lit(source).alias("ingest_source"), pl.lit(batch_id).alias("ingest_batch"),
            *IMPORT_FILE_COLUMNS[2:],
        )  # fmt: skip
        return _csv(frame)


def _by_code(rows: pl.DataFrame, name: str, column: str) -> pl.DataFrame:
    """Long form, one row per month (cheap to sum per batch); widened once per file."""
    return (
        rows.group_by("ano", pl.col("mes").fill_null(12), column)
        .agg(total_usd=pl.col("valor_usd").sum(), total_kg=pl.col("peso_kg").sum(),
             registros=pl.len())
        .select("ano", "mes", pl.lit(name).alias("dimensao"),
                pl.col(column).cast(pl.String).alias("codigo"),
                "total_usd", "total_kg", "registros")
    )  # fmt: skip


def _by_month(long: pl.DataFrame) -> pl.DataFrame:
    """One row per (ano, dimensao, codigo) with a column per month and measure."""
    by_month = [
        pl.col(source).filter(pl.col("mes") == m).sum().alias(f"{measure}_m{m:02d}")
        for measure, source in (("usd", "total_usd"), ("kg", "total_kg"))
        for m in MONTHS
    ]
    return long.group_by(DIMENSION_KEYS).agg(pl.col("registros").sum(), *by_month)


_EMPTY = pl.DataFrame(
    schema={
        "ano": pl.Int32, "mes": pl.Int32, "pais": pl.String, "setor": pl.String,
        "valor_usd": pl.Decimal(18, 3), "peso_kg": pl.Decimal(18, 3), "qt_estat": pl.Decimal(18, 3),
        **dict.fromkeys(DIMENSIONS.values(), pl.String),
    }
)  # fmt: skip


def _csv(frame: pl.DataFrame) -> bytes:
    if frame.height == 0:
        return b""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    return buffer.getvalue()

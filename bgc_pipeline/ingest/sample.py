"""Deterministic synthetic export records with a realistic skew (``bgc generate-sample``).

Countries and products are real (Comex Stat codes and names); their weights follow
the rough shape of Brazil's exports (China and the United States lead; soy, crude
oil and iron ore dominate). Each record's FOB value is log-uniform (USD 100 to ~30
million) and its weight follows from the product's typical unit value.
The same ``seed`` always gives the same file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path

import polars as pl

from bgc_core import sqlfiles

# (CO_PAIS, relative weight)
COUNTRIES = [
    ("160", 300), ("249", 110), ("063", 45), ("573", 30), ("158", 22), ("245", 22),
    ("493", 20), ("399", 18), ("190", 15), ("361", 15), ("741", 14), ("023", 13),
    ("149", 12), ("386", 11), ("087", 10), ("628", 9), ("586", 9), ("845", 8),
    ("169", 8), ("589", 7), ("053", 7), ("244", 7), ("827", 6), ("455", 6), ("858", 6),
    ("776", 5), ("275", 5), ("081", 5), ("240", 5), ("059", 4), ("365", 4), ("372", 4),
    ("161", 4), ("607", 4), ("267", 3), ("351", 3), ("474", 3), ("676", 3), ("528", 2),
    ("756", 2),
]  # fmt: skip
# (NCM, relative weight, typical USD per kg)
PRODUCTS = [
    ("12019000", 160, 0.45), ("27090010", 130, 0.55), ("26011100", 100, 0.10),
    ("17011400", 45, 0.40), ("10059010", 40, 0.22), ("09011110", 30, 4.5),
    ("02023000", 30, 5.0), ("02071400", 25, 1.9), ("47032900", 25, 0.55),
    ("23040010", 25, 0.45), ("52010020", 15, 1.7), ("72071200", 15, 0.55),
    ("88024090", 12, 3000.0), ("87032310", 10, 9.0), ("24012030", 8, 5.0),
    ("20091200", 8, 2.5), ("71081310", 8, 60000.0), ("84295900", 6, 25.0),
    ("26020010", 5, 0.2), ("02032900", 6, 2.6), ("15071000", 6, 1.0),
    ("22071000", 5, 0.6), ("87042190", 4, 6.0), ("40111000", 3, 4.0),
]  # fmt: skip
STATES = ["SP", "MG", "PR", "RS", "MT", "GO", "PA", "RJ", "BA", "SC", "ES", "MS"]
YEARS = (2023, 2024, 2025)
LAST_MONTH = 8
"""The latest year is partial (January-August), as the current year is in Comex Stat."""
PROJECT_COLUMNS = ["ano", "mes", "pais", "setor", "ncm", "valor_usd", "peso_kg"]


def _reference(table: str, key: str, value: str) -> dict[str, str]:
    text = sqlfiles.reference_file(table).read_text(encoding="utf-8")
    return {row[key]: row[value] for row in csv.DictReader(io.StringIO(text, newline=""))}


def _uniform(n: int, seed: int, stream: int) -> pl.Expr:
    """Deterministic uniform [0, 1) numbers from a hash of the row index."""
    return pl.int_range(n, dtype=pl.UInt64).hash(seed * 7919 + stream).cast(pl.Float64) / 2.0**64


def pick_weighted(u: pl.Expr, weights: Sequence[float]) -> pl.Expr:
    """Index chosen with probability proportional to ``weights``."""
    total = sum(weights)
    bounds = pl.Series([c / total for c in accumulate(weights)])
    return pl.lit(bounds).search_sorted(u, side="right").clip(0, len(weights) - 1)


def generate(rows: int, seed: int = 42) -> pl.DataFrame:
    """``rows`` synthetic records with official codes and names (one row per shipment group)."""
    if rows < 1:
        raise ValueError("--rows must be at least 1")
    names = _reference("cfg.pais", "co_pais", "no_pais")
    sectors = _reference("cfg.ncm_setor", "ncm", "setor")
    months = [(y, m) for y in YEARS for m in range(1, 13) if y < YEARS[-1] or m <= LAST_MONTH]
    frame = pl.select(
        c=pick_weighted(_uniform(rows, seed, 1), [w for _, w in COUNTRIES]),
        p=pick_weighted(_uniform(rows, seed, 2), [w for _, w, _ in PRODUCTS]),
        t=(_uniform(rows, seed, 3) * len(months)).cast(pl.Int64).clip(0, len(months) - 1),
        s=(_uniform(rows, seed, 4) * len(STATES)).cast(pl.Int64).clip(0, len(STATES) - 1),
        usd=(10 ** (2 + _uniform(rows, seed, 5) * 5.5)).round(2),
        price=0.7 + _uniform(rows, seed, 6) * 0.6,
    )

    def lookup(values: Sequence[object], index: str) -> pl.Expr:
        return pl.lit(pl.Series(values)).gather(pl.col(index))

    ncm = [p for p, _, _ in PRODUCTS]
    co_pais = [c for c, _ in COUNTRIES]
    return frame.select(
        ano=lookup([y for y, _ in months], "t"),
        mes=lookup([m for _, m in months], "t"),
        co_pais=lookup(co_pais, "c"),
        pais=lookup([names[c] for c in co_pais], "c"),
        ncm=lookup(ncm, "p"),
        setor=lookup([sectors[n] for n in ncm], "p"),
        sg_uf=lookup(STATES, "s"),
        peso_kg=(pl.col("usd") / (lookup([u for _, _, u in PRODUCTS], "p") * pl.col("price")))
        .ceil()
        .cast(pl.Int64),
        valor_usd=pl.col("usd"),
    )


def to_project_layout(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(PROJECT_COLUMNS)


def to_comexstat_layout(frame: pl.DataFrame) -> pl.DataFrame:
    """The official bulk columns: codes as zero-padded text, integer measures."""
    return frame.select(
        CO_ANO=pl.col("ano").cast(pl.String),
        CO_MES=pl.col("mes").cast(pl.String).str.zfill(2),
        CO_NCM="ncm",
        CO_UNID=pl.lit("10"),
        CO_PAIS="co_pais",
        SG_UF_NCM="sg_uf",
        CO_VIA=pl.lit("01"),
        CO_URF=pl.lit("0817800"),
        QT_ESTAT="peso_kg",
        KG_LIQUIDO="peso_kg",
        VL_FOB=pl.col("valor_usd").round(0).cast(pl.Int64),
    )


def write_sample(out: Path, *, rows: int, layout: str = "project", seed: int = 42) -> int:
    """Write a sample file; return its number of records."""
    frame = generate(rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    if layout == "comexstat":
        to_comexstat_layout(frame).write_csv(
            out, separator=";", quote_style="non_numeric", line_terminator="\r\n"
        )
    elif layout == "project":
        to_project_layout(frame).write_csv(out)
    else:
        raise ValueError(f"--layout must be project or comexstat, got {layout!r}")
    return frame.height

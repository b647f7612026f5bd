"""A synthetic Comex Stat history: one official-layout file per year, plus MDIC's totals file.

``bgc generate-sample --layout comexstat --years 1997-2025 --out DIR`` writes
``EXP_1997.csv`` ... ``EXP_2025.csv`` and the ``EXP_TOTAIS_CONFERENCIA.csv`` that checks
them (``--flow importacao``: ``IMP_*`` files with freight and insurance, and
``IMP_TOTAIS_CONFERENCIA.csv``), with the cardinalities and skew of the real files:
every NCM of the reference table, every country, the 27 states (and MDIC's
pseudo-states), the real transport modes and customs units, each drawn from a Zipf law
over a seeded ranking, so a few products, partners and ports carry most of the value as
in the real data. Values grow about 6% a year. The same seed always gives the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from bgc_core import sqlfiles
from bgc_core.domain import EXPORTS, FILE_PREFIXES, IMPORTS
from bgc_pipeline.ingest import totals
from bgc_pipeline.ingest.sample import COUNTRIES, PRODUCTS, pick_weighted

DEFAULT_ROWS_PER_YEAR = 1_600_000
"""Close to recent real years: EXP_2024.csv has 1,603,796 rows."""
TOTALS_FILE = "EXP_TOTAIS_CONFERENCIA.csv"
TOTALS_FILES = {EXPORTS: TOTALS_FILE, IMPORTS: "IMP_TOTAIS_CONFERENCIA.csv"}
IMPORT_SEED = 7_919
"""Added to the seed for imports: their records are drawn apart from the exports'."""
FREIGHT_SHARE = (0.02, 0.12)
INSURANCE_SHARE = (0.0005, 0.006)
"""Freight and insurance as shares of FOB, drawn per record (imports only)."""
ZIPF_EXPONENT = 1.1
YEARLY_GROWTH = 1.06
LEADING_NCM = [ncm for ncm, _, _ in PRODUCTS]
LEADING_PAIS = [co_pais for co_pais, _ in COUNTRIES]
LEADING_UF = [
    "SP", "MG", "RJ", "PR", "RS", "MT", "PA", "GO", "SC", "ES", "BA", "MS", "AM", "MA",
    "PE", "CE", "TO", "RO", "AL", "PI", "RN", "SE", "PB", "DF", "AP", "AC", "RR",
]  # fmt: skip
"""The 27 states ahead of MDIC's pseudo-states (ND, EX, ...), roughly by export value."""
LEADING_VIA = ["01", "07", "04", "00", "08", "02", "06", "05", "11"]
LEADING_URF = ["0817800", "0917800", "0717800", "0727600", "1017700", "0217600", "0927700"]
"""Ports of Santos, Paranaguá, Itaguaí, Vitória, Rio Grande, Belém, São Francisco do Sul."""


@dataclass(frozen=True)
class YearFile:
    path: Path
    year: int
    rows: int
    qt_estat: int
    kg_liquido: int
    vl_fob: int
    vl_frete: int = 0
    vl_seguro: int = 0


def parse_years(text: str) -> range:
    """``1997-2025`` or ``2024`` -> the years, refused outside 1997..2100 or reversed."""
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise ValueError(f"--years must be YEAR or FIRST-LAST, got {text!r}") from None
    if not 1997 <= start <= end <= 2100:
        raise ValueError(f"--years {text}: years run from 1997 on, first <= last")
    return range(start, end + 1)


def _codes(table: str, column: str) -> list[str]:
    text = sqlfiles.reference_file(table).read_text(encoding="utf-8")
    return [row[column] for row in csv.DictReader(io.StringIO(text, newline=""))]


@dataclass(frozen=True)
class Dimensions:
    """The code lists a file draws from, each with its Zipf weights in a seeded order."""

    ncm: list[str]
    pais: list[str]
    uf: list[str]
    via: list[str]
    urf: list[str]

    @classmethod
    def official(cls) -> Dimensions:
        return cls(
            ncm=_codes("cfg.ncm_setor", "ncm"),
            pais=[c for c in _codes("cfg.pais", "co_pais") if c != "000"],
            uf=_codes("uf", "sg_uf"),
            via=_codes("via", "co_via"),
            urf=_codes("urf", "co_urf"),
        )


def _uniform(rows: int, seed: int, year: int, stream: int) -> pl.Expr:
    """Deterministic uniform [0, 1) numbers from a hash of the row index."""
    salt = (seed * 1_000_003 + year) * 31 + stream
    return pl.int_range(rows, dtype=pl.UInt64).hash(salt).cast(pl.Float64) / 2.0**64


def _zipf_draw(codes: list[str], leaders: list[str], u: pl.Expr, seed: int, stream: int) -> pl.Expr:
    """A code per row with Zipf weights over a ranking of ``codes``: ``leaders`` first (the
    real leaders, in order), the others in a seeded order."""
    frame = pl.DataFrame({"code": [c for c in codes if c not in set(leaders)]})
    rest = frame.sort(pl.col("code").hash(seed * 131 + stream)).get_column("code")
    ranked = pl.Series([c for c in leaders if c in set(codes)]).append(rest)
    weights = [1.0 / rank**ZIPF_EXPONENT for rank in range(1, len(codes) + 1)]
    return pl.lit(ranked).gather(pick_weighted(u, weights))


def year_frame(
    year: int, rows: int, dims: Dimensions, seed: int, flow: str = EXPORTS
) -> pl.DataFrame:
    """One year's records in the official layout (codes as text, integer measures); an
    import year adds VL_FRETE and VL_SEGURO, and its records come from another seed."""
    if flow == IMPORTS:
        seed += IMPORT_SEED

    def u(stream: int) -> pl.Expr:
        return _uniform(rows, seed, year, stream)

    growth = YEARLY_GROWTH ** (year - 1997)
    fob = (10 ** (1.5 + u(1) * 5.0) * growth).round(0).cast(pl.Int64)
    kg = (fob / 10 ** (u(2) * 3.0 - 1.0)).round(0).cast(pl.Int64).clip(lower_bound=1)
    columns: dict[str, pl.Expr] = dict(
        CO_ANO=pl.lit(str(year)).repeat_by(rows).explode(),
        CO_MES=(u(3) * 12).cast(pl.Int64).clip(0, 11).add(1).cast(pl.String).str.zfill(2),
        CO_NCM=_zipf_draw(dims.ncm, LEADING_NCM, u(4), seed, 4),
        CO_UNID=pl.lit("10"),
        CO_PAIS=_zipf_draw(dims.pais, LEADING_PAIS, u(5), seed, 5),
        SG_UF_NCM=_zipf_draw(dims.uf, LEADING_UF, u(6), seed, 6),
        CO_VIA=_zipf_draw(dims.via, LEADING_VIA, u(7), seed, 7),
        CO_URF=_zipf_draw(dims.urf, LEADING_URF, u(8), seed, 8),
        QT_ESTAT=kg,
        KG_LIQUIDO=kg,
        VL_FOB=fob,
    )
    if flow == IMPORTS:
        columns |= _freight_and_insurance(fob, u)
    named = [expr.alias(name) for name, expr in columns.items()]
    return pl.select(*named).sort("CO_MES", "CO_NCM", maintain_order=True)


def _freight_and_insurance(fob: pl.Expr, u: Callable[[int], pl.Expr]) -> dict[str, pl.Expr]:
    def share(low_high: tuple[float, float], stream: int) -> pl.Expr:
        low, high = low_high
        return (fob * (low + u(stream) * (high - low))).round(0).cast(pl.Int64)

    return {"VL_FRETE": share(FREIGHT_SHARE, 9), "VL_SEGURO": share(INSURANCE_SHARE, 10)}


def write_year(
    out: Path, year: int, rows: int, dims: Dimensions, seed: int, flow: str = EXPORTS
) -> YearFile:
    frame = year_frame(year, rows, dims, seed, flow)
    path = out / f"{FILE_PREFIXES[flow]}_{year}.csv"
    frame.write_csv(path, separator=";", quote_style="non_numeric", line_terminator="\r\n")
    measures = ["QT_ESTAT", "KG_LIQUIDO", "VL_FOB"]
    if flow == IMPORTS:
        measures += ["VL_FRETE", "VL_SEGURO"]
    sums = frame.select(pl.sum(*measures)).row(0)
    return YearFile(path, year, frame.height, *(int(v) for v in sums))


def write_totals(out: Path, files: list[YearFile], flow: str = EXPORTS) -> Path:
    """MDIC's check file: one row per yearly file, ``;``-separated, text quoted (the
    imports' with freight and insurance)."""
    path = out / TOTALS_FILES[flow]
    header = totals.IMPORT_HEADER if flow == IMPORTS else totals.HEADER
    lines = [";".join(f'"{name}"' for name in header)]
    for f in files:
        extra = f"{f.vl_frete};{f.vl_seguro};" if flow == IMPORTS else ""
        lines.append(
            f'"{f.path.name}";"{f.year}";{f.qt_estat};{f.kg_liquido};{f.vl_fob};{extra}{f.rows}'
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return path


def write_history(
    out: Path,
    years: range,
    rows_per_year: int = DEFAULT_ROWS_PER_YEAR,
    seed: int = 42,
    flow: str = EXPORTS,
) -> Iterator[YearFile]:
    """Write each year's file of a flow (yielded as written), then its totals file."""
    if rows_per_year < 1:
        raise ValueError("--rows-per-year must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    dims = Dimensions.official()
    written = []
    for year in years:
        written.append(write_year(out, year, rows_per_year, dims, seed, flow))
        yield written[-1]
    write_totals(out, written, flow)

"""Raw string batches -> rows of ``stg.exportacao`` (or ``stg.importacao``, with freight
and insurance) plus rejected rows with their reasons.

Pure polars expressions, no database: reference tables arrive as small frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from bgc_core.domain import FIRST_YEAR, last_year
from bgc_core.reference import UNCLASSIFIED_SECTOR
from bgc_pipeline.ingest.layouts import COMEXSTAT, IMPORTS, LayoutMatch
from bgc_pipeline.ingest.numbers import NumberFormats
from bgc_pipeline.ingest.readers import LINE

STG_COLUMNS = (
    "ano", "mes", "pais", "setor", "ncm", "valor_usd", "peso_kg",
    "co_pais", "sg_uf", "co_via", "co_urf", "co_unid", "qt_estat",
)  # fmt: skip
IMPORT_COLUMNS = (*STG_COLUMNS, "valor_frete", "valor_seguro")
"""The columns of ``stg.importacao``: an export row's, with freight and insurance."""
MONTHS = {
    "janeiro": 1, "fevereiro": 2, "marco": 3, "março": 3, "abril": 4, "maio": 5, "junho": 6,
    "julho": 7, "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
_MAX_VALUE = 10**13  # DECIMAL(15,2)
NUMERIC_FIELDS = {
    "valor": "valor_num", "peso": "peso_num", "qt_estat": "qt_num",
    "frete": "frete_num", "seguro": "seguro_num",
}  # fmt: skip
MONEY_FIELDS = ("valor", "frete", "seguro")
"""Fields in US$ (two decimals, below DECIMAL(15,2)'s bound)."""


@dataclass(frozen=True)
class Reference:
    """Lookup tables, loaded once per file: code -> name/sector."""

    pais: pl.DataFrame  # co_pais, no_pais
    ncm_setor: pl.DataFrame  # ncm, setor
    cuci_setor: pl.DataFrame  # cuci_grupo, setor


@dataclass(frozen=True)
class Transformed:
    rows: pl.DataFrame
    """Columns of :data:`STG_COLUMNS`, ready for COPY."""
    rejects: pl.DataFrame
    """``line``, ``reason``, ``raw`` (JSON of the source values)."""


def _clean(name: str) -> pl.Expr:
    """A source column as trimmed text, empty -> null (CR, LF, NBSP and spaces removed)."""
    text = pl.col(name).str.strip_chars(' \t\r\n\u00a0\ufeff"')
    return pl.when(text == "").then(None).otherwise(text)


def _with_numbers(frame: pl.DataFrame, formats: NumberFormats) -> pl.DataFrame:
    """``valor_num``, ``peso_num``, ``qt_num``: the numeric fields parsed in the format
    decided for their column in this file."""
    present = [field for field in NUMERIC_FIELDS if field in frame.columns]
    parsed = {NUMERIC_FIELDS[f]: values for f, values in formats.parse(frame, *present).items()}
    absent = [name for f, name in NUMERIC_FIELDS.items() if f not in present]
    missing = {name: pl.lit(None, pl.Decimal(18, 3)) for name in absent}
    return frame.with_columns(**parsed, **missing)


def _digits(expr: pl.Expr, width: int, lost: int | None = None) -> pl.Expr:
    """A code with separators removed and leading zeros lost by spreadsheets restored.

    ``lost`` caps how many zeros can have been lost (an NCM loses at most one:
    chapters 01-09), so a truncated code is not padded into a valid-looking one.
    """
    digits = expr.str.replace_all(r"[.\-/\s]", "")
    shortest = width - (width if lost is None else lost)
    padded = digits.str.contains(r"^\d+$") & (digits.str.len_chars() >= shortest)
    return pl.when(padded).then(digits.str.zfill(width)).otherwise(digits)


def _month(expr: pl.Expr) -> pl.Expr:
    """``01``, ``1``, ``12. Dezembro`` or ``Dezembro`` -> 1..12 (else null)."""
    number = expr.str.extract(r"^(\d{1,2})\b", 1).cast(pl.Int32, strict=False)
    name = (
        expr.str.to_lowercase()
        .str.extract(r"([a-zç]+)\s*$", 1)
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    )
    return pl.coalesce(number, name)


def _source_fields(batch: pl.DataFrame, match: LayoutMatch) -> pl.DataFrame:
    """Rename the mapped source columns to field names, trimmed."""
    fields = [_clean(source).alias(field) for field, source in match.columns.items()]
    return batch.select(pl.col(LINE).alias("line"), *fields)


def _raw_values(batch: pl.DataFrame, match: LayoutMatch, lines: pl.DataFrame) -> pl.DataFrame:
    """``line``, ``raw``: the source values of the given lines as JSON (for rejects only:
    encoding every row would cost more than the rest of the checks)."""
    raw = pl.struct([pl.col(source) for source in match.columns.values()]).struct.json_encode()
    chosen = batch.join(lines, left_on=LINE, right_on="line", how="semi")
    return chosen.select(pl.col(LINE).cast(pl.Int64).alias("line"), raw.alias("raw"))


def _with_names(frame: pl.DataFrame, match: LayoutMatch, ref: Reference) -> pl.DataFrame:
    """Resolve country and sector from codes where the layout carries codes."""
    if match.name == COMEXSTAT:
        frame = frame.with_columns(co_pais=_digits(pl.col("co_pais"), 3)).join(
            ref.pais.rename({"no_pais": "pais"}), on="co_pais", how="left"
        )
    if "ncm" in frame.columns:
        frame = frame.with_columns(ncm=_digits(pl.col("ncm"), 8, lost=1))
    if "setor" not in frame.columns:
        frame = frame.with_columns(setor=pl.lit(None, pl.String))
    if "ncm" in frame.columns:
        by_ncm = ref.ncm_setor.rename({"setor": "_setor_ncm"})
        frame = frame.join(by_ncm, on="ncm", how="left").with_columns(
            setor=pl.coalesce("setor", "_setor_ncm")
        )
    if "cuci" in frame.columns:
        by_cuci = ref.cuci_setor.rename({"cuci_grupo": "cuci", "setor": "_setor_cuci"})
        frame = frame.join(by_cuci, on="cuci", how="left").with_columns(
            setor=pl.coalesce("setor", "_setor_cuci")
        )
    return frame.with_columns(setor=pl.col("setor").fill_null(pl.lit(UNCLASSIFIED_SECTOR)))


def _typed(frame: pl.DataFrame, match: LayoutMatch) -> pl.DataFrame:
    has = frame.columns
    optional = {
        name: (pl.col(name) if name in has else pl.lit(None, pl.String))
        for name in ("ncm", "co_pais", "sg_uf", "co_via", "co_urf", "co_unid", "qt_estat", "mes")
    }
    return frame.with_columns(
        ano_num=pl.col("ano").str.extract(r"^(\d{4})$", 1).cast(pl.Int32, strict=False),
        mes_num=_month(optional["mes"]),
        ncm=optional["ncm"],
        mes=optional["mes"],
        co_pais=optional["co_pais"],
        sg_uf=optional["sg_uf"].str.to_uppercase(),
        co_via=_digits(optional["co_via"], 2),
        co_urf=_digits(optional["co_urf"], 7),
        co_unid=_digits(optional["co_unid"], 2),
        has_mes=pl.lit("mes" in match.columns),
    )


def _reasons(match: LayoutMatch, max_year: int) -> pl.Expr:
    """One text per row listing every rule it breaks (null when it breaks none)."""
    label = match.layout.label
    country_rules = (
        [
            (pl.col("co_pais").is_null(), "CO_PAIS is empty"),
            (pl.col("co_pais").is_not_null() & pl.col("pais").is_null(), "unknown CO_PAIS code"),
            (pl.col("ncm").is_null(), "CO_NCM is empty"),
        ]
        if match.name == COMEXSTAT
        else [(pl.col("pais").is_null(), f"{label('pais')} is empty")]
    )
    rules: list[tuple[pl.Expr, str]] = [
        (pl.col("ano_num").is_null(), f"{label('ano')} is not a year"),
        (
            pl.col("ano_num").is_not_null() & ~pl.col("ano_num").is_between(FIRST_YEAR, max_year),
            f"{label('ano')} outside {FIRST_YEAR}..{max_year}",
        ),
        (
            pl.col("has_mes") & (pl.col("mes").is_null() | ~pl.col("mes_num").is_between(1, 12)),
            f"{label('mes')} is not a month 1-12",
        ),
        *country_rules,
        *(
            rule
            for money in MONEY_FIELDS
            if money in match.columns
            for rule in _amount_rules(money, label(money))
        ),
        (
            pl.col("peso").is_null() | pl.col("peso_num").is_null(),
            f"{label('peso')} is not a number",
        ),
        (pl.col("peso_num") < 0, f"{label('peso')} is negative"),
        (pl.col("peso_num") >= _MAX_VALUE, f"{label('peso')} is too large"),
        (
            pl.col("ncm").is_not_null() & ~pl.col("ncm").str.contains(r"^\d{8}$"),
            f"{label('ncm')} is not an 8-digit NCM",
        ),
        (pl.col("qt_num") < 0, "QT_ESTAT is negative"),
    ]
    if "setor" in match.columns:
        rules.append((pl.col("setor").str.len_chars() > 100, "setor is longer than 100 characters"))
    rules.append((pl.col("pais").str.len_chars() > 100, "pais is longer than 100 characters"))
    return pl.concat_str(
        [pl.when(cond).then(pl.lit(text)) for cond, text in rules],
        separator="; ",
        ignore_nulls=True,
    )


def _amount_rules(name: str, label: str) -> list[tuple[pl.Expr, str]]:
    """A value in US$ (FOB, freight, insurance): a number, not negative, within bounds."""
    parsed = pl.col(NUMERIC_FIELDS[name])
    return [
        (pl.col(name).is_null() | parsed.is_null(), f"{label} is not a number"),
        (parsed < 0, f"{label} is negative"),
        (parsed >= _MAX_VALUE, f"{label} is too large"),
    ]


def number_formats(source: str, match: LayoutMatch) -> NumberFormats:
    """The per-column number formats of one file, decided by its first batch."""
    return NumberFormats(source, {f: c for f, c in match.columns.items() if f in NUMERIC_FIELDS})


def transform(
    batch: pl.DataFrame,
    match: LayoutMatch,
    ref: Reference,
    today: dt.date | None = None,
    formats: NumberFormats | None = None,
) -> Transformed:
    """Validate and convert one raw batch (of a file whose number formats are ``formats``;
    a lone batch decides its own)."""
    max_year = last_year(today)
    formats = formats or number_formats("batch", match)
    frame = _with_names(_source_fields(batch, match), match, ref)
    frame = _typed(_with_numbers(frame, formats), match)
    frame = frame.with_columns(reason=_reasons(match, max_year))
    frame = frame.with_columns(
        pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason")
    )
    imports = (
        [pl.col("frete_num").round(2).alias("valor_frete"),
         pl.col("seguro_num").round(2).alias("valor_seguro")]
        if match.flow == IMPORTS
        else []
    )  # fmt: skip
    good = frame.filter(pl.col("reason").is_null()).select(
        pl.col("ano_num").alias("ano"),
        pl.col("mes_num").alias("mes"),
        "pais",
        "setor",
        "ncm",
        pl.col("valor_num").round(2).alias("valor_usd"),
        pl.col("peso_num").alias("peso_kg"),
        "co_pais",
        "sg_uf",
        "co_via",
        "co_urf",
        "co_unid",
        pl.col("qt_num").alias("qt_estat"),
        *imports,
    )
    reasons = frame.filter(pl.col("reason").is_not_null()).select(
        pl.col("line").cast(pl.Int64), "reason"
    )
    bad = reasons.join(_raw_values(batch, match, reasons), on="line", how="left")
    return Transformed(good, bad.select("line", "reason", "raw"))

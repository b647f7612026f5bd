"""Numbers decided per column and per file, never value by value.

``577.307`` is 577 thousand in a file written the Brazilian way and 577.307 in one
whose decimal mark is a point: one value cannot tell. So each numeric column's
decimal mark and thousands separator are decided from the values of its first block
(about 100,000 rows), and every later value must agree with that decision; a column
that contradicts itself refuses the file, naming the column and the line.

How a column decides: values with two separators (``1.250,50``), with several of the
same (``1.250.000``), or with a decimal part that is not three digits (``0,5``, ``12.25``)
say which mark is which. A column whose values are all ambiguous (``1.250``) follows
the other columns of the file; when none of them decides either, a lone separator is
the decimal mark. Values with no separator need no decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from bgc_pipeline.ingest.errors import IngestError

_NOISE = r"[\s\u00a0]|US\$|R\$"
_SIGN = r"^-?"

# Shapes of a value, each with what it says about the column (decimal, thousands).
# Tried in order; a value matching none is not a number (the row is rejected).
_SHAPES: tuple[tuple[str, str], ...] = (
    ("int", _SIGN + r"\d+$"),
    (".,", _SIGN + r"\d{1,3}(,\d{3})+\.\d*$"),  # 1,250,000.50
    (",.", _SIGN + r"\d{1,3}(\.\d{3})+,\d*$"),  # 1.250.000,50
    ("_.", _SIGN + r"\d{1,3}(\.\d{3}){2,}$"),  # 1.250.000
    ("_,", _SIGN + r"\d{1,3}(,\d{3}){2,}$"),  # 1,250,000
    ("?.", _SIGN + r"[1-9]\d{0,2}\.\d{3}$"),  # 1.250: thousands or decimals
    ("?,", _SIGN + r"[1-9]\d{0,2},\d{3}$"),  # 1,250
    (".", _SIGN + r"\d*\.\d*$"),  # 0.5, 12.25, 1234.567, .5
    (",", _SIGN + r"\d*,\d*$"),  # 0,5, 12,25
)
_DECIMAL = {".,": ".", ",.": ",", ".": ".", ",": ","}
_THOUSANDS = {".,": ",", ",.": ".", "_.": ".", "_,": ","}
_AMBIGUOUS = {"?.": ".", "?,": ","}


@dataclass(frozen=True)
class NumberFormat:
    decimal: str
    thousands: str | None

    def describe(self) -> str:
        mark = "point" if self.decimal == "." else "comma"
        groups = {None: "no", ".": "point", ",": "comma"}[self.thousands]
        return f"decimal {mark}, {groups} thousands separator"

    def accepts(self, shape: str) -> bool:
        """Whether a value of this shape reads the same under this format."""
        if shape in ("int", "bad"):
            return True
        if shape in _AMBIGUOUS:
            return _AMBIGUOUS[shape] in (self.decimal, self.thousands)
        decimal, thousands = _DECIMAL.get(shape), _THOUSANDS.get(shape)
        return decimal in (None, self.decimal) and thousands in (None, self.thousands)

    def conforming(self) -> str:
        """A pattern every value written in this format matches (one scan per block)."""
        d = re.escape(self.decimal)
        plain = rf"\d+({d}\d*)?|{d}\d+"
        if self.thousands is None:
            return rf"^-?({plain})$"
        t = re.escape(self.thousands)
        return rf"^-?({plain}|\d{{1,3}}({t}\d{{3}})+({d}\d*)?)$"

    def parse(self, text: pl.Expr) -> pl.Expr:
        """Text already cleaned of spaces and currency -> Decimal(18,3) (null if not a number)."""
        if self.thousands:
            text = text.str.replace_all(self.thousands, "", literal=True)
        if self.decimal == ",":
            text = text.str.replace(",", ".", literal=True)
        valid = text.str.contains(r"^-?(\d+\.?\d*|\.\d+)$")
        return pl.when(valid).then(text).otherwise(None).cast(pl.Decimal(18, 3), strict=False)


INTEGERS = NumberFormat(".", None)
"""What a column with no separator at all is read as."""


def clean(text: pl.Expr) -> pl.Expr:
    """Spaces inside the number and currency signs removed (only where there are any)."""
    noisy = text.str.contains(r"[\s\u00a0$]")
    return pl.when(noisy).then(text.str.replace_all(_NOISE, "")).otherwise(text)


def shape_of(text: pl.Expr) -> pl.Expr:
    """The shape code of each cleaned value (``bad`` when it is no number)."""
    shape: pl.Expr = pl.lit("bad")
    for code, pattern in reversed(_SHAPES):
        shape = pl.when(text.str.contains(pattern)).then(pl.lit(code)).otherwise(shape)
    return shape


@dataclass(frozen=True)
class Evidence:
    """The shapes a column showed, each with the first line it appeared on."""

    first_line: Mapping[str, int]

    def ambiguous_only(self) -> bool:
        return not any(shape in _DECIMAL or shape in _THOUSANDS for shape in self.first_line)

    def claims(self, table: Mapping[str, str]) -> dict[str, int]:
        """Separator -> first line claiming it, for the shapes of ``table``."""
        found: dict[str, int] = {}
        for shape, line in sorted(self.first_line.items(), key=lambda item: item[1]):
            if shape in table:
                found.setdefault(table[shape], line)
        return found


@dataclass
class NumberFormats:
    """The number format of each numeric column of one file, decided once, then enforced.

    ``labels`` maps field names (``valor``) to the file's column names for messages.
    """

    source: str
    labels: Mapping[str, str]
    decided: dict[str, NumberFormat] = field(default_factory=dict)
    decided_at: dict[str, int] = field(default_factory=dict)

    def parse(self, frame: pl.DataFrame, *columns: str) -> dict[str, pl.Series]:
        """The parsed values of ``columns`` of one block (with a ``line`` column). A column's
        format is decided on the first block where it shows a separator (columns with clear
        evidence first, so ambiguous ones can follow them), then enforced."""
        cleaned = frame.select("line", *(clean(pl.col(c)).alias(c) for c in columns))
        undecided = [c for c in columns if c not in self.decided]
        shapes = {column: _separated(cleaned, column) for column in undecided}
        evidence = {column: _evidence(shapes[column]) for column in undecided}
        for column in sorted(undecided, key=lambda c: evidence[c].ambiguous_only()):
            self._decide(column, evidence[column])
        for column in columns:
            if column in self.decided:
                self._enforce(column, _odd(cleaned, column, self.decided[column]))
        return {
            column: cleaned.select(self.decided.get(column, INTEGERS).parse(pl.col(column)))
            .to_series()
            .alias(column)
            for column in columns
        }

    def _decide(self, column: str, evidence: Evidence) -> None:
        decimals = evidence.claims(_DECIMAL)
        thousands = evidence.claims(_THOUSANDS)
        ambiguous = evidence.claims(_AMBIGUOUS)
        if not (decimals or thousands or ambiguous):
            return  # only values that are no number: nothing to decide yet
        if len(decimals) > 1:
            self._refuse_mixed(column, "decimal mark", decimals)
        if len(thousands) > 1:
            self._refuse_mixed(column, "thousands separator", thousands)
        decimal = next(iter(decimals), None)
        group = next(iter(thousands), None)
        if decimal is not None and decimal == group:
            line = max(decimals[decimal], thousands[group])
            self._refuse(column, line, f"column uses {decimal!r} both as decimal mark and "
                         "as thousands separator")  # fmt: skip
        if decimal is None:
            decimal = (
                _other_mark(group) if group else self._decimal_for_ambiguous(column, ambiguous)
            )
        if group is None:
            group = next((s for s in ambiguous if s != decimal), None)
        lines = [*decimals.values(), *thousands.values(), *ambiguous.values()]
        self.decided[column] = NumberFormat(decimal, group)
        self.decided_at[column] = min(lines)

    def _decimal_for_ambiguous(self, column: str, ambiguous: Mapping[str, int]) -> str:
        """A column of ``1.250``-like values only: the file's other columns decide, else a
        lone separator is the decimal mark."""
        others = {fmt.decimal for fmt in self.decided.values()}
        if len(others) == 1:
            return next(iter(others))
        if len(ambiguous) > 1:
            self._refuse_mixed(column, "separator of 1.250-like values", ambiguous)
        return next(iter(ambiguous))

    def _enforce(self, column: str, rows: pl.DataFrame) -> None:
        fmt = self.decided[column]
        for shape in rows.get_column("shape").unique().to_list():
            if fmt.accepts(shape):
                continue
            first = rows.filter(pl.col("shape") == shape).sort("line").row(0, named=True)
            self._refuse(
                column, int(first["line"]),
                f"{first['value']!r} is written differently from the rest of the column "
                f"({fmt.describe()}, decided from line {self.decided_at[column]})",
            )  # fmt: skip

    def _refuse_mixed(self, column: str, what: str, claims: Mapping[str, int]) -> None:
        (first, first_line), (second, line) = sorted(claims.items(), key=lambda c: c[1])[:2]
        self._refuse(
            column, line, f"here uses {second!r} as {what}, line {first_line} uses {first!r}"
        )

    def _refuse(self, column: str, line: int, problem: str) -> None:
        label = self.labels.get(column, column)
        raise IngestError(self.source, f"column {label}, line {line}: number format: {problem}")


def _odd(cleaned: pl.DataFrame, column: str, fmt: NumberFormat) -> pl.DataFrame:
    """The values of ``column`` not written in ``fmt``, with their line and shape."""
    text = pl.col(column)
    odd = text.is_not_null() & ~text.str.contains(fmt.conforming())
    return cleaned.filter(odd).select("line", value=text, shape=shape_of(text))


def _separated(cleaned: pl.DataFrame, column: str) -> pl.DataFrame:
    """The values of ``column`` that hold a separator, with their line and shape."""
    text = pl.col(column)
    return cleaned.filter(text.str.contains(r"[.,]")).select(
        "line", value=text, shape=shape_of(text)
    )


def _evidence(rows: pl.DataFrame) -> Evidence:
    first = rows.group_by("shape").agg(pl.col("line").min())
    return Evidence(dict(zip(first.get_column("shape"), first.get_column("line"), strict=True)))


def _other_mark(separator: str) -> str:
    return "," if separator == "." else "."

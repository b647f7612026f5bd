"""Number formats are decided per column and per file: the same text reads differently in a
file written with a decimal point and in one written the Brazilian way, and a column that
contradicts itself is refused with its name and line."""

from decimal import Decimal

import polars as pl
import pytest

from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.numbers import NumberFormats


def read(*columns: list[str], source: str = "f.csv") -> list[list[Decimal | None]]:
    """Parse equally long columns (named c0, c1, ...) as one file's first block."""
    frame = pl.DataFrame(
        {"line": list(range(2, 2 + len(columns[0]))), **{f"c{i}": c for i, c in enumerate(columns)}}
    )
    formats = NumberFormats(source, {f"c{i}": f"COL{i}" for i in range(len(columns))})
    parsed = formats.parse(frame, *(f"c{i}" for i in range(len(columns))))
    return [parsed[f"c{i}"].to_list() for i in range(len(columns))]


def d(*values: str | None) -> list[Decimal | None]:
    return [None if v is None else Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # decimal point: 577.307 is a decimal, as the column's other values show
        (["577.307", "0.5", "12"], d("577.307", "0.5", "12")),
        (["1,250,000.50", "577,307", "3"], d("1250000.50", "577307", "3")),
        (["1,250,000", "0.5"], d("1250000", "0.5")),
        # decimal comma (Brazilian): 577.307 is 577 thousand
        (["577.307", "0,5", "12"], d("577307", "0.5", "12")),
        (["1.250.000,50", "577,307", "1"], d("1250000.50", "577.307", "1")),
        (["1.250.000", "577.307"], d("1250000", "577307")),
        (["1.250,50", "0,5"], d("1250.50", "0.5")),
        # integers only, and what is no number at all (the row is then rejected)
        (["12", "-5", "abc", None, "1,2,3,4"], d("12", "-5", None, None, None)),
        (["US$ 10,00", "R$ 1.000,00"], d("10.00", "1000.00")),
    ],
)
def test_a_column_decides_its_format_from_all_its_values(
    values: list[str | None], expected: list[Decimal | None]
) -> None:
    assert read(values) == [expected]


def test_an_ambiguous_column_follows_the_other_columns_of_the_file() -> None:
    assert read(["1.250", "2.500"], ["0,5", "1"]) == [d("1250", "2500"), d("0.5", "1")]
    assert read(["1.250", "2.500"], ["0.5", "1"]) == [d("1.250", "2.500"), d("0.5", "1")]


def test_an_ambiguous_file_reads_a_lone_separator_as_the_decimal_mark() -> None:
    assert read(["1.250"], ["0"]) == [d("1.250"), d("0")]
    assert read(["1,250"]) == [d("1.250")]


@pytest.mark.parametrize(
    ("values", "line", "problem"),
    [
        (["0.5", "0,5"], 3, "here uses ',' as decimal mark, line 2 uses '.'"),
        (["1.250.000", "1,250,000"], 3, "here uses ',' as thousands separator, line 2 uses '.'"),
        (["1.250.000", "0.5"], 3, "column uses '.' both as decimal mark and as thousands"),
        (["1.250", "2,500"], 3, "here uses ',' as separator of 1.250-like values"),
    ],
)
def test_a_column_that_contradicts_itself_is_refused_naming_column_and_line(
    values: list[str], line: int, problem: str
) -> None:
    with pytest.raises(IngestError, match=rf"^f\.csv: column COL0, line {line}: number format: "):
        read(values)
    with pytest.raises(IngestError) as error:
        read(values)
    assert problem in str(error.value)


def test_a_later_block_must_agree_with_the_decision_of_the_first() -> None:
    formats = NumberFormats("EXP.csv", {"v": "VL_FOB"})
    first = pl.DataFrame({"line": [2, 3], "v": ["0.5", "577.307"]})
    assert formats.parse(first, "v")["v"].to_list() == d("0.5", "577.307")
    later = pl.DataFrame({"line": [50_001, 50_002], "v": ["7", "1.250,50"]})
    with pytest.raises(IngestError) as error:
        formats.parse(later, "v")
    assert str(error.value) == (
        "EXP.csv: column VL_FOB, line 50002: number format: '1.250,50' is written differently "
        "from the rest of the column (decimal point, no thousands separator, decided from line 2)"
    )


def test_a_column_of_integers_decides_on_its_first_separator() -> None:
    formats = NumberFormats("f.csv", {"v": "peso"})
    assert formats.parse(pl.DataFrame({"line": [2], "v": ["5"]}), "v")["v"].to_list() == d("5")
    later = pl.DataFrame({"line": [9, 10], "v": ["1.250.000", "577.307"]})
    assert formats.parse(later, "v")["v"].to_list() == d("1250000", "577307")

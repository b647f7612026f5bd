"""Reject line numbers are physical lines of the file, whatever the quoting and the block
boundaries; blank lines are skipped and counted, never rejected."""

from pathlib import Path

from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.readers import BLOCK_BYTES
from tests.support.db import query

HEADER = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n"
GOOD = "2024,1,China,Agropecuária,09011110,10.00,1\n"
BAD_MONTH = "2024,13,China,Agropecuária,09011110,10.00,1\n"


def rejected_lines(url: str, source: str) -> list[int]:
    rows = query(
        url, "SELECT line FROM cfg.ingest_rejects WHERE source_name = %s ORDER BY line", (source,)
    )
    return [int(str(line)) for (line,) in rows]


def test_a_quoted_line_break_does_not_shift_later_line_numbers(
    database_url: str, tmp_path: Path
) -> None:
    text = (
        HEADER                                                          # line 1
        + GOOD                                                          # line 2
        + '2024,1,China,"Agro\npecuária",09011110,10.00,1\n'           # lines 3-4
        + BAD_MONTH                                                     # line 5
        + '2024,1,"Coreia,\ndo\nSul",Agro,09011110,10.00,1\n'          # lines 6-8
        + BAD_MONTH                                                     # line 9
    )  # fmt: skip
    path = tmp_path / "quoted.csv"
    path.write_text(text, encoding="utf-8")
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_rejected) == (3, 2)
    assert rejected_lines(database_url, "quoted.csv") == [5, 9]


def test_blank_lines_are_skipped_and_counted(database_url: str, tmp_path: Path) -> None:
    text = HEADER + GOOD + "\n" + BAD_MONTH + "   \n\n" + GOOD + "\n"
    path = tmp_path / "blanks.csv"
    path.write_text(text, encoding="utf-8")
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_rejected, result.blank_lines) == (2, 1, 4)
    assert rejected_lines(database_url, "blanks.csv") == [4]
    assert result.summary().startswith(
        "blanks.csv: loaded 2 row(s), rejected 1, skipped 4 blank line(s) (project layout)"
    )


def test_line_numbers_hold_across_block_boundaries(database_url: str, tmp_path: Path) -> None:
    lines = [HEADER, GOOD, '2024,1,China,"multi\nline",09011110,10.00,1\n']
    physical = 1 + 1 + 2  # the header, a good line, a record of two lines
    bad: list[int] = []
    size = sum(len(line.encode()) for line in lines)
    while size < 2 * BLOCK_BYTES + 100_000:
        line = BAD_MONTH if len(lines) % 50_000 == 0 else GOOD
        lines.append(line)
        physical += 1
        size += len(line.encode())
        if line is BAD_MONTH:
            bad.append(physical)
    path = tmp_path / "large.csv"
    path.write_text("".join(lines), encoding="utf-8")
    result = load_file(database_url, path)
    assert result.rows_rejected == len(bad) >= 3
    assert rejected_lines(database_url, "large.csv") == bad

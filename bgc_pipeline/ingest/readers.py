"""Read a CSV or XLSX file into batches of string columns, whatever its dialect.

Files are recognised by content, not by extension: a CSV saved as ``.xls`` is read
as CSV, a real spreadsheet as a spreadsheet. Every column is read as text so codes
keep their leading zeros; the transform step parses numbers.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from bgc_pipeline.ingest.errors import IngestError
from bgc_pipeline.ingest.layouts import LayoutError, LayoutMatch, detect

BLOCK_BYTES = 8 << 20
"""CSV bytes parsed at a time (about 130,000 records of the bulk layout)."""
LINE = "_line"
"""Column added to every batch: the record's line number (header = line 1)."""

_SAMPLE_BYTES = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    separator: str
    rewrite: bool
    """True when the bytes must be fixed in memory first (legacy encoding, CR CR LF, bare CR)."""


@dataclass
class ReadProgress:
    """How much of the source the batches produced so far cover (0.0 to 1.0), and how many
    blank lines (or rows) were skipped on the way."""

    total: int
    done: int = 0
    blank_lines: int = 0

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 1.0


@dataclass
class SourceFile:
    """An opened source: its layout and an iterator of raw batches (all ``pl.String``)."""

    match: LayoutMatch
    batches: Iterator[pl.DataFrame]
    read: ReadProgress
    sheet: str | None = None
    """The spreadsheet's sheet that was read (``None`` for CSV)."""
    content_sha256: str | None = None
    """A sheet's own content hash (its cells as CSV): a workbook holds several sources."""


def is_spreadsheet(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(4)
    return head in (_ZIP, _OLE)


def sniff_csv(sample: bytes) -> CsvDialect:
    """Encoding (UTF-8, with or without BOM, else CP1252/Latin-1), separator and line ends."""
    encoding = "utf-8"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        if exc.start < len(sample) - 3:
            encoding = _legacy_encoding(sample)
    header = _header_record(sample).decode(encoding, errors="replace")
    counts = {sep: _count_outside_quotes(header, sep) for sep in (";", ",", "\t")}
    separator = max(counts, key=lambda sep: counts[sep])
    bare_cr = b"\r" in sample.replace(b"\r\n", b"")
    return CsvDialect(encoding, separator, encoding != "utf-8" or bare_cr)


def _legacy_encoding(sample: bytes) -> str:
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _count_outside_quotes(line: str, sep: str) -> int:
    return sum(
        1 for i, part in enumerate(line.split('"')) if i % 2 == 0 for _ in range(part.count(sep))
    )


def _normalised_bytes(path: Path, dialect: CsvDialect) -> bytes:
    """The file as UTF-8 with LF line ends: CR CR LF and bare CR become LF."""
    text = path.read_bytes().decode(dialect.encoding).lstrip("\ufeff")
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.encode("utf-8")


def _header_record(head: bytes) -> bytes:
    """The header record from the first bytes of a file (BOM and line end removed)."""
    head = head.removeprefix(_UTF8_BOM)
    end = _header_end(head)
    record = head[:end] if end is not None else head
    return record.split(b"\r", 1)[0].rstrip(b"\n")


def open_csv(path: Path, source: str) -> SourceFile:
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if not sample.removeprefix(_UTF8_BOM).strip():
        raise IngestError(source, "file is empty")
    dialect = sniff_csv(sample)
    data = _normalised_bytes(path, dialect) if dialect.rewrite else None
    head = data[:_SAMPLE_BYTES] if data is not None else sample
    record = _header_record(head).decode("utf-8", errors="replace")
    headers = next(csv.reader([record], delimiter=dialect.separator), [])
    try:
        match = detect(headers)
    except LayoutError as exc:
        raise IngestError(source, str(exc)) from None
    read = ReadProgress(total=len(data) if data is not None else path.stat().st_size)
    return SourceFile(match, _csv_batches(path, data, dialect, source, read), read=read)


def _record_end(data: bytes, start: int = 0) -> int | None:
    """Offset just after the last newline of ``data`` that is outside quotes (``data`` and
    every quoted field start outside quotes; ``""`` escapes keep the parity)."""
    newline = len(data)
    while True:
        newline = data.rfind(b"\n", start, newline)
        if newline < 0:
            return None
        if data.count(b'"', 0, newline) % 2 == 0:
            return newline + 1


def _header_end(data: bytes) -> int | None:
    """Offset just after the header record (the first newline outside quotes)."""
    quoted = False
    for i, byte in enumerate(data):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            return i + 1
    return None


def record_blocks(
    stream: BinaryIO, block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[bytes, bytes]]:
    """(header, block of whole records) pairs read from ``stream``, ``block_bytes`` at a time.

    Parsing block by block keeps memory bounded whatever the file size (polars would
    otherwise map the whole file and buffer batches ahead of a slower consumer).
    """
    data = stream.read(block_bytes)
    end = _header_end(data)
    if end is None:
        return
    header, carry = data[:end], data[end:]
    while True:
        chunk = stream.read(block_bytes)
        if not chunk:
            if carry.strip():
                yield header, carry
            return
        data = carry + chunk
        cut = _record_end(data)
        if cut is None:
            carry = data
            continue
        yield header, data[:cut]
        carry = data[cut:]


def _parse_block(header: bytes, block: bytes, dialect: CsvDialect) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(header + block),
        separator=dialect.separator,
        infer_schema=False,
        quote_char='"',
        truncate_ragged_lines=False,
    )


def record_lines(block: bytes, first_line: int) -> tuple[pl.Series, pl.Series]:
    """The physical line where each record of ``block`` starts, and whether it is blank.

    A line starts a record when the quotes before it are balanced: a quoted field may
    hold line breaks, so records and lines differ. ``block`` holds whole records.
    """
    lines = pl.Series([block.decode("utf-8", errors="replace")]).str.split("\n").explode()
    if block.endswith(b"\n"):
        lines = lines.head(lines.len() - 1)
    quotes = lines.str.count_matches('"', literal=True)
    balanced_before = ((quotes.cum_sum() - quotes) % 2) == 0
    numbers = pl.int_range(first_line, first_line + lines.len(), eager=True)
    starts = numbers.filter(balanced_before)
    blank = lines.filter(balanced_before).str.strip_chars(" \t\r\u00a0").str.len_chars() == 0
    return starts, blank


def _numbered(batch: pl.DataFrame, block: bytes, first_line: int) -> tuple[pl.DataFrame, int]:
    """The batch with each record's physical line, blank records dropped (and counted)."""
    starts, blank = record_lines(block, first_line)
    if starts.len() != batch.height:  # quoting the line scan cannot follow: count records
        return batch.with_row_index(LINE, offset=first_line), 0
    numbered = batch.with_columns(starts.alias(LINE).cast(pl.UInt32))
    return numbered.filter(~blank), int(blank.sum())


def _csv_batches(
    path: Path, data: bytes | None, dialect: CsvDialect, source: str, read: ReadProgress
) -> Iterator[pl.DataFrame]:
    produced = 0
    line = 0
    with io.BytesIO(data) if data is not None else path.open("rb") as stream:
        try:
            for header, block in record_blocks(stream):
                if line == 0:
                    line = 1 + header.count(b"\n")
                batch, blank = _numbered(_parse_block(header, block, dialect), block, line)
                line += block.count(b"\n")
                produced += batch.height
                read.blank_lines += blank
                read.done += len(block) + (len(header) if read.done == 0 else 0)
                if batch.height:
                    yield batch
        except pl.exceptions.PolarsError as exc:
            message = str(exc).strip().splitlines()[0]
            where = _first_ragged_line(path, data, dialect)
            at = f" at line {where}" if where else ""
            raise IngestError(source, f"cannot parse CSV{at}: {message}") from None
    if produced == 0:
        raise IngestError(source, "file has a header but no data rows")


def _first_ragged_line(path: Path, data: bytes | None, dialect: CsvDialect) -> int | None:
    """Line of the first record with more fields than the header (slow path, errors only)."""
    raw = data if data is not None else path.read_bytes()
    text = raw.decode(dialect.encoding, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.separator)
    width = len(next(reader, []))
    for record in reader:
        if len(record) > width:
            return reader.line_num
    return None


def workbook_sheets(path: Path, source: str) -> list[str]:
    """The names of a workbook's sheets, in workbook order."""
    import fastexcel

    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        raise IngestError(source, f"not a readable spreadsheet: {exc}") from None


def read_sheet(path: Path, source: str, name: str) -> pl.DataFrame:
    """Every cell of a sheet as text, with its row number in :data:`LINE` (header = row 1).

    Read without a header row so that blank rows keep their place: the numbers are
    the rows a user sees in the spreadsheet.
    """
    import fastexcel

    try:
        raw = fastexcel.read_excel(path).load_sheet(name, header_row=None, dtypes="string")
        frame = raw.to_polars()
    except Exception as exc:
        raise IngestError(source, f"cannot read sheet {name!r}: {exc}") from None
    if frame.height == 0:
        return pl.DataFrame({LINE: []}, schema={LINE: pl.UInt32})
    names = _unique_names(frame.row(0))
    body = frame.slice(1).rename(dict(zip(frame.columns, names, strict=True)))
    return body.with_row_index(LINE, offset=2)


def _unique_names(cells: tuple[object, ...]) -> list[str]:
    """Header cells as column names: empty ones named by position, repeats numbered."""
    names: list[str] = []
    for position, cell in enumerate(cells):
        name = str(cell) if cell not in (None, "") else f"__UNNAMED__{position}"
        base, repeat = name, 0
        while name in names:
            name, repeat = f"{base}_duplicated_{repeat}", repeat + 1
        names.append(name)
    return names


def _sheet_layout(frame: pl.DataFrame) -> LayoutMatch:
    return detect([c for c in frame.columns if c != LINE])


def loadable_sheets(path: Path, source: str) -> list[str]:
    """The sheets whose header matches a layout; a workbook with none is refused,
    naming the sheets it has and why each does not fit."""
    names = workbook_sheets(path, source)
    found, problems = [], []
    for name in names:
        try:
            _sheet_layout(read_sheet(path, source, name))
        except LayoutError as exc:
            problems.append(f"sheet {name!r}: {exc}")
            continue
        found.append(name)
    if not found:
        seen = ", ".join(repr(n) for n in names) or "none"
        raise IngestError(
            source, f"no sheet matches a layout (sheets: {seen}); {'; '.join(problems)}"
        )
    return found


def open_sheet(path: Path, source: str, sheet: str) -> SourceFile:
    """One sheet as a source: its layout, its non-blank rows, and its own content hash."""
    names = workbook_sheets(path, source)
    if sheet not in names:
        raise IngestError(source, f"sheet {sheet!r} not found; sheets: {', '.join(names)}")
    frame = read_sheet(path, source, sheet)
    try:
        match = _sheet_layout(frame)
    except LayoutError as exc:
        raise IngestError(source, f"sheet {sheet!r}: {exc}") from None
    cells = frame.drop(LINE)
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells.columns
    )
    kept = frame.filter(~blank)
    if kept.height == 0:
        raise IngestError(source, f"sheet {sheet!r} has a header but no data rows")
    digest = hashlib.sha256(cells.write_csv().encode("utf-8")).hexdigest()
    read = ReadProgress(total=0, blank_lines=frame.height - kept.height)
    return SourceFile(match, iter([kept]), read=read, sheet=sheet, content_sha256=digest)

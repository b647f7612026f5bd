"""Read a CSV or XLSX file into batches of string columns, whatever its dialect.

Files are recognised by content, not by extension: a CSV saved as ``.xls`` is read
as CSV, a real spreadsheet as a spreadsheet. Every column is read as text so codes
keep their leading zeros; the transform step parses numbers.
"""

from __future__ import annotations

import csv
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
    """How much of the source the batches produced so far cover (0.0 to 1.0)."""

    total: int
    done: int = 0

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


def _parse_block(header: bytes, block: bytes, dialect: CsvDialect, first_line: int) -> pl.DataFrame:
    frame = pl.read_csv(
        io.BytesIO(header + block),
        separator=dialect.separator,
        infer_schema=False,
        quote_char='"',
        truncate_ragged_lines=False,
    )
    return frame.with_row_index(LINE, offset=first_line)


def _csv_batches(
    path: Path, data: bytes | None, dialect: CsvDialect, source: str, read: ReadProgress
) -> Iterator[pl.DataFrame]:
    produced = 0
    with io.BytesIO(data) if data is not None else path.open("rb") as stream:
        try:
            for header, block in record_blocks(stream):
                batch = _parse_block(header, block, dialect, first_line=2 + produced)
                produced += batch.height
                read.done += len(block) + (len(header) if read.done == 0 else 0)
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


def open_spreadsheet(path: Path, source: str, sheet: str | None) -> SourceFile:
    import fastexcel

    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        raise IngestError(source, f"not a readable spreadsheet: {exc}") from None
    names = list(workbook.sheet_names)
    if sheet is not None and sheet not in names:
        raise IngestError(source, f"sheet {sheet!r} not found; sheets: {', '.join(names)}")
    problems = []
    for name in [sheet] if sheet else names:
        frame = _read_sheet(path, source, name)
        try:
            match = detect([str(c) for c in frame.columns])
        except LayoutError as exc:
            problems.append(f"sheet {name!r}: {exc}")
            continue
        if frame.height == 0:
            raise IngestError(source, f"sheet {name!r} has a header but no data rows")
        frame = frame.with_row_index(LINE, offset=2)
        return SourceFile(match, iter([frame]), read=ReadProgress(total=0), sheet=name)
    raise IngestError(source, "; ".join(problems) or "workbook has no sheets")


def _read_sheet(path: Path, source: str, name: str) -> pl.DataFrame:
    try:
        frame = pl.read_excel(path, sheet_name=name, infer_schema_length=0)
    except Exception as exc:
        raise IngestError(source, f"cannot read sheet {name!r}: {exc}") from None
    return frame.select(pl.all().cast(pl.String))


def open_source(path: Path, source: str, sheet: str | None = None) -> SourceFile:
    """Open ``path`` as a spreadsheet or CSV by its content."""
    if not path.is_file():
        raise IngestError(source, "file not found")
    if source.upper().startswith("IMP_"):
        raise IngestError(
            source, "an import file (IMP_*); only exports are loaded into stg.exportacao"
        )
    if is_spreadsheet(path):
        return open_spreadsheet(path, source, sheet)
    if sheet is not None:
        raise IngestError(source, "--sheet given, but the file is CSV text, not a spreadsheet")
    return open_csv(path, source)

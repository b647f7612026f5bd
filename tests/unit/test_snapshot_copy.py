"""The binary COPY format the snapshots' bytes travel in, both ways."""

import struct

from bgc_core.snapshots import COPY_SIGNATURE, binary_copy, from_binary_copy


def test_a_file_round_trips_through_the_binary_copy_format() -> None:
    content = bytes(range(256)) * 1000
    assert from_binary_copy(binary_copy(content)) == content


def test_the_format_is_postgresqls_one_row_one_column() -> None:
    data = binary_copy(b"abc")
    assert data == COPY_SIGNATURE + struct.pack("!iihi", 0, 0, 1, 3) + b"abc" + b"\xff\xff"


def test_a_copy_without_rows_has_no_content() -> None:
    assert from_binary_copy(COPY_SIGNATURE + struct.pack("!iih", 0, 0, -1)) is None


def test_a_header_extension_is_skipped() -> None:
    data = COPY_SIGNATURE + struct.pack("!ii", 0, 3) + b"xyz" + struct.pack("!hi", 1, 2) + b"ok"
    assert from_binary_copy(data + b"\xff\xff") == b"ok"

"""`bgc generate-sample`: the asked number of rows, in the asked layout, the same for a seed."""

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

BGC = str(Path(sys.executable).parent / "bgc")


def generate(out: Path, rows: int, layout: str, seed: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BGC, "generate-sample", "--rows", str(rows), "--layout", layout,
         "--seed", str(seed), "--out", str(out)],
        capture_output=True, text=True, env=os.environ, timeout=120,
    )  # fmt: skip


def read(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def test_project_layout_with_the_asked_rows(tmp_path: Path) -> None:
    result = generate(tmp_path / "p.csv", 500, "project", 7)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == f"wrote 500 row(s) in the project layout to {tmp_path / 'p.csv'}"
    )
    rows = read(tmp_path / "p.csv", ",")
    assert rows[0] == ["ano", "mes", "pais", "setor", "ncm", "valor_usd", "peso_kg"]
    assert len(rows) == 501
    assert all(len(r[4]) == 8 and r[4].isdigit() for r in rows[1:])


def test_official_layout_is_quoted_semicolon_text_with_crlf(tmp_path: Path) -> None:
    assert generate(tmp_path / "EXP_2024.csv", 300, "comexstat", 7).returncode == 0
    raw = (tmp_path / "EXP_2024.csv").read_bytes()
    assert raw.startswith(b'"CO_ANO";"CO_MES";"CO_NCM";"CO_UNID";"CO_PAIS";"SG_UF_NCM";')
    assert raw.count(b"\r\n") == 301
    rows = read(tmp_path / "EXP_2024.csv", ";")
    assert all(len(r[4]) == 3 and len(r[1]) == 2 for r in rows[1:])  # CO_PAIS, CO_MES padded


def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path: Path) -> None:
    for name, seed in (("a.csv", 3), ("b.csv", 3), ("c.csv", 4)):
        assert generate(tmp_path / name, 200, "project", seed).returncode == 0
    digest = {n: hashlib.sha256((tmp_path / f"{n}.csv").read_bytes()).hexdigest() for n in "abc"}
    assert digest["a"] == digest["b"] != digest["c"]

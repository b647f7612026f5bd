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


def generate_years(
    out: Path, years: str, rows: int, seed: int = 5, flow: str = "exportacao"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BGC, "generate-sample", "--layout", "comexstat", "--years", years,
         "--rows-per-year", str(rows), "--seed", str(seed), "--out", str(out), "--flow", flow],
        capture_output=True, text=True, env=os.environ, timeout=300,
    )  # fmt: skip


def test_a_history_is_one_official_file_per_year_and_the_totals_that_check_them(
    tmp_path: Path,
) -> None:
    result = generate_years(tmp_path, "2021-2023", 30_000)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote EXP_2021.csv: 30,000 row(s)",
        "wrote EXP_2022.csv: 30,000 row(s)",
        "wrote EXP_2023.csv: 30,000 row(s)",
        f"wrote EXP_TOTAIS_CONFERENCIA.csv: 3 year(s) in {tmp_path}",
    ]
    totals = read(tmp_path / "EXP_TOTAIS_CONFERENCIA.csv", ";")
    assert totals[0] == ["ARQUIVO", "CO_ANO", "QT_ESTAT", "KG_LIQUIDO", "VL_FOB", "NUMERO_LINHAS"]
    for name, year, qt, kg, fob, lines in totals[1:]:
        rows = read(tmp_path / name, ";")
        body = rows[1:]
        assert {r[0] for r in body} == {year}
        assert (sum(int(r[8]) for r in body), sum(int(r[9]) for r in body)) == (int(qt), int(kg))
        assert (sum(int(r[10]) for r in body), len(body)) == (int(fob), int(lines))


def test_a_history_has_the_cardinalities_and_skew_of_the_real_files(tmp_path: Path) -> None:
    assert generate_years(tmp_path, "2024", 200_000).returncode == 0
    body = read(tmp_path / "EXP_2024.csv", ";")[1:]
    distinct = [len({r[i] for r in body}) for i in (1, 2, 4, 5, 6, 7)]
    months, ncms, countries, states, vias, urfs = distinct
    assert (months, vias) == (12, 17)
    assert ncms > 9_000 and countries > 240 and states == 34 and urfs > 250
    by_state: dict[str, int] = {}
    for r in body:
        by_state[r[5]] = by_state.get(r[5], 0) + 1
    assert max(by_state, key=by_state.__getitem__) == "SP"
    assert sum(1 for count in by_state.values() if count >= 50) >= 27  # every real state
    by_country: dict[str, int] = {}
    for r in body:
        by_country[r[4]] = by_country.get(r[4], 0) + int(r[10])
    top5 = sorted(by_country.values(), reverse=True)[:5]
    assert sum(top5) > 0.3 * sum(by_country.values())  # Zipf: a few partners lead


def test_a_history_is_the_same_for_a_seed(tmp_path: Path) -> None:
    for folder, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert generate_years(tmp_path / folder, "2024", 2_000, seed).returncode == 0
    digest = {
        f: hashlib.sha256((tmp_path / f / "EXP_2024.csv").read_bytes()).hexdigest() for f in "abc"
    }
    assert digest["a"] == digest["b"] != digest["c"]


def test_an_import_history_adds_freight_and_insurance_to_files_and_totals(
    tmp_path: Path,
) -> None:
    result = generate_years(tmp_path, "2022-2023", 5_000, flow="importacao")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        f"wrote IMP_TOTAIS_CONFERENCIA.csv: 2 year(s) in {tmp_path}"
    )
    totals = read(tmp_path / "IMP_TOTAIS_CONFERENCIA.csv", ";")
    assert totals[0] == ["ARQUIVO", "CO_ANO", "QT_ESTAT", "KG_LIQUIDO", "VL_FOB", "VL_FRETE",
                         "VL_SEGURO", "NUMERO_LINHAS"]  # fmt: skip
    for name, year, qt, kg, fob, freight, insurance, lines in totals[1:]:
        assert name == f"IMP_{year}.csv"
        rows = read(tmp_path / name, ";")
        assert rows[0][-2:] == ["VL_FRETE", "VL_SEGURO"]
        body = rows[1:]
        sums = [sum(int(r[column]) for r in body) for column in range(8, 13)]
        assert sums == [int(qt), int(kg), int(fob), int(freight), int(insurance)]
        assert len(body) == int(lines)
        assert 0 < int(insurance) < int(freight) < int(fob)  # shares of FOB, as in real files
    exports = tmp_path / "exports"
    assert generate_years(exports, "2022", 5_000).returncode == 0
    fob = [[r[10] for r in read(folder / f"{prefix}_2022.csv", ";")[1:]]
           for folder, prefix in ((exports, "EXP"), (tmp_path, "IMP"))]  # fmt: skip
    assert fob[0] != fob[1]  # imports are drawn apart from the exports of the same seed


def test_history_arguments_are_checked(tmp_path: Path) -> None:
    bad = generate_years(tmp_path, "2025-2020", 10)
    assert bad.returncode != 0
    assert "--years 2025-2020: years run from 1997 on, first <= last" in bad.stderr


def test_generate_sample_names_what_is_missing_or_wrong(tmp_path: Path) -> None:
    neither = subprocess.run(
        [BGC, "generate-sample", "--out", str(tmp_path / "x.csv")],
        capture_output=True, text=True, env=os.environ, timeout=120,
    )  # fmt: skip
    assert neither.returncode != 0
    assert "give --rows N (one file) or --years A-B" in neither.stderr
    project = subprocess.run(
        [BGC, "generate-sample", "--years", "2024", "--out", str(tmp_path / "h")],
        capture_output=True, text=True, env=os.environ, timeout=120,
    )  # fmt: skip
    assert project.returncode != 0
    assert "--years writes the official layout: --layout comexstat" in project.stderr
    assert not (tmp_path / "h").exists() and not (tmp_path / "x.csv").exists()

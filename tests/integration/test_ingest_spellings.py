"""Every CSV/XLSX spelling users drop loads to the cent: separators, encodings, line ends,
quoting, Brazilian numbers, aliases, lost zeros, files named for another format."""

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from bgc_pipeline.ingest import load_file
from tests.support.db import query
from tests.support.ingest import stored_totals

ROWS = [
    ("2024", "1", "Japão", "Agropecuária", "09011110", "1250000.50", "1000.125"),
    ("2024", "2", "China", "Indústria Extrativa", "26011100", "0.10", "7"),
    ("2023", "12", "Estados Unidos", "Indústria de Transformação", "87032310", "99999.99", "0"),
]
VALUE = Decimal("1250000.50") + Decimal("0.10") + Decimal("99999.99")
WEIGHT = Decimal("1000.125") + Decimal("7") + Decimal("0")
HEADER = ("ano", "mes", "pais", "setor", "ncm", "valor_usd", "peso_kg")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rendered(sep: str = ",", eol: str = "\n", quote: bool = False, header=HEADER, rows=ROWS) -> str:
    def line(values: tuple[str, ...]) -> str:
        return sep.join(f'"{v}"' if quote else v for v in values)

    return eol.join(line(r) for r in [header, *rows]) + eol


@pytest.mark.parametrize(
    ("name", "text", "encoding"),
    [
        ("comma.csv", rendered(), "utf-8"),
        ("semicolon_crlf.csv", rendered(";", "\r\n"), "utf-8"),
        ("tab.csv", rendered("\t"), "utf-8"),
        ("quoted_bom.csv", "\ufeff" + rendered(";", "\r\n", quote=True), "utf-8"),
        ("latin1.csv", rendered(";", "\r\n", quote=True), "cp1252"),
        ("crcrlf.csv", rendered(";", "\r\r\n", quote=True), "cp1252"),
        ("no_final_newline.csv", rendered(";").rstrip("\n"), "utf-8"),
    ],
)
def test_dialects_load_to_the_cent(
    database_url: str, tmp_path: Path, name: str, text: str, encoding: str
) -> None:
    result = load_file(database_url, write(tmp_path / name, text, encoding))
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert stored_totals(database_url, name) == (3, VALUE, WEIGHT)
    names = query(
        database_url,
        "SELECT pais FROM stg.exportacao WHERE ingest_source = %s ORDER BY pais",
        (name,),
    )
    assert [n for (n,) in names] == ["China", "Estados Unidos", "Japão"]


def test_brazilian_numbers_with_thousands_separators(database_url: str, tmp_path: Path) -> None:
    rows = [
        ("2024", "1", "China", "X", "09011110", '"1.250.000,50"', '"1.000,125"'),
        ("2024", "1", "China", "X", "09011110", '"0,10"', "7"),
    ]
    result = load_file(database_url, write(tmp_path / "br.csv", rendered(",", rows=rows)))
    assert result.rows_rejected == 0
    assert stored_totals(database_url, "br.csv") == (2, Decimal("1250000.60"), Decimal("1007.125"))


def test_aliases_and_dotted_ncm(database_url: str, tmp_path: Path) -> None:
    text = "Ano;Mês;País;Setor;NCM;Valor;Peso\n2024;3;Chile;Agropecuária;0901.11.10;10,5;2\n"
    result = load_file(database_url, write(tmp_path / "aliases.csv", text))
    assert result.rows_rejected == 0
    assert query(
        database_url,
        "SELECT ncm, mes, valor_usd FROM stg.exportacao WHERE ingest_source = 'aliases.csv'",
    ) == [("09011110", 3, Decimal("10.50"))]


def test_sector_comes_from_ncm_when_the_file_has_none(database_url: str, tmp_path: Path) -> None:
    text = (
        "ano,mes,pais,ncm,valor_usd,peso_kg\n2024,1,China,26011100,5,5\n2024,1,China,99999999,1,1\n"
    )
    load_file(database_url, write(tmp_path / "no_sector.csv", text))
    sectors = query(
        database_url,
        "SELECT ncm, setor FROM stg.exportacao WHERE ingest_source = 'no_sector.csv' ORDER BY ncm",
    )
    assert sectors == [("26011100", "Indústria Extrativa"), ("99999999", "Não classificado")]


def test_bulk_copy_resaved_by_a_spreadsheet_gets_its_zeros_back(
    database_url: str, tmp_path: Path
) -> None:
    text = "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB;EXTRA\n2024;1;9011110;63;10;20;ignored\n"
    result = load_file(database_url, write(tmp_path / "EXP_resaved.csv", text))
    assert result.rows_rejected == 0
    assert query(
        database_url,
        "SELECT mes, ncm, co_pais, pais FROM stg.exportacao WHERE ingest_source = 'EXP_resaved.csv'",
    ) == [(1, "09011110", "063", "Argentina")]


def test_xlsx_sheet_with_a_layout_is_read_as_its_own_source(
    database_url: str, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "notas"
    workbook.active.append(["nothing here"])
    data = workbook.create_sheet("dados")
    data.append(list(HEADER))
    for row in ROWS:
        data.append(
            [int(row[0]), int(row[1]), row[2], row[3], row[4], float(row[5]), float(row[6])]
        )
    path = tmp_path / "planilha.xlsx"
    workbook.save(path)
    result = load_file(database_url, path)
    assert (result.source, result.rows_loaded, result.rows_rejected) == (
        "planilha.xlsx:dados",
        3,
        0,
    )
    assert stored_totals(database_url, "planilha.xlsx:dados") == (3, VALUE, WEIGHT)


def test_csv_named_xls_is_read_by_content(database_url: str, tmp_path: Path) -> None:
    result = load_file(database_url, write(tmp_path / "disguised.xls", rendered(";")))
    assert result.rows_loaded == 3

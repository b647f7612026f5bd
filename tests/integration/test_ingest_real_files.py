"""Real Comex Stat files load and reconcile to the cent with totals computed independently."""

from decimal import Decimal

import pytest

from bgc_pipeline.ingest import load_file
from tests.support.db import query
from tests.support.ingest import csv_totals, stored_totals
from tests.support.paths import FIXTURES, SAMPLES

REAL = FIXTURES / "comexstat"


@pytest.mark.parametrize("name", ["EXP_2012_01.csv", "EXP_2025_06_head.csv"])
def test_official_bulk_file_reconciles(database_url: str, name: str) -> None:
    result = load_file(database_url, REAL / name)
    expected = csv_totals(REAL / name, "VL_FOB", "KG_LIQUIDO")
    assert (result.layout, result.rows_loaded, result.rows_rejected) == (
        "comexstat",
        expected[0],
        0,
    )
    assert result.source == name
    assert stored_totals(database_url, result.source) == expected


def test_official_codes_are_kept_with_leading_zeros(database_url: str) -> None:
    load_file(database_url, REAL / "EXP_2025_06_head.csv")
    rows = query(
        database_url,
        "SELECT ano, mes, ncm, co_pais, pais, sg_uf, co_via, co_urf, co_unid, qt_estat, setor "
        "FROM stg.exportacao WHERE ingest_source = 'EXP_2025_06_head.csv' AND co_pais = '065' "
        "AND ncm = '02071220' AND valor_usd = 44901",
    )
    assert rows == [
        (2025, 6, "02071220", "065", "Aruba", "RS", "01", "1017700", "10", Decimal("26988.000"),
         "Indústria de Transformação"),
    ]  # fmt: skip


def test_subset_with_lost_zeros_and_bom_reconciles(database_url: str) -> None:
    name = "exportacao_bovino_simplificado.csv"
    result = load_file(database_url, REAL / name)
    assert result.rows_rejected == 0
    assert stored_totals(database_url, name) == csv_totals(REAL / name, "VL_FOB", "KG_LIQUIDO")
    zeros = query(
        database_url,
        "SELECT count(*) FROM stg.exportacao WHERE ingest_source = %s "
        "AND (length(co_pais) <> 3 OR length(ncm) <> 8 OR mes IS NULL)",
        (name,),
    )
    assert zeros == [(0,)]


def test_web_download_csv_without_month_keeps_annual_figures(database_url: str) -> None:
    name = "exportacoes_carnes_sc_excerpt.csv"
    result = load_file(database_url, REAL / name)
    expected = csv_totals(REAL / name, "Valor US$ FOB", "Quilograma Líquido")
    assert (result.layout, result.rows_loaded, result.rows_rejected) == ("webui", 300, 0)
    assert result.source == name
    assert stored_totals(database_url, result.source) == expected
    assert (
        query(
            database_url,
            "SELECT count(*) FILTER (WHERE mes IS NULL), min(pais) FROM stg.exportacao "
            "WHERE ingest_source = %s AND pais LIKE 'Filip%%'",
            (name,),
        )[0][1]
        == "Filipinas"
    )
    assert query(
        database_url, "SELECT count(*) FROM stg.exportacao WHERE ingest_source = %s AND mes IS NOT NULL",
        (name,),
    ) == [(0,)]  # fmt: skip


def test_web_download_xlsx_reads_the_result_sheet(database_url: str) -> None:
    name = "V_EXPORTACAO_GERAL_2009-01_2024-12_DT20250509.xlsx"
    import openpyxl

    sheet = openpyxl.load_workbook(REAL / name, read_only=True)["Resultado"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = (
        len(values),
        sum((Decimal(str(v[7])) for v in values), Decimal(0)),
        sum((Decimal(str(v[8])) for v in values), Decimal(0)),
    )
    result = load_file(database_url, REAL / name)
    assert (result.layout, result.rows_rejected) == ("webui", 0)
    assert result.source == f"{name}:Resultado"
    assert stored_totals(database_url, result.source) == expected
    months = query(
        database_url,
        "SELECT min(mes), max(mes), count(DISTINCT setor) FROM stg.exportacao WHERE ingest_source = %s",
        (result.source,),
    )
    assert months == [(1, 12, 2)]


def test_sample_files_load_without_rejects(database_url: str) -> None:
    samples = sorted(SAMPLES.glob("*.*"))
    assert {p.suffix for p in samples} >= {".csv", ".xlsx"}
    for path in samples:
        if path.suffix in (".csv", ".xlsx"):
            result = load_file(database_url, path)
            assert result.rows_loaded > 100 and result.rows_rejected == 0, result.summary()

"""Each load keeps its file's sums by state of origin, transport mode, customs unit and
NCM (``rpt.agg_dimensao``), computed independently here from the file itself."""

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from bgc_pipeline.ingest import load_file
from tests.integration.test_staging_partitions import yearly_file
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.paths import REPO_ROOT, SAMPLES

OFFICIAL = REPO_ROOT / "tests" / "fixtures" / "comexstat" / "EXP_2025_06_head.csv"
COLUMNS = {"uf": "SG_UF_NCM", "via": "CO_VIA", "urf": "CO_URF", "ncm": "CO_NCM"}

Sums = dict[tuple[str, int, int, str | None], tuple[Decimal, Decimal, int]]


def sums_from_file(path: Path) -> Sums:
    """(dimensao, ano, mes, codigo) -> (USD, kg, rows), with the csv module."""
    found: dict[tuple[str, int, int, str | None], list[object]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), 0]
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            for name, column in COLUMNS.items():
                key = (name, int(row["CO_ANO"]), int(row["CO_MES"]), row[column])
                usd, kg, rows = found[key]
                found[key] = [usd + Decimal(row["VL_FOB"]), kg + Decimal(row["KG_LIQUIDO"]),
                              rows + 1]  # type: ignore[operator]  # fmt: skip
    return {key: (usd, kg, rows) for key, (usd, kg, rows) in found.items()}  # type: ignore[misc]


def stored_sums(url: str, source: str) -> Sums:
    rows = query(
        url,
        "SELECT dimensao, ano, mes, codigo, total_usd, total_kg, registros FROM rpt.agg_dimensao "
        "WHERE ingest_source = %s",
        (source,),
    )
    return {(d, a, m, c): (usd, kg, n) for d, a, m, c, usd, kg, n in rows}  # type: ignore[misc]


def test_an_official_file_is_summed_by_each_code(database_url: str) -> None:
    result = load_file(database_url, OFFICIAL)
    assert result.rows_rejected == 0
    assert stored_sums(database_url, OFFICIAL.name) == sums_from_file(OFFICIAL)


def test_a_file_without_codes_sums_under_a_null_code(database_url: str) -> None:
    path = SAMPLES / "exportacao_2023_2024.csv"
    result = load_file(database_url, path)
    rows, usd, kg = csv_totals(path, "valor_usd", "peso_kg", delimiter=",")
    assert result.rows_rejected == 0 and result.rows_loaded == rows
    per_dimension = query(
        database_url,
        "SELECT dimensao, count(*) FILTER (WHERE codigo IS NOT NULL), sum(total_usd), "
        "sum(total_kg), sum(registros) FROM rpt.agg_dimensao GROUP BY 1 ORDER BY 1",
    )
    ncm_coded = query(database_url, "SELECT count(*) FROM rpt.agg_dimensao "
                                    "WHERE dimensao = 'ncm' AND codigo IS NOT NULL")  # fmt: skip
    assert ncm_coded[0][0] > 0  # the project layout has an NCM column
    assert [(d, usd_, kg_, n) for d, _, usd_, kg_, n in per_dimension] == [
        (name, usd, kg, rows) for name in ("ncm", "uf", "urf", "via")
    ]
    assert [coded for d, coded, *_ in per_dimension if d != "ncm"] == [0, 0, 0]


def test_a_revision_replaces_the_files_sums_only(database_url: str, tmp_path: Path) -> None:
    for year in (2023, 2024):
        load_file(database_url, yearly_file(tmp_path, year, seed=year))
    untouched = stored_sums(database_url, "EXP_2023.csv")
    revised = yearly_file(tmp_path, 2024, seed=99, rows=700)
    load_file(database_url, revised)
    assert stored_sums(database_url, "EXP_2024.csv") == sums_from_file(revised)
    assert stored_sums(database_url, "EXP_2023.csv") == untouched

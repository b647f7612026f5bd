"""Each load keeps its file's sums by state of origin, transport mode, customs unit and
NCM (``rpt.agg_dimensao``), computed independently here from the file itself."""

import csv
from decimal import Decimal
from pathlib import Path

from bgc_pipeline.ingest import load_file
from tests.integration.test_staging_partitions import yearly_file
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.paths import REPO_ROOT, SAMPLES

OFFICIAL = REPO_ROOT / "tests" / "fixtures" / "comexstat" / "EXP_2025_06_head.csv"
COLUMNS = {"uf": "SG_UF_NCM", "via": "CO_VIA", "urf": "CO_URF", "ncm": "CO_NCM"}

Key = tuple[str, int, str | None]
Sums = dict[Key, tuple[list[Decimal], list[Decimal], int]]
"""(dimensao, ano, codigo) -> (USD per month, kg per month, rows)."""
MONTH_COLUMNS = ", ".join(f"{m}_m{n:02d}" for m in ("usd", "kg") for n in range(1, 13))


def sums_from_file(path: Path) -> Sums:
    """The sums of each code per month, with the csv module."""
    found: Sums = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            month = int(row["CO_MES"]) - 1
            for name, column in COLUMNS.items():
                key = (name, int(row["CO_ANO"]), row[column])
                usd, kg, rows = found.get(key) or ([Decimal(0)] * 12, [Decimal(0)] * 12, 0)
                usd[month] += Decimal(row["VL_FOB"])
                kg[month] += Decimal(row["KG_LIQUIDO"])
                found[key] = (usd, kg, rows + 1)
    return found


def stored_sums(url: str, source: str) -> Sums:
    rows = query(
        url,
        f"SELECT dimensao, ano, codigo, registros, {MONTH_COLUMNS} FROM rpt.agg_dimensao "
        "WHERE ingest_source = %s",
        (source,),
    )
    return {
        (d, a, c): (list(sums[:12]), list(sums[12:]), n)  # type: ignore[misc]
        for d, a, c, n, *sums in rows
    }


def test_an_official_file_is_summed_by_each_code(database_url: str) -> None:
    result = load_file(database_url, OFFICIAL)
    assert result.rows_rejected == 0
    assert stored_sums(database_url, OFFICIAL.name) == sums_from_file(OFFICIAL)


def test_a_file_without_codes_sums_under_a_null_code(database_url: str) -> None:
    path = SAMPLES / "exportacao_2023_2024.csv"
    result = load_file(database_url, path)
    rows, usd, kg = csv_totals(path, "valor_usd", "peso_kg", delimiter=",")
    assert result.rows_rejected == 0 and result.rows_loaded == rows
    usd_sum = " + ".join(f"usd_m{n:02d}" for n in range(1, 13))
    kg_sum = " + ".join(f"kg_m{n:02d}" for n in range(1, 13))
    per_dimension = query(
        database_url,
        f"SELECT dimensao, count(*) FILTER (WHERE codigo IS NOT NULL), sum({usd_sum}), "
        f"sum({kg_sum}), sum(registros) FROM rpt.agg_dimensao GROUP BY 1 ORDER BY 1",
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

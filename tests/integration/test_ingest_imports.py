"""Imports load beside the exports: MDIC's IMP_YYYY.csv files and the web UI's import
downloads go to stg.importacao with their freight and insurance, reconcile with
IMP_TOTAIS_CONFERENCIA.csv, and never change an export (nor the reverse). Expected
figures are summed from the files with the standard library."""

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from bgc_core import reconciliation
from bgc_core.domain import IMPORTS
from bgc_pipeline.defs.keys import MDIC_TOTALS, STAGING_RULES, STG_IMPORT_KEY, STG_KEY
from bgc_pipeline.ingest import IngestError, flow_of, load_file
from bgc_pipeline.ingest.history import write_history
from tests.support.dagster import load_partition, sensor_tick
from tests.support.db import query
from tests.support.ingest import staging_snapshot
from tests.support.paths import SAMPLES

BGC_INGEST = str(Path(sys.executable).parent / "bgc-ingest")
MEASURES = ("QT_ESTAT", "KG_LIQUIDO", "VL_FOB", "VL_FRETE", "VL_SEGURO")
IMPORT_HEADER = (
    '"CO_ANO";"CO_MES";"CO_NCM";"CO_UNID";"CO_PAIS";"SG_UF_NCM";"CO_VIA";"CO_URF";'
    '"QT_ESTAT";"KG_LIQUIDO";"VL_FOB";"VL_FRETE";"VL_SEGURO"\r\n'
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """Two official import years and one export year, with both totals files."""
    folder = tmp_path / "landing"
    list(write_history(folder, range(2022, 2024), rows_per_year=1_500, seed=5, flow=IMPORTS))
    list(write_history(folder, range(2023, 2024), rows_per_year=1_000, seed=5))
    return folder


def file_sums(path: Path) -> dict[str, Decimal]:
    """Rows and each measure of an official file, summed here."""
    text = path.read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    sums = {m: sum((Decimal(r[m]) for r in rows), Decimal(0)) for m in MEASURES if m in rows[0]}
    return {"rows": Decimal(len(rows)), **sums}


def stored_import_sums(url: str, source: str) -> dict[str, Decimal]:
    [row] = query(
        url,
        "SELECT count(*), COALESCE(sum(qt_estat), 0), COALESCE(sum(peso_kg), 0), "
        "COALESCE(sum(valor_usd), 0), COALESCE(sum(valor_frete), 0), "
        "COALESCE(sum(valor_seguro), 0) FROM stg.importacao WHERE ingest_source = %s",
        (source,),
    )
    return dict(zip(("rows", *MEASURES), (Decimal(v) for v in row), strict=True))  # type: ignore[arg-type]


def imports_snapshot(url: str) -> list[tuple[object, ...]]:
    return [
        *query(
            url,
            "SELECT ingest_source, count(*), sum(valor_usd), sum(valor_frete), sum(valor_seguro),"
            " string_agg(DISTINCT ingest_batch, ',') FROM stg.importacao GROUP BY 1 ORDER BY 1",
        ),
        *query(url, "SELECT * FROM rpt.agg_arquivo_importacao ORDER BY ingest_source, ano"),
    ]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def check_totals(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BGC_DATABASE_URL": url}
    return subprocess.run(
        [BGC_INGEST, "check-totals"], capture_output=True, text=True, env=env, timeout=120
    )


def test_an_official_import_file_loads_with_freight_and_insurance(
    database_url: str, landing: Path
) -> None:
    path = landing / "IMP_2022.csv"
    result = load_file(database_url, path)
    assert (result.status, result.flow, result.layout) == ("loaded", IMPORTS, "comexstat")
    assert result.summary().startswith("IMP_2022.csv: loaded 1,500 row(s) into stg.importacao")
    assert stored_import_sums(database_url, "IMP_2022.csv") == file_sums(path)
    expected = file_sums(path)
    assert query(
        database_url,
        "SELECT registros, total_usd, total_frete, total_seguro FROM rpt.agg_arquivo_importacao "
        "WHERE ingest_source = 'IMP_2022.csv'",
    ) == [(1_500, expected["VL_FOB"], expected["VL_FRETE"], expected["VL_SEGURO"])]
    assert query(database_url, "SELECT count(*) FROM stg.exportacao") == [(0,)]


def test_loading_imports_never_changes_an_export_and_the_reverse(
    database_url: str, landing: Path
) -> None:
    load_file(database_url, landing / "EXP_2023.csv")
    exports = staging_snapshot(database_url)
    load_file(database_url, landing / "IMP_2023.csv")
    assert staging_snapshot(database_url) == exports
    imports = imports_snapshot(database_url)
    revised = landing / "revised"
    [other] = write_history(revised, range(2023, 2024), rows_per_year=800, seed=9)
    load_file(database_url, other.path)  # EXP_2023.csv again, revised
    assert staging_snapshot(database_url) != exports
    assert imports_snapshot(database_url) == imports


def test_the_flow_comes_from_the_name_or_the_header(database_url: str, tmp_path: Path) -> None:
    line = '"2024";"03";"09011110";"10";"160";"SP";"01";"0817800";10;10;100;7;1\r\n'
    unnamed = write(tmp_path / "compras.csv", IMPORT_HEADER + line)
    webui = write(
        tmp_path / "download.csv",
        "Ano;Mês;Países;Código NCM;Valor FOB (US$);Valor Frete (US$);Valor Seguro (US$);"
        "Valor CIF (US$);Quilograma Líquido\n"
        "2024;03. Março;China;09011110;100;7;1;108;10\n",
    )
    assert [flow_of(p) for p in (unnamed, webui)] == [IMPORTS, IMPORTS]
    for path in (unnamed, webui):
        assert load_file(database_url, path).flow == IMPORTS
    assert query(
        database_url,
        "SELECT ingest_source, pais, mes, valor_usd, valor_frete, valor_seguro "
        "FROM stg.importacao ORDER BY 1",
    ) == [
        ("compras.csv", "China", 3, Decimal("100.00"), Decimal("7.00"), Decimal("1.00")),
        ("download.csv", "China", 3, Decimal("100.00"), Decimal("7.00"), Decimal("1.00")),
    ]


def test_bad_freight_or_insurance_is_rejected_naming_the_column_and_line(
    database_url: str, tmp_path: Path
) -> None:
    good = '"2024";"01";"09011110";"10";"160";"SP";"01";"0817800";10;10;100;7;1\r\n'
    text = (
        IMPORT_HEADER
        + good  # line 2
        + good.replace(";7;1", ";frete;1")  # line 3
        + good.replace(";7;1", ";7;-2")  # line 4
    )
    result = load_file(database_url, write(tmp_path / "IMP_2024.csv", text))
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert query(
        database_url,
        "SELECT line, reason FROM cfg.ingest_rejects WHERE source_name = 'IMP_2024.csv' "
        "ORDER BY line",
    ) == [(3, "VL_FRETE is not a number"), (4, "VL_SEGURO is negative")]


@pytest.mark.parametrize(
    ("name", "header", "message"),
    [
        ("IMP_2024.csv", "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB\n",
         "IMP_2024.csv: named as an import file (IMP_) but its header has no freight or "
         "insurance column (VL_FRETE, VL_SEGURO)"),
        ("EXP_2024.csv", "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB;VL_FRETE;VL_SEGURO\n",
         "EXP_2024.csv: named as an export file (EXP_) but its header has freight and "
         "insurance columns"),
        ("half.csv", "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB;VL_FRETE\n",
         "half.csv: comexstat layout: missing required column(s): VL_SEGURO"),
    ],
)  # fmt: skip
def test_a_file_whose_name_and_header_disagree_is_refused(
    database_url: str, tmp_path: Path, name: str, header: str, message: str
) -> None:
    fields = header.count(";") + 1
    row = ";".join(["2024", "1", "09011110", "160", "1", "1", "1", "1"][:fields]) + "\n"
    before = staging_snapshot(database_url), imports_snapshot(database_url)
    with pytest.raises(IngestError) as error:
        load_file(database_url, write(tmp_path / name, header + row))
    assert str(error.value).startswith(message)
    assert (staging_snapshot(database_url), imports_snapshot(database_url)) == before


def test_a_name_loaded_as_exports_cannot_come_back_as_imports(
    database_url: str, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "dados.csv", "ano,mes,pais,setor,valor_usd,peso_kg\n2024,1,China,X,1,1\n"
    )
    load_file(database_url, path)
    line = '"2024";"01";"09011110";"10";"160";"SP";"01";"0817800";10;10;100;7;1\r\n'
    write(path, IMPORT_HEADER + line)
    with pytest.raises(IngestError, match=r"dados.csv: already loaded as exports under this name"):
        load_file(database_url, path)
    assert query(database_url, "SELECT count(*) FROM stg.importacao") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM stg.exportacao") == [(1,)]


def import_totals_line(path: Path, fob_delta: int = 0, freight: bool = True) -> str:
    sums = file_sums(path)
    extra = f"{sums['VL_FRETE']};{sums['VL_SEGURO']};" if freight else ""
    return (
        f'"{path.name}";"{path.name[4:8]}";{sums["QT_ESTAT"]};{sums["KG_LIQUIDO"]};'
        f"{sums['VL_FOB'] + fob_delta};{extra}{sums['rows']}\r\n"
    )


def test_import_totals_reconcile_ok_divergent_and_pending(database_url: str, landing: Path) -> None:
    for year in (2022, 2023):
        load_file(database_url, landing / f"IMP_{year}.csv")
    assert {r.arquivo: r.status for r in reconciliation.reconcile(database_url, fluxo=IMPORTS)} == {
        "IMP_2022.csv": "pendente",
        "IMP_2023.csv": "pendente",
    }
    stored = load_file(database_url, landing / "IMP_TOTAIS_CONFERENCIA.csv")
    assert (stored.layout, stored.rows_loaded, stored.flow) == ("totais", 2, IMPORTS)
    assert "not loaded as imports" in stored.summary()
    rows = reconciliation.reconcile(database_url, fluxo=IMPORTS)
    assert [(r.arquivo, r.status) for r in rows] == [("IMP_2022.csv", "ok"), ("IMP_2023.csv", "ok")]
    assert rows[0].vl_frete == file_sums(landing / "IMP_2022.csv")["VL_FRETE"]
    assert rows[0].explain() == (
        "rows, VL_FOB, VL_FRETE, VL_SEGURO, KG_LIQUIDO and QT_ESTAT equal MDIC's totals"
    )
    header = '"ARQUIVO";"CO_ANO";"QT_ESTAT";"KG_LIQUIDO";"VL_FOB";"NUMERO_LINHAS"\r\n'
    totals = write(
        landing / "IMP_TOTAIS_CONFERENCIA.csv",
        header + import_totals_line(landing / "IMP_2022.csv", fob_delta=-3, freight=False),
    )
    os.utime(totals, (time.time() + 60, time.time() + 60))
    load_file(database_url, totals)
    [row] = reconciliation.reconcile(database_url, "IMP_2022.csv", IMPORTS)
    assert (row.status, row.diferenca_usd, row.vl_frete) == ("divergente", Decimal(3), None)
    result = check_totals(database_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "IMP_2022.csv  divergente" in result.stdout
    assert "no official yearly file (EXP_YYYY.csv) is loaded" in result.stdout


def test_dagster_loads_imports_through_their_own_asset_with_checks(
    database_url: str, landing: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    load_file(database_url, landing / "IMP_TOTAIS_CONFERENCIA.csv")
    result = load_partition(instance, database_url, landing, "IMP_2022.csv", imports=True)
    [materialization] = result.asset_materializations_for_node("stg__importacao")
    assert materialization.metadata["dagster/table_name"].value == "stg.importacao"
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {STAGING_RULES: True, MDIC_TOTALS: True}
    refused = load_partition(
        instance, database_url, landing, "EXP_2023.csv", raise_on_error=False, imports=True
    )
    assert not refused.success
    assert query(database_url, "SELECT count(*) FROM stg.exportacao") == [(0,)]


def test_the_sensor_hands_each_file_to_its_flows_asset(database_url: str, landing: Path) -> None:
    shutil.copy(SAMPLES / "exportacao_2024_planilha.xlsx", landing)  # binary: no text header
    instance = dg.DagsterInstance.ephemeral()
    first = sensor_tick(instance, database_url, landing, None)  # sizes noted
    assert first.run_requests == []
    result = sensor_tick(instance, database_url, landing, first.cursor)
    routed = {r.partition_key: r.asset_selection for r in result.run_requests or []}
    assert routed == {
        "EXP_2023.csv": [STG_KEY],
        "EXP_TOTAIS_CONFERENCIA.csv": [STG_KEY],
        "exportacao_2024_planilha.xlsx": [STG_KEY],
        "IMP_2022.csv": [STG_IMPORT_KEY],
        "IMP_2023.csv": [STG_IMPORT_KEY],
        "IMP_TOTAIS_CONFERENCIA.csv": [STG_IMPORT_KEY],
    }
    # exports queue first, each flow by name: the default answers come sooner
    assert [r.partition_key for r in result.run_requests or []] == [
        "EXP_2023.csv", "EXP_TOTAIS_CONFERENCIA.csv", "exportacao_2024_planilha.xlsx",
        "IMP_2022.csv", "IMP_2023.csv", "IMP_TOTAIS_CONFERENCIA.csv",
    ]  # fmt: skip

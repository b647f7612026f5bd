"""MDIC's totals file is recognised, stored and never loaded as exports; each official yearly
file is reconciled against it in Dagster (an asset check per file), in `bgc-ingest
check-totals` and in the warehouse's view."""

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from bgc_core import reconciliation
from bgc_pipeline.defs.keys import MDIC_TOTALS
from bgc_pipeline.ingest import IngestError, load_file
from bgc_pipeline.ingest.history import write_history
from tests.support.dagster import load_partition
from tests.support.db import query
from tests.support.ingest import csv_totals
from tests.support.settings import api_settings

BGC_INGEST = str(Path(sys.executable).parent / "bgc-ingest")
HEADER = '"ARQUIVO";"CO_ANO";"QT_ESTAT";"KG_LIQUIDO";"VL_FOB";"NUMERO_LINHAS"\r\n'


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    list(write_history(folder, range(2022, 2024), rows_per_year=2_000, seed=3))
    return folder


def totals_line(path: Path, fob_delta: int = 0) -> str:
    """The totals row of a yearly file, computed here from the file itself."""
    rows, fob, kg = csv_totals(path, "VL_FOB", "KG_LIQUIDO")
    qt = csv_totals(path, "QT_ESTAT", "KG_LIQUIDO")[1]
    return f'"{path.name}";"{path.name[4:8]}";{qt};{kg};{fob + fob_delta};{rows}\r\n'


def write_totals(folder: Path, text: str, mtime: float | None = None) -> Path:
    path = folder / "EXP_TOTAIS_CONFERENCIA.csv"
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def check_totals(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BGC_DATABASE_URL": url}
    return subprocess.run(
        [BGC_INGEST, "check-totals", *args], capture_output=True, text=True, env=env, timeout=120
    )


def mdic_check(instance: dg.DagsterInstance, url: str, landing: Path, name: str) -> object:
    result = load_partition(instance, url, landing, name)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == MDIC_TOTALS]
    return evaluation


def test_the_generated_history_reconciles_and_the_totals_are_not_exports(
    database_url: str, landing: Path
) -> None:
    for year in (2022, 2023):
        load_file(database_url, landing / f"EXP_{year}.csv")
    stored = load_file(database_url, landing / "EXP_TOTAIS_CONFERENCIA.csv")
    assert (stored.layout, stored.rows_loaded) == ("totais", 2)
    assert stored.summary().startswith(
        "EXP_TOTAIS_CONFERENCIA.csv: stored MDIC's totals for 2 file(s), not loaded as exports"
    )
    assert query(database_url, "SELECT DISTINCT ingest_source FROM stg.exportacao ORDER BY 1") == [
        ("EXP_2022.csv",),
        ("EXP_2023.csv",),
    ]
    result = check_totals(database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["file", "status"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["EXP_2022.csv", "ok"],
        ["EXP_2023.csv", "ok"],
    ]


def test_a_divergent_file_is_an_error_in_dagster_and_in_the_terminal(
    database_url: str, landing: Path
) -> None:
    data = landing / "EXP_2022.csv"
    write_totals(landing, HEADER + totals_line(data, fob_delta=-7), mtime=time.time() + 60)
    load_file(database_url, landing / "EXP_TOTAIS_CONFERENCIA.csv")
    instance = dg.DagsterInstance.ephemeral()
    evaluation = mdic_check(instance, database_url, landing, "EXP_2022.csv")
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert evaluation.description == "differs from MDIC's totals: VL_FOB +7"
    [row] = reconciliation.reconcile(database_url, "EXP_2022.csv")
    assert (row.status, row.diferenca_usd) == ("divergente", Decimal("7"))
    result = check_totals(database_url)
    assert result.returncode == 1
    assert "EXP_2022.csv  divergente" in result.stdout


def test_totals_without_the_file_or_older_than_it_leave_it_pending(
    database_url: str, landing: Path
) -> None:
    data = landing / "EXP_2022.csv"
    write_totals(landing, HEADER + totals_line(data, fob_delta=5), mtime=time.time() - 3600)
    load_file(database_url, landing / "EXP_TOTAIS_CONFERENCIA.csv")
    instance = dg.DagsterInstance.ephemeral()
    older = mdic_check(instance, database_url, landing, "EXP_2022.csv")
    assert (older.passed, older.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert older.description == (
        "differs from MDIC's totals: VL_FOB -5; MDIC's totals file is older than the data file"
    )
    missing = mdic_check(instance, database_url, landing, "EXP_2023.csv")
    assert (missing.passed, missing.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert missing.description == "MDIC's totals have no row for EXP_2023.csv"
    statuses = {r.arquivo: r.status for r in reconciliation.reconcile(database_url)}
    assert statuses == {"EXP_2022.csv": "pendente", "EXP_2023.csv": "pendente"}


def test_a_matching_file_passes_and_a_misnamed_year_warns(database_url: str, landing: Path) -> None:
    misnamed = landing / "EXP_2021.csv"
    misnamed.write_bytes((landing / "EXP_2023.csv").read_bytes())
    lines = [totals_line(landing / "EXP_2022.csv"), totals_line(misnamed)]
    write_totals(landing, HEADER + "".join(lines))
    load_file(database_url, landing / "EXP_TOTAIS_CONFERENCIA.csv")
    instance = dg.DagsterInstance.ephemeral()
    ok = mdic_check(instance, database_url, landing, "EXP_2022.csv")
    assert ok.passed is True
    warned = mdic_check(instance, database_url, landing, "EXP_2021.csv")
    assert (warned.passed, warned.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert warned.description == (
        "rows, VL_FOB, KG_LIQUIDO and QT_ESTAT equal MDIC's totals; "
        "named for 2021 but CO_ANO is 2023"
    )
    assert query(database_url, "SELECT count(*) FROM stg.exportacao WHERE ano = 2023") == [(2_000,)]


def test_unquoted_cp1252_totals_are_read(database_url: str, tmp_path: Path) -> None:
    text = (
        "ARQUIVO;CO_ANO;QT_ESTAT;KG_LIQUIDO;VL_FOB;NUMERO_LINHAS\r\nEXP_2024.csv;2024;1;2;3;4\r\n"
    )
    path = tmp_path / "totais ç.csv"
    path.write_bytes(text.encode("cp1252"))
    assert load_file(database_url, path).layout == "totais"
    assert query(
        database_url, "SELECT arquivo, vl_fob, numero_linhas FROM cfg.totais_conferencia"
    ) == [("EXP_2024.csv", Decimal("3.00"), 4)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "ARQUIVO;ANO;VALOR\r\nEXP_2024.csv;2024;3\r\n",
            "not MDIC's totals layout: expected the header "
            "ARQUIVO;CO_ANO;QT_ESTAT;KG_LIQUIDO;VL_FOB;NUMERO_LINHAS, found ARQUIVO;ANO;VALOR",
        ),
        (
            HEADER + "EXP_2024.csv;2024;1;2;3;4\r\nEXP_2025.csv;2025;1;2;3\r\n",
            "line 3: 5 fields, expected 6",
        ),
        (
            HEADER + "EXP_2024.csv;2024;1;2;três;4\r\n",
            "line 2: CO_ANO, QT_ESTAT, KG_LIQUIDO, VL_FOB and NUMERO_LINHAS must be numbers, "
            "found EXP_2024.csv;2024;1;2;três;4",
        ),
    ],
)
def test_a_bad_totals_file_is_refused_and_the_stored_totals_stay(
    database_url: str, tmp_path: Path, text: str, problem: str
) -> None:
    good = tmp_path / "first" / "EXP_TOTAIS_CONFERENCIA.csv"
    good.parent.mkdir()
    write_totals(good.parent, HEADER + '"EXP_2023.csv";"2023";1;2;3;4\r\n')
    load_file(database_url, good)
    stored = query(database_url, "SELECT * FROM cfg.totais_conferencia")
    path = write_totals(tmp_path, text)
    with pytest.raises(IngestError) as error:
        load_file(database_url, path)
    assert str(error.value) == f"EXP_TOTAIS_CONFERENCIA.csv: {problem}"
    assert query(database_url, "SELECT * FROM cfg.totais_conferencia") == stored
    statuses = query(
        database_url,
        "SELECT status FROM cfg.ingest_batches WHERE source_name = 'EXP_TOTAIS_CONFERENCIA.csv' "
        "ORDER BY started_at",
    )
    assert statuses == [("loaded",), ("failed",)]


def test_check_totals_stores_a_given_totals_file_first(database_url: str, landing: Path) -> None:
    load_file(database_url, landing / "EXP_2023.csv")
    path = write_totals(landing, HEADER + totals_line(landing / "EXP_2023.csv"))
    result = check_totals(database_url, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("EXP_TOTAIS_CONFERENCIA.csv: stored")
    assert result.stdout.splitlines()[2].split()[:2] == ["EXP_2023.csv", "ok"]


def test_resumo_reports_each_year_against_mdic_totals(database_url: str, landing: Path) -> None:
    from litestar.testing import TestClient

    from bgc_api.app import create_app
    from bgc_core import views

    for name in ("EXP_2022.csv", "EXP_2023.csv"):
        load_file(database_url, landing / name)
    lines = [totals_line(landing / "EXP_2022.csv"), totals_line(landing / "EXP_2023.csv", 7)]
    write_totals(landing, HEADER + "".join(lines), mtime=time.time() + 60)
    load_file(database_url, landing / "EXP_TOTAIS_CONFERENCIA.csv")
    views.refresh_all(database_url)
    app = create_app(api_settings(), database_url=database_url, access_log=False)
    with TestClient(app=app) as client:
        answer = client.get("/v1/metrics/resumo").json()
    assert answer["conferencia"] == [
        {"ano": 2022, "status": "ok", "arquivo": "EXP_2022.csv", "diferencaRegistros": None,
         "diferencaUsd": None, "diferencaKg": None},
        {"ano": 2023, "status": "divergente", "arquivo": "EXP_2023.csv",
         "diferencaRegistros": 0, "diferencaUsd": -7, "diferencaKg": 0},
    ]  # fmt: skip

"""Bad input: rejected rows are kept with line and reason; whole-file errors store nothing.
Loads are atomic and idempotent; a changed file replaces its rows; a killed load changes nothing."""

import json
import os
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from bgc_core import views
from bgc_pipeline.ingest import IngestError, load_file
from bgc_pipeline.ingest import sample as samples
from tests.support.db import query
from tests.support.ingest import paused_load, staging_snapshot, stored_totals
from tests.support.paths import SAMPLES

HEADER = "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def latest_batch(url: str, source: str) -> tuple[object, ...]:
    return query(
        url,
        "SELECT status, rows_loaded, rows_rejected, rows_replaced, error FROM cfg.ingest_batches "
        "WHERE source_name = %s ORDER BY started_at DESC LIMIT 1",
        (source,),
    )[0]


def test_bad_rows_are_rejected_with_line_and_reason(database_url: str, tmp_path: Path) -> None:
    text = HEADER + (
        "2024,1,China,X,09011110,10.00,1\n"        # line 2: good
        "abc,1,China,X,09011110,1,1\n"             # line 3
        "1996,1,China,X,09011110,1,1\n"            # line 4
        "2024,13,China,X,09011110,1,1\n"           # line 5
        "2024,1,,X,09011110,1,1\n"                 # line 6
        "2024,1,China,X,09011110,-1,1\n"           # line 7
        "2024,1,China,X,09011110,1,-2\n"           # line 8
        "2024,1,China,X,123,1,1\n"                 # line 9
        "2024,1,China,X,09011110,dez,1\n"          # line 10
        "2023,2,Chile,X,09011110,5.50,2\n"         # line 11: good
    )  # fmt: skip
    path = write(tmp_path / "mixed.csv", text)
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_rejected) == (2, 8)
    assert stored_totals(database_url, "mixed.csv")[:2] == (2, 15.50)
    rejects = query(
        database_url,
        "SELECT line, reason, raw FROM cfg.ingest_rejects WHERE source_name = 'mixed.csv' ORDER BY line",
    )
    assert [(line, reason) for line, reason, _ in rejects] == [
        (3, "ano is not a year"),
        (4, f"ano outside 1997..{time.localtime().tm_year + 1}"),
        (5, "mes is not a month 1-12"),
        (6, "pais is empty"),
        (7, "valor is negative"),
        (8, "peso is negative"),
        (9, "ncm is not an 8-digit NCM"),
        (10, "valor is not a number"),
    ]
    assert rejects[0][2] == {"ano": "abc", "mes": "1", "pais": "China", "setor": "X",
                             "ncm": "09011110", "valor_usd": "1", "peso_kg": "1"}  # fmt: skip
    assert latest_batch(database_url, "mixed.csv")[:3] == ("loaded", 2, 8)


def test_unknown_country_code_is_rejected(database_url: str, tmp_path: Path) -> None:
    text = "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB\n2024;01;09011110;555;1;1\n2024;01;09011110;160;1;1\n"
    result = load_file(database_url, write(tmp_path / "EXP_codes.csv", text))
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert query(
        database_url, "SELECT reason FROM cfg.ingest_rejects WHERE source_name = 'EXP_codes.csv'"
    ) == [("unknown CO_PAIS code",)]


def _corrupt_xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "empty.csv: file is empty"),
        ("header_only.csv", HEADER, "header_only.csv: file has a header but no data rows"),
        ("other.csv", "a;b;c\n1;2;3\n", "other.csv: header matches no known layout"),
        ("missing.csv", "ano,mes,pais,setor,valor_usd\n2024,1,China,X,1\n",
         "missing.csv: project layout: missing required column(s): peso"),
        ("EXP_2024.csv", "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB;VL_FRETE;VL_SEGURO\n2024;1;1;1;1;1;1;1\n",
         "EXP_2024.csv: named as an export file (EXP_) but its header has freight and insurance"),
        ("IMP_2024.csv", "CO_ANO;CO_MES;CO_NCM;CO_PAIS;KG_LIQUIDO;VL_FOB\n2024;1;09011110;160;1;1\n",
         "IMP_2024.csv: named as an import file (IMP_) but its header has no freight"),
        ("municipio.csv", "Ano;Município;Código NCM;Valor US$ FOB;Quilograma Líquido\n2024;X;09011110;1;1\n",
         "municipio.csv: webui layout: missing required column(s): Países"),
        ("ragged.csv", HEADER + "2024,1,China,X,09011110,1,1\n2024,1,China,X,1,1,1,extra\n",
         "ragged.csv: cannot parse CSV at line 3"),
    ],
)  # fmt: skip
def test_whole_file_errors_store_nothing(
    database_url: str, tmp_path: Path, name: str, content: str, message: str
) -> None:
    before = staging_snapshot(database_url)
    with pytest.raises(IngestError) as error:
        load_file(database_url, write(tmp_path / name, content))
    assert str(error.value).startswith(message)
    assert staging_snapshot(database_url) == before
    status, loaded, *_, recorded = latest_batch(database_url, name)
    assert (status, loaded) == ("failed", 0)
    assert recorded and message.split(": ", 1)[1] in recorded


def test_corrupt_xlsx_and_unknown_sheet(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"broken.xlsx: not a readable spreadsheet"):
        load_file(database_url, _corrupt_xlsx(tmp_path / "broken.xlsx"))
    real = SAMPLES / "exportacao_2024_planilha.xlsx"
    with pytest.raises(IngestError, match=r"sheet 'Nope' not found; sheets: exportacao"):
        load_file(database_url, real, sheet="Nope")


def test_same_content_twice_changes_nothing(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "twice.csv", HEADER + "2024,1,China,X,09011110,10,1\n")
    first = load_file(database_url, path)
    snapshot = staging_snapshot(database_url)
    second = load_file(database_url, path)
    assert (first.status, second.status) == ("loaded", "unchanged")
    assert staging_snapshot(database_url) == snapshot


def test_changed_file_replaces_its_rows(database_url: str, tmp_path: Path) -> None:
    path = write(
        tmp_path / "EXP_2025.csv",
        HEADER + "2025,1,China,X,09011110,10,1\n2025,1,Chile,X,09011110,5,1\n",
    )
    load_file(database_url, path)
    write(
        path,
        HEADER
        + "2025,1,China,X,09011110,12,1\n2025,2,China,X,09011110,3,1\n2025,2,Peru,X,09011110,1,1\n",
    )
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_replaced) == (3, 2)
    assert stored_totals(database_url, "EXP_2025.csv")[:2] == (3, 16)
    assert latest_batch(database_url, "EXP_2025.csv")[:4] == ("loaded", 3, 0, 2)


def test_a_changed_file_replaces_exactly_its_own_rows_and_rejects(
    database_url: str, tmp_path: Path
) -> None:
    other = write(
        tmp_path / "other.csv", HEADER + "2024,1,Peru,X,09011110,5,1\n2024,1,Peru,X,bad,5,1\n"
    )
    load_file(database_url, other)
    path = write(
        tmp_path / "mine.csv", HEADER + "2024,1,China,X,09011110,10,1\n2024,1,China,X,bad,1,1\n"
    )
    load_file(database_url, path)
    write(path, HEADER + "2024,2,China,X,09011110,20,2\n2024,2,China,X,09011110,abc,2\n")
    result = load_file(database_url, path)
    assert (result.rows_loaded, result.rows_rejected, result.rows_replaced) == (1, 1, 1)
    assert stored_totals(database_url, "mine.csv") == (1, Decimal("20"), Decimal("2"))
    assert stored_totals(database_url, "other.csv") == (1, Decimal("5"), Decimal("1"))
    rejects = query(
        database_url,
        "SELECT source_name, line, reason FROM cfg.ingest_rejects ORDER BY source_name, line",
    )
    assert rejects == [
        ("mine.csv", 3, "valor is not a number"),
        ("other.csv", 3, "ncm is not an 8-digit NCM"),
    ]


def test_the_same_content_under_another_name_is_not_loaded_twice(
    database_url: str, tmp_path: Path
) -> None:
    text = HEADER + "2024,1,China,X,09011110,10,1\n"
    load_file(database_url, write(tmp_path / "first.csv", text))
    copy = load_file(database_url, write(tmp_path / "copy.csv", text))
    assert (copy.status, copy.note) == ("unchanged", "same content already loaded as first.csv")
    assert query(database_url, "SELECT ingest_source, count(*) FROM stg.exportacao GROUP BY 1") == [
        ("first.csv", 1)
    ]


def test_failed_replacement_keeps_the_previous_rows(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "keep.csv", HEADER + "2025,1,China,X,09011110,10,1\n")
    load_file(database_url, path)
    write(path, "garbage;header\n1;2\n")
    with pytest.raises(IngestError):
        load_file(database_url, path)
    assert stored_totals(database_url, "keep.csv")[:2] == (1, 10)


@pytest.mark.parametrize("step", ["before_copy", "copy", "index", "swap", "before_commit"])
def test_a_load_killed_at_any_step_leaves_the_previous_state(
    database_url: str, tmp_path: Path, step: str
) -> None:
    path = tmp_path / "big.csv"
    samples.write_sample(path, rows=2_000, seed=1)
    load_file(database_url, path)
    before = staging_snapshot(database_url)
    samples.write_sample(path, rows=3_000, seed=2)
    with paused_load(database_url, path, step):
        pass  # killed at the step
    assert staging_snapshot(database_url) == before
    assert latest_batch(database_url, "big.csv")[0] == "running"  # the attempt stays visible
    load_file(database_url, path)  # the next load of the file closes the abandoned attempt
    statuses = query(
        database_url,
        "SELECT status, error FROM cfg.ingest_batches WHERE source_name = 'big.csv' ORDER BY started_at",
    )
    assert [s for s, _ in statuses] == ["loaded", "failed", "loaded"]
    assert str(statuses[1][1]).startswith("abandoned")


def test_cli_prints_a_summary_and_fails_with_the_message(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "BGC_DATABASE_URL": database_url}
    bgc_ingest = str(Path(sys.executable).parent / "bgc-ingest")
    good = write(tmp_path / "cli_good.csv", HEADER + "2024,1,Peru,X,09011110,77,1\n")
    ok = subprocess.run(
        [bgc_ingest, "load-csv", str(good)], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("cli_good.csv: loaded 1 row(s), rejected 0 (project layout) in ")
    bad = write(tmp_path / "cli_bad.csv", "nope\n1\n")
    failed = subprocess.run(
        [bgc_ingest, "load-csv", str(bad)], env=env, capture_output=True, text=True
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: cli_bad.csv: header matches no known layout")
    refreshed = subprocess.run([bgc_ingest, "refresh-mv"], env=env, capture_output=True, text=True)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.startswith(f"refreshed {len(views.VIEWS_IN_ORDER)} views in ")


def test_reject_raw_values_are_a_json_object_of_the_source_text(
    database_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "one_bad.csv", HEADER + '2024,1,"Coreia, do Sul",X,09011110,x,1\n')
    assert load_file(database_url, path).rows_rejected == 1
    [(kind, raw)] = query(
        database_url,
        "SELECT jsonb_typeof(raw), raw::text FROM cfg.ingest_rejects WHERE source_name = %s",
        ("one_bad.csv",),
    )
    assert kind == "object"
    assert json.loads(str(raw))["pais"] == "Coreia, do Sul"
    assert json.loads(str(raw))["valor_usd"] == "x"


def test_numbers_are_read_in_the_format_of_their_column(database_url: str, tmp_path: Path) -> None:
    point = write(
        tmp_path / "point.csv",
        HEADER + "2024,1,China,X,09011110,577.307,1\n2024,1,China,X,09011110,0.5,1\n",
    )
    load_file(database_url, point)
    assert stored_totals(database_url, "point.csv")[1] == Decimal("577.81")  # 577.307 + 0.5
    comma = write(
        tmp_path / "comma.csv",
        "ano;mes;pais;setor;ncm;valor_usd;peso_kg\n"
        "2024;1;China;X;09011110;577.307;1\n2024;1;China;X;09011110;1.250,50;1\n",
    )
    load_file(database_url, comma)
    assert stored_totals(database_url, "comma.csv")[1] == Decimal("578557.50")


def test_a_number_column_that_contradicts_itself_refuses_the_file(
    database_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "mixed.csv", HEADER + "2024,1,China,X,09011110,10,1\n")
    load_file(database_url, path)
    before = staging_snapshot(database_url)
    write(
        path,
        'ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2024,1,China,X,09011110,"0.5",1\n'
        '2024,1,China,X,09011110,"0,5",1\n',
    )
    with pytest.raises(IngestError) as error:
        load_file(database_url, path)
    assert str(error.value) == (
        "mixed.csv: column valor_usd, line 3: number format: here uses ',' as decimal mark, "
        "line 2 uses '.'"
    )
    assert staging_snapshot(database_url) == before
    assert latest_batch(database_url, "mixed.csv")[0] == "failed"

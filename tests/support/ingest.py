"""Independent expectations for ingest tests: totals computed with the csv module and Decimal."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from bgc_core import views
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.loader import PAUSE_VARIABLE, PAUSED_MARKER
from tests.support.db import query
from tests.support.paths import SAMPLES


def csv_totals(
    path: Path, value: str, weight: str, *, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> tuple[int, Decimal, Decimal]:
    """(rows, sum of value, sum of weight) of a CSV, read with the standard library."""
    text = path.read_bytes().decode(encoding)
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    clean = [{k.strip(): (v or "").strip() for k, v in row.items()} for row in rows]
    return (
        len(clean),
        sum((Decimal(r[value]) for r in clean), Decimal(0)),
        sum((Decimal(r[weight]) for r in clean), Decimal(0)),
    )


def stored_totals(url: str, source: str) -> tuple[int, Decimal, Decimal]:
    [(rows, usd, kg)] = query(
        url,
        "SELECT count(*), COALESCE(sum(valor_usd), 0), COALESCE(sum(peso_kg), 0) "
        "FROM stg.exportacao WHERE ingest_source = %s",
        (source,),
    )
    return int(rows), Decimal(usd), Decimal(kg)  # type: ignore[arg-type]


def staging_snapshot(url: str) -> list[tuple[object, ...]]:
    """Staging, its partitions and the aggregates kept with them, for 'nothing changed'
    assertions."""
    return [
        *query(
            url,
            "SELECT ingest_source, count(*), sum(valor_usd), sum(peso_kg), "
            "string_agg(DISTINCT ingest_batch, ',') FROM stg.exportacao GROUP BY 1 ORDER BY 1",
        ),
        *query(
            url,
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'stg.exportacao'::regclass ORDER BY 1",
        ),
        *query(url, "SELECT * FROM rpt.agg_arquivo ORDER BY ingest_source, ano"),
        *query(
            url,
            "SELECT ingest_source, count(*), sum(total_usd), sum(total_kg), sum(registros) "
            "FROM rpt.agg_mensal GROUP BY 1 ORDER BY 1",
        ),
    ]


def xlsx_totals(path: Path, value: str, weight: str) -> tuple[int, Decimal, Decimal]:
    """(rows, sum of value, sum of weight) of the first sheet, read with openpyxl."""
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c) for c in next(rows)]
    records = [dict(zip(header, row, strict=False)) for row in rows if any(row)]
    return (
        len(records),
        sum((Decimal(str(r[value])) for r in records), Decimal(0)),
        sum((Decimal(str(r[weight])) for r in records), Decimal(0)),
    )


def samples_total_usd() -> Decimal:
    """FOB USD of every committed sample file, summed from the files themselves."""
    return (
        csv_totals(SAMPLES / "EXP_2025.csv", "VL_FOB", "KG_LIQUIDO")[1]
        + csv_totals(SAMPLES / "exportacao_2023_2024.csv", "valor_usd", "peso_kg", delimiter=",")[1]
        + xlsx_totals(SAMPLES / "exportacao_2024_planilha.xlsx", "valor_usd", "peso_kg")[1]
    )


@contextmanager
def paused_load(url: str, path: Path, step: str) -> Iterator[None]:
    """``bgc-ingest load-csv path`` paused at ``step`` (its transaction open) for the
    block's duration, then killed; returns once its server session is gone."""
    env = {**os.environ, "BGC_DATABASE_URL": url, PAUSE_VARIABLE: step}
    loader = subprocess.Popen(
        [str(Path(sys.executable).parent / "bgc-ingest"), "load-csv", str(path)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert loader.stderr is not None
        line = loader.stderr.readline()  # blocks until the loader reaches the step (or exits)
        assert line.strip() == f"{PAUSED_MARKER} {step}", line + loader.stderr.read()
        yield
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
    wait_until_no_load_session(url)


def wait_until_no_load_session(url: str, timeout_s: float = 30) -> None:
    """The killed loader's server session is gone (its transaction rolled back)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        [(holding,)] = query(
            url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        if holding == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"the killed loader's session still exists after {timeout_s:.0f} s")


def official_file_facts(
    paths: list[Path], latest: int
) -> tuple[dict[int, Decimal], set[str], set[str]]:
    """Of official-layout files: the FOB value per year, and the states and NCMs of
    ``latest``."""
    usd: dict[int, Decimal] = defaultdict(Decimal)
    states: set[str] = set()
    products: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                usd[int(row["CO_ANO"])] += Decimal(row["VL_FOB"])
                if int(row["CO_ANO"]) == latest:
                    states.add(row["SG_UF_NCM"])
                    products.add(row["CO_NCM"])
    return usd, states, products


def official_rows(path: Path) -> list[dict[str, str]]:
    """An official-layout file's rows (``;``-separated), as the csv module reads them."""
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"), newline=""), delimiter=";"))


def load_and_refresh(url: str, paths: Iterable[Path]) -> None:
    """Load each file, none of its rows rejected, then refresh the views and snapshots:
    the state the API's tests read."""
    for path in paths:
        assert load_file(url, path).rows_rejected == 0, path
    views.refresh_all(url)

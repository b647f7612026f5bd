"""The full-history benchmark: every yearly file of both flows loaded one by one, one
export year revised.

Each yearly file is generated (official layout, realistic cardinalities), loaded with
``bgc-ingest load-csv`` in its own process and deleted, so the disk holds few files at a
time: each year's exports (``EXP_``), then its imports (``IMP_``). Measured in the same
run: the load time of every file (flat means the last three take no longer than the
first three); the refresh (views and Parquet snapshots) with one year loaded, after the
other years' loads, after loading the last year and after revising one year at full
history, and a full rebuild, each against a bare ``COPY`` of one yearly file into an
unindexed table (the baseline); the snapshots' size against the CSVs'; the database's
size; the cold-cache latency of the metrics endpoints by group with one year and with
the whole history; the API process's memory; and MDIC's reconciliation of every file.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from bench.baselines import timed_copy
from bgc_core import db, reconciliation, views
from bgc_core.domain import EXPORTS, IMPORTS
from bgc_pipeline.ingest import load_file
from bgc_pipeline.ingest.history import Dimensions, YearFile, write_totals, write_year

REVISED_SHARE = 20
"""One row in 20 (5%) changes when a year is revised."""


def revise(path: Path) -> None:
    """MDIC's monthly reprocessing, simulated: 5% of the year's rows get a new VL_FOB."""
    frame = pl.read_csv(path, separator=";", infer_schema=False)
    changed = pl.int_range(pl.len()).hash(7) % REVISED_SHARE == 0
    frame = frame.with_columns(
        VL_FOB=pl.when(changed)
        .then((pl.col("VL_FOB").cast(pl.Int64) * 11 // 10 + 1).cast(pl.String))
        .otherwise(pl.col("VL_FOB"))
    )
    frame.write_csv(path, separator=";", quote_style="non_numeric", line_terminator="\r\n")


def api_urls(years: list[int]) -> list[str]:
    """Distinct metrics queries, each asked once: rankings with up to two filters, the
    summary and the series, over the years given."""
    urls = [
        "/v1/metrics/resumo",
        "/v1/metrics/pais?limit=20",
        "/v1/metrics/setor",
        "/v1/metrics/serie",
        "/v1/metrics/serie?pais=China",
        "/v1/metrics/pais?setor=Indústria de Transformação",
        "/v1/metrics/setor?pais=Estados Unidos",
        "/v1/metrics/resumo?pais=China",
    ]
    for year in years:
        urls += [
            f"/v1/metrics/resumo?ano={year}",
            f"/v1/metrics/pais?ano={year}&limit=20",
            f"/v1/metrics/setor?ano={year}",
            f"/v1/metrics/pais?ano={year}&setor=Agropecuária",
            f"/v1/metrics/setor?ano={year}&pais=China",
            f"/v1/metrics/serie?ano_de={year - 1}&ano_ate={year}",
            f"/v1/metrics/serie?ano_de={year}&ano_ate={year}&periodo=12meses",
            f"/v1/metrics/uf?ano={year}",
            f"/v1/metrics/ncm?ano={year}&limit=20",
            f"/v1/metrics/sh4?ano={year}&mes_de=1&mes_ate=6",
            f"/v1/metrics/concentracao?ano={year}",
            f"/v1/metrics/variacao/sh4?ano={year}&limit=5",
            f"/v1/metrics/variacao/pais?ano={year}&limit=5",
        ]
    return urls


def one_filter_urls(years: list[int]) -> list[str]:
    """Rankings, summaries, concentration and movers with one filter beyond the year:
    every one reads the snapshots."""
    urls = []
    for year in years:
        urls += [
            f"/v1/metrics/uf?ano={year}&pais=China",
            f"/v1/metrics/ncm?ano={year}&uf=SP&limit=20",
            f"/v1/metrics/sh4?ano={year}&via=01",
            f"/v1/metrics/urf?ano={year}&ncm=12",
            f"/v1/metrics/bloco?ano={year}&uf=MG",
            f"/v1/metrics/resumo?ano={year}&uf=SP",
            f"/v1/metrics/concentracao?ano={year}&uf=SP",
            f"/v1/metrics/variacao/sh4?ano={year}&pais=China&limit=5",
            f"/v1/metrics/pais?ano={year}&uf=SP",
        ]
    return urls


def filtered_urls(years: list[int]) -> list[str]:
    """Rankings, summaries, series, concentration and movers with two filters beyond the
    year, on the leading codes of the generated data (the snapshots)."""
    urls = []
    for year in years:
        urls += [
            f"/v1/metrics/uf?ano={year}&pais=China&ncm=12",
            f"/v1/metrics/ncm?ano={year}&uf=SP&via=01&limit=20",
            f"/v1/metrics/pais?ano={year}&uf=SP&ncm=12",
            f"/v1/metrics/sh4?ano={year}&bloco=22&uf=MG",
            f"/v1/metrics/setor?ano={year}&urf=0817800&pais=160",
            f"/v1/metrics/via?ano={year}&pais=USA&setor=C",
            f"/v1/metrics/resumo?ano={year}&uf=SP&via=01",
            f"/v1/metrics/serie?ano={year}&pais=China&uf=SP",
            f"/v1/metrics/sh2?ano={year}&mes_de=1&mes_ate=6&uf=PR&pais=China",
            f"/v1/metrics/concentracao?ano={year}&uf=SP&via=01",
            f"/v1/metrics/variacao/sh4?ano={year}&pais=China&uf=MT&limit=5",
        ]
    return urls


def months_urls(years: list[int]) -> list[str]:
    """Series and rankings over a span of months, with one or two filters (the
    snapshots)."""
    urls = []
    for year in years:
        urls += [
            f"/v1/metrics/serie?ano={year}&uf=SP",
            f"/v1/metrics/serie?ano={year}&via=01&ncm=12",
            f"/v1/metrics/sh4?ano={year}&mes_de=1&mes_ate=6&uf=SP",
            f"/v1/metrics/pais?ano={year}&mes_de=1&mes_ate=3&ncm=12",
            f"/v1/metrics/variacao/uf?ano={year}&mes_de=4&mes_ate=9&pais=China&limit=5",
        ]
    return urls


def series_urls() -> list[str]:
    """Monthly series with one or two filters over every year: each reads every year's
    file (the trial in the columnar issue: 36 ms p95 for two filters)."""
    return [
        "/v1/metrics/serie?uf=SP",
        "/v1/metrics/serie?pais=China&uf=SP",
        "/v1/metrics/serie?via=01&ncm=12",
        "/v1/metrics/serie?bloco=22&setor=Agropecuária",
        "/v1/metrics/serie?uf=MG&mes_de=1&mes_ate=6",
        "/v1/metrics/serie?urf=0817800&periodo=12meses",
        "/v1/metrics/serie?pais=USA&ncm=2601&periodo=acumulado",
        "/v1/metrics/serie?uf=PR&via=04",
    ]


def balance_urls(years: list[int]) -> list[str]:
    """The trade balance: per year over the whole history, per month of a year with up
    to two filters, and rankings of partners, states and products (both flows' files)."""
    urls = ["/v1/metrics/balanca", "/v1/metrics/balanca?pais=China",
            "/v1/metrics/balanca?uf=SP&ncm=12"]  # fmt: skip
    for year in years:
        urls += [
            f"/v1/metrics/balanca?ano={year}",
            f"/v1/metrics/balanca?ano={year}&pais=China",
            f"/v1/metrics/balanca?ano={year}&uf=SP&ncm=12",
            f"/v1/metrics/balanca/pais?ano={year}",
            f"/v1/metrics/balanca/uf?ano={year}&ordem=corrente",
            f"/v1/metrics/balanca/sh4?ano={year}&pais=China",
            f"/v1/metrics/balanca/ncm?ano={year}&uf=SP&limit=20",
            f"/v1/metrics/balanca/pais?ano={year}&mes_de=1&mes_ate=6&bloco=22",
        ]
    return urls


def comexstat_bodies(years: list[int]) -> list[dict[str, Any]]:
    """``POST /comexstat/general`` as Comex Stat clients send it: up to two details and two
    filters, exports and imports, by year or by month."""
    fob = ["metricFOB", "metricKG"]
    span = {"from": f"{years[0]}-01", "to": f"{years[-1]}-12"}
    bodies: list[dict[str, Any]] = [
        {"flow": "export", "period": span, "details": ["country"], "metrics": fob},
        {"flow": "import", "period": span, "details": ["chapter"],
         "metrics": ["metricFOB", "metricCIF"]},
    ]  # fmt: skip
    for year in years:
        period = {"from": f"{year}-01", "to": f"{year}-12"}
        bodies += [
            {"flow": "export", "period": period, "monthDetail": True, "metrics": fob,
             "filters": [{"filter": "state", "values": [35]},
                         {"filter": "chapter", "values": ["12"]}],
             "details": ["country", "heading"]},
            {"flow": "export", "period": period, "details": ["heading"], "metrics": fob,
             "filters": [{"filter": "state", "values": [41]}]},
            {"flow": "export", "period": period, "details": ["country", "via"], "metrics": fob,
             "filters": [{"filter": "chapter", "values": ["26"]}]},
            {"flow": "export", "period": period, "monthDetail": True, "metrics": fob,
             "filters": [{"filter": "country", "values": [160]},
                         {"filter": "state", "values": [35]}]},
            {"flow": "import", "period": period, "details": ["country"],
             "metrics": ["metricFOB", "metricFreight", "metricInsurance", "metricCIF"]},
            {"flow": "import", "period": period, "details": ["state"], "metrics": fob,
             "filters": [{"filter": "economicBlock", "values": [22]}]},
        ]  # fmt: skip
    return bodies


def cold_posts(base: str, path: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Each body posted once (the answer cache holds none of them)."""
    timings = []
    for body in bodies:
        data = json.dumps(body).encode()
        request = urllib.request.Request(
            f"{base}{path}", data=data, headers={"Content-Type": "application/json"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        timings.append(((time.perf_counter() - started) * 1000, data.decode()))
    return _latencies(timings)


def as_imports(urls: list[str]) -> list[str]:
    """The same questions about imports (``fluxo=importacao``)."""
    return [f"{url}{'&' if '?' in url else '?'}fluxo=importacao" for url in urls]


GROUPS = {
    "unfiltered": api_urls,
    "one_filter": one_filter_urls,
    "two_filters": filtered_urls,
    "months": months_urls,
}
"""The latency groups asked per year; ``series`` (every year at once) is asked as is."""


def group_latencies(
    base: str, years: list[int], prefix: str, imports: bool = False
) -> dict[str, Any]:
    """Every group's cold latencies, each group right after a refresh of the summaries
    emptied the API's answer cache (the URLs of a group are distinct, so none is cached
    by another). With ``imports``, the same groups asked about imports and the balance
    too."""
    found = {f"{prefix}_{name}": cold_latencies(base, urls(years)) for name, urls in GROUPS.items()}
    found[f"{prefix}_series"] = cold_latencies(base, series_urls())
    if imports:
        for name, urls in GROUPS.items():
            found[f"{prefix}_imports_{name}"] = cold_latencies(base, as_imports(urls(years)))
        found[f"{prefix}_imports_series"] = cold_latencies(base, as_imports(series_urls()))
        found[f"{prefix}_balance"] = cold_latencies(base, balance_urls(years))
        found[f"{prefix}_comexstat"] = cold_posts(
            base, "/comexstat/general", comexstat_bodies(years)
        )
    return found


def cold_latencies(base: str, urls: list[str]) -> dict[str, Any]:
    """Each URL asked once right after a refresh emptied the API's answer cache."""
    timings = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.quote(parts.query, safe="=&")
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}{parts.path}?{query}", timeout=30) as response:
            response.read()
        timings.append(((time.perf_counter() - started) * 1000, url))
    return _latencies(timings)


def _latencies(timings: list[tuple[float, str]]) -> dict[str, Any]:
    """The count, p50, p95 and max of (milliseconds, what was asked), and the slowest."""
    ordered = sorted(ms for ms, _ in timings)
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "slowest": [f"{ms:.1f} ms {url}" for ms, url in sorted(timings, reverse=True)[:5]],
    }


def _refresh(
    url: str,
    figures: dict[str, Any],
    label: str,
    api_settled: Callable[[], float],
    *,
    full: bool = False,
) -> None:
    """Every view and snapshot brought up to date: the total under ``label``_s, each
    one's seconds under ``label``_views. The API builds the new version's local copies
    when the refresh commits: how long it took (until its process is idle) goes under
    ``label``_api_copies_s, measured before the next step starts."""
    api_settled()  # what the step before left running in the API is not timed here
    started = time.perf_counter()
    done = views.refresh_all(url, full=full)
    figures[f"{label}_s"] = round(time.perf_counter() - started, 3)
    figures[f"{label}_views"] = {r.view: r.seconds for r in done}
    figures[f"{label}_api_copies_s"] = api_settled()


def bare_copy_seconds(url: str, path: Path) -> float:
    """Baseline: one ``COPY FROM STDIN`` of an official yearly file, as it is, into an
    unindexed table of text columns."""
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    names = [name.strip('"').lower() for name in header.split(";")]
    columns = ", ".join(f"{name} TEXT" for name in names)
    return timed_copy(
        url, "public.bench_copy", f"CREATE UNLOGGED TABLE public.bench_copy ({columns})",
        "COPY public.bench_copy FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')",
        path,
    )  # fmt: skip


def _sizes(url: str) -> dict[str, int]:
    """The database's size and each flow's snapshots (bytes and files)."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT pg_database_size(current_database()),"
            " (SELECT COALESCE(sum(bytes), 0) FROM rpt.snapshot_exportacao),"
            " (SELECT count(*) FROM rpt.snapshot_exportacao),"
            " (SELECT COALESCE(sum(bytes), 0) FROM rpt.snapshot_importacao),"
            " (SELECT count(*) FROM rpt.snapshot_importacao)"
        )
        row = cur.fetchone()
    assert row is not None
    names = ("database_bytes", "snapshot_bytes", "files", "import_snapshot_bytes", "import_files")
    return {name: int(value) for name, value in zip(names, row, strict=True)}


def bench_history(
    url: str,
    work: Path,
    years: range,
    rows_per_year: int,
    cli_load: Callable[[str, Path], tuple[float, float]],
    api_base: Callable[[], str],
    api_rss_mib: Callable[[], dict[str, float]],
    api_settled: Callable[[], float],
    import_rows_per_year: int = 0,
) -> dict[str, Any]:
    """The history of exports (``rows_per_year`` a year) and, unless
    ``import_rows_per_year`` is 0, of imports beside them."""
    folder = work / "history"
    folder.mkdir()
    dims = Dimensions.official()
    imports = import_rows_per_year > 0
    written: list[YearFile] = []
    imported: list[YearFile] = []
    seconds: list[float] = []
    import_seconds: list[float] = []
    csv_bytes = {EXPORTS: 0, IMPORTS: 0}
    peak = 0.0
    figures: dict[str, Any] = {"years": f"{years[0]}-{years[-1]}", "rows_per_year": rows_per_year}
    figures["import_rows_per_year"] = import_rows_per_year
    figures["database_bytes_empty"] = _sizes(url)["database_bytes"]
    kept = {years[len(years) // 2], years[-1]}

    def load(made: YearFile, flow: str, timings: list[float]) -> None:
        nonlocal peak
        csv_bytes[flow] += made.path.stat().st_size
        load_s, rss = cli_load(url, made.path)
        timings.append(round(load_s, 3))
        peak = max(peak, rss)

    for year in years:
        made = write_year(folder, year, rows_per_year, dims, seed=42)
        if year == years[-1]:
            _refresh(url, figures, "refresh_after_other_loads", api_settled)
        load(made, EXPORTS, seconds)
        written.append(made)
        if year not in kept:
            made.path.unlink()
        if year == years[-1]:
            _refresh(url, figures, "refresh_last_year_loaded", api_settled)
        if imports:
            made = write_year(folder, year, import_rows_per_year, dims, seed=42, flow=IMPORTS)
            load(made, IMPORTS, import_seconds)
            imported.append(made)
            if year != years[-1]:
                made.path.unlink()
            if year == years[-1]:
                _refresh(url, figures, "refresh_last_import_year_loaded", api_settled)
        if len(written) == 1:
            _refresh(url, figures, "refresh_one_year", api_settled)
            figures |= group_latencies(api_base(), [year], "api_one_year", imports)
    revised = written[len(years) // 2]
    figures["rows_total"] = sum(w.rows for w in written)
    figures["load_s_per_file"] = seconds
    figures["load_total_s"] = round(sum(seconds), 1)
    first, last = statistics.mean(seconds[:3]), statistics.mean(seconds[-3:])
    figures["load_first3_mean_s"] = round(first, 3)
    figures["load_last3_mean_s"] = round(last, 3)
    figures["load_last3_vs_first3"] = round(last / first, 2)
    figures["load_peak_rss_mib"] = round(peak, 1)
    if imports:
        figures["import_rows_total"] = sum(w.rows for w in imported)
        figures["import_load_s_per_file"] = import_seconds
        figures["import_load_total_s"] = round(sum(import_seconds), 1)
    revise(revised.path)
    load_s, _ = cli_load(url, revised.path)
    figures["revise_one_year_load_s"] = round(load_s, 3)
    _refresh(url, figures, "refresh_after_revision", api_settled)
    recent = list(years)[-5:]
    figures |= group_latencies(api_base(), recent, "api_full_history", imports)
    figures["api_rss_mib"] = api_rss_mib()
    _refresh(url, figures, "refresh_full_rebuild", api_settled, full=True)
    copy_s = _baseline(url, figures, "bare_copy_one_year_s", written[-1].path)
    files = len(written) + len(imported)
    for label, bound in (("refresh_last_year_loaded", 5), ("refresh_after_revision", 5),
                         ("refresh_full_rebuild", 5 * files),
                         ("refresh_one_year", 5 * (1 + imports))):  # fmt: skip
        _ratio(figures, label, copy_s, bound)
    if imports:
        import_copy_s = _baseline(url, figures, "bare_copy_one_import_year_s", imported[-1].path)
        _ratio(figures, "refresh_last_import_year_loaded", import_copy_s, 5)
    sizes = _sizes(url)
    figures["csv_bytes"] = csv_bytes[EXPORTS]
    figures["import_csv_bytes"] = csv_bytes[IMPORTS]
    figures |= {f"{k}_full_history": v for k, v in sizes.items()}
    figures["snapshots_vs_csv"] = round(sizes["snapshot_bytes"] / csv_bytes[EXPORTS], 3)
    if imports:
        figures["import_snapshots_vs_csv"] = round(
            sizes["import_snapshot_bytes"] / csv_bytes[IMPORTS], 3
        )
    figures["reconciliation"] = _reconcile(url, folder, written)
    if imports:
        figures["import_reconciliation"] = _reconcile(url, folder, imported, IMPORTS)
    return figures


def _baseline(url: str, figures: dict[str, Any], label: str, path: Path) -> float:
    """Three bare ``COPY``s of ``path``: all under ``label``, the median returned."""
    copies = [bare_copy_seconds(url, path) for _ in range(3)]
    figures[label] = [round(c, 3) for c in copies]
    return statistics.median(copies)


def _ratio(figures: dict[str, Any], label: str, copy_s: float, bound: int) -> None:
    figures[f"{label}_vs_copy"] = round(figures[f"{label}_s"] / copy_s, 2)
    figures[f"{label}_vs_copy_goal"] = bound


def _reconcile(
    url: str, folder: Path, written: list[YearFile], flow: str = EXPORTS
) -> dict[str, int]:
    """MDIC's totals for the original files: every file ok except the revised (export)
    year, whose totals (written before its revision) now differ."""
    totals = write_totals(folder, written, flow)
    load_file(url, totals)
    statuses: dict[str, int] = {}
    for row in reconciliation.reconcile(url, fluxo=flow):
        statuses[row.status] = statuses.get(row.status, 0) + 1
    return statuses

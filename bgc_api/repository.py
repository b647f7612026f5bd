"""Every read of the API: the ``rpt`` views in PostgreSQL (``sql/queries/metrics.sql``) and
the Parquet snapshots in DuckDB (``sql/queries/analytics.sql``)."""

from __future__ import annotations

import dataclasses
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import psycopg2
import sqlalchemy as sa

from bgc_api import balance, figures, series
from bgc_api.analytics import (
    Analytics,
    DamagedCopy,
    SnapshotCache,
    SnapshotFile,
    SnapshotUnavailable,
    UnreadableCopy,
    facts_table,
)
from bgc_api.cache import format_data_through
from bgc_api.schemas import (
    BalancaItem,
    BalancaRankItem,
    Codigo,
    Concentracao,
    Conferencia,
    DimensaoItem,
    Movimento,
    PaisItem,
    Periodo,
    Resumo,
    SerieItem,
    SetorItem,
)
from bgc_core import snapshots, sqlfiles
from bgc_core.domain import EXPORTS, FLOWS, IMPORTS

log = logging.getLogger(__name__)
QUERIES = {name: sa.text(sql) for name, sql in sqlfiles.queries("metrics").items()}

Observe = Callable[[str, float], None]
Dimension = Literal["pais", "setor"]
SCHEMA_MISSING = ("42P01", "3F000")
"""undefined_table, invalid_schema_name: the database was never migrated."""
QUERY_CANCELED = "57014"
"""query_canceled: the statement ran past the engine's statement timeout."""


class DatabaseDown(RuntimeError):
    """The database did not answer; the API replies 503."""


@dataclass(frozen=True)
class Scope:
    """What an answer covers: years, months within them, and filters that combine.
    ``None`` is no filter. The order is the order filters are echoed in answers (the
    first three as before there were more)."""

    ano: int | None = None
    pais: str | None = None
    setor: str | None = None
    ano_de: int | None = None
    ano_ate: int | None = None
    mes_de: int | None = None
    mes_ate: int | None = None
    bloco: str | None = None
    uf: str | None = None
    via: str | None = None
    urf: str | None = None
    ncm: str | None = None
    fluxo: str = EXPORTS
    """The trade flow; imports are always answered from their snapshots."""

    def as_params(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def present(self) -> dict[str, Any]:
        """The filters the client gave, echoed in answers (the flow when it is imports)."""
        given = {k: v for k, v in self.as_params().items() if v is not None}
        if self.fluxo == EXPORTS:
            del given["fluxo"]
        return given

    def filters_beyond(self, *answered: str) -> dict[str, Any]:
        """The filters given other than the years, the flow and ``answered``."""
        skipped = {"ano", "ano_de", "ano_ate", "fluxo", *answered}
        return {k: v for k, v in self.present().items() if k not in skipped}

    def beyond(self, *answered: str) -> bool:
        """Whether the scope is answered from the snapshots, not the views: imports, or a
        filter other than the years and ``answered``."""
        return self.fluxo == IMPORTS or bool(self.filters_beyond(*answered))


class UnknownCode(ValueError):
    """A filter names a code that no code table (nor the data) knows: the API replies 400."""

    def __init__(self, parameter: str, value: str) -> None:
        super().__init__(f"unknown {parameter} {value!r}")
        self.parameter = parameter
        self.value = value


CROSSED_BY_YEARLY_ROLLUP = ("pais", "setor")
"""Filters the yearly rollup answers itself (for resumo, pais and setor)."""
CROSSED_BY_MONTHLY_ROLLUP = ("pais", "setor", "mes_de", "mes_ate")
"""Filters the monthly rollup answers itself (for serie)."""
CROSSED_BY_DIMENSION_TABLE = ("mes_de", "mes_ate")
"""Filters the per-code table answers itself (its months are cumulative)."""


@dataclass(frozen=True)
class Freshness:
    """What every answer says of its data: the views' refresh time and latest month."""

    updated_at: str | None
    data_through: str | None


Ranked = tuple[str, dict[str, Any]]
"""One item of a ranking by country or sector: its name, and the figures every ranking
item carries (``PaisItem``/``SetorItem`` fields), from either engine."""
RANKED_FIELDS = (
    "total_usd", "total_kg", "participacao_pct", "anos", "variacao_pct", "usd_por_kg",
    "codigo", "nome",
)  # fmt: skip


class Repository:
    """Every read of an answer. Scopes the PostgreSQL views hold (no filter beyond the
    years and what the view is split by) read them; every other scope reads the data
    version's Parquet snapshots through DuckDB (:mod:`bgc_api.analytics`)."""

    def __init__(
        self,
        engine: sa.Engine,
        analytics: Analytics,
        files: SnapshotCache,
        observe: Observe | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        self.engine = engine
        self.analytics = analytics
        self.files = files
        self.observe = observe
        self.timeout_ms = timeout_ms
        self._local = threading.local()
        self._levels_lock = threading.Lock()
        self._levels_version: Any = None

    def _timeout_detail(self) -> str:
        limit = f" of {self.timeout_ms / 1000:g} s" if self.timeout_ms else ""
        return f"the query ran past the statement timeout{limit}: the database is busy, retry"

    @contextmanager
    def snapshot(self, fluxo: str = EXPORTS) -> Iterator[Freshness]:
        """Run every query of one answer in one snapshot (REPEATABLE READ, read only) and
        yield the data version and latest month that snapshot sees: an answer names the
        version its figures come from, even when a refresh commits while it is built. The
        same snapshot names the Parquet files the answer may read (``_version_files``)."""
        try:
            with self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as conn:
                self._local.conn = conn
                self._local.files = {}
                try:
                    [(updated_at,)] = self._rows("version", {})
                    self._local.version = updated_at
                    yield Freshness(updated_at.isoformat() if updated_at else None,
                                    self._data_through(fluxo))  # fmt: skip
                finally:
                    self._local.conn = None
                    self._local.files = None
                    self._local.version = None
        except sa.exc.OperationalError as exc:
            raise DatabaseDown(f"database unavailable: {type(exc.orig).__name__}") from exc
        except sa.exc.TimeoutError as exc:
            raise DatabaseDown("database unavailable: connection pool exhausted") from exc

    def _execute(self, name: str, params: dict[str, Any]) -> list[sa.Row[Any]]:
        """On the answer's snapshot connection when there is one, else on its own."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return list(conn.execute(QUERIES[name], params))
        with self.engine.connect() as own:
            return list(own.execute(QUERIES[name], params))

    def _rows(
        self, name: str, params: dict[str, Any], label: str | None = None
    ) -> list[sa.Row[Any]]:
        """Run a named query; its duration is observed under ``label`` (default: its name)."""
        started = time.perf_counter()
        try:
            rows = self._execute(name, params)
        except sa.exc.OperationalError as exc:
            if getattr(exc.orig, "pgcode", None) == QUERY_CANCELED:
                raise DatabaseDown(self._timeout_detail()) from exc
            raise DatabaseDown(f"database unavailable: {type(exc.orig).__name__}") from exc
        except sa.exc.ProgrammingError as exc:
            if getattr(exc.orig, "pgcode", None) in SCHEMA_MISSING:
                raise DatabaseDown("report views missing: run `bgc db migrate`") from exc
            raise
        except sa.exc.TimeoutError as exc:
            raise DatabaseDown("database unavailable: connection pool exhausted") from exc
        finally:
            if self.observe:
                self.observe(label or name, time.perf_counter() - started)
        return rows

    def _data_through(self, fluxo: str) -> str | None:
        """The latest year-month of the flow's data version (exports: its views)."""
        if fluxo == IMPORTS:
            files = self._version_files(IMPORTS)
            if not files:
                return None
            last = files[max(files)]
            return format_data_through(last.ano, last.mes_max)
        latest = self._rows("data_through", {})
        return format_data_through(latest[0].ano, latest[0].mes) if latest else None

    def _version_files(self, fluxo: str = EXPORTS) -> dict[int, SnapshotFile]:
        """The files of the answer's data version of a flow, by year: read in its snapshot
        the first time an answer needs them (answers from the views never do)."""
        if getattr(self._local, "conn", None) is None:
            raise RuntimeError("the snapshots are read inside Repository.snapshot()")
        known: dict[str, dict[int, SnapshotFile]] = self._local.files
        if fluxo not in known:
            query = "snapshot_files_importacao" if fluxo == IMPORTS else "snapshot_files"
            known[fluxo] = {
                r.ano: SnapshotFile(r.ano, r.sha256, r.linhas, r.total_usd, fluxo,
                                    getattr(r, "mes_max", None))
                for r in self._rows(query, {})
            }  # fmt: skip
        return known[fluxo]

    def _copies(
        self, years: Iterable[int] | None, fluxo: str = EXPORTS
    ) -> list[tuple[SnapshotFile, Path]]:
        """The local copies of the version's files of ``years`` (``None``: every year; a
        year the version does not hold is simply absent), built in the answer's snapshot
        where this process lacks them."""
        files = self._version_files(fluxo)
        chosen = list(files.values()) if years is None else [
            files[y] for y in sorted(set(years)) if y in files
        ]  # fmt: skip

        def fetch(sha256: str) -> bytes:
            return self._snapshot_content(sha256, fluxo)

        paths = self.files.ensure(chosen, fetch, self.analytics.build)
        return list(zip(chosen, paths, strict=True))

    def _over_copies(
        self,
        name: str,
        years: Iterable[int] | None,
        table: str,
        params: dict[str, Any],
        flows: dict[str, str],
    ) -> list[Any]:
        """Run a DuckDB query over ``table`` of the copies of ``years``, each parameter
        of ``flows`` naming the tables of its flow (``{"tabelas": "exportacao"}``). A copy
        found damaged (when first attached, or by a query) is built again, and the query
        retried; what still fails is a 503."""
        years = None if years is None else list(years)
        try:
            for attempt in (1, 2, 3):
                copies = {param: self._copies(years, fluxo) for param, fluxo in flows.items()}
                try:
                    tables = {
                        param: self.analytics.tables(found, table)
                        for param, found in copies.items()
                    }
                    return self.analytics.rows(name, {**params, **tables},
                                               label=f"{name}_snapshots")  # fmt: skip
                except DamagedCopy as exc:
                    log.warning("%s: built again (attempt %d)", exc, attempt)
                    self.files.discard(exc)
                except UnreadableCopy as exc:
                    log.warning("%s: its copies are built again (attempt %d)", exc, attempt)
                    used = (path for found in copies.values() for _, path in found)
                    self.files.delete(self.analytics.detach(used))
            raise SnapshotUnavailable("a local copy stays damaged after it was built again")
        except SnapshotUnavailable as exc:
            raise DatabaseDown(str(exc)) from exc

    def prefetch(self) -> int:
        """Build the local copy of every file of the current data version this process
        lacks, and drop those of older versions: run when a refresh commits, so the first
        answers of the new version find their copies here. The number of files of the
        version."""
        with self.snapshot():
            current = []
            for fluxo in (EXPORTS, IMPORTS):
                try:
                    self.analytics.tables(self._copies(None, fluxo), "fatos")
                except DamagedCopy as exc:  # the answer that needs it builds it again
                    self.files.discard(exc)
                current += list(self._version_files(fluxo).values())
        self.files.delete(self.analytics.detach(self.files.stale(current)))
        return len(current)

    def _snapshot_content(self, sha256: str, fluxo: str = EXPORTS) -> bytes:
        """A file's bytes, in the answer's snapshot, through a binary COPY."""
        started = time.perf_counter()
        raw = self._local.conn.connection
        name = "snapshot_content_importacao" if fluxo == IMPORTS else "snapshot_content"
        try:
            with raw.cursor() as cur:
                buffer = io.BytesIO()
                query = cur.mogrify(QUERIES[name].text, {"sha256": sha256})
                cur.copy_expert(query.decode(), buffer)
        except psycopg2.Error as exc:
            raise DatabaseDown(f"database unavailable: {type(exc).__name__}") from exc
        finally:
            if self.observe:
                self.observe("snapshot_fetch", time.perf_counter() - started)
        content = snapshots.from_binary_copy(buffer.getvalue())
        if content is None:
            raise SnapshotUnavailable(f"snapshot {sha256[:12]} is no longer in the database")
        return content

    def _facts(
        self, name: str, scope: Scope, years: Iterable[int] | None, **params: Any
    ) -> list[Any]:
        """Run a DuckDB query over the facts of the scope's flow (``$tabelas``)."""
        return self._facts_of(name, scope, years, {"tabelas": scope.fluxo}, **params)

    def _facts_of(
        self,
        name: str,
        scope: Scope,
        years: Iterable[int] | None,
        flows: dict[str, str],
        **params: Any,
    ) -> list[Any]:
        """Run a DuckDB query over the facts of ``years`` (``None``: all) of each flow of
        ``flows`` (under its own parameter) with the scope's filters, in the order that
        prunes them best: by product when a product is filtered, else by state and
        country."""
        table = _facts_table(name, scope, params.get("dimension"))
        ncm_de, ncm_ate = _ncm_range(scope.ncm)
        filters = {
            "pais": scope.pais, "uf": scope.uf, "via": scope.via, "urf": scope.urf,
            "ncm_de": ncm_de, "ncm_ate": ncm_ate, "setor": scope.setor, "de": scope.mes_de,
            "ate": scope.mes_ate,
            "paises": self._countries_of(scope.bloco) if scope.bloco else None,
        }  # fmt: skip
        return self._over_copies(name, years, table, {**filters, **params}, flows)

    def _countries_of(self, bloco: str) -> list[str]:
        return [r.pais for r in self._rows("blocos", {"bloco": bloco}, "blocos")]

    def _names(self, dimension: str, codes: list[str], lang: str) -> dict[str, str | None]:
        """The names of a page's codes (a country by its name or Comex Stat code)."""
        if not codes:
            return {}
        rows = self._rows("nomes", {"dimension": dimension, "codigos": codes, "lang": lang})
        return {r.codigo: r.nome for r in rows}

    def unpopulated_views(self, names: tuple[str, ...]) -> list[str]:
        """The views of ``names`` that are missing or not populated (readiness)."""
        rows = self._rows("readiness", {"names": list(names)})
        populated = {row.view for row in rows if row.ispopulated}
        return [name for name in names if name not in populated]

    def resolve(self, scope: Scope) -> Scope:
        """The scope with the country and the sector by name, whatever code the client
        used; ``UnknownCode`` for a code no table knows (a known code without data is fine)."""
        coded = ("pais", "setor", "bloco", "uf", "via", "urf", "ncm")
        given = {k: v for k, v in scope.present().items() if k in coded}
        if not given:
            return scope
        [row] = self._rows("resolve_filters", {k: scope.as_params()[k] for k in coded}, "filters")
        for name, value in given.items():
            if not getattr(row, name):
                raise UnknownCode(name, value)
        uf = scope.uf.upper() if scope.uf else None
        return dataclasses.replace(scope, pais=row.pais, setor=row.setor, uf=uf)

    def resumo(self, scope: Scope, freshness: Freshness) -> Resumo:
        if scope.beyond(*CROSSED_BY_YEARLY_ROLLUP):
            years = [scope.ano] if scope.ano is not None else None
            [row] = self._facts("resumo", scope, years, anos=years)
        else:
            [row] = self._rows("resumo", scope.as_params())
        imports = scope.fluxo == IMPORTS
        checked = "conferencia_importacao" if imports else "conferencia"
        return Resumo(
            total_usd=row.total_usd,
            total_kg=row.total_kg,
            paises_count=row.paises_count,
            setores_count=row.setores_count,
            anos=list(row.anos),
            updated_at=freshness.updated_at,
            data_through=freshness.data_through,
            filters=scope.present(),
            conferencia=[Conferencia(**r._mapping) for r in self._rows(checked, {}, checked)],
            **(_costs(row.total_usd, row.total_frete, row.total_seguro) if imports else {}),
        )

    def ranking(
        self, dimension: Dimension, scope: Scope, limit: int, offset: int, lang: str = "pt"
    ) -> tuple[list[Ranked], int]:
        """Items of ``pais`` or ``setor`` ordered by value, and how many match in all."""
        if scope.beyond(*CROSSED_BY_YEARLY_ROLLUP):
            return self._ranking_from_facts(dimension, scope, limit, offset, lang)
        params = {**scope.as_params(), "dimension": dimension, "limit": limit,
                  "offset": offset, "lang": lang}  # fmt: skip
        rows = self._rows("ranking", params, label=dimension)
        items = [(r.name, {f: getattr(r, f) for f in RANKED_FIELDS}) for r in rows]
        if rows:
            return items, int(rows[0].total)
        return items, int(self._rows("ranking_count", params, f"{dimension}_count")[0][0])

    def _ranking_from_facts(
        self, dimension: Dimension, scope: Scope, limit: int, offset: int, lang: str
    ) -> tuple[list[Ranked], int]:
        years = [scope.ano, scope.ano - 1] if scope.ano is not None else None
        params = {"dimension": dimension, "ano": scope.ano, "anos": years, "limit": limit,
                  "offset": offset}  # fmt: skip
        rows = self._facts("ranking", scope, years, **params)
        if rows:
            total = int(rows[0].total)
        else:
            total = self._facts("ranking_count", scope, years, **params)[0][0]
        names = {
            r.name: r for r in self._rows(
                "ranked_names", {"dimension": dimension, "names": [r.name for r in rows],
                                 "lang": lang})
        }  # fmt: skip
        return [
            (r.name, {
                "total_usd": r.usd.quantize(figures.CENT),
                "total_kg": r.kg.quantize(KG),
                "participacao_pct": figures.share(r.usd, r.escopo_usd),
                "anos": list(r.anos),
                "variacao_pct": figures.growth(r.atual, r.anterior),
                "usd_por_kg": figures.unit_value(r.usd, r.kg),
                "codigo": names[r.name].codigo if r.name in names else None,
                "nome": names[r.name].nome if r.name in names else r.name,
                **(_costs(r.usd, r.frete, r.seguro) if scope.fluxo == IMPORTS else {}),
            })
            for r in rows
        ], int(total)  # fmt: skip

    def ranked_items(
        self, dimension: Dimension, scope: Scope, limit: int, offset: int, lang: str = "pt"
    ) -> tuple[list[PaisItem] | list[SetorItem], int]:
        """One page of ``PaisItem`` or ``SetorItem``, and how many match in all."""
        rows, total = self.ranking(dimension, scope, limit, offset, lang)
        if dimension == "pais":
            return [PaisItem(name, **found) for name, found in rows], total
        return [SetorItem(name, **found) for name, found in rows], total

    def dimension_page(
        self, dimension: str, scope: Scope, limit: int, offset: int, lang: str
    ) -> tuple[list[DimensaoItem], int, Periodo | None, Decimal | None]:
        """One page of an official dimension's codes, how many in all, the months summed
        and the coverage of the code."""
        if scope.beyond(*CROSSED_BY_DIMENSION_TABLE):
            return self._scoped_page(dimension, scope, limit, offset, lang)
        params = {"dimension": dimension, **_period(scope), "lang": lang}
        queries = "bloco" if dimension == "bloco" else "dimension"  # blocs overlap: own SQL
        rows = self._rows(f"{queries}_ranking", {**params, "limit": limit, "offset": offset},
                          label=dimension)  # fmt: skip
        # A page's rows carry the scope; an empty page asks for it.
        [found] = rows[:1] or self._rows(f"{queries}_scope", params, label=f"{dimension}_scope")
        periodo = None
        if found.ano is not None:
            periodo = Periodo(f"{found.ano}-{found.de:02d}", f"{found.ano}-{found.ate:02d}")
        return [_dimension_item(r) for r in rows], int(found.itens), periodo, found.cobertura

    def _scoped_page(
        self, dimension: str, scope: Scope, limit: int, offset: int, lang: str
    ) -> tuple[list[DimensaoItem], int, Periodo | None, Decimal | None]:
        """A dimension page of a scope filtered beyond its months, from the snapshots of
        the reference year and the year before."""
        months = self._months(scope)
        if months.ano is None:
            return [], 0, None, None
        blocs = self._rows("blocos", {"bloco": None}) if dimension == "bloco" else []
        rows = self._facts(
            "dimension_page", dataclasses.replace(scope, mes_de=months.de, mes_ate=months.ate),
            [months.ano, months.ano - 1], ano=months.ano, dimension=dimension, limit=limit,
            offset=offset, bloco_pais=[b.pais for b in blocs],
            bloco_codigo=[b.co_bloco for b in blocs],
        )  # fmt: skip
        names = self._names(dimension, [r.codigo for r in rows if r.codigo is not None], lang)
        items = [
            DimensaoItem(
                r.codigo,
                names.get(r.codigo),
                r.usd.quantize(figures.CENT),
                r.kg.quantize(KG),
                figures.share(r.usd, r.escopo_usd),
                figures.growth(r.usd, r.usd_anterior),
                figures.unit_value(r.usd, r.kg),
                **(_costs(r.usd, r.frete, r.seguro) if scope.fluxo == IMPORTS else {}),
            )
            for r in rows
            if r.codigo is not None
        ]
        periodo = Periodo(f"{months.ano}-{months.de:02d}", f"{months.ano}-{months.ate:02d}")
        coverage = figures.share(rows[0].usd_com_codigo, rows[0].escopo_usd)
        return items, int(rows[0].itens), periodo, coverage

    def concentracao(self, scope: Scope) -> tuple[dict[str, Concentracao], Periodo | None]:
        """HHI and top shares by country (``pais``) and by SH4 (``sh4``), and the months."""
        if not scope.beyond(*CROSSED_BY_DIMENSION_TABLE):
            rows = self._rows("concentracao", _period(scope), label="concentracao")
            found = {
                r.dimensao: Concentracao(r.hhi, r.top1_pct, r.top5_pct, int(r.itens)) for r in rows
            }
            first = rows[0]
            return found, _months(first.ano, first.de, first.ate)
        months = self._months(scope)
        values: dict[str, list[Decimal]] = {"pais": [], "sh4": []}
        if months.ano is not None:
            in_months = dataclasses.replace(scope, mes_de=months.de, mes_ate=months.ate)
            for r in self._facts("concentracao", in_months, [months.ano], ano=months.ano):
                values[r.dimensao].append(r.usd)
        found = {
            name: Concentracao(*figures.concentration(usd), len(usd))
            for name, usd in values.items()
        }
        return found, _months(months.ano, months.de, months.ate)

    def variacao(
        self, dimension: str, scope: Scope, limit: int, lang: str
    ) -> tuple[list[Movimento], list[Movimento], Periodo | None, Periodo | None]:
        """The ``limit`` biggest gains and losses, and the months compared."""
        months = self._months(scope)
        if months.ano is None:
            return [], [], None, None
        if scope.beyond(*CROSSED_BY_DIMENSION_TABLE):
            in_months = dataclasses.replace(scope, mes_de=months.de, mes_ate=months.ate)
            rows = self._facts(
                "variacao", in_months, [months.ano, months.ano - 1], ano=months.ano,
                dimension=dimension, limit=limit,
            )  # fmt: skip
            names = self._names(dimension, [r.codigo for r in rows], lang)
            moved = [
                (r.sentido, Movimento(
                    r.codigo, names.get(r.codigo) or r.codigo, r.usd.quantize(figures.CENT),
                    r.usd_anterior.quantize(figures.CENT), r.diferenca.quantize(figures.CENT),
                    figures.growth(r.usd, r.usd_anterior)))
                for r in rows
            ]  # fmt: skip
        else:
            params = {**_period(scope), "dimension": dimension, "limit": limit, "lang": lang}
            moved = [
                (r.sentido, Movimento(r.codigo, r.nome, r.total_usd, r.total_usd_anterior,
                                      r.diferenca_usd, r.variacao_pct))
                for r in self._rows("variacao", params, label=f"variacao_{dimension}")
            ]  # fmt: skip
        altas = [m for sentido, m in moved if sentido == "alta"]
        quedas = [m for sentido, m in moved if sentido == "queda"]
        ano, de, ate = months.ano, months.de, months.ate
        return (
            altas, quedas,
            Periodo(f"{ano}-{de:02d}", f"{ano}-{ate:02d}"),
            Periodo(f"{ano - 1}-{de:02d}", f"{ano - 1}-{ate:02d}"),
        )  # fmt: skip

    def balanca(self, scope: Scope) -> list[BalancaItem]:
        """The trade balance of the scope: per year, or per month of ``ano`` (with the
        year before for the changes), from each flow's monthly series."""
        window = scope
        if scope.ano is not None:
            window = dataclasses.replace(scope, ano=None, ano_de=scope.ano - 1, ano_ate=scope.ano)
        exports, imports = (
            self.serie(dataclasses.replace(window, fluxo=fluxo)) for fluxo in (EXPORTS, IMPORTS)
        )
        if scope.ano is not None:
            return balance.monthly(scope.ano, exports, imports)
        return balance.yearly(exports, imports)

    def balanca_ranking(
        self, dimension: str, scope: Scope, by: str, limit: int, offset: int, lang: str
    ) -> tuple[list[BalancaRankItem], int, Periodo | None]:
        """Codes of ``dimension`` (pais, uf, ncm, sh4) ranked by their balance (``by``:
        ``saldo``) or trade flow (``corrente``) over the months of the reference year."""
        months = self._balance_months(scope)
        if months.ano is None:
            return [], 0, None
        in_months = dataclasses.replace(scope, mes_de=months.de, mes_ate=months.ate)
        rows = self._facts_of(
            "balanca_ranking", in_months, [months.ano], BOTH_FLOWS, ano=months.ano,
            dimension=dimension, ordem=by, limit=limit, offset=offset,
        )  # fmt: skip
        page = [r for r in rows if r.codigo is not None]
        codes, names = self.keyed_names(dimension, [r.codigo for r in page], lang)
        items = [
            BalancaRankItem(codes.get(r.codigo, r.codigo), names.get(r.codigo),
                            *(value.quantize(figures.CENT) for value in
                              (r.exportacao, r.importacao, r.saldo, r.corrente)))
            for r in page
        ]  # fmt: skip
        total = int(rows[0].total) if rows else 0
        periodo = Periodo(f"{months.ano}-{months.de:02d}", f"{months.ano}-{months.ate:02d}")
        return items, total, periodo

    def general(
        self,
        fluxo: str,
        years: Iterable[int],
        table: str,
        params: dict[str, Any],
        levels: bool = False,
    ) -> list[Any]:
        """The Comex Stat API's general query (``general`` in analytics.sql) over
        ``table`` of the flow's copies of ``years`` that the data version holds, joined
        with the NCMs' levels of the classifications when ``levels``."""
        held = self._version_files(fluxo)
        chosen = [year for year in years if year in held]
        if levels:
            self._load_levels()
        name = "general_niveis" if levels else "general"
        return self._over_copies(name, chosen, table, params, {"tabelas": fluxo})

    def _load_levels(self) -> None:
        """The NCMs' levels in DuckDB's memory, read again from PostgreSQL once per data
        version (a new classification loads with ``bgc`` and shows after a refresh): the
        version the answer's snapshot read when it began."""
        version = self._local.version
        with self._levels_lock:
            if self._levels_version != version or version is None:
                rows = self._rows("ncm_niveis", {})
                names = rows[0]._fields if rows else LEVEL_COLUMNS
                self.analytics.load_levels({n: [getattr(r, n) for r in rows] for n in names})
                self._levels_version = version

    def years_held(self, fluxo: str) -> list[int]:
        """The years of the flow's data version."""
        return sorted(self._version_files(fluxo))

    def filter_keys(self, asked: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """Each (dimension, code) a Comex Stat API filter names, with the key the facts
        hold (a country's name, a state's abbreviation, a sector); ``None``: unknown."""
        rows = self._rows("comexstat_codes", {
            "dimensions": [dimension for dimension, _ in asked],
            "codes": [code for _, code in asked],
        })  # fmt: skip
        return {(r.dimensao, r.codigo): r.chave for r in rows}

    def states_by_ibge(self) -> dict[str, str]:
        """Each state's IBGE code by its abbreviation."""
        return {r.uf: r.co_ibge for r in self._rows("uf_ibge", {})}

    def blocs(self) -> list[tuple[str, str]]:
        """Every (country name, bloc code) pair."""
        return [(r.pais, r.co_bloco) for r in self._rows("blocos", {"bloco": None})]

    def keyed_names(
        self, dimension: str, keys: list[str], lang: str
    ) -> tuple[dict[str, str], dict[str, str | None]]:
        """The code and the name of each key of a dimension as the facts hold it (a
        country or a sector by its name; any other by its code)."""
        if dimension in ("pais", "setor"):
            rows = self._rows("ranked_names", {"dimension": dimension, "names": keys,
                                               "lang": lang})  # fmt: skip
            return ({r.name: r.codigo for r in rows if r.codigo},
                    {r.name: r.nome for r in rows})  # fmt: skip
        return {key: key for key in keys}, self._names(dimension, keys, lang)

    def latest_month(self, exports: Freshness) -> str | None:
        """The latest year-month of either flow (``YYYY-MM`` sorts as text), given the
        exports' freshness the answer already read."""
        found = [m for m in (exports.data_through, self._data_through(IMPORTS)) if m]
        return max(found, default=None)

    def _months(self, scope: Scope) -> Months:
        """The reference year (``ano``, else the latest) and its span of months
        (``mes_de``..``mes_ate``, by default January to the year's latest month): the
        exports' from ``rpt.periodo``, the imports' from their files."""
        if scope.fluxo != IMPORTS:
            [found] = self._rows("periodo", _period(scope), label="periodo")
            return Months(found.ano, found.de, found.ate)
        files = self._version_files(IMPORTS)
        ano = scope.ano if scope.ano is not None else max(files, default=None)
        if ano is None:
            return Months(None, None, None)
        latest = files[ano].mes_max if ano in files else None
        return Months(ano, scope.mes_de or 1, scope.mes_ate or latest or 12)

    def _balance_months(self, scope: Scope) -> Months:
        """The balance's reference year (``ano``, else the later of the two flows' latest)
        and its months, up to the later flow's latest month in that year: the other flow
        may be published a month behind, and its missing months count as zero."""
        files = {fluxo: self._version_files(fluxo) for fluxo in FLOWS}
        years = [ano for found in files.values() for ano in found]
        ano = scope.ano if scope.ano is not None else max(years, default=None)
        if ano is None:
            return Months(None, None, None)
        spans = [
            self._months(dataclasses.replace(scope, fluxo=fluxo, ano=ano))
            for fluxo in FLOWS
            if ano in files[fluxo]
        ]
        ate = max((span.ate for span in spans if span.ate is not None), default=None)
        return Months(ano, scope.mes_de or 1, scope.mes_ate or ate or 12)

    def codigos(
        self, dimension: str, q: str | None, limit: int, offset: int, lang: str
    ) -> tuple[list[Codigo], int]:
        params = {"dimension": dimension, "q": q, "limit": limit, "offset": offset, "lang": lang}
        rows = self._rows("codigos", params, label=f"codigos_{dimension}")
        total = int(rows[0].total) if rows else 0
        if not rows and offset:
            first = self._rows("codigos", {**params, "limit": 1, "offset": 0}, "codigos_count")
            total = int(first[0].total) if first else 0
        return [Codigo(r.codigo, r.nome) for r in rows], total

    def serie(self, scope: Scope, periodo: series.Periodo = "mensal") -> list[SerieItem]:
        """The monthly series, or its year-to-date or rolling 12-month sums (which read
        the year before ``ano_de`` too)."""
        if scope.ano is not None:
            scope = dataclasses.replace(scope, ano=None, ano_de=scope.ano, ano_ate=scope.ano)
        rolling = periodo == "12meses"
        if rolling and scope.ano_de is not None:
            scope = dataclasses.replace(scope, ano_de=scope.ano_de - 1)
        if scope.beyond(*CROSSED_BY_MONTHLY_ROLLUP):
            held = self._version_files(scope.fluxo)
            years = _years_between(held, scope.ano_de, scope.ano_ate)
            alone = _one_filter(scope)
            if alone is None:
                rows = self._facts("serie", scope, years, ano_de=scope.ano_de,
                                   ano_ate=scope.ano_ate)  # fmt: skip
            else:
                dimensao, codes = alone
                if dimensao == "bloco":
                    dimensao, codes = "pais", self._countries_of(codes[0])
                rows = self._over_copies("serie_mensal", years, "mensal", {
                    "dimensao": dimensao, "codigos": codes, "de": scope.mes_de,
                    "ate": scope.mes_ate, "ano_de": scope.ano_de, "ano_ate": scope.ano_ate,
                }, {"tabelas": scope.fluxo})  # fmt: skip
        else:
            rows = self._rows("serie", scope.as_params())
        items = [
            SerieItem(ano=r.ano, mes=r.mes, total_usd=r.total_usd, total_kg=r.total_kg)
            for r in rows
        ]
        if periodo == "acumulado":
            return series.year_to_date(items)
        if rolling:
            first = scope.ano_de + 1 if scope.ano_de is not None else None
            return series.rolling_12_months(items, first_year=first)
        return items


KG = Decimal("0.001")
QUERY_CODES = {"resumo": {"pais", "setor"}, "concentracao": {"pais", "sh4"}}
"""The codes a DuckDB query reads beyond its filters and its dimension (the summary
counts countries and sectors)."""
BOTH_FLOWS = {"exportacao": EXPORTS, "importacao": IMPORTS}
"""A query reading both flows: each one's tables under its own parameter."""
LEVEL_COLUMNS = (
    "ncm", "secao", "cgce_n2", "cgce_n3", "cuci_cap", "cuci_pos", "cuci_sub", "cuci_item",
    "isic_divisao", "isic_grupo", "isic_classe",
)  # fmt: skip
"""The columns of ``rpt.ncm_niveis`` (when it has no row, for an empty table)."""


@dataclass(frozen=True)
class Months:
    """A reference year and its span of months (all ``None`` while no data is loaded)."""

    ano: int | None
    de: int | None
    ate: int | None


def _facts_table(name: str, scope: Scope, dimension: str | None) -> str:
    """The table of the copies that answers a query of ``scope`` grouped by ``dimension``
    fastest (``facts_table``)."""
    filtered = ("pais", "bloco", "uf", "via", "urf", "ncm", "setor")
    codes = {code for code in filtered if getattr(scope, code)} | QUERY_CODES.get(name, set())
    if dimension is not None:
        codes.add(dimension)
    return facts_table(codes, by_product=bool(scope.ncm or scope.setor))


def _costs(fob: Decimal, frete: Decimal | None, seguro: Decimal | None) -> dict[str, Decimal]:
    """An import figure's freight, insurance and CIF (FOB + freight + insurance), to the
    cent."""
    freight, insurance = frete or Decimal(0), seguro or Decimal(0)
    return {
        "frete_usd": freight.quantize(figures.CENT),
        "seguro_usd": insurance.quantize(figures.CENT),
        "cif_usd": (fob + freight + insurance).quantize(figures.CENT),
    }


SINGLE_FILTERS = ("uf", "via", "urf", "ncm", "bloco")
"""Filters the local copies' monthly sums hold alone (a country or a sector alone is in
the views)."""
NCM_LEVELS = {2: "sh2", 4: "sh4", 6: "sh6", 8: "ncm"}


def _one_filter(scope: Scope) -> tuple[str, list[str]] | None:
    """The dimension and code of a scope filtered by exactly one of ``SINGLE_FILTERS``
    (beyond its years and months), as the monthly sums name them; ``None`` otherwise."""
    given = scope.filters_beyond("mes_de", "mes_ate")
    if len(given) != 1:
        return None
    [(name, code)] = given.items()
    if name not in SINGLE_FILTERS:
        return None
    if name == "ncm":
        return NCM_LEVELS[len(code)], [code]
    return name, [code]


def _ncm_range(prefix: str | None) -> tuple[int | None, int | None]:
    """The NCMs (8-digit integers) that start with ``prefix``: ``12`` is 12000000 to
    12999999."""
    if prefix is None:
        return None, None
    scale = 10 ** (8 - len(prefix))
    return int(prefix) * scale, (int(prefix) + 1) * scale - 1


def _years_between(held: Iterable[int], first: int | None, last: int | None) -> list[int] | None:
    """The years held between ``first`` and ``last`` (``None``: unbounded); ``None`` for
    every year."""
    if first is None and last is None:
        return None
    return [y for y in held if (first is None or y >= first) and (last is None or y <= last)]


def _months(ano: int | None, de: int | None, ate: int | None) -> Periodo | None:
    if ano is None:
        return None
    return Periodo(f"{ano}-{de:02d}", f"{ano}-{ate:02d}")


def _period(scope: Scope) -> dict[str, Any]:
    """The reference year and span of months, the parameters of ``rpt.periodo``."""
    return {"ano": scope.ano, "mes_de": scope.mes_de, "mes_ate": scope.mes_ate}


def _dimension_item(row: sa.Row[Any]) -> DimensaoItem:
    return DimensaoItem(
        row.codigo, row.nome, row.total_usd, row.total_kg, row.participacao_pct,
        row.variacao_pct, row.usd_por_kg,
    )  # fmt: skip

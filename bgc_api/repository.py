"""Read queries over the ``rpt`` views (``sql/queries/metrics.sql``); the only SQL the API runs."""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from bgc_api import series
from bgc_api.cache import format_data_through
from bgc_api.schemas import (
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
from bgc_core import sqlfiles

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

    def as_params(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def present(self) -> dict[str, Any]:
        """The filters the client gave, echoed in answers."""
        return {k: v for k, v in self.as_params().items() if v is not None}

    def beyond(self, *answered: str) -> bool:
        """Whether a filter other than the years and ``answered`` is given: such a scope
        is answered from the pair table or the facts (``pair_set``), not the per-dimension
        tables."""
        skipped = {"ano", "ano_de", "ano_ate", *answered}
        return any(v is not None for k, v in self.as_params().items() if k not in skipped)


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

PAIR_COLUMNS = ("pais", "setor", "uf", "via", "urf", "ncm")
"""The pair table's dimensions, in the order of its ``conjunto`` bits (pais 32 ... ncm 1)."""
PAIR_COLUMN_OF = {
    "pais": "pais", "bloco": "pais", "setor": "setor", "uf": "uf", "via": "via", "urf": "urf",
    "ncm": "ncm", "sh6": "ncm", "sh4": "ncm", "sh2": "ncm", "fator": "ncm", "cgce": "ncm",
    "cuci": "ncm",
}  # fmt: skip
"""The column a filter or a ranked dimension reads (a bloc its countries, an HS level or
a class its NCMs)."""
PAIR_SETS = frozenset(
    {frozenset({c}) for c in ("pais", "setor", "uf", "via", "urf")}
    | {frozenset({"ncm", "setor"})}
    | {frozenset(p) for p in itertools.combinations(("pais", "setor", "uf", "via", "urf"), 2)}
    | {frozenset({c, "ncm", "setor"}) for c in ("pais", "uf", "via", "urf")}
)
"""The column sets rpt.exportacao_par is split by (sql/queries/refresh.sql: exportacao_par):
every column alone and every pair, the NCM always with its sector; each set with the NCM
is also kept by heading (``BY_HEADING``)."""
BY_HEADING = 64
"""The ``conjunto`` bit of a set whose NCMs are summed by heading (SH4, migration 0017)."""
HEADING_LEVELS = frozenset({"sh4", "sh2"})
"""Ranked dimensions a heading's four digits answer."""


ONE_CODE_FILTERS = frozenset({"pais", "setor", "uf", "via", "urf"})
"""Filters that keep one code of their column (a bloc keeps several countries, an NCM
prefix shorter than 8 digits several NCMs)."""


def _filtered_columns(scope: Scope) -> set[str]:
    return {k for k, v in scope.as_params().items() if v is not None and k in PAIR_COLUMN_OF}


def _needed_columns(scope: Scope, ranked: tuple[str, ...]) -> set[str]:
    needed = {PAIR_COLUMN_OF[name] for name in _filtered_columns(scope) | set(ranked)}
    if "ncm" in needed:
        needed.add("setor")
    return needed


def pair_set(scope: Scope, *ranked: str) -> int | None:
    """The ``conjunto`` of rpt.exportacao_par that holds every column an answer ranking
    ``ranked`` over ``scope`` needs, or ``None`` (the facts answer): more than one filter
    beside the ranked dimension. A span of months reads the rows' monthly values."""
    needed = _needed_columns(scope, ranked)
    if frozenset(needed) not in PAIR_SETS:
        return None
    bits = sum(1 << (5 - i) for i, column in enumerate(PAIR_COLUMNS) if column not in needed)
    return bits + BY_HEADING if "ncm" in needed and _by_heading(scope, ranked) else bits


def _by_heading(scope: Scope, ranked: tuple[str, ...]) -> bool:
    """Whether the NCMs an answer reads may come summed by heading: it ranks them no
    finer than SH4, by no class, and filters them by at most four digits."""
    products = {name for name in ranked if PAIR_COLUMN_OF[name] == "ncm"}
    return products <= HEADING_LEVELS and (scope.ncm is None or len(scope.ncm) <= 4)


def one_row_per_code(scope: Scope, ranked: str) -> bool:
    """Whether the pair rows a filtered answer ranking ``ranked`` reads (``pair_set``)
    hold one code of ``ranked`` each, so the query need not sum them again: ``ranked``
    is a column itself (not an HS level, a class or a bloc), and every other column of
    the set is held to one code by a filter. The sector follows from the NCM, save in
    the years ``rpt.anos_ncm_multissetor`` lists, which the queries sum all the same."""
    if ranked not in PAIR_COLUMNS or pair_set(scope, ranked) is None or in_months(scope):
        return False
    pinned = _filtered_columns(scope) & ONE_CODE_FILTERS
    if scope.ncm is not None and len(scope.ncm) == 8:
        pinned.add("ncm")
    free = _needed_columns(scope, (ranked,)) - pinned
    if "ncm" in free:
        free.discard("setor")
    return free == {ranked}


def in_months(scope: Scope) -> bool:
    """Whether the client asked for a span of months: the pair rows then give their
    values in those months, and the year before's come from its own rows."""
    return scope.mes_de is not None or scope.mes_ate is not None


@dataclass(frozen=True)
class Freshness:
    """What every answer says of its data: the views' refresh time and latest month."""

    updated_at: str | None
    data_through: str | None


class Repository:
    def __init__(
        self, engine: sa.Engine, observe: Observe | None = None, timeout_ms: int | None = None
    ) -> None:
        self.engine = engine
        self.observe = observe
        self.timeout_ms = timeout_ms
        self._local = threading.local()

    def _timeout_detail(self) -> str:
        limit = f" of {self.timeout_ms / 1000:g} s" if self.timeout_ms else ""
        return f"the query ran past the statement timeout{limit}: the database is busy, retry"

    @contextmanager
    def snapshot(self) -> Iterator[Freshness]:
        """Run every query of one answer in one snapshot (REPEATABLE READ, read only) and
        yield the data version and latest month that snapshot sees: an answer names the
        version its figures come from, even when a refresh commits while it is built."""
        try:
            with self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as conn:
                self._local.conn = conn
                try:
                    self._rows("hold_pairs", {})
                    [(updated_at,)] = self._rows("version", {})
                    latest = self._rows("data_through", {})
                    yield Freshness(
                        updated_at.isoformat() if updated_at else None,
                        format_data_through(latest[0].ano, latest[0].mes) if latest else None,
                    )
                finally:
                    self._local.conn = None
        except sa.exc.OperationalError as exc:
            raise DatabaseDown(f"database unavailable: {type(exc.orig).__name__}") from exc
        except sa.exc.TimeoutError as exc:
            raise DatabaseDown("database unavailable: connection pool exhausted") from exc

    def _execute(self, name: str, params: dict[str, Any]) -> list[sa.Row[Any]]:
        """On the answer's snapshot connection when there is one, else on its own."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return _fetched(conn.execute(QUERIES[name], params))
        with self.engine.connect() as own:
            return _fetched(own.execute(QUERIES[name], params))

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
        crossed = scope.beyond(*CROSSED_BY_YEARLY_ROLLUP)
        by_country, by_sector = pair_set(scope, "pais"), pair_set(scope, "setor")
        if by_country is None or by_sector is None:
            by_country = by_sector = None
        params = {**scope.as_params(), "cruzado": crossed}
        params |= {"conjunto_pais": by_country, "conjunto_setor": by_sector}
        [row] = self._rows("resumo", params)
        return Resumo(
            total_usd=row.total_usd,
            total_kg=row.total_kg,
            paises_count=row.paises_count,
            setores_count=row.setores_count,
            anos=list(row.anos),
            updated_at=freshness.updated_at,
            data_through=freshness.data_through,
            filters=scope.present(),
            conferencia=[Conferencia(**row._mapping) for row in self._rows("conferencia", {})],
        )

    def ranking(
        self, dimension: Dimension, scope: Scope, limit: int, offset: int, lang: str = "pt"
    ) -> tuple[list[sa.Row[Any]], int]:
        """Rows of ``pais`` or ``setor`` ordered by value, and how many match in all."""
        params = {
            **scope.as_params(), "cruzado": scope.beyond(*CROSSED_BY_YEARLY_ROLLUP),
            "dimension": dimension, "limit": limit, "offset": offset, "lang": lang,
        }  # fmt: skip
        pairs = pair_set(scope, dimension) if params["cruzado"] else None
        if pairs is not None:
            rows = self._rows("ranking_pares", {**params, "conjunto": pairs}, f"{dimension}_pares")
            if rows and rows[0].mesmos_meses:
                return rows, int(rows[0].total)
        rows = self._rows("ranking", params, label=dimension)
        if rows:
            return rows, int(rows[0].total)
        return rows, int(self._rows("ranking_count", params, f"{dimension}_count")[0][0])

    def ranked_items(
        self, dimension: Dimension, scope: Scope, limit: int, offset: int, lang: str = "pt"
    ) -> tuple[list[PaisItem] | list[SetorItem], int]:
        """One page of ``PaisItem`` or ``SetorItem``, and how many match in all."""
        rows, total = self.ranking(dimension, scope, limit, offset, lang)
        if dimension == "pais":
            return [PaisItem(row.name, **_ranked(row)) for row in rows], total
        return [SetorItem(row.name, **_ranked(row)) for row in rows], total

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
        """A dimension page of a scope filtered beyond its months, from the pair table
        or the facts (``pair_set``)."""
        [months] = self._rows("periodo", _period(scope), label="periodo")
        if months.ano is None:
            return [], 0, None, None
        params = {
            **scope.as_params(), "ano": months.ano, "de": months.de, "ate": months.ate,
            "dimension": dimension, "limit": limit, "offset": offset, "lang": lang,
            "conjunto": pair_set(scope, dimension), "meses": in_months(scope),
            "por_linha": one_row_per_code(scope, dimension),
        }  # fmt: skip
        label = _source_label(dimension, scope, params["conjunto"])
        rows = self._rows("scoped_ranking", params, label=label)
        periodo = Periodo(f"{months.ano}-{months.de:02d}", f"{months.ano}-{months.ate:02d}")
        items = [_dimension_item(r) for r in rows if r.codigo is not None]
        return items, int(rows[0].itens), periodo, rows[0].cobertura

    def concentracao(self, scope: Scope) -> tuple[dict[str, Concentracao], Periodo | None]:
        """HHI and top shares by country (``pais``) and by SH4 (``sh4``), and the months."""
        by_country, by_product = pair_set(scope, "pais"), pair_set(scope, "sh4")
        if by_country is None or by_product is None:  # the facts, read once for both
            by_country = by_product = None
        params = {**self._crossed(scope), "conjunto_pais": by_country, "conjunto_sh4": by_product}
        rows = self._rows(
            "concentracao", params, label=_source_label("concentracao", scope, by_country)
        )
        found = {
            r.dimensao: Concentracao(r.hhi, r.top1_pct, r.top5_pct, int(r.itens)) for r in rows
        }
        first = rows[0]
        periodo = None
        if first.ano is not None:
            periodo = Periodo(f"{first.ano}-{first.de:02d}", f"{first.ano}-{first.ate:02d}")
        return found, periodo

    def variacao(
        self, dimension: str, scope: Scope, limit: int, lang: str
    ) -> tuple[list[Movimento], list[Movimento], Periodo | None, Periodo | None]:
        """The ``limit`` biggest gains and losses, and the months compared."""
        params = {**self._crossed(scope), "dimension": dimension, "limit": limit, "lang": lang}
        params["conjunto"] = pair_set(scope, dimension)
        params["por_linha"] = params["cruzado"] and one_row_per_code(scope, dimension)
        label = _source_label(f"variacao_{dimension}", scope, params["conjunto"])
        rows = self._rows("variacao", params, label=label)
        moves: dict[str, list[Movimento]] = {"alta": [], "queda": []}
        for r in rows:
            moves[r.sentido].append(
                Movimento(r.codigo, r.nome, r.total_usd, r.total_usd_anterior, r.diferenca_usd,
                          r.variacao_pct)
            )  # fmt: skip
        ano, de, ate = params["ano_ref"], params["de_ref"], params["ate_ref"]
        if ano is None:
            [months] = self._rows("periodo", _period(scope))
            ano, de, ate = months.ano, months.de, months.ate
        if ano is None:
            return moves["alta"], moves["queda"], None, None
        return (
            moves["alta"], moves["queda"],
            Periodo(f"{ano}-{de:02d}", f"{ano}-{ate:02d}"),
            Periodo(f"{ano - 1}-{de:02d}", f"{ano - 1}-{ate:02d}"),
        )  # fmt: skip

    def _crossed(self, scope: Scope) -> dict[str, Any]:
        """The parameters of a query with a facts branch: the scope, whether it is filtered
        beyond its months (``cruzado``) and, if so, its reference year and months."""
        crossed = scope.beyond(*CROSSED_BY_DIMENSION_TABLE)
        params = {**scope.as_params(), "cruzado": crossed, "meses": in_months(scope)}
        params |= {"ano_ref": None, "de_ref": None, "ate_ref": None}
        if crossed:
            [months] = self._rows("periodo", _period(scope), label="periodo")
            params |= {"ano_ref": months.ano, "de_ref": months.de, "ate_ref": months.ate}
        return params

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
        crossed = scope.beyond(*CROSSED_BY_MONTHLY_ROLLUP)
        params = {**scope.as_params(), "cruzado": crossed}
        params["conjunto"] = pair_set(scope) if crossed else None
        items = [
            SerieItem(ano=r.ano, mes=r.mes, total_usd=r.total_usd, total_kg=r.total_kg)
            for r in self._rows("serie", params)
        ]
        if periodo == "acumulado":
            return series.year_to_date(items)
        if rolling:
            first = scope.ano_de + 1 if scope.ano_de is not None else None
            return series.rolling_12_months(items, first_year=first)
        return items


def _fetched(result: sa.CursorResult[Any]) -> list[sa.Row[Any]]:
    """A statement's rows; none for one that returns none (``hold_pairs``)."""
    return list(result) if result.returns_rows else []


def _source_label(name: str, scope: Scope, pairs: int | None) -> str:
    """A query's label in the metrics, by what answers it: no suffix the per-code and
    yearly tables (no filter beyond the months), ``_pares`` the pair table (set
    ``pairs``), ``_filtered`` the facts."""
    if not scope.beyond(*CROSSED_BY_DIMENSION_TABLE):
        return name
    return f"{name}_pares" if pairs is not None else f"{name}_filtered"


def _period(scope: Scope) -> dict[str, Any]:
    """The reference year and span of months, the parameters of ``rpt.periodo``."""
    return {"ano": scope.ano, "mes_de": scope.mes_de, "mes_ate": scope.mes_ate}


def _dimension_item(row: sa.Row[Any]) -> DimensaoItem:
    return DimensaoItem(
        row.codigo, row.nome, row.total_usd, row.total_kg, row.participacao_pct,
        row.variacao_pct, row.usd_por_kg,
    )  # fmt: skip


def _ranked(row: sa.Row[Any]) -> dict[str, Any]:
    """The figures every ranking item carries."""
    return {
        "total_usd": row.total_usd,
        "total_kg": row.total_kg,
        "participacao_pct": row.participacao_pct,
        "anos": list(row.anos),
        "variacao_pct": row.variacao_pct,
        "usd_por_kg": row.usd_por_kg,
        "codigo": row.codigo,
        "nome": row.nome,
    }

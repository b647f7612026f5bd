"""`bgc db migrate`: ordered, applied once, checksummed, atomic, with the schema objects the
product relies on."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bgc_core import migrate
from bgc_core.migrate import MigrationError
from bgc_core.reference import fill_empty_reference_tables
from bgc_pipeline.ingest import load_file
from tests.support.db import query
from tests.support.paths import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "sql" / "migrations"
SHIPPED = [
    "0001_schemas.sql",
    "0002_reference_tables.sql",
    "0003_staging.sql",
    "0004_report_views.sql",
    "0005_api_reader_role.sql",
    "0006_ingest_blank_lines.sql",
    "0007_partitioned_staging.sql",
    "0008_mdic_totals.sql",
    "0009_api_rollups.sql",
    "0010_views_per_year.sql",
    "0011_dimension_aggregates.sql",
    "0012_filtered_facts.sql",
    "0013_pair_aggregates.sql",
    "0014_pair_partitions.sql",
    "0015_scope_side_by_side.sql",
    "0016_ncm_multissetor.sql",
    "0017_pair_headings.sql",
    "0018_pending_comparison.sql",
    "0019_pair_months.sql",
]

SUMMARIES = ["mv_resumo_pais", "mv_resumo_setor", "mv_resumo_geral"]
YEARLY = {"mv_exportacao_mensal": "exportacao_mensal", "mv_exportacao_anual": "exportacao_anual",
          "mv_serie_mensal": "serie_mensal"}  # fmt: skip


def test_fresh_database_gets_every_migration_then_nothing(empty_database_url: str) -> None:
    first = migrate.migrate(empty_database_url)
    assert first == SHIPPED
    assert migrate.migrate(empty_database_url) == []
    rows = query(empty_database_url, "SELECT count(*) FROM public.bgc_schema_migrations")
    assert rows == [(len(first),)]


def test_schemas_staging_columns_and_indexes_exist(database_url: str) -> None:
    schemas = query(
        database_url, "SELECT nspname FROM pg_namespace WHERE nspname IN ('stg','rpt','cfg')"
    )
    assert sorted(s for (s,) in schemas) == ["cfg", "rpt", "stg"]
    columns = dict(
        query(
            database_url,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'stg.exportacao'::regclass AND attnum > 0",
        )
    )
    assert columns["ano"] == "integer"
    assert columns["valor_usd"] == "numeric(15,2)"
    assert columns["peso_kg"] == "numeric(15,3)"
    assert columns["pais"] == "character varying(100)"
    assert columns["ingest_batch"] == "character varying(50)"
    indexes = query(database_url, "SELECT indexname FROM pg_indexes WHERE tablename = 'exportacao'")
    assert {i for (i,) in indexes} == {"idx_exportacao_ano_pais", "idx_exportacao_setor"}
    [(strategy, key)] = query(
        database_url,
        "SELECT partstrat, pg_get_partkeydef('stg.exportacao'::regclass) FROM pg_partitioned_table "
        "WHERE partrelid = 'stg.exportacao'::regclass",
    )
    assert (strategy, key) == ("l", "LIST (ingest_source)")


@pytest.mark.parametrize("view", SUMMARIES)
def test_each_summary_refreshes_concurrently(database_url: str, view: str) -> None:
    query(database_url, f"REFRESH MATERIALIZED VIEW CONCURRENTLY rpt.{view}")
    unique = query(
        database_url,
        "SELECT count(*) FROM pg_indexes WHERE schemaname = 'rpt' AND tablename = %s "
        "AND indexdef LIKE 'CREATE UNIQUE INDEX%%'",
        (view,),
    )
    assert unique == [(1,)]


@pytest.mark.parametrize("view", YEARLY)
def test_each_history_sized_view_reads_a_table_keyed_by_year(database_url: str, view: str) -> None:
    [(kind,)] = query(database_url, "SELECT relkind FROM pg_class WHERE oid = %s::regclass",
                      (f"rpt.{view}",))  # fmt: skip
    assert kind == "v"
    [(unique,)] = query(
        database_url,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'rpt' AND tablename = %s "
        "AND indexdef LIKE 'CREATE UNIQUE INDEX%%'",
        (YEARLY[view],),
    )
    assert "ano" in unique


def test_check_constraints_refuse_bad_values(database_url: str) -> None:
    import psycopg2

    query(database_url, "CREATE TABLE stg.one PARTITION OF stg.exportacao FOR VALUES IN ('s')")
    with pytest.raises(psycopg2.errors.CheckViolation):
        query(
            database_url,
            "INSERT INTO stg.exportacao (ano, mes, pais, setor, valor_usd, peso_kg, ingest_batch, "
            "ingest_source) VALUES (2024, 13, 'China', 'X', 1, 1, 'b', 's')",
        )


def test_staging_takes_rows_only_into_a_source_partition(database_url: str) -> None:
    import psycopg2

    with pytest.raises(psycopg2.errors.CheckViolation, match="no partition"):
        query(
            database_url,
            "INSERT INTO stg.exportacao (ano, mes, pais, setor, valor_usd, peso_kg, ingest_batch, "
            "ingest_source) VALUES (2024, 1, 'China', 'X', 1, 1, 'b', 'unloaded.csv')",
        )


def _copy_migrations(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, target)
    return target


def test_edited_applied_migration_is_an_error(empty_database_url: str, tmp_path: Path) -> None:
    directory = _copy_migrations(tmp_path)
    migrate.migrate(empty_database_url, directory)
    first = directory / "0001_schemas.sql"
    first.write_text(first.read_text() + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"0001_schemas.sql changed after it was applied"):
        migrate.migrate(empty_database_url, directory)


def test_failing_migration_rolls_back_and_names_file_and_statement(
    empty_database_url: str, tmp_path: Path
) -> None:
    directory = _copy_migrations(tmp_path)
    shipped = len(SHIPPED)
    broken = f"{shipped + 1:04d}_broken.sql"
    (directory / broken).write_text(
        "CREATE TABLE cfg.half_done (x INT);\nSELECT * FROM cfg.no_such_table;\n", encoding="utf-8"
    )
    with pytest.raises(MigrationError) as error:
        migrate.migrate(empty_database_url, directory)
    assert broken in str(error.value)
    assert "SELECT * FROM cfg.no_such_table" in str(error.value)
    assert query(empty_database_url, "SELECT to_regclass('cfg.half_done')") == [(None,)]
    versions = query(empty_database_url, "SELECT max(version) FROM public.bgc_schema_migrations")
    assert versions == [(shipped,)]


def test_numbering_gap_is_refused(tmp_path: Path) -> None:
    directory = _copy_migrations(tmp_path)
    shipped = len(SHIPPED)
    (directory / f"{shipped + 2:04d}_gap.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(
        MigrationError, match=rf"{shipped + 2:04d}_gap\.sql: expected version {shipped + 1:04d}"
    ):
        migrate.discover(directory)


def test_reference_tables_are_filled(database_url: str) -> None:
    assert query(database_url, "SELECT no_pais FROM cfg.pais WHERE co_pais = '160'") == [("China",)]
    assert query(database_url, "SELECT setor FROM cfg.ncm_setor WHERE ncm = '09011110'") == [
        ("Agropecuária",)
    ]
    assert query(database_url, "SELECT count(*) FROM cfg.ncm_setor") == [(13742,)]


def migrate_through(url: str, tmp_path: Path, last: str) -> None:
    """The database as the release that shipped up to ``last`` left it."""
    before = tmp_path / "before"
    before.mkdir()
    for name in SHIPPED[: SHIPPED.index(last) + 1]:
        shutil.copy(MIGRATIONS_DIR / name, before / name)
    migrate.migrate(url, before)


def test_rows_stored_before_partitioning_move_into_one_partition_per_source(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate_through(empty_database_url, tmp_path, "0006_ingest_blank_lines.sql")
    query(
        empty_database_url,
        "INSERT INTO stg.exportacao (ano, mes, pais, setor, valor_usd, peso_kg, qt_estat, "
        "ingest_batch, ingest_source) VALUES "
        "(2023, 1, 'China', 'A', 10.50, 1, NULL, 'b1', 'a.csv'), "
        "(2023, 1, 'China', 'A', 0.25, 2, 3, 'b1', 'a.csv'), "
        "(2024, 2, 'Peru', 'B', 7, 3, NULL, 'b2', 'b.csv')",
    )
    assert migrate.migrate(empty_database_url) == SHIPPED[6:]
    partitions = query(
        empty_database_url,
        "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'stg.exportacao'::regclass ORDER BY 1",
    )
    assert partitions == [("FOR VALUES IN ('a.csv')",), ("FOR VALUES IN ('b.csv')",)]
    assert query(
        empty_database_url,
        "SELECT ingest_source, ano, registros, total_usd, total_kg, total_qt, mes_max "
        "FROM rpt.agg_arquivo ORDER BY 1",
    ) == [
        ("a.csv", 2023, 2, Decimal("10.75"), Decimal("3.000"), Decimal("3.000"), 1),
        ("b.csv", 2024, 1, Decimal("7.00"), Decimal("3.000"), Decimal("0.000"), 2),
    ]
    assert query(
        empty_database_url, "SELECT pais, total_usd FROM rpt.mv_resumo_pais ORDER BY 1"
    ) == [
        ("China", Decimal("10.75")),
        ("Peru", Decimal("7.00")),
    ]
    assert query(
        empty_database_url,
        "SELECT ano, mes, pais, total_usd, registros FROM rpt.mv_exportacao_mensal ORDER BY 1",
    ) == [(2023, 1, "China", Decimal("10.75"), 2), (2024, 2, "Peru", Decimal("7.00"), 1)]
    assert query(
        empty_database_url,
        "SELECT ano, mes, total_usd FROM rpt.mv_serie_mensal WHERE pais = '' AND setor = '' "
        "ORDER BY 1",
    ) == [(2023, 1, Decimal("10.75")), (2024, 2, Decimal("7.00"))]
    # 0010 fills its tables; 0011's, 0012's and 0013's are filled by the first refresh.
    assert query(
        empty_database_url, "SELECT relacao, ano FROM rpt.anos_pendentes ORDER BY 2, 1"
    ) == [
        (relacao, ano)
        for ano in (2023, 2024)
        for relacao in ("mv_exportacao_dimensao", "mv_exportacao_fato", "mv_exportacao_par")
    ]
    assert query(
        empty_database_url,
        "SELECT dimensao, codigo, usd_m01, usd_m02, registros FROM rpt.agg_dimensao "
        "ORDER BY 1, ano",
    ) == [
        (name, None, Decimal(usd_jan), Decimal(usd_feb), rows)
        for name in ("ncm", "uf", "urf", "via")
        for usd_jan, usd_feb, rows in (("10.75", "0", 2), ("0", "7.00", 1))
    ]


def test_pair_rows_stored_before_partitioning_move_into_one_partition_per_year(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate_through(empty_database_url, tmp_path, "0013_pair_aggregates.sql")
    stored = [
        (2023, 31, "China", None, None, None, None, None, Decimal("10.50"), None, 4),
        (2024, 31, "China", None, None, None, None, None, Decimal("7.00"), Decimal("10.50"), 2),
        (2024, 31, "Peru", None, None, None, None, None, None, Decimal("1.25"), None),
    ]
    for row in stored:
        query(
            empty_database_url,
            "INSERT INTO rpt.exportacao_par (ano, conjunto, pais, setor, uf, via, urf, ncm, "
            "total_usd, anterior_usd, mes_max, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())",
            row,
        )
    assert migrate.migrate(empty_database_url) == SHIPPED[13:]
    assert (
        query(
            empty_database_url,
            "SELECT ano, conjunto, pais, setor, uf, via, urf, ncm, total_usd, anterior_usd, "
            "mes_max FROM rpt.mv_exportacao_par ORDER BY 1, 3",
        )
        == stored
    )
    assert query(
        empty_database_url,
        "SELECT tableoid::regclass::text, count(*) FROM rpt.exportacao_par GROUP BY 1 ORDER BY 1",
    ) == [("rpt.exportacao_par_2023", 1), ("rpt.exportacao_par_2024", 2)]


def test_years_where_an_ncm_has_two_sectors_are_noted_from_the_stored_pairs(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate_through(empty_database_url, tmp_path, "0015_scope_side_by_side.sql")
    by_sector_and_ncm = 32 + 8 + 4 + 2
    stored = [
        (2023, by_sector_and_ncm, "Agropecuária", "12019000"),
        (2023, by_sector_and_ncm, "Indústria de Transformação", "12019000"),
        (2024, by_sector_and_ncm, "Agropecuária", "12019000"),
        (2024, by_sector_and_ncm, "Agropecuária", "09011110"),
        (2025, by_sector_and_ncm, "Agropecuária", None),
        (2025, by_sector_and_ncm, "Indústria de Transformação", None),
    ]
    for year in (2023, 2024, 2025):
        query(
            empty_database_url,
            f"CREATE TABLE rpt.exportacao_par_{year} PARTITION OF rpt.exportacao_par "
            f"FOR VALUES IN ({year})",
        )
    for row in stored:
        query(
            empty_database_url,
            "INSERT INTO rpt.exportacao_par (ano, conjunto, setor, ncm, total_usd, updated_at) "
            "VALUES (%s, %s, %s, %s, 1, now())",
            row,
        )
    assert migrate.migrate(empty_database_url) == SHIPPED[15:]
    assert query(empty_database_url, "SELECT ano FROM rpt.anos_ncm_multissetor") == [(2023,)]


def test_every_stored_year_is_recomputed_with_the_pair_headings(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate_through(empty_database_url, tmp_path, "0016_ncm_multissetor.sql")
    fill_empty_reference_tables(empty_database_url)
    path = tmp_path / "anos.csv"
    path.write_text(
        "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n"
        "2023,1,China,Agropecuária,12019000,10.00,1\n2024,2,Peru,Agropecuária,09011110,7.00,1\n",
        encoding="utf-8",
    )
    load_file(empty_database_url, path)
    query(empty_database_url, "DELETE FROM rpt.anos_pendentes")  # as a refresh leaves it
    assert migrate.migrate(empty_database_url) == SHIPPED[16:]
    assert query(
        empty_database_url, "SELECT relacao, ano FROM rpt.anos_pendentes ORDER BY ano"
    ) == [("mv_exportacao_par", 2023), ("mv_exportacao_par", 2024)]


def test_marks_made_before_the_reason_was_kept_count_as_the_years_own(
    empty_database_url: str, tmp_path: Path
) -> None:
    """A year marked before migration 0018 may have new sums of its own: it is summed
    again, never rebuilt from its stored rows."""
    migrate_through(empty_database_url, tmp_path, "0017_pair_headings.sql")
    fill_empty_reference_tables(empty_database_url)
    path = tmp_path / "anos.csv"
    path.write_text(
        "ano,mes,pais,setor,ncm,valor_usd,peso_kg\n2023,1,China,Agropecuária,12019000,10.00,1\n",
        encoding="utf-8",
    )
    load_file(empty_database_url, path)
    assert migrate.migrate(empty_database_url) == SHIPPED[17:]
    assert query(
        empty_database_url,
        "SELECT DISTINCT ano, pela_comparacao FROM rpt.anos_pendentes "
        "WHERE relacao = 'mv_exportacao_par' ORDER BY 1",
    ) == [(2023, False), (2024, False)]

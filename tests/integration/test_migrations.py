"""`bgc db migrate`: ordered, applied once, checksummed, atomic, with the schema objects the
product relies on."""

import shutil
from pathlib import Path

import pytest

from bgc_core import migrate
from bgc_core.migrate import MigrationError
from bgc_pipeline.ingest import load_file
from tests.support.db import query
from tests.support.paths import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "sql" / "migrations"
SHIPPED = [
    "0001_baseline.sql", "0002_importacao.sql", "0003_snapshot_importacao.sql",
    "0004_uf_ibge.sql", "0005_ncm_niveis.sql",
]  # fmt: skip
"""0.2.0 squashed the 0.1.x migrations (0001_schemas ... 0019_pair_months) into one; the
ones after it are frozen once they land."""

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
    first = directory / "0001_baseline.sql"
    first.write_text(first.read_text() + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"0001_baseline.sql changed after it was applied"):
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


def test_the_baseline_holds_no_row_store_facts(database_url: str) -> None:
    """The facts and pair tables of 0.1.x, and their functions, are gone: the snapshots
    answer every filtered question."""
    gone = ("rpt.exportacao_fato", "rpt.exportacao_par", "rpt.anos_ncm_multissetor",
            "rpt.mv_exportacao_fato", "rpt.mv_exportacao_par")  # fmt: skip
    for name in gone:
        assert query(database_url, "SELECT to_regclass(%s)", (name,)) == [(None,)], name
    functions = query(
        database_url,
        "SELECT proname FROM pg_proc WHERE pronamespace = 'rpt'::regnamespace ORDER BY 1",
    )
    assert [f for (f,) in functions] == [
        "marcar_anos_pendentes",
        "no_periodo",
        "periodo",
    ]
    columns = query(
        database_url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'rpt' AND table_name = 'anos_pendentes' ORDER BY 1",
    )
    assert columns == [("ano",), ("id",), ("marked_at",), ("relacao",)]


def make_0_1_database(url: str) -> None:
    """A database as the 0.1.x migrations left it, as far as the check can tell: their
    history, and a table of theirs."""
    query(url, "CREATE SCHEMA stg")
    query(url, "CREATE TABLE stg.kept (x INT)")
    query(url, "INSERT INTO stg.kept VALUES (1)")
    query(
        url,
        "CREATE TABLE public.bgc_schema_migrations (version INT PRIMARY KEY, name TEXT NOT "
        "NULL, checksum CHAR(64) NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    query(
        url,
        "INSERT INTO public.bgc_schema_migrations (version, name, checksum) VALUES "
        "(1, 'schemas', repeat('a', 64)), (2, 'reference_tables', repeat('b', 64)), "
        "(19, 'pair_months', repeat('c', 64))",
    )


def test_a_database_of_the_old_migrations_is_refused_untouched(empty_database_url: str) -> None:
    make_0_1_database(empty_database_url)
    with pytest.raises(MigrationError, match=r"0\.1\.x migrations .*`bgc db reset`") as error:
        migrate.migrate(empty_database_url)
    assert "0001_schemas ... 0019" in str(error.value)
    assert query(empty_database_url, "SELECT x FROM stg.kept") == [(1,)]
    assert query(empty_database_url, "SELECT count(*) FROM public.bgc_schema_migrations") == [(3,)]
    assert query(empty_database_url, "SELECT to_regclass('rpt.snapshot_exportacao')") == [(None,)]


def test_reset_recreates_the_warehouse_from_the_baseline(empty_database_url: str) -> None:
    make_0_1_database(empty_database_url)
    applied, filled = migrate.reset(empty_database_url)
    assert applied == SHIPPED
    assert "cfg.pais" in filled
    assert query(empty_database_url, "SELECT to_regclass('stg.kept')") == [(None,)]
    assert query(
        empty_database_url, "SELECT version, name FROM public.bgc_schema_migrations ORDER BY 1"
    ) == [(n + 1, name[5:-4]) for n, name in enumerate(SHIPPED)]
    assert migrate.migrate(empty_database_url) == []


def test_reset_gives_the_warehouse_a_new_identity_and_empties_it(
    database_url: str, tmp_path: Path
) -> None:
    [(before,)] = query(database_url, "SELECT warehouse FROM cfg.warehouse")
    source = tmp_path / "exportacao.csv"
    source.write_text("ano,mes,pais,setor,valor_usd,peso_kg\n2024,1,China,Agropecuária,10,1\n",
                      encoding="utf-8")  # fmt: skip
    load_file(database_url, source)
    migrate.reset(database_url)
    [(after,)] = query(database_url, "SELECT warehouse FROM cfg.warehouse")
    assert after != before
    assert query(database_url, "SELECT count(*) FROM stg.exportacao") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM cfg.ingest_batches") == [(0,)]

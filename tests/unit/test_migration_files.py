"""Migration files: statements split correctly; the shipped set is numbered without gaps."""

from bgc_core import migrate
from bgc_core.migrate import split_statements


def test_statements_split_on_top_level_semicolons_only() -> None:
    script = (
        "-- a comment; with a semicolon\nCREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n/* c; */ SELECT 2;"
    )
    assert split_statements(script) == [
        "-- a comment; with a semicolon\nCREATE TABLE t (x TEXT DEFAULT 'a;b');",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
        "/* c; */ SELECT 2;",
    ]


def test_the_shipped_migrations_are_found_in_the_installed_package() -> None:
    names = [m.file_name for m in migrate.discover()]
    assert names[0] == "0001_baseline.sql"
    assert [m.version for m in migrate.discover()] == list(range(1, len(names) + 1))

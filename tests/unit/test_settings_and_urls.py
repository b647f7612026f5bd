"""Settings come from the environment; every database URL names the psycopg2 driver."""

from pathlib import Path

import pytest

from bgc_core import db, sqlfiles
from bgc_core.settings import SettingsError, load_settings


def test_defaults_put_everything_under_bgc_home(tmp_path: Path) -> None:
    settings = load_settings({"BGC_HOME": str(tmp_path)})
    assert settings.database_url is None
    assert settings.landing_dir == tmp_path / "landing"
    assert settings.dagster_home == tmp_path / "dagster"
    assert (settings.api_port, settings.dagster_port) == (3000, 3001)


def test_refresh_work_memory_defaults_to_256_mb_and_refuses_less_than_postgresql_allows() -> None:
    assert load_settings({}).refresh_work_mem_mb == 256
    assert load_settings({"BGC_REFRESH_WORK_MEM_MB": "64"}).refresh_work_mem_mb == 64
    with pytest.raises(SettingsError, match="BGC_REFRESH_WORK_MEM_MB=1 is outside 4"):
        load_settings({"BGC_REFRESH_WORK_MEM_MB": "1"})


def test_landing_dir_can_be_moved(tmp_path: Path) -> None:
    settings = load_settings({"BGC_HOME": str(tmp_path), "BGC_LANDING_DIR": str(tmp_path / "in")})
    assert settings.landing_dir == tmp_path / "in"


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "BGC_API_PORT='abc' is not an integer"), ("70000", "BGC_API_PORT=70000 is outside")],
)
def test_bad_port_names_the_variable(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({"BGC_API_PORT": value})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@h:5433/d", "postgresql+psycopg2://u:p@h:5433/d"),
        ("postgres://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        (
            "postgresql://postgres:@/bgc?host=/tmp/s",
            "postgresql+psycopg2://postgres:@/bgc?host=%2Ftmp%2Fs",
        ),
    ],
)
def test_urls_are_normalised_to_psycopg2(url: str, expected: str) -> None:
    assert db.normalise_url(url) == expected


def test_non_postgres_url_is_refused() -> None:
    with pytest.raises(ValueError, match="must be a PostgreSQL URL"):
        db.normalise_url("mysql://u@h/d")


def test_password_is_masked_and_target_named() -> None:
    url = "postgresql+psycopg2://bgc:s3cr3t@db.example:6543/bgc"
    assert "s3cr3t" not in db.mask_url(url)
    assert db.describe_target(url) == "db.example:6543"
    assert db.describe_target("postgresql://u@/d?host=/run/pg") == "socket /run/pg"


def test_named_query_blocks_are_parsed() -> None:
    text = "-- name: one\nSELECT 1;\n\n-- name: two\nSELECT\n  2;\n"
    assert sqlfiles.parse_named_blocks(text) == {"one": "SELECT 1;", "two": "SELECT\n  2;"}


def test_password_from_its_own_variable_may_hold_any_character() -> None:
    settings = load_settings(
        {"BGC_DATABASE_URL": "postgresql://bgc@db:5432/bgc", "BGC_DATABASE_PASSWORD": "p@ss/w:rd"}
    )
    url = db.server_url(settings)
    assert db.libpq_kwargs(url)["password"] == "p@ss/w:rd"
    assert db.libpq_kwargs(url)["host"] == "db"

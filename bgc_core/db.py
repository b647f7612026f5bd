"""The one place for database access: URLs, connections, transactions, engines.

Every URL goes through :func:`normalise_url` so SQLAlchemy always uses psycopg2
(SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which is not installed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from bgc_core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection  # noqa: N812

log = logging.getLogger(__name__)

DATA_DATABASE = "bgc"
DAGSTER_SUFFIX = "_dagster"
CONNECT_TIMEOUT_S = 5


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL cannot be reached; the message names host and port, never the password."""


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg2 driver named; refuse anything that is not PostgreSQL."""
    try:
        parsed = make_url(url)
    except Exception:
        raise SettingsError(f"not a database URL: {mask_url(url)!r}") from None
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise SettingsError(f"BGC_DATABASE_URL must be a PostgreSQL URL, got {parsed.drivername!r}")
    return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``, safe for logs and messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def describe_target(url: str) -> str:
    """``host:port`` (or the socket folder) of a URL, for error messages."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    if str(host).startswith("/"):
        return f"socket {host}"
    return f"{host}:{parsed.port or 5432}"


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def libpq_kwargs(url: str) -> dict[str, Any]:
    """Connection keywords for :func:`psycopg2.connect` from a SQLAlchemy URL."""
    parsed: URL = make_url(url)
    kwargs: dict[str, Any] = {
        k: v
        for k, v in parsed.translate_connect_args(username="user", database="dbname").items()
        if v not in (None, "")
    }
    kwargs.update({k: v[0] if isinstance(v, tuple) else v for k, v in parsed.query.items()})
    kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    return kwargs


def server_url(settings: Settings) -> str:
    """URL of the data database: ``BGC_DATABASE_URL``, or the embedded server's ``bgc`` database."""
    if settings.database_url:
        url = normalise_url(settings.database_url)
        if settings.database_password:
            url = (
                make_url(url)
                .set(password=settings.database_password)
                .render_as_string(hide_password=False)
            )
        return url
    from bgc_core.embedded import start_embedded

    url = with_database(normalise_url(start_embedded(settings)), DATA_DATABASE)
    ensure_database(url)
    return url


def dagster_url(settings: Settings, data_url: str) -> str:
    """URL of the Dagster instance storage: by default a database on the data server named
    after the warehouse's (``bgc`` -> ``bgc_dagster``): a new warehouse gets a new instance."""
    if settings.dagster_database_url:
        return normalise_url(settings.dagster_database_url)
    url = with_database(data_url, dagster_database_for(make_url(data_url).database or "bgc"))
    ensure_database(url)
    return url


def dagster_database_for(warehouse: str) -> str:
    """The default Dagster database of a warehouse database (63 bytes at most)."""
    return f"{warehouse[: 63 - len(DAGSTER_SUFFIX)]}{DAGSTER_SUFFIX}"


def connect(url: str) -> PgConnection:
    """A raw psycopg2 connection (COPY, migrations); raises :class:`DatabaseUnavailable`."""
    import psycopg2

    try:
        return psycopg2.connect(**libpq_kwargs(url))
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {describe_target(url)} ({mask_url(url)}): {first_line}"
        ) from None


@contextmanager
def transaction(url: str) -> Iterator[PgConnection]:
    """A connection inside one transaction: committed on success, rolled back on any error."""
    conn = connect(url)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist (needs CREATEDB on external servers)."""
    name = make_url(url).database
    if not name:
        return
    import psycopg2
    from psycopg2 import sql

    conn = connect(with_database(url, "postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                log.info("created database %s", name)
    except psycopg2.Error as exc:
        reason = (exc.pgerror or str(exc)).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"database {name!r} is missing on {describe_target(url)} and cannot be created "
            f"({reason}); create it, or point BGC_DAGSTER_DATABASE_URL at an existing one"
        ) from None
    finally:
        conn.close()


def create_engine(
    url: str, *, pool_size: int = 5, statement_timeout_ms: int | None = None, **kwargs: Any
) -> sa.Engine:
    """A SQLAlchemy engine with a waiting pool; dead connections are replaced transparently.
    With ``statement_timeout_ms``, the server cancels any statement that runs longer."""
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S}
    if statement_timeout_ms is not None:
        connect_args["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return sa.create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=CONNECT_TIMEOUT_S,
        connect_args=connect_args,
        **kwargs,
    )

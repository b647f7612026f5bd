"""Database helpers for tests: throw-away databases, one-statement queries, free ports."""

from __future__ import annotations

import re
import socket

from bgc_core import db


def database_name(label: str, prefix: str = "t_") -> str:
    """A valid, short database name derived from a test's name (the prefix always kept)."""
    return prefix + re.sub(r"[^a-z0-9_]", "_", label.lower())[-50:]


def drop_database(server_url: str, name: str) -> None:
    conn = db.connect(db.with_database(server_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def disconnect(server_url: str, name: str) -> None:
    """End every session on database ``name`` (pooled connections left by the code that
    filled it): a database can be copied only while nobody is connected to it."""
    conn = db.connect(db.with_database(server_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    conn.close()


def clone_database(server_url: str, template: str, name: str) -> str:
    """A new database copied from ``template`` (fast: files are copied, nothing replayed)."""
    drop_database(server_url, name)
    conn = db.connect(db.with_database(server_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    conn.close()
    return db.with_database(server_url, name)


def new_database(server_url: str, label: str, prefix: str = "e_") -> str:
    """Create an empty database named after ``label`` and return its URL."""
    name = database_name(label, prefix)
    drop_database(server_url, name)
    url = db.with_database(server_url, name)
    db.ensure_database(url)
    return url


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def query(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement and return its rows (committed)."""
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []

"""Which warehouse a Dagster instance serves.

A Dagster instance remembers runs, partitions and sensor cursors of the warehouse it
loaded. Pointed at another warehouse (a new database, a restore from a backup), that
memory describes data the warehouse does not hold. The landing sensor does not rely on
it (the warehouse's audit decides what to load), but the operator should know: each
start records the warehouse in the instance's database and reports a change.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bgc_core import db, sqlfiles


def identity(data_url: str) -> str:
    """The warehouse's UUID (``cfg.warehouse``, created by the baseline migration)."""
    with db.transaction(data_url) as conn, conn.cursor() as cur:
        cur.execute(sqlfiles.queries("instance")["warehouse_identity"])
        row = cur.fetchone()
    if row is None:
        raise db.DatabaseUnavailable(
            f"{db.describe_target(data_url)} has no warehouse identity: run `bgc db migrate`"
        )
    return str(row[0])


def claim_instance(dagster_url: str, data_url: str) -> str | None:
    """Record in the Dagster instance's database that it now serves this warehouse.

    Returns a one-line warning when it served another one before, else ``None``.
    """
    current = identity(data_url)
    target = _where(data_url)
    with db.transaction(dagster_url) as conn, conn.cursor() as cur:
        queries = sqlfiles.queries("instance")
        cur.execute(queries["create_claim"])
        cur.execute(queries["previous_claim"])
        previous = cur.fetchone()
        cur.execute(queries["claim"], {"warehouse": current, "target": target})
    if previous is None or previous[0] == current:
        return None
    return (
        f"warning: the Dagster instance in {_where(dagster_url)} served another "
        f"warehouse ({previous[1]}, {previous[0]}); its run history and sensor cursor describe "
        f"that one. Files are loaded by what {target} holds."
    )


def _where(url: str) -> str:
    return f"database {make_url(url).database} at {db.describe_target(url)}"

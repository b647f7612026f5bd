"""Reference tables (``cfg.pais``, ``cfg.ncm_setor``, ...) shipped as CSV in ``sql/reference``.

They come from the official Comex Stat tables: PAIS.csv for country names, and
NCM.csv -> NCM_ISIC.csv for the sector of each NCM (its ISIC section), and NCM.csv with
NCM_SH, NCM_CGCE, NCM_CUCI and NCM_ISIC for every level of those classifications
(``cfg.ncm_niveis``, ``cfg.nomes_niveis``); the states' IBGE codes (``cfg.uf_ibge``) are
IBGE's. Users may
replace their rows with another public classification: :func:`load_reference`.
"""

from __future__ import annotations

from importlib.abc import Traversable
from typing import TYPE_CHECKING

from psycopg2 import sql

from bgc_core import db, sqlfiles

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as Cursor  # noqa: N812

TABLES: dict[str, tuple[str, ...]] = {
    "cfg.pais": ("co_pais", "iso3", "no_pais", "no_pais_ing"),
    "cfg.ncm_setor": ("ncm", "isic_secao", "setor"),
    "cfg.cuci_setor": ("cuci_grupo", "isic_secao", "setor"),
    "cfg.nomes": ("dimensao", "codigo", "nome", "nome_ing"),
    "cfg.pais_bloco": ("co_pais", "co_bloco"),
    "cfg.ncm_classes": ("ncm", "fator", "cgce", "cuci"),
    "cfg.uf_ibge": ("sg_uf", "co_ibge"),
    "cfg.ncm_niveis": (
        "ncm",
        "secao",
        "cgce_n2",
        "cgce_n3",
        "cuci_cap",
        "cuci_pos",
        "cuci_sub",
        "cuci_item",
        "isic_divisao",
        "isic_grupo",
        "isic_classe",
    ),
    "cfg.nomes_niveis": ("dimensao", "codigo", "nome", "nome_ing"),
}
UNCLASSIFIED_SECTOR = "Não classificado"
"""Sector of an NCM missing from ``cfg.ncm_setor`` (e.g. a code retired long ago)."""


def _copy(cur: Cursor, table: str, path: Traversable) -> None:
    schema, name = table.split(".")
    columns = sql.SQL(", ").join(map(sql.Identifier, TABLES[table]))
    statement = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
        sql.Identifier(schema), sql.Identifier(name), columns
    )
    with path.open("rb") as fh:
        cur.copy_expert(statement.as_string(cur), fh)


def fill_empty_reference_tables(url: str) -> list[str]:
    """Fill every empty reference table from the shipped CSV; return the tables filled."""
    filled = []
    with db.transaction(url) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(_ident(table)))
            if not cur.fetchone()[0]:
                _copy(cur, table, sqlfiles.reference_file(table))
                filled.append(table)
    return filled


def load_reference(url: str, table: str, path: Traversable) -> int:
    """Replace the rows of one reference table with a CSV of the same columns (one transaction)."""
    if table not in TABLES:
        raise ValueError(f"unknown reference table {table!r}; choose one of {', '.join(TABLES)}")
    with db.transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DELETE FROM {}").format(_ident(table)))
        _copy(cur, table, path)
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(_ident(table)))
        return int(cur.fetchone()[0])


def _ident(table: str) -> sql.Composed:
    schema, name = table.split(".")
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))

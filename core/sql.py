"""Quoting for the SQL the pipeline generates, and the DuckDB type of each standard type."""

from __future__ import annotations

# the DuckDB type of each column type of the standard (core/standard.yaml)
SQL_TYPES = {
    "nip": "VARCHAR",
    "text": "VARCHAR",
    "code": "VARCHAR",
    "golongan": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
}


def lit(value: object) -> str:
    """A SQL literal (strings quoted and escaped)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'

"""The search for a secret in every file a run wrote (raw bytes, UTF-8 or UTF-16, inside
ZIP members such as XLSX, in Parquet and DuckDB after decompression); used by the crash test
(tests/test_crash_recovery.py), whose runs are the nightly runs searched."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

# distinctive, so that a hit can only be the key; differs from the hand province's key
KEY = "Kunci-Rahasia-q7Zx93LmTw"


def _leaks_in_bytes(data: bytes, needles: list[bytes]) -> bool:
    return any(n in data for n in needles)


def _leaks_in_duckdb(path: Path, key: str) -> list[str]:
    """Strings of a DuckDB file are stored compressed (FSST, dictionary), so a byte search
    can miss them: every text column of every table and the SQL of every view, macro and
    table are searched as well."""
    hits = []
    with duckdb.connect(str(path), read_only=True) as con:
        for kind, name, sql in con.execute(
            "SELECT 'view', schema_name || '.' || view_name, sql FROM duckdb_views() "
            "WHERE NOT internal UNION ALL "
            "SELECT 'table', schema_name || '.' || table_name, sql FROM duckdb_tables() "
            "UNION ALL SELECT 'macro', schema_name || '.' || function_name, "
            "coalesce(macro_definition, '') FROM duckdb_functions() WHERE NOT internal"
        ).fetchall():
            if sql and key in sql:
                hits.append(f"{kind} {name}")
        text_columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in text_columns:
            found = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)', [key]
            ).fetchone()[0]
            if found:
                hits.append(f"{schema}.{table}.{column}")
    return hits


def _leaks_in_parquet(data: bytes, key: str) -> bool:
    table = pq.read_table(io.BytesIO(data))
    return any(
        key in str(v) for column in table.columns for v in column.to_pylist() if v is not None
    )


def find_key(roots: list[Path], key: str) -> tuple[list[str], int]:
    """The files under `roots` that hold the key (raw bytes, UTF-8 or UTF-16; inside ZIP
    members such as XLSX; in Parquet and DuckDB after decompression), and how many files
    were searched."""
    needles = [key.encode(), key.encode("utf-16-le"), key.encode("utf-16-be")]
    hits, searched = [], 0
    files = sorted(
        Path(folder, name)
        for root in roots
        for folder, _, names in os.walk(root)  # a folder that goes away meanwhile is skipped
        for name in names
    )
    for path in (p for p in files if p.is_file() and not p.is_symlink()):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a temporary file that went away meanwhile
            continue
        searched += 1
        if _leaks_in_bytes(data, needles):
            hits.append(str(path))
        elif zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if any(_leaks_in_bytes(z.read(m), needles) for m in z.namelist()):
                    hits.append(f"{path} (zip member)")
        elif data[:4] == b"PAR1" and _leaks_in_parquet(data, key):
            hits.append(f"{path} (parquet)")
        elif path.suffix == ".duckdb":
            hits += [f"{path}: {where}" for where in _leaks_in_duckdb(path, key)]
    return hits, searched

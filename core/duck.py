"""DuckDB connections that build data, all with the same settings."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb


def duckdb_config(memory_limit: str) -> dict[str, str]:
    """Settings for every DuckDB connection that builds data. `memory_limit`
    (KINERJA_DUCKDB_MEMORY_LIMIT, default 4GB) bounds DuckDB's memory; beyond it DuckDB
    spills to disk beside the database, so a national run fits a small server. dbt gets the
    same value (dbt_project/profiles.yml, var duckdb_memory_limit).

    checkpoint_threshold: DuckDB folds its write-ahead log into the database file once the
    log passes 16 MB, which during ingestion (one commit per file) means a checkpoint of
    every raw table after almost every file: three times the cost of the inserts. With 1 GB
    the commits stay durable (the log is synced) and the checkpoint happens about once per
    run (and when the connection closes)."""
    return {"memory_limit": memory_limit, "checkpoint_threshold": "1GB"}


def connect_writer(
    path: Path, memory_limit: str, wait_seconds: float = 10.0
) -> duckdb.DuckDBPyConnection:
    """A writing connection (one process at a time may hold one). A lock held for a moment
    by a reader in another process (the landing-area sensor reads the load log) is waited
    for, up to `wait_seconds`; a lock held longer (another writer) raises IOException."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(path), config=duckdb_config(memory_limit))
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    # DuckDB creates its file readable by everyone whatever the umask: owner and group only
    if path.stat().st_mode & 0o007:
        path.chmod(path.stat().st_mode & 0o770)
    return con


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)

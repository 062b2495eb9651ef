"""Tests drive ingestion through its public steps (prepare, check, load), one file or one
agency at a time, in this process."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from core.registry import Agency
from core.standard import Standard
from ingestion.ingest import ingest_agencies
from ingestion.load import FileResult, check_prepared, load_prepared, prepare_file


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    file_name: str,
    agency: Agency,
    dataset: str,
    standard: Standard,
    archive_root: Path,
    submitted_at: dt.datetime,
    run_id: str | None = None,
    limits=None,
) -> FileResult:
    """Archive, read, check and load one file (what ingest_agencies does per file)."""
    prepared = prepare_file(
        con,
        path=path,
        file_name=file_name,
        agency=agency,
        dataset=dataset,
        archive_root=archive_root,
        submitted_at=submitted_at,
        limits=limits,
    )
    if isinstance(prepared, FileResult):
        return prepared
    return load_prepared(con, prepared, check_prepared(prepared), standard=standard, run_id=run_id)


def ingest_agency(
    con: duckdb.DuckDBPyConnection, agency: Agency, *, landing: Path, archive: Path, **kw
) -> list[FileResult]:
    """One agency; raises its ApiError/OSError when its API or landing folder cannot be read."""
    outcome = ingest_agencies(con, [agency], landing=landing, archive=archive, **kw)[agency.kode]
    if outcome.error:
        raise outcome.error
    return outcome.results

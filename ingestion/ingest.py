"""Ingest one agency: pull its API (if it has one), then load every landed file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from ingestion.api_client import pull_dataset
from ingestion.landing import files_for, submission_time
from ingestion.load import FileResult, ingest_file
from ingestion.registry import Agency
from ingestion.schema import ensure_raw_schema
from ingestion.standard import DATASETS, load_standard


def ingest_agency(
    con: duckdb.DuckDBPyConnection,
    agency: Agency,
    *,
    landing: Path,
    archive: Path,
    datasets: Iterable[str] = DATASETS,
    run_id: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> list[FileResult]:
    standard = load_standard()
    ensure_raw_schema(con, standard)
    results = []
    for dataset in datasets:
        if agency.delivery == "api":
            pulled = pull_dataset(agency, dataset, landing)
            if pulled:
                log(f"{agency.kode}/{dataset}: pulled API into {pulled.name}")
        for f in files_for(landing, agency, dataset):
            res = ingest_file(
                con,
                path=f.path,
                file_name=f.relative_name,
                agency=agency,
                dataset=dataset,
                standard=standard,
                archive_root=archive,
                submitted_at=submission_time(f.path, agency, dataset),
                run_id=run_id,
            )
            if res.status != "skipped":
                log(
                    f"{f.relative_name}: {res.status}, read {res.rows_read}, "
                    f"loaded {res.rows_loaded}, rejected {res.rows_rejected}"
                    + (f" ({res.reason})" if res.reason else "")
                )
            results.append(res)
    return results


SUMMARY_SQL = """
SELECT kode_instansi,
       count(*) FILTER (WHERE status = 'loaded')      AS files_loaded,
       count(*) FILTER (WHERE status = 'quarantined') AS files_quarantined,
       coalesce(sum(rows_loaded), 0)                  AS rows_loaded,
       coalesce(sum(rows_rejected), 0)                AS rows_rejected
FROM raw.load_log GROUP BY kode_instansi ORDER BY kode_instansi
"""


def load_summary(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(SUMMARY_SQL).fetchall()

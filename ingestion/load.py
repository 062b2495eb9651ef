"""Load one agency file into the raw layer: archive, read, check, write, log.

For every file: rows read = rows loaded + rows rejected (the load_log enforces it). All
writes for a file happen in one DuckDB transaction, so a run killed half-way leaves no
trace of that file, and running again loads it exactly once. A file already in the
load_log (same bytes, agency and dataset) is skipped.

Three steps: `prepare_file` archives the original (and skips bytes loaded before),
`read_prepared` turns it into text cells without touching DuckDB (so many files can be read
in worker processes at once), `load_prepared` checks and writes it (the one DuckDB writer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.archive import archive_bytes
from ingestion.headers import map_headers
from ingestion.readers import RawFile, UnreadableFile, read_file
from ingestion.registry import Agency
from ingestion.rules import checked_rows_sql, ident, lit
from ingestion.standard import Standard


@dataclass
class FileResult:
    file_name: str
    kode_instansi: str
    dataset: str
    file_sha256: str
    status: str  # loaded | quarantined | skipped (already loaded)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str | None = None


def _already_loaded(con: duckdb.DuckDBPyConnection, sha: str, kode: str, dataset: str) -> bool:
    return (
        con.execute(
            "SELECT 1 FROM raw.load_log WHERE file_sha256 = ? AND kode_instansi = ? AND dataset = ?",
            [sha, kode, dataset],
        ).fetchone()
        is not None
    )


def _log(con, res: FileResult, archive_path: Path, size: int, submitted_at, run_id) -> None:
    con.execute(
        "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            res.file_sha256, res.kode_instansi, res.dataset, res.file_name, str(archive_path),
            size, submitted_at, dt.datetime.now(dt.UTC).replace(tzinfo=None), res.status,
            res.rows_read, res.rows_loaded, res.rows_rejected, res.reason, run_id,
        ],
    )  # fmt: skip


@dataclass(frozen=True)
class PreparedFile:
    """A landed file archived and not yet loaded: everything the read and load steps need."""

    archived: Path
    file_name: str
    agency: Agency
    dataset: str
    sha256: str
    size: int
    submitted_at: dt.datetime


def prepare_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    file_name: str,
    agency: Agency,
    dataset: str,
    archive_root: Path,
    submitted_at: dt.datetime,
) -> PreparedFile | FileResult:
    """Archive the original; a FileResult 'skipped' when these bytes were loaded before."""
    data = path.read_bytes()
    sha, archived = archive_bytes(archive_root, data, path.suffix)
    if _already_loaded(con, sha, agency.kode, dataset):
        return FileResult(file_name, agency.kode, dataset, sha, "skipped")
    return PreparedFile(archived, file_name, agency, dataset, sha, len(data), submitted_at)


def read_prepared(prepared: PreparedFile) -> RawFile | UnreadableFile:
    """Read an archived file into text cells: no DuckDB, so it runs in a worker process.
    An unreadable file is returned (not raised): it is a result, quarantined by the loader."""
    try:
        return read_file(prepared.archived, prepared.agency.file_format(prepared.dataset))
    except UnreadableFile as e:
        return e


def load_prepared(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    raw: RawFile | UnreadableFile,
    *,
    standard: Standard,
    run_id: str | None = None,
) -> FileResult:
    """Check the rows of one read file and write them, its rejects and its load_log row in
    one transaction."""
    sha, agency, dataset = prepared.sha256, prepared.agency, prepared.dataset
    file_name, archived = prepared.file_name, prepared.archived
    res = FileResult(file_name, agency.kode, dataset, sha, "loaded")
    fmt = agency.file_format(dataset)
    spec = standard.datasets[dataset]
    try:
        if isinstance(raw, UnreadableFile):
            raise raw
        mapping = map_headers(raw.headers, spec, fmt)
    except UnreadableFile as e:
        res.status, res.reason = "quarantined", str(e)
        con.execute("BEGIN")
        _log(con, res, archived, prepared.size, prepared.submitted_at, run_id)
        con.execute("COMMIT")
        return res

    view = f"_src_{sha[:16]}"
    con.register(view, raw.table)
    try:
        con.execute("BEGIN")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _checked AS "
            f"{checked_rows_sql(view, mapping, spec, standard, fmt)}"
        )
        cols = ", ".join(ident(c) for c in spec.column_names)
        con.execute(
            f"INSERT INTO raw.{dataset} (file_sha256, kode_instansi, baris, {cols}) "
            f"SELECT {lit(sha)}, {lit(agency.kode)}, baris, {cols} FROM _checked "
            f"WHERE len(_pelanggaran) = 0"
        )
        original = (
            "json_object("
            + ", ".join(f"{lit(h)}, {ident(f'c{i}')}" for i, h in enumerate(raw.headers))
            + ")"
        )
        con.execute(
            f"""INSERT INTO raw.rejects
            SELECT {lit(sha)}, {lit(agency.kode)}, {lit(dataset)}, {lit(file_name)}, c.baris,
                   p.kolom, p.nilai, p.aturan, p.alasan, CAST(s.data_asli AS VARCHAR)
            FROM (SELECT baris, unnest(_pelanggaran) AS p FROM _checked
                  WHERE len(_pelanggaran) > 0) c
            JOIN (SELECT {ident("__baris")} AS baris, {original} AS data_asli FROM {view}) s
              USING (baris)"""
        )
        for b in raw.broken_rows:
            con.execute(
                "INSERT INTO raw.rejects VALUES (?, ?, ?, ?, ?, NULL, ?, 'BARIS_TIDAK_TERBACA', ?, NULL)",
                [sha, agency.kode, dataset, file_name, b.baris, b.text, b.reason],
            )
        n_bad = con.execute("SELECT count(*) FROM _checked WHERE len(_pelanggaran) > 0").fetchone()[
            0
        ]
        res.rows_read = raw.rows_read
        res.rows_rejected = n_bad + len(raw.broken_rows)
        res.rows_loaded = raw.table.num_rows - n_bad
        _log(con, res, archived, prepared.size, prepared.submitted_at, run_id)
        con.execute("DROP TABLE _checked")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister(view)
    return res


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
) -> FileResult:
    """Archive, read and load one file in this process (prepare, read, load)."""
    prepared = prepare_file(
        con,
        path=path,
        file_name=file_name,
        agency=agency,
        dataset=dataset,
        archive_root=archive_root,
        submitted_at=submitted_at,
    )
    if isinstance(prepared, FileResult):
        return prepared
    return load_prepared(con, prepared, read_prepared(prepared), standard=standard, run_id=run_id)

"""Check and load many files of one dataset at once, set-based.

The files of a batch share what shapes the row rules: the dataset, the agency format's rule
settings (date format, decimal comma, value aliases) and the standard columns present. Their
text cells are stacked into one Arrow table (each row keeps its file and its row number), the
rules run as one DuckDB query on all of them with every core, and one transaction writes the
valid rows, the rejects and one load-log row per file. Per-file accounting stays exact:
each file's rows read = loaded + rejected, as when a file is loaded alone (ingestion/load.py,
which is also what a batch falls back to if writing it fails).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from core.registry import FileFormat
from core.sql import ident, lit
from core.standard import Standard
from ingestion.load import (
    FileResult,
    PreparedFile,
    ReadFile,
    original_row_json,
    write_broken_rows,
)
from ingestion.readers.base import ROW_COLUMN
from ingestion.rules import checked_rows_sql

FILE_COLUMN = "_file"
# rows stacked before a batch is checked and written (bounds memory, not correctness)
BATCH_ROWS = 2_000_000


def rule_key(fmt: FileFormat) -> str:
    """What of an agency's format changes the row rules: files that share it share a query."""
    return json.dumps(
        [fmt.date_format, fmt.decimal_comma, fmt.value_aliases], sort_keys=True, default=str
    )


def batch_key(prepared: PreparedFile, read: ReadFile) -> tuple:
    fmt = prepared.agency.file_format(prepared.dataset)
    return (prepared.dataset, rule_key(fmt), frozenset(read.mapping))


@dataclass
class Batch:
    """Files of one dataset waiting to be checked and written together."""

    files: list[tuple[PreparedFile, ReadFile]] = field(default_factory=list)
    rows: int = 0

    def add(self, prepared: PreparedFile, read: ReadFile) -> None:
        self.files.append((prepared, read))
        self.rows += read.raw.table.num_rows


def _stacked(batch: Batch, columns: list[str]) -> pa.Table:
    """The batch's cells under the standard's names (column j = columns[j], named c<j>),
    with each row's file index and row number."""
    parts = []
    for i, (_, read) in enumerate(batch.files):
        t = read.raw.table
        n = t.num_rows
        arrays = {}
        for j, name in enumerate(columns):
            if name in read.mapping:
                col = t.column(f"c{read.mapping[name]}")
                arrays[f"c{j}"] = col if col.type == pa.string() else col.cast(pa.string())
            else:
                arrays[f"c{j}"] = pa.nulls(n, pa.string())
        arrays[ROW_COLUMN] = t.column(ROW_COLUMN).cast(pa.int64())
        arrays[FILE_COLUMN] = pa.repeat(pa.scalar(i, pa.int32()), n)
        parts.append(pa.table(arrays))
    return pa.concat_tables(parts)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    standard: Standard,
    run_id: str | None = None,
) -> list[FileResult]:
    """Check and write every file of `batch` in one transaction; the files' results in
    batch order. Raises what DuckDB raises; nothing of the batch is then written."""
    first, _ = batch.files[0]
    dataset = first.dataset
    spec = standard.datasets[dataset]
    fmt = first.agency.file_format(dataset)
    present = batch.files[0][1].mapping
    columns = spec.column_names
    mapping = {name: j for j, name in enumerate(columns) if name in present}
    cell_chars = first.limits.cell_chars
    sql = checked_rows_sql(
        "_batch_src", mapping, spec, standard, fmt, cell_chars, file_column=FILE_COLUMN
    )
    cols = ", ".join(ident(c) for c in columns)
    files = pa.table(
        {
            FILE_COLUMN: pa.array(range(len(batch.files)), pa.int32()),
            "file_sha256": [p.sha256 for p, _ in batch.files],
            "kode_instansi": [p.agency.kode for p, _ in batch.files],
            "file_name": [p.file_name for p, _ in batch.files],
        }
    )
    con.register("_batch_src", _stacked(batch, columns))
    con.register("_batch_files", files)
    try:
        con.execute("BEGIN")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _batch_checked AS "
            f"SELECT {FILE_COLUMN}, baris, {cols}, _pelanggaran FROM ({sql})"
        )
        con.execute(
            f"INSERT INTO raw.{dataset} (file_sha256, kode_instansi, baris, {cols}) "
            f"SELECT f.file_sha256, f.kode_instansi, c.baris, {', '.join(f'c.{ident(x)}' for x in columns)} "
            f"FROM _batch_checked c JOIN _batch_files f USING ({FILE_COLUMN}) "
            f"WHERE len(c._pelanggaran) = 0"
        )
        # each file's valid rows, and the batch's rejected rows (few) apart, so that each
        # file's rejects are not looked for in the whole batch
        loaded = dict(
            con.execute(
                f"SELECT {FILE_COLUMN}, count(*) FILTER (WHERE len(_pelanggaran) = 0) "
                f"FROM _batch_checked GROUP BY ALL"
            ).fetchall()
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _batch_rejected AS SELECT {FILE_COLUMN}, baris, "
            f"_pelanggaran FROM _batch_checked WHERE len(_pelanggaran) > 0"
        )
        with_rejects = con.execute(
            f"SELECT DISTINCT {FILE_COLUMN} FROM _batch_rejected ORDER BY 1"
        ).fetchall()
        for (i,) in with_rejects:
            _write_rejects(con, batch.files[i], i, cell_chars)
        results = []
        for i, (prepared, read) in enumerate(batch.files):
            write_broken_rows(con, prepared, read.raw.broken_rows)
            res = FileResult(
                prepared.file_name, prepared.agency.kode, dataset, prepared.sha256, "loaded"
            )
            res.rows_read = read.raw.rows_read
            res.rows_loaded = loaded.get(i, 0)
            res.rows_rejected = res.rows_read - res.rows_loaded
            results.append(res)
        _log_batch(con, batch, results, run_id)
        con.execute("DROP TABLE _batch_checked")
        con.execute("DROP TABLE _batch_rejected")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_batch_src")
        con.unregister("_batch_files")
    return results


def _log_batch(con, batch: Batch, results: list[FileResult], run_id: str | None) -> None:
    """One load-log row per file of the batch, in one statement. The files' load times follow
    the batch order (a tie on submission time goes to the file loaded last, as when they are
    loaded one by one)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    files = [p for p, _ in batch.files]
    log = pa.table(
        {
            "file_sha256": [r.file_sha256 for r in results],
            "kode_instansi": [r.kode_instansi for r in results],
            "dataset": [r.dataset for r in results],
            "file_name": [r.file_name for r in results],
            "archive_path": [str(p.archived) for p in files],
            "size_bytes": pa.array([p.size for p in files], pa.int64()),
            "submitted_at": pa.array([p.submitted_at for p in files], pa.timestamp("us")),
            "loaded_at": pa.array(
                [now + dt.timedelta(microseconds=i) for i in range(len(files))], pa.timestamp("us")
            ),
            "status": [r.status for r in results],
            "rows_read": pa.array([r.rows_read for r in results], pa.int64()),
            "rows_loaded": pa.array([r.rows_loaded for r in results], pa.int64()),
            "rows_rejected": pa.array([r.rows_rejected for r in results], pa.int64()),
            "reason": pa.array([r.reason for r in results], pa.string()),
            "run_id": pa.array([run_id] * len(results), pa.string()),
        }
    )
    con.register("_batch_log", log)
    try:
        con.execute("INSERT INTO raw.load_log SELECT * FROM _batch_log")
    finally:
        con.unregister("_batch_log")


def _write_rejects(con, item: tuple[PreparedFile, ReadFile], i: int, cell_chars: int) -> None:
    """One file's rejected rows, each rule broken a row of raw.rejects with the whole row as
    sent (`data_asli`, under the agency's own headers)."""
    prepared, read = item
    con.register("_batch_raw", read.raw.table)
    try:
        original = original_row_json(read.raw.headers, cell_chars)
        con.execute(
            f"""INSERT INTO raw.rejects
            SELECT {lit(prepared.sha256)}, {lit(prepared.agency.kode)}, {lit(prepared.dataset)},
                   {lit(prepared.file_name)}, c.baris, p.kolom, p.nilai, p.aturan, p.alasan,
                   CAST(s.data_asli AS VARCHAR)
            FROM (SELECT baris, unnest(_pelanggaran) AS p FROM _batch_rejected
                  WHERE {FILE_COLUMN} = {i}) c
            JOIN (SELECT {ident(ROW_COLUMN)} AS baris, {original} AS data_asli FROM _batch_raw
                  WHERE {ident(ROW_COLUMN)} IN (
                      SELECT baris FROM _batch_rejected WHERE {FILE_COLUMN} = {i})) s
              USING (baris)
            ORDER BY c.baris"""
        )
    finally:
        con.unregister("_batch_raw")

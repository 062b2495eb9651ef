"""Load one agency file into the raw layer: archive, read, check, write, log.

For every file: rows read = rows loaded + rows rejected (the load_log enforces it). All
writes for a file happen in one DuckDB transaction, so a run killed half-way leaves no
trace of that file, and running again loads it exactly once. A file already in the
load_log (same bytes, agency and dataset) is skipped.

Three steps: `prepare_file` archives the original (and skips bytes loaded before),
`check_prepared` reads it into text cells and applies the row rules in a DuckDB of its own
(no warehouse, so many files are checked in worker processes at once), `load_prepared`
writes the result (the one warehouse writer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from core.limits import Limits, load_limits
from core.registry import Agency
from core.sql import ident, lit
from core.standard import Standard, load_standard
from ingestion.archive import archive_file
from ingestion.headers import map_headers
from ingestion.readers import RawFile, UnreadableFile, read_file
from ingestion.readers.base import ROW_COLUMN, BrokenRow
from ingestion.rules import checked_rows_sql


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


def _log(
    con, res: FileResult, archive_path: Path, size: int, submitted_at, run_id, loaded_at=None
) -> None:
    con.execute(
        "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            res.file_sha256,
            res.kode_instansi,
            res.dataset,
            res.file_name,
            str(archive_path),
            size,
            submitted_at,
            loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
            res.status,
            res.rows_read,
            res.rows_loaded,
            res.rows_rejected,
            res.reason,
            run_id,
        ],
    )


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
    limits: Limits = field(default_factory=load_limits)


def prepare_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    file_name: str,
    agency: Agency,
    dataset: str,
    archive_root: Path,
    submitted_at: dt.datetime,
    limits: Limits | None = None,
    run_id: str | None = None,
    loaded: dict[tuple[str, str, str], dt.datetime] | None = None,
    durable: bool = True,
) -> PreparedFile | FileResult:
    """Archive the original; a FileResult 'skipped' when these bytes were loaded before.
    `loaded`: the load log's submission time of each (sha256, agency, dataset)
    (`loaded_files`), read once by a caller with many files (46,594 nationally); read here
    when not given."""
    sha, archived, size = archive_file(archive_root, path, path.suffix, durable=durable)
    loaded = loaded_files(con) if loaded is None else loaded
    if (sha, agency.kode, dataset) in loaded:
        return _resent(con, sha, file_name, agency.kode, dataset, submitted_at, run_id, loaded)
    limits = limits or load_limits()
    return PreparedFile(archived, file_name, agency, dataset, sha, size, submitted_at, limits)


def loaded_files(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], dt.datetime]:
    """The load log's submission time of each (sha256, agency, dataset)."""
    rows = con.execute(
        "SELECT file_sha256, kode_instansi, dataset, submitted_at FROM raw.load_log"
    ).fetchall()
    return {(sha, kode, ds): at for sha, kode, ds, at in rows}


def _resent(con, sha, file_name, kode, dataset, submitted_at, run_id, loaded) -> FileResult:
    """Bytes loaded before: 'skipped', or 'resubmitted' when this copy was submitted later
    than the one in the load log (an earlier revision sent again counts as the latest);
    `loaded` (loaded_files) is kept up to date."""
    key = (sha, kode, dataset)
    before = loaded[key]
    if submitted_at <= before:
        return FileResult(file_name, kode, dataset, sha, "skipped")
    loaded[key] = submitted_at
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    con.execute(
        "UPDATE raw.load_log SET submitted_at = ?, loaded_at = ? "
        "WHERE file_sha256 = ? AND kode_instansi = ? AND dataset = ?",
        [submitted_at, now, sha, kode, dataset],
    )
    con.execute(
        "INSERT INTO raw.kirim_ulang VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [sha, kode, dataset, file_name, before, submitted_at, now, run_id],
    )
    con.execute("COMMIT")
    reason = (
        f"isi sama persis dengan file yang sudah dimuat; tidak dimuat ulang, tetapi dihitung "
        f"sebagai kiriman terbaru (waktu kirim {submitted_at:%Y-%m-%d %H:%M} UTC, "
        f"sebelumnya {before:%Y-%m-%d %H:%M})"
    )
    return FileResult(file_name, kode, dataset, sha, "resubmitted", reason=reason)


@dataclass
class CheckedFile:
    """One file read and checked: typed valid rows and one row per broken rule."""

    valid: pa.Table  # baris + the standard's columns, typed
    rejects: pa.Table  # baris, kolom, nilai, aturan, alasan, data_asli (the original row)
    broken_rows: list[BrokenRow]
    rows_read: int


_checker: duckdb.DuckDBPyConnection | None = None


def _checker_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB of this process for the row rules (one thread: files are checked
    in parallel by processes, not threads)."""
    global _checker
    if _checker is None:
        _checker = duckdb.connect(config={"threads": 1})
    return _checker


@dataclass
class ReadFile:
    """One file read into text cells, within the limits, its headers mapped to the standard."""

    raw: RawFile
    mapping: dict[str, int]  # standard column -> position of the agency's column


def _as_result(step, prepared: PreparedFile):
    """Run `step(prepared)`; an unreadable file is returned (not raised): it is a result,
    quarantined by the loader. Touches no warehouse, so it runs in a worker process."""
    try:
        return step(prepared)
    except UnreadableFile as e:
        return e
    except RecursionError:
        return UnreadableFile(
            "struktur file bersarang terlalu dalam (mis. JSON berlapis-lapis): "
            "file tidak dapat dibaca"
        )
    except MemoryError:
        return UnreadableFile("file terlalu besar untuk dibaca (memori tidak cukup)")
    except Exception as e:  # one file's failure, whatever it is, is that file's alone
        return UnreadableFile(
            f"file tidak dapat diproses: galat tak terduga saat membaca ({type(e).__name__})"
        )


def read_prepared(prepared: PreparedFile) -> ReadFile | UnreadableFile:
    """Read an archived file into text cells and map its headers (no rules yet): what the
    set-based loader (ingestion/batch.py) checks many files of at once."""
    return _as_result(_read, prepared)


def check_prepared(prepared: PreparedFile) -> CheckedFile | UnreadableFile:
    """Read an archived file and apply the standard's row rules to it alone."""
    return _as_result(_check, prepared)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB".replace(",", "_").replace(".", ",").replace("_", ".")


def _read(prepared: PreparedFile) -> ReadFile:
    fmt = prepared.agency.file_format(prepared.dataset)
    spec = load_standard().datasets[prepared.dataset]
    limits = prepared.limits
    if prepared.size > limits.file_bytes:
        raise UnreadableFile(
            f"file berukuran {_mb(prepared.size)}, melebihi batas {_mb(limits.file_bytes)} "
            "(config/limits.yaml: file_bytes); file disimpan di arsip tetapi tidak dibaca"
        )
    raw: RawFile = read_file(prepared.archived, fmt, limits)
    if raw.rows_read > limits.rows:
        raise UnreadableFile(
            f"file berisi {raw.rows_read} baris, melebihi batas {limits.rows} baris "
            "(config/limits.yaml: rows)"
        )
    return ReadFile(raw, map_headers(raw.headers, spec, fmt))


def original_row_json(headers: list[str], cell_chars: int) -> str:
    """The SQL of a reject's `data_asli`: the whole row as sent, under the agency's own
    headers (columns c0..cN of the reader's table), a cell over the limit cut short."""
    return (
        "json_object("
        + ", ".join(
            f"{lit(h)}, {_capped(ident(f'c{i}'), cell_chars)}" for i, h in enumerate(headers)
        )
        + ")"
    )


def _check(prepared: PreparedFile) -> CheckedFile:
    standard = load_standard()
    fmt = prepared.agency.file_format(prepared.dataset)
    spec = standard.datasets[prepared.dataset]
    limits = prepared.limits
    read = _read(prepared)
    raw, mapping = read.raw, read.mapping
    con = _checker_connection()
    con.register("_src", raw.table)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _checked AS "
            f"{checked_rows_sql('_src', mapping, spec, standard, fmt, limits.cell_chars)}"
        )
        cols = ", ".join(ident(c) for c in spec.column_names)
        valid = con.execute(
            f"SELECT baris, {cols} FROM _checked WHERE len(_pelanggaran) = 0 ORDER BY baris"
        ).to_arrow_table()
        original = original_row_json(raw.headers, limits.cell_chars)
        rejects = con.execute(
            f"""SELECT c.baris, p.kolom, p.nilai, p.aturan, p.alasan,
                       CAST(s.data_asli AS VARCHAR) AS data_asli
            FROM (SELECT baris, unnest(_pelanggaran) AS p FROM _checked
                  WHERE len(_pelanggaran) > 0) c
            JOIN (SELECT {ident(ROW_COLUMN)} AS baris, {original} AS data_asli FROM _src) s
              USING (baris)
            ORDER BY c.baris"""
        ).to_arrow_table()
        con.execute("DROP TABLE _checked")
    finally:
        con.unregister("_src")
    return CheckedFile(valid, rejects, raw.broken_rows, raw.rows_read)


def _capped(cell: str, chars: int) -> str:
    """A cell as kept in a reject's original row: a cell over the limit is cut short."""
    return f"CASE WHEN length({cell}) > {chars} THEN left({cell}, 200) || '…' ELSE {cell} END"


def write_broken_rows(con, prepared: PreparedFile, broken_rows: list[BrokenRow]) -> None:
    """The rows the reader could not split into cells, as rejects (BARIS_TIDAK_TERBACA)."""
    for b in broken_rows:
        con.execute(
            "INSERT INTO raw.rejects VALUES (?, ?, ?, ?, ?, NULL, ?, 'BARIS_TIDAK_TERBACA', ?, NULL)",
            [prepared.sha256, prepared.agency.kode, prepared.dataset, prepared.file_name,
             b.baris, b.text, b.reason],
        )  # fmt: skip


def load_prepared(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    checked: CheckedFile | UnreadableFile,
    *,
    standard: Standard,
    run_id: str | None = None,
) -> FileResult:
    """Write one checked file: its valid rows, its rejects and its load_log row, in one
    transaction."""
    sha, agency, dataset = prepared.sha256, prepared.agency, prepared.dataset
    file_name, archived = prepared.file_name, prepared.archived
    res = FileResult(file_name, agency.kode, dataset, sha, "loaded")
    if isinstance(checked, UnreadableFile):
        res.status, res.reason = "quarantined", str(checked)
        con.execute("BEGIN")
        _log(con, res, archived, prepared.size, prepared.submitted_at, run_id)
        con.execute("COMMIT")
        return res
    spec = standard.datasets[dataset]
    valid, rejects = f"_valid_{sha[:16]}", f"_rejects_{sha[:16]}"
    con.register(valid, checked.valid)
    con.register(rejects, checked.rejects)
    try:
        con.execute("BEGIN")
        cols = ", ".join(ident(c) for c in spec.column_names)
        con.execute(
            f"INSERT INTO raw.{dataset} (file_sha256, kode_instansi, baris, {cols}) "
            f"SELECT {lit(sha)}, {lit(agency.kode)}, baris, {cols} FROM {valid}"
        )
        con.execute(
            f"INSERT INTO raw.rejects SELECT {lit(sha)}, {lit(agency.kode)}, {lit(dataset)}, "
            f"{lit(file_name)}, baris, kolom, nilai, aturan, alasan, data_asli FROM {rejects}"
        )
        write_broken_rows(con, prepared, checked.broken_rows)
        res.rows_read = checked.rows_read
        res.rows_loaded = checked.valid.num_rows
        res.rows_rejected = checked.rows_read - checked.valid.num_rows
        _log(con, res, archived, prepared.size, prepared.submitted_at, run_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister(valid)
        con.unregister(rejects)
    return res

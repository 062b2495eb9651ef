"""Ingest agencies: pull their APIs, then load every landed file.

Reading a file (CSV, Excel, JSON into text cells) and applying the row rules is most of the
work and needs no warehouse, so files are read and checked in a pool of worker processes
while this process, the only warehouse writer, writes the files already checked, in
submission order.
"""

from __future__ import annotations

import datetime as dt
import errno
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.limits import Limits, load_limits
from core.registry import Agency
from core.standard import DATASETS, load_standard
from ingestion.api_client import ApiError, pull_dataset
from ingestion.batch import BATCH_ROWS, Batch, batch_key, load_batch
from ingestion.landing import (
    Ignored,
    files_for,
    stray_folders,
    submission_time,
    wait_until_settled,
)
from ingestion.load import (
    FileResult,
    PreparedFile,
    check_prepared,
    load_prepared,
    loaded_files,
    prepare_file,
    read_prepared,
)
from ingestion.readers import UnreadableFile
from ingestion.schema import ensure_raw_schema

# below this many bytes to read, starting worker processes costs more than it saves
POOL_MIN_BYTES = 16 * 2**20


class DiskFull(RuntimeError):
    """The disk is full: the run stops (it is no agency's failure) and says where."""

    def __init__(self, path):
        super().__init__(
            f"disk penuh: tidak dapat menulis {path}; kosongkan ruang disk lalu jalankan lagi"
        )


@dataclass
class AgencyOutcome:
    results: list[FileResult] = field(default_factory=list)
    error: Exception | None = None  # the agency's API or landing area could not be read
    ignored: list[Ignored] = field(default_factory=list)  # landed, not ingested, and why


def ingest_agencies(
    con: duckdb.DuckDBPyConnection,
    agencies: Iterable[Agency],
    *,
    landing: Path,
    archive: Path,
    datasets: Iterable[str] = DATASETS,
    run_id: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
    workers: int = 1,
    api_tokens: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    registered: Iterable[str] | None = None,
    settle_seconds: float = 0.0,
) -> dict[str, AgencyOutcome]:
    """Every agency's outcome; one agency's unreachable API or unreadable landing folder is
    recorded in its outcome and does not stop the others. `workers` processes read and check
    the files (KINERJA_READ_WORKERS); `api_tokens` holds the bearer token of each API agency
    by its kode. `limits` (config/limits.yaml) bound files and pulls; a file modified less
    than `settle_seconds` ago waits for the next run; with `registered` (every registered kode) the folders of
    unregistered agencies are reported too."""
    limits = limits or load_limits()
    standard = load_standard()
    ensure_raw_schema(con, standard)
    agencies = list(agencies)
    datasets = list(datasets)
    waited = wait_until_settled(landing, agencies, datasets, settle_seconds)
    if waited:
        log(f"waited {waited:.1f} s for files copied in just now to settle")
    outcomes: dict[str, AgencyOutcome] = {a.kode: AgencyOutcome() for a in agencies}
    # what is likely new (not in the load log under the same name and size): decides whether
    # worker processes are worth starting; the bytes themselves decide what is skipped
    known = set(
        con.execute("SELECT kode_instansi, file_name, size_bytes FROM raw.load_log").fetchall()
    )
    landed_bytes = sum(
        size
        for a in agencies
        for ds in datasets
        for f in files_for(landing, a, ds)
        if (a.kode, f.relative_name, size := f.path.stat().st_size) not in known
    )
    pending = _prepared_files(
        con,
        agencies,
        datasets,
        outcomes,
        landing,
        archive,
        log,
        api_tokens or {},
        limits,
        settle_seconds,
        run_id,
    )
    # raw rows have no order to keep: DuckDB then writes a batch with every core
    con.execute("SET preserve_insertion_order = false")
    try:
        _load_all(con, pending, workers, landed_bytes, outcomes, standard, run_id, log)
    finally:
        con.execute("RESET preserve_insertion_order")
    stray = stray_folders(landing, registered or [], DATASETS, [a.kode for a in agencies])
    for ig in stray:
        if ig.kode_instansi in outcomes:
            outcomes[ig.kode_instansi].ignored.append(ig)
    top = [ig for ig in stray if not ig.kode_instansi] if registered is not None else None
    record_ignored(con, outcomes, top, run_id)
    for ig in [i for o in outcomes.values() for i in o.ignored] + (top or []):
        log(f"{ig.path}: {ig.reason}")
    return outcomes


def _load_all(con, pending, workers, landed_bytes, outcomes, standard, run_id, log) -> None:
    """Read every pending file (ahead, in worker processes when it pays), then check and
    write them set-based, in batches of one dataset (ingestion/batch.py); an unreadable file
    is quarantined on its own. One log line per agency once all its files are written (a
    line per file costs the run log a write per file); every file's figures are in
    raw.load_log, a quarantined file is named with its reason."""
    batches: dict[tuple, Batch] = {}
    waiting: Counter = Counter()  # files of each agency read but not yet written

    def written(results: list[FileResult]) -> None:
        for res in results:
            outcomes[res.kode_instansi].results.append(res)
            if res.status == "quarantined":
                log(f"{res.file_name}: quarantined ({res.reason})")
            waiting[res.kode_instansi] -= 1
        for kode in {r.kode_instansi for r in results}:
            if waiting[kode] == 0:
                loaded = [
                    r for r in outcomes[kode].results if r.status in ("loaded", "quarantined")
                ]
                log(_agency_line(loaded))

    def flush(key) -> None:
        batch = batches.pop(key)
        os.sync()  # the archived originals are on disk before the load log says loaded
        log(f"{batch.files[0][0].dataset}: checking and writing {len(batch.files)} file(s), "
            f"{batch.rows} row(s)")  # fmt: skip
        written(_write_batch(con, batch, standard, run_id))

    for prepared, read in read_files(pending, workers, landed_bytes):
        waiting[prepared.agency.kode] += 1
        if isinstance(read, UnreadableFile):
            os.sync()
            written([_write_one(con, prepared, read, standard, run_id)])
            continue
        key = batch_key(prepared, read)
        batches.setdefault(key, Batch()).add(prepared, read)
        if batches[key].rows >= BATCH_ROWS:
            flush(key)
    for key in list(batches):
        flush(key)


def _write_batch(con, batch: Batch, standard, run_id) -> list[FileResult]:
    try:
        return load_batch(con, batch, standard=standard, run_id=run_id)
    except duckdb.Error as e:
        _raise_if_disk_full(con, e)
    # the batch could not be written whole: each file alone, so one file's failure to
    # write is that file's (quarantined) and the others go on
    return [
        _write_one(con, prepared, check_prepared(prepared), standard, run_id)
        for prepared, _ in batch.files
    ]


def _write_one(con, prepared, checked, standard, run_id) -> FileResult:
    try:
        return load_prepared(con, prepared, checked, standard=standard, run_id=run_id)
    except duckdb.Error as e:
        _raise_if_disk_full(con, e)
        why = UnreadableFile(
            f"file tidak dapat ditulis ke gudang data ({type(e).__name__}); file disimpan di arsip"
        )
        return load_prepared(con, prepared, why, standard=standard, run_id=run_id)


def _raise_if_disk_full(con, e: duckdb.Error) -> None:
    if "No space left" in str(e) or "disk" in str(e).lower():
        raise DiskFull(con.execute("PRAGMA database_list").fetchone()[2]) from e


def record_ignored(
    con, outcomes: dict[str, AgencyOutcome], top: list[Ignored] | None, run_id
) -> None:
    """raw.diabaikan holds what each agency's last run left aside (and the landing area's
    own strays when every agency was looked at)."""
    kodes = list(outcomes) + ([""] if top is not None else [])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        (ig.kode_instansi, ig.path, ig.reason, now, run_id)
        for ig in [i for o in outcomes.values() for i in o.ignored] + (top or [])
    ]
    con.execute("BEGIN")
    con.execute("DELETE FROM raw.diabaikan WHERE list_contains(?, kode_instansi)", [kodes])
    if rows:
        con.executemany("INSERT INTO raw.diabaikan VALUES (?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")


def _prepared_files(
    con,
    agencies,
    datasets,
    outcomes,
    landing: Path,
    archive: Path,
    log,
    api_tokens,
    limits,
    settle_seconds,
    run_id=None,
) -> Iterator[PreparedFile]:
    """Pull each API, archive each landed file and yield the ones to load, lazily: archiving
    the next files overlaps with the reading of those before. Bytes loaded before, or met
    twice in this run (one file uploaded under two names), are 'skipped'."""
    seen: set[tuple[str, str, str]] = set()
    loaded = loaded_files(con)
    for agency in agencies:
        outcome = outcomes[agency.kode]
        try:
            for dataset in datasets:
                pulled = None
                if agency.delivery == "api":
                    pulled = pull_dataset(
                        agency, dataset, landing, token=api_tokens.get(agency.kode), limits=limits
                    )
                    if pulled:
                        log(f"{agency.kode}/{dataset}: pulled API into {pulled.name}")
                for f in files_for(
                    landing,
                    agency,
                    dataset,
                    outcome.ignored,
                    settle_seconds=settle_seconds,
                    settled=[pulled] if pulled else [],
                ):
                    prepared = prepare_file(
                        con,
                        path=f.path,
                        file_name=f.relative_name,
                        agency=agency,
                        dataset=dataset,
                        archive_root=archive,
                        submitted_at=submission_time(f.path, agency, dataset),
                        limits=limits,
                        run_id=run_id,
                        loaded=loaded,
                        durable=False,  # synced before the file is written (_load_all)
                    )
                    key = (
                        prepared.file_sha256
                        if isinstance(prepared, FileResult)
                        else prepared.sha256,
                        agency.kode,
                        dataset,
                    )
                    if isinstance(prepared, PreparedFile) and key in seen:
                        prepared = FileResult(
                            f.relative_name, agency.kode, dataset, key[0], "skipped"
                        )
                    if isinstance(prepared, FileResult):
                        if prepared.status == "resubmitted":
                            log(f"{prepared.file_name}: {prepared.reason}")
                        outcome.results.append(prepared)
                        continue
                    seen.add(key)
                    yield prepared
        except (ApiError, OSError) as e:
            if isinstance(e, OSError) and e.errno == errno.ENOSPC:
                # not this agency's failure: nothing more can be written by anyone
                raise DiskFull(e.filename or archive) from e
            # files landed before the failure are loaded; the rest waits for the next run
            outcome.error = e


def _agency_line(results: list[FileResult]) -> str:
    quarantined = sum(r.status == "quarantined" for r in results)
    return (
        f"{results[0].kode_instansi}: {len(results)} file(s) loaded"
        + (f" ({quarantined} quarantined)" if quarantined else "")
        + f", rows read {sum(r.rows_read for r in results)}, "
        f"loaded {sum(r.rows_loaded for r in results)}, "
        f"rejected {sum(r.rows_rejected for r in results)}"
    )


def read_files(
    pending: Iterable[PreparedFile], workers: int, total_bytes: int | None = None
) -> Iterator[tuple]:
    """(prepared, file read) in the order given, read ahead by a pool of `workers` processes
    when there is enough to read; at most three files per worker wait."""
    if total_bytes is None:
        pending = list(pending)
        total_bytes = sum(p.size for p in pending)
    if workers < 2 or total_bytes < POOL_MIN_BYTES:
        for prepared in pending:
            yield prepared, read_prepared(prepared)
        return
    # spawn: the caller may be a threaded server (Dagster), where fork is unsafe
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield from _read_ahead(pool, pending, window=3 * workers)


def _read_ahead(pool: Executor, pending: Iterable[PreparedFile], window: int) -> Iterator[tuple]:
    queue: deque = deque()
    todo = iter(pending)
    for prepared in todo:
        queue.append((prepared, pool.submit(read_prepared, prepared)))
        if len(queue) >= window:
            break
    while queue:
        prepared, future = queue.popleft()
        nxt = next(todo, None)
        if nxt is not None:
            queue.append((nxt, pool.submit(read_prepared, nxt)))
        try:
            read = future.result()
        except Exception as e:  # the reader process died (memory) or could not be reached
            read = UnreadableFile(
                f"file tidak dapat diproses: proses pembaca berhenti ({type(e).__name__})"
            )
        yield prepared, read


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

"""Recovering from a crashed run (kill -9, out of memory, full disk), before a new one starts.

A run records which process runs it (tags `kinerja/pid`, `kinerja/host`, `kinerja/pid_start`:
the process's start time, so a reused pid is not mistaken for the run), and every process it
starts (the reader workers, a `dbt parse`; dbt's builds run inside it) inherits
`KINERJA_RUN_ID` in its environment. Before a new run, `recover` finds the runs Dagster still
believes are running whose process is gone, ends their orphaned children, marks them failed and
frees their `duckdb_writer` concurrency slots; it also frees the slots still held by runs that
have ended. A live run that holds the slot is returned as a blocker (one line: which run, which
process, how to clear it) instead of waiting silently. `clean_leftovers` removes what a killed
run left half-written (`*.tmp` files, `.*.partial` releases, dbt's private parse folders).

Inside the Dagster daemon, Dagster's own run monitoring (config/dagster.yaml: `run_monitoring`)
marks a run failed when its run worker dies and frees the slots of ended runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from core.settings import RUN_ID_VAR, Settings, mark_run

PID_TAG = "kinerja/pid"
HOST_TAG = "kinerja/host"
START_TAG = "kinerja/pid_start"
# statuses of a run that Dagster believes is (about to be) running
ACTIVE = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]
FINISHED = {
    DagsterRunStatus.SUCCESS,
    DagsterRunStatus.FAILURE,
    DagsterRunStatus.CANCELED,
}
PROC = Path("/proc")


def _process_start(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), or None when there is none."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def process_tags(pid: int | None = None) -> dict[str, str]:
    """The tags that say which process runs a run."""
    pid = pid or os.getpid()
    return {
        PID_TAG: str(pid),
        HOST_TAG: socket.gethostname(),
        START_TAG: _process_start(pid) or "",
    }


def _alive(tags) -> bool | None:
    """Whether the run's process lives: None when the run does not say (not ours to judge)
    or runs on another host."""
    pid = tags.get(PID_TAG)
    if not pid or tags.get(HOST_TAG) != socket.gethostname():
        return None
    start = _process_start(int(pid))
    if start is None:
        return False
    try:
        if (PROC / pid / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False  # a zombie: dead, not yet reaped
    except OSError:
        return False
    return start == tags.get(START_TAG, start)


def processes_of_run(run_id: str) -> list[int]:
    """The processes (other than this one) whose environment says they work for `run_id`:
    the children a run started (reader workers, a `dbt parse`), orphaned when it was killed."""
    marker = f"{RUN_ID_VAR}={run_id}".encode()
    found = []
    for p in PROC.iterdir():
        if not p.name.isdigit() or int(p.name) == os.getpid():
            continue
        try:
            env = (p / "environ").read_bytes()
        except OSError:
            continue
        if marker in env.split(b"\0"):
            found.append(int(p.name))
    return found


def end_processes(pids: Iterable[int], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL what is still there after `grace` seconds."""
    pids = list(pids)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _process_start(p) is not None and not _zombie(p)]
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@dataclass
class Recovery:
    recovered: list[str]  # one line per dead run marked failed (Indonesian)
    blockers: list[str]  # one line per live run holding the warehouse (Indonesian)


def recover(instance: DagsterInstance) -> Recovery:
    """Mark the dead runs failed, end their children, free their slots; report live blockers."""
    recovered, blockers = [], []
    storage = instance.event_log_storage
    holding = (
        storage.get_concurrency_run_ids() if storage.supports_global_concurrency_limits else set()
    )
    for run in instance.get_runs(RunsFilter(statuses=ACTIVE)):
        alive = _alive(run.tags)
        if alive is False:
            orphans = processes_of_run(run.run_id)
            end_processes(orphans)
            instance.report_run_failed(
                run,
                message=f"proses run ini (pid {run.tags[PID_TAG]}) sudah mati (dihentikan paksa, "
                "kehabisan memori atau disk penuh); ditandai gagal oleh run berikutnya",
            )
            recovered.append(
                f"run {run.run_id[:8]} ({run.job_name}) mati tanpa selesai (pid "
                f"{run.tags[PID_TAG]}): ditandai gagal, slot duckdb_writer dilepas"
                + (f", {len(orphans)} proses anak dihentikan" if orphans else "")
            )
            if storage.supports_global_concurrency_limits:
                storage.free_concurrency_slots_for_run(run.run_id)
        elif alive is True or (alive is None and run.run_id in holding):
            where = (
                f"proses {run.tags[PID_TAG]} (hentikan dengan `kill {run.tags[PID_TAG]}`)"
                if alive
                else "memegang slot duckdb_writer tanpa proses yang dikenal "
                "(batalkan atau tandai gagal di UI Dagster bila prosesnya sudah mati)"
            )
            blockers.append(
                f"run {run.run_id} ({run.job_name}, status {run.status.value}) masih berjalan: "
                f"{where}; tunggu sampai selesai"
            )
    if storage.supports_global_concurrency_limits:
        # slots of runs that ended (or vanished) without giving them back
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.status in FINISHED:
                storage.free_concurrency_slots_for_run(run_id)
    return Recovery(recovered, blockers)


def clean_leftovers(settings: Settings) -> list[Path]:
    """Remove what killed runs left half-written; call only when no run is alive."""
    removed: list[Path] = []
    candidates = [
        *settings.archive.glob("*/.*.tmp"),
        *settings.landing.glob("*/*/.*.tmp"),
        *(settings.published / "runs").glob(".*.partial"),
        *settings.published.glob(".latest.*"),
        *(settings.warehouse.parent / "dbt_target").glob(".parse-*"),
    ]
    for p in candidates:
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        elif p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            continue
        removed.append(p)
    return removed


def claim_run(context) -> None:
    """Called by each step that writes or starts processes: this process works for the run
    (its children inherit the mark) and the run says which process it is (daemon-launched
    runs too). `kinerja` runs carry the tags from their start (orchestration/run.py)."""
    mark_run(context.run_id)
    run = context.instance.get_run_by_id(context.run_id)
    tags = process_tags()
    if run is not None and run.tags.get(PID_TAG) != tags[PID_TAG]:
        context.instance.add_run_tags(context.run_id, tags)


def before_run(settings: Settings, instance: DagsterInstance, say) -> bool:
    """Recover from crashed runs, then clean their leftovers. False (after saying why in one
    line) when a live run still holds the warehouse: the caller does not start."""
    rec = recover(instance)
    for line in rec.recovered:
        say(line)
    if rec.blockers:
        say("refresh tidak dimulai: " + rec.blockers[0])
        return False
    removed = clean_leftovers(settings)
    if removed:
        say(f"{len(removed)} sisa tulisan setengah jadi dari run yang mati dihapus")
    return True


def disk_full_message(exc: BaseException, settings: Settings) -> str | None:
    """'disk penuh' with the path, when `exc` (or its cause) says the disk is full; the raw
    tracebacks (sqlite3 'disk I/O error', DuckDB, OSError ENOSPC) are not for operators."""
    seen = exc
    while seen is not None:
        text = str(seen)
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return f"disk penuh: tidak dapat menulis {seen.filename or settings.home}"
        if text.startswith("disk penuh"):
            return text
        if any(m in text for m in ("disk I/O error", "database or disk is full", "No space left")):
            return (
                f"disk penuh (atau galat tulis disk): periksa ruang kosong di {settings.home} "
                f"dan {settings.instance_home}"
            )
        seen = seen.__cause__ or seen.__context__
    return None

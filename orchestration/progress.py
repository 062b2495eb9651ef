"""`kinerja refresh` quietly: one line per step, a progress bar for the ingestion (agencies
done out of all) and for the dbt build (nodes done out of all), using rich.

The job runs in-process in a worker thread; this thread follows the run's events in the
instance (the same events the UI shows) and draws the progress. dbt's own lines (dagster-dbt
writes them to stdout) are read for the node counts ("12 of 250 OK ...") and not printed; dbt
writes its full log to `dbt.log` in its target folder, which the summary names. With
`verbose` nothing is hidden: Dagster's INFO log and dbt's lines, as before.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from contextlib import redirect_stdout

from dagster import DagsterEventType, DagsterInstance, Definitions
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.run import run_job

# step key -> what an operator reads (Indonesian)
STEP_NAMES = {
    "ingest_agency_submissions": "Penerimaan kiriman instansi",
    "raw_registry": "Daftar instansi",
    "raw_batches_gate": "Pemeriksaan GX data mentah",
    "warehouse_dbt": "Pembangunan gudang data (dbt build)",
    "tinjauan_submisi": "Tinjauan kiriman",
    "marts_publication_gate": "Gerbang publikasi (GX)",
    "publikasi": "Publikasi",
}
INGEST_STEP, DBT_STEP = "ingest_agency_submissions", "warehouse_dbt"
_AGENCY_DONE = re.compile(r"^([\w-]+): \d+ file\(s\) loaded")
_DBT_NODE_DONE = re.compile(r"^(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")


class DbtLineCounter:
    """A stdout that reads dbt's lines for the count of nodes done, and drops them."""

    def __init__(self, on_count) -> None:
        self._buffer = ""
        self._on_count = on_count

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            m = _DBT_NODE_DONE.match(line.strip())
            if m:
                self._on_count(int(m.group(2)))
        return len(text)

    def flush(self) -> None:
        pass


def step_name(step_key: str) -> str:
    return STEP_NAMES.get(step_key, step_key)


def run_with_progress(
    defs: Definitions,
    job_name: str,
    agencies: list[str],
    instance: DagsterInstance,
    *,
    full_refresh: bool = False,
    verbose: bool = False,
    console: Console | None = None,
):
    """Run the job; quiet unless `verbose`. Returns the ExecuteInProcessResult."""
    if verbose:
        return run_job(defs, job_name, agencies, instance, full_refresh=full_refresh)
    console = console or Console(file=sys.stdout, highlight=False)
    run_id = str(uuid.uuid4())
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = run_job(
                defs, job_name, agencies, instance, full_refresh=full_refresh,
                log_level="CRITICAL", run_id=run_id,
            )  # fmt: skip
        except BaseException as e:  # shown by the caller, after the progress is closed
            outcome["error"] = e

    progress = Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, int] = {}
    dbt_done = [0]

    def count_dbt(total: int) -> None:
        dbt_done[0] += 1
        if DBT_STEP in tasks:
            progress.update(tasks[DBT_STEP], completed=dbt_done[0], total=total)

    started: dict[str, float] = {}
    worker = threading.Thread(target=work, name="kinerja-run", daemon=True)
    with progress, redirect_stdout(DbtLineCounter(count_dbt)):
        worker.start()
        cursor = None
        while True:
            alive = worker.is_alive()
            conn = (
                instance.get_records_for_run(run_id, cursor=cursor)
                if _exists(instance, run_id)
                else None
            )
            for rec in conn.records if conn else []:
                _on_event(rec.event_log_entry, progress, tasks, started, len(agencies))
            cursor = conn.cursor if conn else cursor
            if not alive:
                break
            worker.join(timeout=1.0)  # each look at the event log costs a query
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _exists(instance: DagsterInstance, run_id: str) -> bool:
    return instance.has_run(run_id)


def _on_event(entry, progress: Progress, tasks: dict, started: dict, n_agencies: int) -> None:
    ev = entry.dagster_event
    step = entry.step_key
    if ev is None:
        m = _AGENCY_DONE.match(entry.user_message or "")
        if step == INGEST_STEP and m and INGEST_STEP in tasks:
            progress.advance(tasks[INGEST_STEP])
        return
    kind = ev.event_type
    if kind == DagsterEventType.STEP_START:
        started[step] = time.monotonic()
        if step == INGEST_STEP:
            tasks[step] = progress.add_task(step_name(step), total=n_agencies)
        elif step == DBT_STEP:
            tasks[step] = progress.add_task(step_name(step), total=None)
    elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
        if step in tasks:
            progress.remove_task(tasks.pop(step))
        took = time.monotonic() - started.get(step, time.monotonic())
        mark = "selesai" if kind == DagsterEventType.STEP_SUCCESS else "GAGAL"
        progress.console.print(f"{step_name(step)}: {mark} ({took:.0f} dtk)")
    elif kind == DagsterEventType.STEP_SKIPPED:
        progress.console.print(f"{step_name(step)}: dilewati")

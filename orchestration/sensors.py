"""The landing-area sensor: new files from an agency start one run for that agency.

- A file is picked up only once its size and modification time are the same on two ticks in
  a row (a file still being copied is left for the next tick); an agency with a file still
  being copied waits as a whole, so a burst of files from one agency starts one run.
- A file whose bytes are already in the load log (`raw.load_log`: loaded or quarantined by
  an earlier run, under any name) starts nothing: starting the UI after `make demo` starts no
  run at all.
- The run key is the agency and the sha256 of its new files' contents, so the same contents
  never start two runs, whatever their names.

Agencies that deliver over an API are pulled by the nightly run, not watched here. The
sensor starts RUNNING with the daemon (README: "Running it every night"): since it starts
nothing for loaded files, a file an agency drops is loaded within minutes, which is what an
operator expects; stop it in the UI (Automation) to rely on the nightly schedule alone.
"""

import hashlib
import json
import time
from pathlib import Path

import duckdb
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from core.duck import connect_reader
from core.hashing import sha256_file
from core.registry import Registry
from core.standard import DATASETS
from ingestion.landing import files_for
from orchestration.assets.ingestion import AGENCIES_TAG, ingest_run_config


class WarehouseBusy(Exception):
    """The warehouse is being written (a run holds DuckDB's lock): look again next tick."""


def loaded_shas(warehouse: Path) -> set[str]:
    """The sha256 of every file in the load log (none before the first run)."""
    if not warehouse.exists():
        return set()
    try:
        with connect_reader(warehouse) as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'raw' AND table_name = 'load_log'"
            ).fetchone()[0]
            if not exists:
                return set()
            return {r[0] for r in con.execute("SELECT file_sha256 FROM raw.load_log").fetchall()}
    except duckdb.IOException as e:  # another process writes it
        raise WarehouseBusy(str(e)) from e


def scan_landing(
    landing: Path,
    registry: Registry,
    cursor: dict,
    known: set[str] | None = None,
    settle_seconds: float = 0.0,
) -> tuple[list[RunRequest], dict]:
    """One tick: returns the run requests (at most one per agency) and the new cursor
    {"seen": {path: [size, mtime_ns, sha]}, "pending": {path: [size, mtime_ns]}}. `known`:
    the sha256 of the files in the load log. A file modified less than `settle_seconds` ago
    is still being written: ingestion would skip it (KINERJA_SETTLE_SECONDS), so its agency
    waits for the next tick."""
    known = known or set()
    now = time.time()
    seen, pending = dict(cursor.get("seen", {})), dict(cursor.get("pending", {}))
    requests = []
    for agency in registry.agencies:
        if agency.delivery != "file":
            continue
        new: list[tuple[str, str]] = []  # (file, sha) not loaded yet
        waiting = False
        for dataset in DATASETS:
            for f in files_for(landing, agency, dataset):
                try:
                    st = f.path.stat()
                except FileNotFoundError:
                    continue
                stat = [st.st_size, st.st_mtime_ns]
                key = f.relative_name
                if key in seen and seen[key][:2] == stat:
                    continue  # unchanged since it was picked up
                if pending.get(key) != stat or now - st.st_mtime < settle_seconds:
                    pending[key] = stat  # first sight, or still being written
                    waiting = True
                    continue
                sha = sha256_file(f.path)
                if sha in known or (key in seen and seen[key][2] == sha):
                    del pending[key]
                    seen[key] = [*stat, sha]  # loaded already, or touched with the same bytes
                    continue
                new.append((key, sha))
        if waiting or not new:
            continue  # the agency's burst is not complete: its stable files wait with it
        for key, sha in new:
            seen[key] = [*pending.pop(key), sha]
        shas = sorted({sha for _, sha in new})
        digest = shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()
        files = ", ".join(sorted(k for k, _ in new))
        requests.append(
            RunRequest(
                run_key=f"{agency.kode}:{digest}",
                run_config=ingest_run_config([agency.kode]),
                tags={
                    AGENCIES_TAG: agency.kode,
                    "kinerja/file": files[:200],
                    "kinerja/sha256": digest,
                },
            )
        )
    return requests, {"seen": seen, "pending": pending}


def landing_sensor(
    job,
    registry: Registry,
    landing: Path,
    warehouse: Path,
    interval: int = 60,
    settle_seconds: float = 0.0,
):
    @sensor(
        name="landing_area_sensor",
        job=job,
        minimum_interval_seconds=interval,
        default_status=DefaultSensorStatus.RUNNING,
        description="File baru dari instansi di area pendaratan memulai satu run untuk "
        "instansi itu; file yang sudah dimuat tidak memulai apa pun.",
    )
    def landing_area_sensor(context: SensorEvaluationContext):
        cursor = json.loads(context.cursor) if context.cursor else {}
        try:
            known = loaded_shas(warehouse)
        except WarehouseBusy:
            return SkipReason("gudang data sedang ditulis oleh run lain; dicek lagi nanti")
        requests, new_cursor = scan_landing(landing, registry, cursor, known, settle_seconds)
        context.update_cursor(json.dumps(new_cursor))
        if not requests:
            return SkipReason(f"tidak ada file baru yang stabil di {landing}")
        return requests

    return landing_area_sensor

"""The landing-area sensor: a new or changed agency file starts a run for that agency.

A file is picked up only once its size and modification time are the same on two ticks in a
row (a file still being copied is left for the next tick). The run key is the agency and the
sha256 of the file's content, so one content starts one run, never two, whatever its name.
Agencies that deliver over an API are pulled by the nightly run, not watched here.
"""

import json
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from core.hashing import sha256_file
from core.registry import Registry
from core.standard import DATASETS
from ingestion.landing import files_for


def scan_landing(landing: Path, registry: Registry, cursor: dict) -> tuple[list[RunRequest], dict]:
    """One tick: returns the run requests and the new cursor
    {"seen": {path: [size, mtime_ns, sha]}, "pending": {path: [size, mtime_ns]}}."""
    seen, pending = dict(cursor.get("seen", {})), dict(cursor.get("pending", {}))
    requests = []
    for agency in registry.agencies:
        if agency.delivery != "file":
            continue
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
                if pending.get(key) != stat:
                    pending[key] = stat  # first sight, or still being written
                    continue
                del pending[key]
                sha = sha256_file(f.path)
                if key in seen and seen[key][2] == sha:
                    seen[key] = [*stat, sha]  # touched, same content
                    continue
                seen[key] = [*stat, sha]
                requests.append(
                    RunRequest(
                        run_key=f"{agency.kode}:{sha}",
                        partition_key=agency.kode,
                        tags={"kinerja/file": key, "kinerja/sha256": sha},
                    )
                )
    return requests, {"seen": seen, "pending": pending}


def landing_sensor(job, registry: Registry, landing: Path):
    @sensor(
        name="landing_area_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        description="A new or changed file in the landing area starts a run for its agency.",
    )
    def landing_area_sensor(context: SensorEvaluationContext):
        cursor = json.loads(context.cursor) if context.cursor else {}
        requests, new_cursor = scan_landing(landing, registry, cursor)
        context.update_cursor(json.dumps(new_cursor))
        if not requests:
            return SkipReason(f"no new stable file in {landing}")
        return requests

    return landing_area_sensor

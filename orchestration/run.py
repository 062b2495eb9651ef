"""Run the code location's jobs in-process (what the `kinerja` CLI and the tests use)."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult

from ingestion.settings import Settings


def instance_for(settings: Settings) -> DagsterInstance:
    """The Dagster instance in DAGSTER_HOME (default <KINERJA_HOME>/dagster_home), so runs
    started from the command line show up in the UI too."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    return DagsterInstance.get()


def run_job(
    defs: Definitions,
    job_name: str,
    agencies: list[str],
    instance: DagsterInstance,
) -> ExecuteInProcessResult:
    job = defs.resolve_job_def(job_name)
    if len(agencies) == 1:
        return job.execute_in_process(
            instance=instance, partition_key=agencies[0], raise_on_error=False
        )
    tags = {
        "dagster/asset_partition_range_start": agencies[0],
        "dagster/asset_partition_range_end": agencies[-1],
    }
    return job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)

"""Run the code location's jobs in-process (what the `kinerja` CLI and the tests use)."""

from __future__ import annotations

import uuid

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult

from core.paths import CONFIG_DIR
from core.settings import Settings, mark_run
from orchestration.recovery import process_tags

INSTANCE_TEMPLATES = {"sqlite": "dagster.yaml", "postgres": "dagster.postgres.yaml"}


def instance_for(settings: Settings) -> DagsterInstance:
    """The Dagster instance in DAGSTER_HOME (default <KINERJA_HOME>/dagster_home), so runs
    started from the command line show up in the UI too. A new DAGSTER_HOME gets
    config/dagster.yaml (SQLite), or config/dagster.postgres.yaml when
    KINERJA_DAGSTER_STORAGE=postgres."""
    home = settings.instance_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        template = CONFIG_DIR / INSTANCE_TEMPLATES[settings.dagster_storage]
        config.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    return DagsterInstance.from_config(str(home))


def run_job(
    defs: Definitions,
    job_name: str,
    agencies: list[str],
    instance: DagsterInstance,
    full_refresh: bool = False,
    log_level: str = "INFO",
    run_id: str | None = None,
) -> ExecuteInProcessResult:
    """One run over `agencies` (a partition range of the agency partitions, or one). The
    console shows INFO and above: each step, each agency's files, dbt's progress."""
    job = defs.resolve_job_def(job_name)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if full_refresh:
        run_config["ops"] = {"warehouse_dbt": {"config": {"full_refresh": True}}}
    if len(agencies) == 1:
        tags = {"dagster/partition": agencies[0]}
    else:
        tags = {
            "dagster/asset_partition_range_start": agencies[0],
            "dagster/asset_partition_range_end": agencies[-1],
        }
    # the run says which process runs it, and the processes it starts inherit its id: the
    # next run recognises it as dead after a kill (orchestration/recovery.py)
    run_id = run_id or str(uuid.uuid4())
    mark_run(run_id)
    return job.execute_in_process(
        instance=instance,
        tags={**tags, **process_tags()},
        run_config=run_config,
        raise_on_error=False,
        run_id=run_id,
    )

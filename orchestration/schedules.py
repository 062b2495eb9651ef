"""The nightly schedule."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from core.domain import TIME_ZONE_NAME
from orchestration.assets.ingestion import AGENCIES_TAG, ingest_run_config

NIGHTLY_CRON = "0 1 * * *"  # 01:00 every night
NIGHTLY_TIMEZONE = TIME_ZONE_NAME  # WIB


def nightly_schedule(job):
    @schedule(
        name="nightly_refresh_schedule",
        job=job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=NIGHTLY_TIMEZONE,
        default_status=DefaultScheduleStatus.RUNNING,
        description="The nightly refresh at 01:00 WIB: every agency, warehouse, gates, publication.",
    )
    def nightly_refresh_schedule(context: ScheduleEvaluationContext):
        # one run over every agency (an empty list in the config)
        return RunRequest(
            run_key=context.scheduled_execution_time.isoformat(),
            run_config=ingest_run_config(None),
            tags={AGENCIES_TAG: "semua"},
        )

    return nightly_refresh_schedule

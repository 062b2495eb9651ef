"""The one Definitions object of the code location (loaded by workspace.yaml)."""

from dagster import (
    AssetSelection,
    Definitions,
    define_asset_job,
    definitions,
    in_process_executor,
)

from core.registry import Registry, load_registry
from core.settings import Settings, require_pseudonym_key, restrict_permissions
from orchestration.alerts import run_failure_alert
from orchestration.assets.ingestion import build_ingestion_assets, build_registry_asset
from orchestration.assets.publication import publikasi
from orchestration.assets.review import HOLDS_TABLE, tinjauan_submisi
from orchestration.assets.warehouse import build_dbt_assets, dbt_project, dbt_resource
from orchestration.checks import marts_publication_gate, raw_batches_gate
from orchestration.resources import (
    AgencyApiResource,
    AlertWebhookResource,
    PseudonymKeyResource,
    WarehouseResource,
)
from orchestration.schedules import nightly_schedule
from orchestration.sensors import landing_sensor

INGEST_JOB = "ingest_agencies"
NIGHTLY_JOB = "nightly_refresh"
PUBLISH_JOB = "publish"


def build_defs(settings: Settings, registry: Registry | None = None) -> Definitions:
    """The code location for `settings`; `registry` when the caller has loaded it already
    (a national registry takes seconds to check), else it is loaded here."""
    # a registry error stops loading, clearly
    registry = registry or load_registry(settings.registry)
    ingestion = build_ingestion_assets(registry)
    registry_asset = build_registry_asset(registry)
    project = dbt_project()
    warehouse = build_dbt_assets(project)
    ingest_job = define_asset_job(
        INGEST_JOB,
        selection=AssetSelection.assets(ingestion, registry_asset),
        description="Ingest agency submissions (every agency, or those its config names) into raw.",
    )
    nightly = define_asset_job(
        NIGHTLY_JOB,
        selection=AssetSelection.all(),
        description="The nightly refresh: ingest every agency, build the warehouse with dbt, "
        "check it and publish.",
        # one process, steps in order: DuckDB has one writer
        executor_def=in_process_executor,
    )
    publish_job = define_asset_job(
        PUBLISH_JOB,
        selection=AssetSelection.assets(tinjauan_submisi, publikasi)
        | AssetSelection.checks(marts_publication_gate),
        description="Check the current marts and publish them if every blocking gate passes "
        "(e.g. after fixing a blocked publication without re-ingesting).",
        executor_def=in_process_executor,
    )
    return Definitions(
        assets=[ingestion, registry_asset, warehouse, tinjauan_submisi, publikasi, HOLDS_TABLE],
        asset_checks=[raw_batches_gate, marts_publication_gate],
        jobs=[ingest_job, nightly, publish_job],
        schedules=[nightly_schedule(nightly)],
        sensors=[
            landing_sensor(
                nightly,
                registry,
                settings.landing,
                settings.warehouse,
                settings.sensor_interval,
                settings.settle_seconds,
            ),
            run_failure_alert,
        ],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_resource(project),
            "pseudonym": PseudonymKeyResource.from_env(),
            "agency_api": AgencyApiResource.from_registry(registry, settings),
            "alert_webhook": AlertWebhookResource.from_settings(settings),
        },
    )


@definitions
def defs() -> Definitions:
    """The code location that workspace.yaml (`dagster dev`, the daemon) loads, lazily: the
    settings are read from the environment (and the secrets file) once, here. Without a
    pseudonym key it does not load at all: its one-sentence error is what the UI and the
    daemon show, instead of runs failing one after the other."""
    restrict_permissions()
    settings = Settings.from_env()
    require_pseudonym_key()
    if settings.dagster_storage == "sqlite":
        from orchestration.run import fast_sqlite

        fast_sqlite()  # runs launched from the UI record their events as cheaply as the CLI
    return build_defs(settings)

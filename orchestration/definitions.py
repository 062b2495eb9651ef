"""The one Definitions object of the code location (loaded by workspace.yaml)."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from ingestion.registry import load_registry
from ingestion.settings import Settings
from orchestration.assets.ingestion import build_ingestion_assets
from orchestration.resources import WarehouseResource

INGEST_JOB = "ingest_agencies"


def build_defs(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    registry = load_registry(settings.registry)  # a registry error stops loading, clearly
    ingestion = build_ingestion_assets(registry)
    ingest_job = define_asset_job(
        INGEST_JOB,
        selection=AssetSelection.assets(ingestion),
        description="Ingest agency submissions (all agencies, or one partition) into raw.",
        executor_def=None,
    )
    return Definitions(
        assets=[ingestion],
        jobs=[ingest_job],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
    )


defs = build_defs()

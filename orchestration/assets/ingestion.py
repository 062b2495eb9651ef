"""Ingestion assets: raw/pegawai, raw/penilaian, raw/pelatihan, raw/survei, per agency."""

from collections import Counter
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)

from ingestion.ingest import ingest_agencies
from ingestion.registry import Registry
from ingestion.registry_table import write_registry
from ingestion.standard import DATASETS
from orchestration.partitions import agency_partitions
from orchestration.resources import WarehouseResource

DESCRIPTIONS = {
    "pegawai": "Agency rosters as sent, one row per accepted roster row (all submissions kept).",
    "penilaian": "Annual appraisals as sent, one row per accepted row (all submissions kept).",
    "pelatihan": "Completed trainings as sent, one row per accepted row (all submissions kept).",
    "survei": "Service-satisfaction (SKM) responses as sent, one row per accepted row.",
    "load_log": "One row per file received: sha256, submission time, rows read/loaded/rejected, "
    "quarantine reason.",
    "rejects": "Rejected rows: file, row number, column, value, rule and reason (Indonesian).",
}
RAW_TABLES = (*DATASETS, "load_log", "rejects")


def build_ingestion_assets(registry: Registry):
    partitions = agency_partitions(registry)

    @multi_asset(
        name="ingest_agency_submissions",
        specs=[
            AssetSpec(
                ["raw", ds],
                description=DESCRIPTIONS[ds],
                group_name="ingestion",
                partitions_def=partitions,
                kinds={"duckdb", "python"},
            )
            for ds in RAW_TABLES
        ],
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
        can_subset=False,
        pool="duckdb_writer",
        # only network trouble (an agency API) is worth a retry; rejected rows and
        # quarantined files are results, not failures
        retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL),
    )
    def ingest_agency_submissions(context: AssetExecutionContext, warehouse: WarehouseResource):
        """Pull each agency's API (if any), archive every original, load the valid rows into
        raw.<dataset>, send bad rows to raw.rejects and unreadable files to quarantine."""
        keys = context.partition_keys
        totals: dict[str, Counter] = {ds: Counter() for ds in DATASETS}
        failed: dict[str, str] = {}
        with warehouse.connect() as con:
            outcomes = ingest_agencies(
                con,
                [registry.agency(kode) for kode in keys],
                landing=Path(warehouse.landing),
                archive=Path(warehouse.archive),
                run_id=context.run_id,
                log=context.log.info,
            )
        for kode, outcome in outcomes.items():
            if outcome.error:
                failed[kode] = str(outcome.error)
                context.log.error(f"{kode}: ingestion failed: {outcome.error}")
            for r in outcome.results:
                t = totals[r.dataset]
                t[f"files_{r.status}"] += 1
                t["rows_loaded"] += r.rows_loaded
                t["rows_rejected"] += r.rows_rejected
        if failed and len(keys) == 1:
            # a single agency's run: fail it so the retry policy and the alert apply
            raise Failure(description=f"ingestion of {keys[0]} failed", metadata=failed)
        for ds in RAW_TABLES:
            if ds in totals:
                meta = {k: int(v) for k, v in totals[ds].items()}
            else:
                meta = {
                    "rows_loaded": sum(t["rows_loaded"] for t in totals.values()),
                    "rows_rejected": sum(t["rows_rejected"] for t in totals.values()),
                    "files_quarantined": sum(t["files_quarantined"] for t in totals.values()),
                }
            meta["agencies"] = len(keys)
            if failed:
                meta["failed_agencies"] = MetadataValue.json(failed)
            yield MaterializeResult(asset_key=["raw", ds], metadata=meta)

    return ingest_agency_submissions


def build_registry_asset(registry: Registry):
    @multi_asset(
        name="raw_registry",
        specs=[
            AssetSpec(
                ["raw", "instansi"],
                group_name="ingestion",
                kinds={"duckdb", "yaml"},
                description="Registered agencies (config/agencies.yaml) with their region.",
            ),
            AssetSpec(
                ["raw", "predikat_organisasi"],
                group_name="ingestion",
                kinds={"duckdb", "yaml"},
                description="The organisation's own predikat per agency and year (registry).",
            ),
        ],
        pool="duckdb_writer",
    )
    def raw_registry(context: AssetExecutionContext, warehouse: WarehouseResource):
        """Write the agency registry into the warehouse, so dbt joins agencies to regions
        from the same YAML the ingestion reads."""
        with warehouse.connect() as con:
            n = write_registry(con, registry)
        meta = {"agencies": n, "registry": str(registry.path)}
        yield MaterializeResult(asset_key=["raw", "instansi"], metadata=meta)
        yield MaterializeResult(asset_key=["raw", "predikat_organisasi"], metadata=meta)

    return raw_registry

"""Ingestion assets: one raw/<dataset> per dataset of the standard, plus raw/load_log and
raw/rejects.

Not partitioned: a nightly run over 550 agencies would plan and record one event per agency
and table (8,800 events, half a minute of bookkeeping). One run ingests the agencies its
config names (`agencies`, every registered agency when empty: from the UI's launchpad,
`kinerja refresh --agency`, the landing sensor) and records each agency's figures as
metadata of the run's one materialization per table."""

from collections import Counter
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    Backoff,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)

from core.registry import Registry, peringatan_wilayah
from core.standard import DATASETS, load_standard
from ingestion.ingest import AgencyOutcome, ingest_agencies
from ingestion.registry_table import write_registry
from orchestration.alerts import FAILED_AGENCIES_TAG, failed_agencies_message, send_alert
from orchestration.recovery import claim_run
from orchestration.resources import AgencyApiResource, AlertWebhookResource, WarehouseResource

# the tables ingestion writes beside one per dataset (whose descriptions are in the standard)
LOG_TABLES = {
    "load_log": "One row per file received: sha256, submission time, rows read/loaded/rejected, "
    "quarantine reason.",
    "rejects": "Rejected rows: file, row number, column, value, rule and reason (Indonesian).",
}


def raw_tables() -> dict[str, str]:
    """raw table -> description."""
    standard = load_standard()
    return {**{ds: standard.datasets[ds].description for ds in DATASETS}, **LOG_TABLES}


# the run's agencies, readable in the UI's run list ("semua": every registered agency)
AGENCIES_TAG = "kinerja/instansi"


class IngestConfig(Config):
    """Which agencies a run ingests (their kode); empty: every registered agency."""

    agencies: list[str] = []


def ingest_run_config(agencies: list[str] | None) -> dict:
    """The run config that limits a run's ingestion to `agencies` (None: every agency)."""
    return {"ops": {"ingest_agency_submissions": {"config": {"agencies": agencies or []}}}}


def raw_table_specs() -> list[AssetSpec]:
    return [
        AssetSpec(
            ["raw", table],
            description=description,
            group_name="ingestion",
            kinds={"duckdb", "python"},
        )
        for table, description in raw_tables().items()
    ]


def run_totals(outcomes: dict[str, AgencyOutcome]) -> dict[str, Counter]:
    """Files per status and rows loaded and rejected, per dataset, over this run's agencies."""
    totals: dict[str, Counter] = {ds: Counter() for ds in DATASETS}
    for outcome in outcomes.values():
        for r in outcome.results:
            t = totals[r.dataset]
            t[f"files_{r.status}"] += 1
            t["rows_loaded"] += r.rows_loaded
            t["rows_rejected"] += r.rows_rejected
    return totals


def table_metadata(table: str, totals: dict[str, Counter]) -> dict:
    """A dataset's own figures; load_log and rejects get the run's totals."""
    if table in totals:
        return {k: int(v) for k, v in totals[table].items()}
    return {
        "rows_loaded": sum(t["rows_loaded"] for t in totals.values()),
        "rows_rejected": sum(t["rows_rejected"] for t in totals.values()),
        "files_quarantined": sum(t["files_quarantined"] for t in totals.values()),
    }


def agency_figures(outcomes: dict[str, AgencyOutcome]) -> dict[str, dict]:
    """Per agency: files and rows of this run, for the materialization's metadata."""
    out = {}
    for kode, o in outcomes.items():
        loaded = [r for r in o.results if r.status in ("loaded", "quarantined")]
        out[kode] = {
            "files": len(loaded),
            "quarantined": sum(r.status == "quarantined" for r in loaded),
            "rows_loaded": sum(r.rows_loaded for r in loaded),
            "rows_rejected": sum(r.rows_rejected for r in loaded),
        }
    return out


def build_ingestion_assets(registry: Registry):
    @multi_asset(
        name="ingest_agency_submissions",
        specs=raw_table_specs(),
        can_subset=False,
        pool="duckdb_writer",
        # only network trouble (an agency API) is worth a retry; rejected rows and
        # quarantined files are results, not failures
        retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL),
    )
    def ingest_agency_submissions(
        context: AssetExecutionContext,
        config: IngestConfig,
        warehouse: WarehouseResource,
        agency_api: AgencyApiResource,
        alert_webhook: AlertWebhookResource,
    ):
        """Pull each agency's API (if any), archive every original, load the valid rows into
        raw.<dataset>, send bad rows to raw.rejects and unreadable files to quarantine."""
        claim_run(context)
        unknown = [k for k in config.agencies if k not in registry.codes]
        if unknown:
            raise Failure(description=f"instansi tidak terdaftar: {', '.join(unknown)}")
        keys = config.agencies or registry.codes
        with warehouse.connect() as con:
            outcomes = ingest_agencies(
                con,
                [registry.agency(kode) for kode in keys],
                landing=Path(warehouse.landing),
                archive=Path(warehouse.archive),
                run_id=context.run_id,
                log=context.log.info,
                workers=warehouse.read_workers,
                api_tokens=agency_api.tokens,
                registered=registry.codes,
                settle_seconds=warehouse.settle_seconds,
            )
        failed = {kode: str(o.error) for kode, o in outcomes.items() if o.error}
        for kode, error in failed.items():
            context.log.error(f"{kode}: penerimaan kiriman gagal: {error}")
        if failed and len(keys) == 1:
            # a single agency's run: fail it so the retry policy and the alert apply
            why = (failed[keys[0]].strip().splitlines() or ["?"])[0]
            raise Failure(description=f"penerimaan kiriman {keys[0]} gagal: {why}", metadata=failed)
        if failed:
            # the others go on, but the run's outcome, its exit code and an alert say it
            context.instance.add_run_tags(
                context.run_id, {FAILED_AGENCIES_TAG: ", ".join(sorted(failed))}
            )
            try:
                send_alert(failed_agencies_message(failed, context.run_id), alert_webhook.url)
            except Exception as e:  # an unreachable webhook does not undo the ingestion
                context.log.error(f"webhook peringatan gagal: {e}")
        totals = run_totals(outcomes)
        per_agency = MetadataValue.json(agency_figures(outcomes))
        for table in raw_tables():
            meta = table_metadata(table, totals)
            meta["agencies"] = len(keys)
            if table == "load_log":
                meta["per_agency"] = per_agency
            if failed:
                meta["failed_agencies"] = MetadataValue.json(failed)
            yield MaterializeResult(asset_key=["raw", table], metadata=meta)

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
        warning = peringatan_wilayah(registry.wilayah_baru, batas=None)
        if warning:  # new regencies the region seed lacks: published under a provisional name
            context.log.warning("\n".join(warning))
            meta["wilayah_belum_dikenal"] = MetadataValue.json(
                {k: list(v) for k, v in registry.wilayah_baru.items()}
            )
        yield MaterializeResult(asset_key=["raw", "instansi"], metadata=meta)
        yield MaterializeResult(asset_key=["raw", "predikat_organisasi"], metadata=meta)

    return raw_registry

"""The submission review before publication (expectations/submission_review.py): hold the
submissions that are far more often a mistake than the truth, then rebuild what they touched,
so that the province publishes with each such agency's last accepted data."""

from pathlib import Path

import requests
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtCliResource

from core.registry import load_registry
from expectations.config import load_gate_config
from expectations.runner import GateContext
from expectations.submission_review import (
    Hold,
    drop_holds,
    gate_holds,
    held,
    indicator_holds,
    new_counting,
    record_holds,
)
from ingestion.schema import HOLDS_DDL
from orchestration.alerts import holds_message, send_alert
from orchestration.assets.published_marts import PUBLISHED_FROM
from orchestration.assets.warehouse import rebuild_after_holds
from orchestration.checks import GATED_MARTS, gx_run_name
from orchestration.resources import AlertWebhookResource, WarehouseResource
from publication.release import ANALYST_DB, latest_release, published_watermark

REVIEW = AssetKey(["tinjauan_submisi"])
# the review reads the submissions' file-years (a dbt model built in the same dbt step as the
# marts, with no publication check on it): its dependency on the warehouse build
FILE_YEARS = AssetKey(["stg_raw__file_years"])

# raw.penahanan: written by this review and by `kinerja terima`, read by dbt's submission
# rule (source raw.penahanan). Not materialised by a step of its own: the review writes it
# after the marts were built, and drawing that edge would close a cycle.
HOLDS_TABLE = AssetSpec(
    ["raw", "penahanan"],
    group_name="ingestion",
    kinds={"duckdb"},
    description="Submissions held instead of applied (file, year, rule, reason in Indonesian, "
    "figures before and after), and the operator's acceptance (`kinerja terima`). Written by "
    "the asset tinjauan_submisi and by `kinerja terima`.",
)


def _rebuild(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build again (incremental: only the agency-years whose submissions were just held,
    in the models that depend on their datasets)."""
    rebuild_after_holds(dbt, warehouse)
    context.log.info("warehouse rebuilt without the held submissions")


def _describe(h: Hold) -> str:
    return f"- {h.kode_instansi} {h.dataset} {h.tahun} ({h.file_name}): {h.aturan}. {h.alasan}"


@asset(
    key=REVIEW,
    group_name="quality",
    # after the dbt build; not on the marts with a blocking publication check (that check runs
    # after this review: it must see the marts without the held submissions)
    deps=[FILE_YEARS]
    + [AssetKey([name]) for name in PUBLISHED_FROM if AssetKey([name]) not in GATED_MARTS],
    pool="duckdb_writer",
    kinds={"duckdb", "python"},
    description="Submission review before publication: a replacement that drops most of what it "
    "replaces, a new submission that moves its agency's indicators too much since the last "
    "publication, or a failing publication check traced to one agency's new submission is "
    "HELD (expectations/config.yaml `submissions`); the warehouse is rebuilt without it and "
    "the agency's last accepted data keeps counting until the operator accepts it "
    "(`kinerja terima`).",
)
def tinjauan_submisi(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    dbt: DbtCliResource,
    alert_webhook: AlertWebhookResource,
) -> MaterializeResult:
    cfg = load_gate_config()
    current = latest_release(Path(warehouse.published))
    published_db = str(current / ANALYST_DB) if current else None
    since = published_watermark(current)
    run_id = context.run_id
    held_now: list[Hold] = []

    with warehouse.connect() as con:
        built = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'staging' AND table_name = 'stg_raw__file_years'"
        ).fetchone()[0]
        if not built:  # nothing was built: nothing to review (the gate says what is missing)
            return MaterializeResult(metadata={"note": "the warehouse has not been built"})
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute(HOLDS_DDL)
        new = new_counting(con, since)
        plausibility = drop_holds(con, since, cfg)
        record_holds(con, plausibility, run_id)
    if plausibility:  # the indicators are compared without what was just held
        _rebuild(context, dbt, warehouse)
    with warehouse.connect() as con:
        moved = indicator_holds(con, published_db, since, cfg)
        record_holds(con, moved, run_id)
    if moved:
        _rebuild(context, dbt, warehouse)
    held_now += plausibility + moved

    untraced: list[str] = []
    if new:  # the gate can trace a failure to new data only when there is some
        from expectations.gates import marts_gate  # Great Expectations: only where it runs

        region_of = {
            a.kode: a.kode_wilayah for a in load_registry(Path(warehouse.registry)).agencies
        }
        with warehouse.connect() as con:
            outcomes = marts_gate(con, Path(published_db) if published_db else None, cfg,
                                  GateContext(Path(warehouse.gx_root),
                                              gx_run_name(run_id, "tinjauan kiriman")))  # fmt: skip
            traced, untraced = gate_holds(con, outcomes, since, region_of)
            record_holds(con, traced, run_id)
        if traced:
            held_now += traced
            _rebuild(context, dbt, warehouse)

    with warehouse.connect() as con:
        waiting = held(con)
    for h in held_now:
        context.log.warning(f"DITAHAN {_describe(h)}")
    this_run = [h for h in waiting if h["run_id"] == run_id]  # also those the dbt build held
    if this_run:
        try:
            send_alert(holds_message(this_run, run_id), alert_webhook.url)
        except requests.RequestException as e:  # a broken webhook never stops the publication
            context.log.error(f"alert webhook failed: {e}")
    return MaterializeResult(
        metadata={
            "new_submissions": len(new),
            "held_this_run": len(held_now),
            "held_this_run_detail": MetadataValue.json([h.__dict__ for h in held_now]),
            "held_waiting": len(waiting),
            "held_by_dbt_build": len(this_run) - len(held_now),
            "held": MetadataValue.md("\n".join(_describe(h) for h in held_now) or "tidak ada"),
            "untraced_failures": MetadataValue.md("\n".join(untraced) or "tidak ada"),
        }
    )

"""Quality gates as blocking Dagster asset checks (GX 1.x run inside the checks)."""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from core.standard import DATASETS, load_standard
from expectations.config import load_gate_config
from expectations.gates import marts_gate, raw_gate
from expectations.runner import GateContext, SuiteOutcome
from orchestration.resources import WarehouseResource

MART_CHECKS = {
    "indikator_wilayah": AssetKey(["indikator_wilayah"]),
    "indikator_instansi": AssetKey(["indikator_instansi"]),
    "tanpa_data_pribadi": AssetKey(["dim_pegawai"]),
}


def check_result(
    asset_key: AssetKey, check_name: str, outcome: SuiteOutcome | None
) -> AssetCheckResult:
    if outcome is None:
        return AssetCheckResult(
            asset_key=asset_key,
            check_name=check_name,
            passed=True,
            metadata={"rows": 0, "note": "nothing new to check"},
        )
    meta = {
        "rows": outcome.rows,
        "expectations": outcome.evaluated,
        "failed": len(outcome.failures),
        "failures": MetadataValue.md(
            "\n".join(f"- {f.describe()}" for f in outcome.failures) or "none"
        ),
        "failures_json": MetadataValue.json(
            [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "expectation": f.expectation,
                    "column": f.column,
                    "rows": f.unexpected_count,
                    "where": f.examples[:20],
                }
                for f in outcome.failures
            ]
        ),
    }
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=not outcome.failures,
        severity=AssetCheckSeverity.WARN
        if outcome.failures and not outcome.blocking
        else AssetCheckSeverity.ERROR,
        metadata=meta,
    )


def merge(*parts: SuiteOutcome | None) -> SuiteOutcome | None:
    """One check result from several suites on the same asset."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return SuiteOutcome(
        " + ".join(p.suite for p in parts),
        sum(p.rows for p in parts),
        sum(p.evaluated for p in parts),
        [f for p in parts for f in p.failures],
    )


def gx_context(warehouse: WarehouseResource) -> GateContext:
    return GateContext(Path(warehouse.gx_root))


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            "gx_raw_batch",
            asset=AssetKey(["raw", ds]),
            blocking=True,
            description=f"GX: {ds} rows loaded in this run (columns, types, codes, NIP format)",
        )
        for ds in DATASETS
    ]
    + [
        AssetCheckSpec(
            "gx_raw_files",
            asset=AssetKey(["raw", "load_log"]),
            blocking=False,
            description="GX: each file of this run is non-empty and its rejected share is under the threshold",
        )
    ],
    pool="duckdb_writer",
)
def raw_batches_gate(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    cfg = load_gate_config()
    gx = gx_context(warehouse)
    with warehouse.connect() as con:
        outcomes = raw_gate(con, context.op_execution_context.run_id, load_standard(), cfg, gx)
    docs = gx.build_docs()
    context.log.info(f"GX Data Docs: {docs}")
    for ds in DATASETS:
        yield check_result(
            AssetKey(["raw", ds]),
            "gx_raw_batch",
            merge(outcomes.get(ds), outcomes.get(f"{ds}_schema")),
        )
    yield check_result(AssetKey(["raw", "load_log"]), "gx_raw_files", outcomes.get("files"))


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            "gx_publication_gate",
            asset=key,
            blocking=True,
            description=f"GX gate before publication: {name}",
            # after the submission review, which may hold submissions and rebuild the marts
            additional_deps=[AssetKey(["temuan"]), AssetKey(["tinjauan_submisi"])],
        )
        for name, key in MART_CHECKS.items()
    ],
    pool="duckdb_writer",
)
def marts_publication_gate(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    from publication.release import ANALYST_DB, latest_release

    cfg = load_gate_config()
    gx = gx_context(warehouse)
    current = latest_release(Path(warehouse.published))
    with warehouse.connect() as con:
        outcomes = marts_gate(con, current / ANALYST_DB if current else None, cfg, gx)
    docs = gx.build_docs()
    context.log.info(f"GX Data Docs: {docs}")
    for name, key in MART_CHECKS.items():
        yield check_result(key, "gx_publication_gate", outcomes[name])

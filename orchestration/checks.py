"""Quality gates as blocking Dagster asset checks (GX 1.x run inside the checks)."""

import datetime as dt
from dataclasses import replace
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

from core.domain import WIB
from core.standard import DATASETS, load_standard
from expectations.config import load_gate_config
from expectations.runner import GateContext, SuiteOutcome
from orchestration.assets.published_marts import PUBLISHED_FROM
from orchestration.resources import WarehouseResource

MART_CHECKS = {
    "indikator_wilayah": AssetKey(["indikator_wilayah"]),
    "indikator_instansi": AssetKey(["indikator_instansi"]),
}
# the personal-data gate scans every mart once; each mart's result is on that mart's asset,
# so a block names the table the NIP or name is in
PERSONAL_DATA_CHECK = "gx_tanpa_data_pribadi"
PERSONAL_DATA_MARTS = {name: AssetKey([name]) for name in PUBLISHED_FROM}
GATED_MARTS = set(MART_CHECKS.values()) | set(PERSONAL_DATA_MARTS.values())


def describe(check: str, **fill: str) -> str:
    """What a GX check protects (expectations/config.yaml `deskripsi`)."""
    return load_gate_config()["deskripsi"][check].format(**fill)


def per_table(outcome: SuiteOutcome | None, table: str) -> SuiteOutcome | None:
    """The part of the personal-data outcome about one mart: the failures whose rows (labels
    `table.column`) are in it, with only those rows."""
    if outcome is None:
        return None
    failures = []
    for f in outcome.failures:
        mine = [e for e in f.examples if e.split(".")[0] == table]
        if mine:
            failures.append(replace(f, examples=mine, unexpected_count=len(mine)))
    return SuiteOutcome(outcome.suite, outcome.rows, outcome.evaluated, failures)


def check_result(
    asset_key: AssetKey, check_name: str, outcome: SuiteOutcome | None
) -> AssetCheckResult:
    if outcome is None:
        return AssetCheckResult(
            asset_key=asset_key,
            check_name=check_name,
            passed=True,
            metadata={"rows": 0, "note": "tidak ada yang baru untuk diperiksa"},
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


def gx_context(warehouse: WarehouseResource, run_id: str, gate: str) -> GateContext:
    """The GX project; this run's validations are named after the Dagster run and the gate
    (what the Data Docs list as the run name)."""
    return GateContext(Path(warehouse.gx_root), run_name=gx_run_name(run_id, gate))


def gx_run_name(run_id: str, gate: str) -> str:
    return f"{dt.datetime.now(WIB):%Y-%m-%d %H:%M} WIB, run {run_id[:8]}: {gate}"


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            "gx_raw_batch",
            asset=AssetKey(["raw", ds]),
            blocking=True,
            description=describe("gx_raw_batch", dataset=ds),
        )
        for ds in DATASETS
    ]
    + [
        AssetCheckSpec(
            "gx_raw_files",
            asset=AssetKey(["raw", "load_log"]),
            blocking=False,
            description=describe("gx_raw_files"),
        )
    ],
    pool="duckdb_writer",
)
def raw_batches_gate(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    from expectations.gates import raw_gate  # Great Expectations: imported by the gates only

    cfg = load_gate_config()
    gx = gx_context(warehouse, context.op_execution_context.run_id, "data mentah")
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
            description=describe("gx_publication_gate", tabel=name),
            # after the submission review, which may hold submissions and rebuild the marts
            additional_deps=[AssetKey(["temuan"]), AssetKey(["tinjauan_submisi"])],
        )
        for name, key in MART_CHECKS.items()
    ]
    + [
        AssetCheckSpec(
            PERSONAL_DATA_CHECK,
            asset=key,
            blocking=True,
            description=describe(PERSONAL_DATA_CHECK, tabel=name),
            additional_deps=[AssetKey(["tinjauan_submisi"])],
        )
        for name, key in PERSONAL_DATA_MARTS.items()
    ],
    pool="duckdb_writer",
)
def marts_publication_gate(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    from expectations.gates import marts_gate  # Great Expectations: imported by the gates only
    from publication.release import ANALYST_DB, latest_release

    cfg = load_gate_config()
    gx = gx_context(warehouse, context.op_execution_context.run_id, "gerbang publikasi")
    current = latest_release(Path(warehouse.published))
    with warehouse.connect() as con:
        outcomes = marts_gate(con, current / ANALYST_DB if current else None, cfg, gx)
    docs = gx.build_docs()
    context.log.info(f"GX Data Docs: {docs}")
    for name, key in MART_CHECKS.items():
        yield check_result(key, "gx_publication_gate", outcomes[name])
    personal = outcomes.get("tanpa_data_pribadi")
    for name, key in PERSONAL_DATA_MARTS.items():
        yield check_result(key, PERSONAL_DATA_CHECK, per_table(personal, name))

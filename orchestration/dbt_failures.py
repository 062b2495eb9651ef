"""The failing rows of dbt's data tests, so that a failure can be traced to the agency whose
new submission caused it (expectations/submission_review.py, Tracer)."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.resources import WarehouseResource

ROWS_PER_TEST = 1000  # enough to see whose rows they are


def failed_nodes(run_results: dict) -> tuple[list[str], list[str]]:
    """(data tests that failed, other nodes that errored: a model, a seed, a broken test)."""
    tests, errors = [], []
    for r in run_results["results"]:
        uid, status = r["unique_id"], r["status"]
        if uid.startswith("test.") and status == "fail":
            tests.append(uid)
        elif status == "error":
            errors.append(uid)
    return tests, errors


def failing_rows(
    dbt: DbtCliResource,
    manifest: Path,
    target: Path,
    vars_json: str,
    warehouse: WarehouseResource,
    tests: list[str],
) -> dict[str, list[dict]]:
    """Run the failed tests again with --store-failures and read their failing rows (a test
    that returns whole rows says whose they are; one that returns a value only does not)."""
    names = sorted({uid.split(".")[2] for uid in tests})
    invocation = dbt.cli(
        ["test", "--select", *names, "--store-failures", "--vars", vars_json],
        manifest=manifest,
        target_path=target,
        raise_on_error=False,
    ).wait()
    results = invocation.get_artifact("run_results.json")["results"]
    out: dict[str, list[dict]] = {}
    with warehouse.connect() as con:
        for r in results:
            if r["unique_id"] not in tests or not r.get("relation_name"):
                continue
            cur = con.execute(f"SELECT * FROM {r['relation_name']} LIMIT {ROWS_PER_TEST}")
            columns = [d[0] for d in cur.description]
            out[r["unique_id"]] = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    return out

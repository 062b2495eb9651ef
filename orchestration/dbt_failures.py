"""The failing rows of dbt's data tests, so that a failure can be traced to the agency whose
new submission caused it (expectations/submission_review.py, Tracer)."""

from __future__ import annotations

import re
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


# dbt's headings before the message itself ("Runtime Error in model x (path)", ...)
_HEADINGS = re.compile(
    r"^(Encountered an error:|Completed with \d+ errors?.*|Runtime Error|Database Error|"
    r"Compilation Error|Parsing Error|Done\..*|Failure in .*)$"
)
_WHERE = re.compile(r"^(?:Runtime|Database|Compilation) Error in (\w+) (\w+)")


def root_cause(run_results: dict | None, error_messages: list[str]) -> str:
    """dbt's own reason for a failed build, in one line: the first node that errored (its
    kind, name and dbt's message), else the first error dbt logged (a connection refused
    before any node ran), else the data tests that failed."""
    for r in (run_results or {}).get("results", []):
        if r["status"] == "error" and r.get("message"):
            kind, name = r["unique_id"].split(".")[0], r["unique_id"].split(".")[-1]
            return f"dbt: {kind} {name}: {_first_line(r['message'])}"
    for msg in error_messages:
        where = _WHERE.search(msg.strip())
        line = _first_line(msg)
        if line:
            return f"dbt: {where.group(1)} {where.group(2)}: {line}" if where else f"dbt: {line}"
    tests, _ = failed_nodes(run_results) if run_results else ([], [])
    if tests:
        names = ", ".join(uid.split(".")[2] for uid in tests[:3])
        more = f" (+{len(tests) - 3} lagi)" if len(tests) > 3 else ""
        return f"dbt: {len(tests)} uji data gagal: {names}{more}"
    return "dbt build gagal tanpa pesan"


def _first_line(message: str) -> str:
    """The first line of a dbt message that says something (headings skipped)."""
    for line in message.splitlines():
        line = line.strip()
        if not line or _HEADINGS.match(line) or _WHERE.match(line):
            continue
        if re.match(r"^\d+ of \d+ (ERROR|FAIL)", line):
            continue
        return re.sub(r"^Could not connect: ", "", line)
    return ""

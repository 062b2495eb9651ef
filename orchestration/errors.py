"""A failed run in one line, its root cause first: what the command line prints first, the run
failure alert's first line and its webhook's `root_cause`.

The cause is the innermost error of the first failed step (a dbt build's failure already says
dbt's own message and where dbt's log is: orchestration/assets/warehouse.py), without the
Python class names around it; else why the run itself failed; else the first blocking check.
"""

from __future__ import annotations

import re

from dagster import DagsterEventType, DagsterInstance

_CLASS_PREFIX = re.compile(r"^(?:[\w.]+\.)?(?:[A-Z]\w*)?(?:Error|Failure|Exception)\w*: ")
_DAGSTER_WRAPPERS = ("Error occurred while executing", "Error occurred while loading")


def error_line(error) -> str:
    """One line from a Dagster SerializableErrorInfo: the innermost cause that says something,
    without its class name."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause
    for e in reversed(chain):
        line = _clean(e.message)
        if line and not line.startswith(_DAGSTER_WRAPPERS):
            return line
    return _clean(chain[0].message) if chain else ""


def _clean(message: str) -> str:
    for line in (message or "").strip().splitlines():
        line = _CLASS_PREFIX.sub("", line.strip())
        if line:
            return line
    return ""


def failed_steps(instance: DagsterInstance, run_id: str) -> list[dict]:
    """[{"step": key, "error": one line}] in the order the steps failed."""
    steps = []
    for rec in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE):
        ev = rec.dagster_event
        error = ev.step_failure_data.error if ev and ev.step_failure_data else None
        steps.append({"step": ev.step_key if ev else "?", "error": error_line(error)})
    return steps


def run_failure_line(instance: DagsterInstance, run_id: str) -> str | None:
    """Why the run failed, in one line (None when it did not fail)."""
    steps = failed_steps(instance, run_id)
    if steps:
        return f"{steps[0]['error']} [langkah {steps[0]['step']}]"
    for rec in instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE):
        data = rec.dagster_event.event_specific_data if rec.dagster_event else None
        error = getattr(data, "error", None)
        if error is not None:
            return error_line(error)
        return _clean(rec.dagster_event.message or rec.user_message)
    return None

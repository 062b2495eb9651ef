"""Run-failure alerts: always to the log, and to a webhook when KINERJA_ALERT_WEBHOOK is set
(the AlertWebhookResource).

The message names the failed steps and, when a gate blocked publication, the failing
expectations with the regions or agencies concerned.
"""

import json
import logging

import requests
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)

from orchestration.errors import failed_steps, run_failure_line
from orchestration.resources import AlertWebhookResource

log = logging.getLogger("kinerja.alerts")


def failure_message(instance: DagsterInstance, run_id: str, job_name: str) -> dict:
    """The alert of a failed run. Its first line is the root cause in one line, the same line
    `kinerja refresh` prints first (orchestration/errors.py); then the failed steps and, when
    a gate blocked publication, the failing expectations."""
    steps = failed_steps(instance, run_id)
    expectations = []
    for rec in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = rec.dagster_event.event_specific_data
        if evaluation.passed:
            continue
        failures = evaluation.metadata.get("failures")
        expectations.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "severity": evaluation.severity.value,
                "failures": failures.value if failures else "",
            }
        )
    blocked = any(e["severity"] == "ERROR" for e in expectations)
    cause = run_failure_line(instance, run_id)
    if cause is None and blocked:
        first = next(e for e in expectations if e["severity"] == "ERROR")
        cause = f"publikasi diblokir oleh {first['check']} pada {first['asset']}"
    cause = cause or "run gagal tanpa pesan"
    lines = [cause, f"kinerja: run {run_id} ({job_name}) GAGAL."]
    lines += [f"- langkah gagal {s['step']}: {s['error']}" for s in steps]
    if blocked:
        lines.append(
            "Publikasi DIBLOKIR (publikasi terakhir tidak berubah). Pemeriksaan yang gagal:"
        )
        for e in expectations:
            lines.append(f"- {e['asset']} / {e['check']} ({e['severity']}):\n{e['failures']}")
    return {
        "text": "\n".join(lines),
        "root_cause": cause,
        "run_id": run_id,
        "job": job_name,
        "failed_steps": steps,
        "publication_blocked": blocked,
        "failing_expectations": expectations,
    }


def holds_message(holds: list[dict], run_id: str) -> dict:
    """The alert for submissions held in a run (the run itself succeeded and published)."""
    lines = [
        f"kinerja: {len(holds)} kiriman DITAHAN pada run {run_id}. Provinsi tetap terbit; "
        "data terakhir yang diterima dari instansi tersebut tetap dipakai sampai kiriman "
        "diperbaiki atau diterima operator (`kinerja terima KODE DATASET TAHUN`)."
    ]
    lines += [
        f"- {h['kode_instansi']} {h['dataset']} {h['tahun']} [{h['aturan']}]: {h['alasan']}"
        for h in holds
    ]
    return {"text": "\n".join(lines), "run_id": run_id, "held_submissions": holds}


FAILED_AGENCIES_TAG = "kinerja/instansi_gagal"


def failed_agencies_message(failed: dict[str, str], run_id: str) -> dict:
    """The alert for agencies whose data could not be fetched (API down, 401, timeout): the
    run went on for the others."""
    lines = [
        f"kinerja: {len(failed)} instansi GAGAL ditarik pada run {run_id}; instansi lain "
        "tetap diproses, data terakhir instansi yang gagal tetap dipakai."
    ]
    lines += [f"- {kode}: {why}" for kode, why in sorted(failed.items())]
    return {"text": "\n".join(lines), "run_id": run_id, "failed_agencies": failed}


def send_alert(message: dict, webhook: str | None, timeout: float = 10.0) -> bool:
    log.error(message["text"])
    if not webhook:
        return False
    r = requests.post(
        webhook,
        data=json.dumps(message, default=str),
        headers={"Content-Type": "application/json"},
        timeout=timeout,
    )
    r.raise_for_status()
    return True


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=10,
    # also the runs the command line starts (`kinerja refresh` runs in-process on the same
    # instance: its runs have no code-location origin, so only this setting sees them)
    monitor_all_code_locations=True,
    description="Alert on a failed run (log, and webhook KINERJA_ALERT_WEBHOOK if set).",
)
def run_failure_alert(context: RunFailureSensorContext, alert_webhook: AlertWebhookResource):
    message = failure_message(
        context.instance, context.dagster_run.run_id, context.dagster_run.job_name
    )
    context.log.error(message["text"])
    send_alert(message, alert_webhook.url)

"""The operator's first week, start to end, with real parts: a clean KINERJA_HOME, the demo
(`kinerja demo`, which writes the secrets file), `kinerja status --json` against the landing
area, the real Dagster daemon with the landing-area sensor (nothing for loaded files, exactly
one run for a newly dropped file, and it succeeds), then refreshes that fail on purpose (no
key; a broken model) whose first line of output and alert payload name the root cause."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from core.limits import load_limits
from core.paths import PROJECT_ROOT
from core.registry import load_registry
from core.standard import DATASETS
from ingestion.landing import files_for

DEMO_SIZE = 400  # the smallest demo that still has every kind of mess; the walk is what counts
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kinerja(env: dict, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)  # fmt: skip


def wait_for(what, timeout: float, step: float = 0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = what()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s")


@pytest.fixture
def operator_env(tmp_path):
    port = free_port()
    registry = yaml.safe_load((PROJECT_ROOT / "config" / "agencies.yaml").read_text())
    for a in registry["agencies"]:
        if a.get("delivery") == "api":
            a["api"]["base_url"] = f"http://127.0.0.1:{port}/api/v1"
    reg = tmp_path / "agencies.yaml"
    reg.write_text(yaml.safe_dump(registry, allow_unicode=True))
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINERJA_", "DAGSTER_"))}
    env.update(
        KINERJA_HOME=str(home), KINERJA_REGISTRY=str(reg), KINERJA_ENV_FILE=str(tmp_path / ".env"),
        KINERJA_SENSOR_INTERVAL="2", DAGSTER_HOME=str(home / "dagster_home"),
        PYTHONPATH=str(PROJECT_ROOT),
    )  # fmt: skip
    return env, port, home, reg


@pytest.mark.slow
def test_demo_status_daemon_sensor_and_failures_in_plain_words(operator_env, receiver, monkeypatch):
    env, port, home, reg = operator_env
    url, received = receiver

    # 1. the demo from a clean home: writes the secrets file, runs the nightly job, publishes
    demo = kinerja(env, "demo", "--size", str(DEMO_SIZE), "--api-port", str(port))
    assert demo.returncode == 0, demo.stderr
    assert (Path(env["KINERJA_ENV_FILE"])).read_text().startswith("KINERJA_PSEUDONYM_KEY=")
    out = demo.stdout
    assert "Pembangunan gudang data (dbt build): selesai" in out and "TERBIT:" in out
    assert "File diterima pada run ini" in out and "log dbt lengkap:" in out
    assert len(out.splitlines()) < 60 and "\x1b[" not in out  # quiet, no colour codes
    # no English warning of Python's at the end (multiprocessing's resource tracker)
    assert "leaked semaphore" not in demo.stderr, demo.stderr[-1000:]

    # 3. (started here: its start-up overlaps the status command, which writes nothing) the
    # real daemon with the landing-area sensor and the run-failure alert
    daemon_env = {**env, "KINERJA_ALERT_WEBHOOK": url}
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=PROJECT_ROOT,
        env=daemon_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        walk_with_daemon(env, home, reg, received, monkeypatch)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)


def walk_with_daemon(env: dict, home: Path, reg: Path, received: list, monkeypatch) -> None:
    # 2. the status against the landing area: every file there is in it, and the last one
    registry = load_registry(reg)
    status = json.loads(kinerja(env, "status", "--json").stdout)
    rows = {(k["kode_instansi"], k["dataset"]): k for k in status["kiriman"]}
    for a in registry.agencies:
        for ds in DATASETS:
            landed = files_for(home / "landing", a, ds)
            row = rows[(a.kode, ds)]
            assert row["jumlah_file"] == len(landed), (a.kode, ds)
            if landed:
                names = {f.relative_name for f in landed}
                assert row["kiriman_terakhir"]["file"] in names
                assert row["tenggat"]["status"] in ("tepat_waktu", "terlambat",
                                                    "belum_dikirim_lewat_tenggat")  # fmt: skip
    assert status["karantina"] and all((home / "landing" / q["file"]).is_file()
                                       for q in status["karantina"])  # fmt: skip
    assert status["publikasi_terakhir"]["folder"].startswith(str(home / "published"))
    assert status["run_terjadwal_berikutnya"]

    # 3. the daemon's sensor: nothing for what is loaded, one run for a new file
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    instance = DagsterInstance.from_config(env["DAGSTER_HOME"])
    sensor_runs = RunsFilter(tags={"dagster/sensor_name": "landing_area_sensor"})

    def ticks() -> int:
        states = [s for s in instance.all_instigator_state()
                  if s.instigator_name == "landing_area_sensor"]  # fmt: skip
        return sum(len(instance.get_ticks(s.instigator_origin_id, s.selector_id))
                   for s in states)  # fmt: skip

    wait_for(lambda: ticks() >= 3, timeout=240)  # the files were seen, and seen stable
    assert instance.get_runs(filters=sensor_runs) == []

    survei = next(
        f.path for f in files_for(home / "landing", registry.agency("KAB-BOALEMO"), "survei")
    )
    lines = survei.read_text(encoding="utf-8").splitlines()
    new = survei.with_name("survei_revisi.csv")  # a revision: a fifth of the responses fewer
    new.write_text("\n".join(lines[: len(lines) * 4 // 5]) + "\n", encoding="utf-8")
    written = new.stat().st_mtime
    (run,) = wait_for(lambda: instance.get_runs(filters=sensor_runs), timeout=240)
    assert run.tags["kinerja/file"] == "KAB-BOALEMO/survei/survei_revisi.csv"
    # no run while the file is younger than KINERJA_SETTLE_SECONDS (config/limits.yaml):
    # ingestion would skip it as still being copied
    created = instance.get_run_record_by_id(run.run_id).create_timestamp.timestamp()
    assert created - written >= load_limits().settle_seconds > 0
    done = wait_for(
        lambda: (r := instance.get_run_by_id(run.run_id)).is_finished and r, timeout=400
    )
    assert done.status == DagsterRunStatus.SUCCESS
    seen = ticks()  # two more ticks start no second run (checked after the next two steps)

    # the summary of that run: the revision it received, what it replaced, and the
    # largest indicator change, explained by that revision
    from core.duck import connect_reader
    from orchestration.summary import summarise

    with connect_reader(home / "warehouse" / "kerja.duckdb") as con:
        summary = summarise(con, run.run_id, home / "published", registry)
    assert [r["kode_instansi"] for r in summary.received] == ["KAB-BOALEMO"]
    replaced = summary.replaced
    assert {r["file"] for r in replaced} == {"KAB-BOALEMO/survei/survei_revisi.csv"}
    assert sum(r["rows_before"] - r["rows_after"] for r in replaced) > 0
    assert summary.release is not None and summary.compared_with is not None
    moved = {(c["kode_wilayah"], c["indikator"]) for c in summary.changes}
    assert moved & {("75.02", "ikm"), ("75", "ikm")}, summary.changes
    assert all(c["alasan"].startswith("revisi KAB-BOALEMO survei") for c in summary.changes)

    # 4a. no key: the command stops at once (before it opens the warehouse or starts a
    # run), its first line says what to do
    no_key = {**env, "KINERJA_ENV_FILE": str(home / "tidak-ada.env")}
    failed = kinerja(no_key, "refresh", timeout=60)
    assert failed.returncode == 2
    assert failed.stderr.splitlines()[0].startswith(
        "Kunci pseudonim (KINERJA_PSEUDONYM_KEY) belum ada: jalankan `.venv/bin/kinerja init`"
    )
    assert "Traceback" not in failed.stderr

    wait_for(lambda: ticks() >= seen + 2, timeout=60)
    assert len(instance.get_runs(filters=sensor_runs)) == 1

    # 4b. a broken model: dbt's own message is the first line, and the alert's root cause
    from core.duck import connect_writer

    with connect_writer(home / "warehouse" / "kerja.duckdb", "1GB") as con:
        # a system column (a dataset column of the standard would be added back, empty,
        # by ensure_raw_schema before dbt runs)
        con.execute("ALTER TABLE raw.pelatihan RENAME COLUMN baris TO baris_rusak")
    broken = kinerja(env, "refresh", "--agency", "KAB-BOALEMO")
    assert broken.returncode == 1
    first = broken.stderr.splitlines()[0]
    assert first.startswith("GAGAL: dbt: model ") and "Binder Error" in first
    assert "baris" in first and "log lengkap:" in first and "Traceback" not in broken.stderr
    alert = wait_for(lambda: [m for m in received if "root_cause" in m], timeout=120)[0]
    assert first == f"GAGAL: {alert['root_cause']}"
    assert alert["text"].splitlines()[0] == alert["root_cause"]

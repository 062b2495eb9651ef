"""Crash recovery: `kinerja refresh` killed (SIGKILL) during ingestion, during dbt and during
publication, then run again with no human step, ends exactly like a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus, job, op

from core.settings import RUN_ID_VAR
from core.standard import DATASETS
from orchestration.recovery import clean_leftovers, process_tags, processes_of_run, recover
from tests.conftest import PSEUDONYM_KEY, cli_env
from tests.hand_province import build_hand_province

KINERJA = [sys.executable, "-m", "orchestration.cli"]
# a line of the run's output -> where the run is when it appears
STAGES = {
    "ingestion": "checking and writing",  # a batch of files about to be written
    "dbt": "Running dbt command",
    "publication": "publikasi: membangun rilis",
}


def raw_tables(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {t: con.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall() for t in DATASETS}
        out["rejects"] = con.execute("SELECT * FROM raw.rejects ORDER BY ALL").fetchall()
        out["load_log"] = con.execute(
            "SELECT file_sha256, kode_instansi, dataset, file_name, status, rows_read, "
            "rows_loaded, rows_rejected FROM raw.load_log ORDER BY ALL"
        ).fetchall()
    return out


def indicators(published: Path) -> dict[str, bytes]:
    latest = published / "latest"
    return {
        n: (latest / n).read_bytes() for n in ("indikator_wilayah.csv", "indikator_instansi.csv")
    }


def start_refresh(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*KINERJA, "refresh", "-v"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        cwd=Path(__file__).parent.parent,
    )  # fmt: skip


def kill_at(env: dict, log: Path, marker: str) -> None:
    p = start_refresh(env, log)
    deadline = time.monotonic() + 900  # a loaded machine: dbt alone may take minutes
    while marker not in log.read_text() and p.poll() is None:
        assert time.monotonic() < deadline, f"{marker!r} never came: {log.read_text()[-2000:]}"
        time.sleep(0.05)
    assert p.poll() is None, f"the run ended before {marker!r}"
    p.send_signal(signal.SIGKILL)
    p.wait()


@pytest.mark.slow
def test_refresh_killed_at_each_stage_recovers_by_itself(hand_built, tmp_path):
    reference, _ = hand_built
    s = build_hand_province(tmp_path / "home")  # the same files as the reference
    dagster_home = tmp_path / "dagster_home"
    env = {
        **os.environ,
        **cli_env(s, dagster_home),
        "KINERJA_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "PYTHONPATH": str(Path(__file__).parent.parent),
    }
    for stage, marker in STAGES.items():
        kill_at(env, tmp_path / f"{stage}.log", marker)
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = sorted(instance.get_runs(), key=lambda r: r.run_id)
        dead = [r.run_id for r in runs]
        # each run found the one killed before it; the last one killed is still "running"
        statuses = sorted(r.status.value for r in runs)
        assert statuses == ["FAILURE", "FAILURE", "STARTED"], statuses

    final = subprocess.run(
        [*KINERJA, "refresh"], env=env, capture_output=True, text=True, timeout=600,
        cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    assert final.stderr.count("ditandai gagal") >= 1, final.stderr
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        statuses = {r.run_id: r.status for r in instance.get_runs()}
        assert all(statuses[r] == DagsterRunStatus.FAILURE for r in dead)
        assert not instance.event_log_storage.get_concurrency_run_ids()
    assert all(not processes_of_run(r) for r in dead)  # no orphaned dbt or worker lives on
    assert raw_tables(s.warehouse) == raw_tables(reference.warehouse)
    assert indicators(s.published) == indicators(reference.published)
    assert not list((s.published / "runs").glob(".*.partial"))


@op
def noop():
    pass


@job
def one_step():
    noop()


def test_dead_run_is_marked_failed_and_its_orphan_ended(tmp_path):
    """A run whose process is gone is failed, its slot freed, its orphan ended; a live run
    holding the warehouse is named as the blocker, never waited for silently."""
    home = tmp_path / "dh"
    home.mkdir()
    (home / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: 1\n")
    with DagsterInstance.from_config(str(home)) as instance:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        tags = process_tags(gone.pid)
        gone.wait()  # the run's process died
        run = instance.create_run_for_job(one_step, status=DagsterRunStatus.STARTED, tags=tags)
        orphan = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"],
            env={**os.environ, RUN_ID_VAR: run.run_id},
        )
        instance.event_log_storage.claim_concurrency_slot("duckdb_writer", run.run_id, "noop")
        time.sleep(0.3)
        assert processes_of_run(run.run_id) == [orphan.pid]

        rec = recover(instance)
        assert orphan.wait(timeout=10) is not None
        assert len(rec.recovered) == 1 and "ditandai gagal" in rec.recovered[0]
        assert not rec.blockers
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_run_ids()

        # a live run (this process) is a blocker, named in one line with how to clear it
        live = instance.create_run_for_job(
            one_step, status=DagsterRunStatus.STARTED, tags=process_tags()
        )
        rec = recover(instance)
        assert len(rec.blockers) == 1 and f"kill {os.getpid()}" in rec.blockers[0]
        assert instance.get_run_by_id(live.run_id).status == DagsterRunStatus.STARTED


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    from tests.hand_province import hand_settings

    s = hand_settings(tmp_path)
    partial = s.published / "runs" / ".20260101T000000Z_x.partial"
    partial.mkdir(parents=True)
    (partial / "kinerja.duckdb").write_bytes(b"half")
    tmp = s.archive / "ab" / ".abc.csv.123.tmp"
    tmp.parent.mkdir(parents=True)
    tmp.write_bytes(b"half")
    keep = s.archive / "ab" / "abc.csv"
    keep.write_bytes(b"whole")
    removed = clean_leftovers(s)
    assert set(removed) == {partial, tmp}
    assert keep.exists() and not partial.exists() and not tmp.exists()

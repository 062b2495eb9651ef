"""Write-audit-publish: a failed gate never touches the last publication, and analysts with
the published marts open are never locked out or shown a half-written state."""

import hashlib
import os
import subprocess
import sys
import time

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.alerts import failure_message
from orchestration.definitions import PUBLISH_JOB, build_defs
from orchestration.run import run_job
from publication.release import ANALYST_DB
from tests.conftest import cli_env, copy_province
from tests.hand_province import AGENCIES


def snapshot(published):
    latest = published / "latest"
    return {
        "link": os.readlink(latest),
        "files": {
            str(p.relative_to(latest)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(latest.rglob("*"))
            if p.is_file()
        },
        "releases": sorted(p.name for p in (published / "runs").iterdir()),
    }


@pytest.fixture
def province(hand_built, tmp_path):
    """A copy of the hand province after its nightly run (the first release published)."""
    return copy_province(hand_built[0], tmp_path / "home")


@pytest.mark.slow
def test_blocked_gate_leaves_the_last_publication_byte_for_byte(province, pseudonym_key):
    s = province
    before = snapshot(s.published)
    assert set(before["files"]) >= {
        ANALYST_DB,
        "indikator_wilayah.csv",
        "indikator_wilayah.parquet",
        "manifest.json",
    }
    # inject a broken mart into the working warehouse, then try to publish it
    where = "WHERE kode_wilayah = '75.01' AND tahun = 2025"
    with duckdb.connect(str(s.warehouse)) as con:
        (good,) = con.execute(f"SELECT pct_baik FROM marts.indikator_wilayah {where}").fetchone()
        con.execute(f"UPDATE marts.indikator_wilayah SET pct_baik = 150 {where}")
    with DagsterInstance.ephemeral() as instance:
        result = run_job(build_defs(s), PUBLISH_JOB, AGENCIES, instance)
        alert = failure_message(instance, result.run_id, PUBLISH_JOB)
    assert not result.success
    # the alert names the failed step and the failing expectation with the region
    assert alert["publication_blocked"] and "marts_publication_gate" in alert["text"]
    assert "pct_range" in alert["text"] and "75.01" in alert["text"]
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert any("pct_range" in e.metadata["failures"].value for e in failed)
    assert not [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.to_user_string() == "publikasi"
    ]
    assert snapshot(s.published) == before

    # once the mart is right again, a passing run (the same publish job) replaces it (the
    # operator's `kinerja refresh` publishing is tested in test_warehouse_hand_computed)
    with duckdb.connect(str(s.warehouse)) as con:
        con.execute(f"UPDATE marts.indikator_wilayah SET pct_baik = ? {where}", [good])
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(s), PUBLISH_JOB, AGENCIES, instance).success
    after = snapshot(s.published)
    assert after["link"] != before["link"] and len(after["releases"]) == 2
    assert after["files"]["indikator_wilayah.csv"] == before["files"]["indikator_wilayah.csv"]


PUBLISH = """
from core.settings import Settings
from orchestration.definitions import PUBLISH_JOB, build_defs
from orchestration.run import instance_for, run_job
s = Settings.from_env()
with instance_for(s) as instance:
    raise SystemExit(0 if run_job(build_defs(s), PUBLISH_JOB, {agencies}, instance).success else 1)
"""


@pytest.mark.slow
def test_reader_is_never_locked_out_during_a_publication(province, tmp_path, pseudonym_key):
    """An analyst keeps reading the published marts while another process publishes a new
    release (the `publish` job: the gate, then the release and the switch of `latest`)."""
    s = province
    reader = duckdb.connect(str(s.published / "latest" / ANALYST_DB), read_only=True)
    query = "SELECT count(*), sum(jumlah_pegawai) FROM marts.indikator_wilayah"
    expected = reader.execute(query).fetchone()
    env = {**os.environ, **cli_env(s, tmp_path / "dagster")}
    script = PUBLISH.format(agencies=repr(AGENCIES))
    publisher = subprocess.Popen([sys.executable, "-c", script], env=env)
    answers = 0
    while publisher.poll() is None:
        assert reader.execute(query).fetchone() == expected  # never locked, never half-written
        answers += 1
        time.sleep(0.05)
    assert publisher.returncode == 0
    assert answers > 10
    assert reader.execute(query).fetchone() == expected
    reader.close()
    # a new connection sees the new release
    with duckdb.connect(str(s.published / "latest" / ANALYST_DB), read_only=True) as fresh:
        assert fresh.execute(query).fetchone() == expected
    assert len(snapshot(s.published)["releases"]) == 2

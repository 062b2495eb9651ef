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
from orchestration.definitions import NIGHTLY_JOB, PUBLISH_JOB, build_defs
from orchestration.run import run_job
from publication.release import ANALYST_DB
from tests.hand_province import AGENCIES, build_hand_province


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
def province(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "test-pseudonym-key")
    s = build_hand_province(tmp_path / "home")
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(s), NIGHTLY_JOB, AGENCIES, instance).success
    return s


def test_blocked_gate_leaves_the_last_publication_byte_for_byte(province):
    s = province
    before = snapshot(s.published)
    assert set(before["files"]) >= {
        ANALYST_DB,
        "indikator_wilayah.csv",
        "indikator_wilayah.parquet",
        "manifest.json",
    }
    # inject a broken mart into the working warehouse, then try to publish it
    with duckdb.connect(str(s.warehouse)) as con:
        con.execute(
            "UPDATE marts.indikator_wilayah SET pct_baik = 150 WHERE kode_wilayah = '75.01'"
        )
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

    # a passing run (dbt rebuilds the marts) replaces it
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(s), NIGHTLY_JOB, AGENCIES, instance).success
    after = snapshot(s.published)
    assert after["link"] != before["link"] and len(after["releases"]) == 2
    assert after["files"]["indikator_wilayah.csv"] == before["files"]["indikator_wilayah.csv"]


def test_reader_is_never_locked_out_during_a_refresh(province, tmp_path):
    s = province
    reader = duckdb.connect(str(s.published / "latest" / ANALYST_DB), read_only=True)
    query = "SELECT count(*), sum(jumlah_pegawai) FROM marts.indikator_wilayah"
    expected = reader.execute(query).fetchone()
    env = {
        **os.environ,
        "KINERJA_HOME": str(s.home), "KINERJA_REGISTRY": str(s.registry), "KINERJA_LANDING": str(s.landing),
        "KINERJA_ARCHIVE": str(s.archive), "KINERJA_WAREHOUSE": str(s.warehouse),
        "KINERJA_PUBLISHED": str(s.published), "DAGSTER_HOME": str(tmp_path / "dagster"),
    }  # fmt: skip
    cli = [
        sys.executable,
        "-c",
        "import sys; from orchestration.cli import main; sys.exit(main())",
        "refresh",
    ]
    refresh = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answers = 0
    while refresh.poll() is None:
        assert reader.execute(query).fetchone() == expected  # never locked, never half-written
        answers += 1
        time.sleep(0.05)
    assert refresh.returncode == 0
    assert answers > 10
    assert reader.execute(query).fetchone() == expected
    reader.close()
    # a new connection sees the new release
    with duckdb.connect(str(s.published / "latest" / ANALYST_DB), read_only=True) as fresh:
        assert fresh.execute(query).fetchone() == expected
    assert len(snapshot(s.published)["releases"]) == 2

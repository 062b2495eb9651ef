"""Nightly operation: Definitions, schedule, landing sensor, failure alerts, PostgreSQL instance."""

import datetime as dt
import shutil
import uuid
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    Definitions,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
)

from core.paths import PROJECT_ROOT
from core.registry import load_registry
from orchestration.alerts import run_failure_alert, send_alert
from orchestration.assets.ingestion import AGENCIES_TAG
from orchestration.definitions import INGEST_JOB, NIGHTLY_JOB, PUBLISH_JOB, build_defs
from orchestration.resources import AlertWebhookResource
from orchestration.run import run_job, sigterm_kept
from orchestration.schedules import NIGHTLY_CRON, NIGHTLY_TIMEZONE
from tests.hand_province import AGENCIES, build_hand_province


@pytest.fixture
def province(tmp_path):
    return build_hand_province(tmp_path / "home")


def agencies_of(request) -> list[str]:
    """The agencies a run request's ingestion is limited to ([]: every agency)."""
    return request.run_config["ops"]["ingest_agency_submissions"]["config"]["agencies"]


def test_definitions_load_and_validate(province):
    defs = build_defs(province)
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    groups = {
        graph.get(k).group_name
        for k in graph.get_all_asset_keys()
        if graph.get(k).is_materializable
    }
    assert groups == {"ingestion", "warehouse", "quality", "publication"}
    assert {j for j in (NIGHTLY_JOB, PUBLISH_JOB, INGEST_JOB) if defs.resolve_job_def(j)} == {
        NIGHTLY_JOB,
        PUBLISH_JOB,
        INGEST_JOB,
    }
    # the raw tables are the dbt sources: one graph from agency file to publication
    upstream = graph.get(
        next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "stg_raw__pegawai")
    )
    assert {k.to_user_string() for k in upstream.parent_keys} >= {"raw/pegawai", "raw/load_log"}


def test_schedule_runs_the_nightly_job_at_01_00_wib_over_every_agency(province):
    defs = build_defs(province)
    sched = defs.get_schedule_def("nightly_refresh_schedule")
    assert (
        (sched.cron_schedule, sched.execution_timezone)
        == (NIGHTLY_CRON, NIGHTLY_TIMEZONE)
        == ("0 1 * * *", "Asia/Jakarta")
    )
    assert sched.job_name == NIGHTLY_JOB and sched.default_status == DefaultScheduleStatus.RUNNING
    # the tick of 01:00 WIB (18:00 UTC the day before) asks for one run over every agency
    tick = dt.datetime(2026, 3, 1, 1, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert tick.astimezone(dt.UTC).hour == 18
    with DagsterInstance.ephemeral() as instance:
        ctx = build_schedule_context(instance=instance, scheduled_execution_time=tick)
        (req,) = sched.evaluate_tick(ctx).run_requests
    assert agencies_of(req) == []  # the config's empty list: every registered agency
    assert req.run_key == tick.isoformat()


def test_landing_sensor_one_run_per_agency_burst_and_content(province):
    defs = build_defs(province)
    sensor = defs.get_sensor_def("landing_area_sensor")
    with DagsterInstance.ephemeral() as instance:
        cursor = None

        def tick():
            nonlocal cursor
            ctx = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
            result = sensor.evaluate_tick(ctx)
            cursor = result.cursor
            return result.run_requests or []

        assert tick() == []  # first sight: sizes recorded, nothing picked up yet
        first = tick()  # stable since the last tick: one run per agency, all its files in it
        assert sorted(k for r in first for k in agencies_of(r)) == sorted(AGENCIES)
        assert len({r.run_key for r in first}) == len(AGENCIES)
        assert tick() == [] and tick() == []  # the same files again: nothing

        new = province.landing / "KAB-2" / "survei" / "skm_susulan.csv"
        new.write_text("id_responden,unit_layanan,tanggal_survei,u1,u2,u3,u4,u5,u6,u7,u8,u9\n")
        assert tick() == []  # maybe still being written
        with new.open("a") as f:  # it was: the size changed
            f.write("s9,Loket,2025-07-01,4,4,4,4,4,4,4,4,4\n")
        assert tick() == []
        (req,) = tick()
        assert (
            agencies_of(req) == ["KAB-2"]
            and req.tags["kinerja/file"] == "KAB-2/survei/skm_susulan.csv"
        )
        assert tick() == []
        # the same content under another name is the same submission: same run key
        (province.landing / "KAB-2" / "survei" / "copy.csv").write_bytes(new.read_bytes())
        tick()
        (again,) = tick()
        assert again.run_key == req.run_key

        # a burst: two files of one agency, one still being written on a tick, start one run
        # once both are stable
        a = province.landing / "KAB-1" / "pelatihan" / "a.csv"
        b = province.landing / "KAB-1" / "penilaian" / "b.csv"
        a.write_text("nip\n1\n")
        tick()  # a seen
        b.write_text("nip\n2\n")
        assert tick() == []  # a stable, b new: the agency waits for its whole burst
        (burst,) = tick()
        assert agencies_of(burst) == ["KAB-1"]
        assert burst.tags["kinerja/file"] == "KAB-1/pelatihan/a.csv, KAB-1/penilaian/b.csv"


def test_landing_sensor_starts_nothing_for_loaded_bytes(province, tmp_path):
    """Files whose bytes are in the load log (under any name) start no run: a sensor turned
    on after the demo starts nothing."""
    import duckdb

    from core.hashing import sha256_file
    from orchestration.sensors import scan_landing

    registry = load_registry(province.registry)
    files = sorted(p for p in province.landing.rglob("*") if p.is_file())
    known = {sha256_file(p) for p in files}
    requests, cursor = scan_landing(province.landing, registry, {}, known)
    requests, cursor = scan_landing(province.landing, registry, cursor, known)
    assert requests == [] and len(cursor["seen"]) == len(files) and not cursor["pending"]
    # one new file: one run for its agency
    (province.landing / "KAB-2" / "survei" / "baru.csv").write_text("id_responden\nx\n")
    _, cursor = scan_landing(province.landing, registry, cursor, known)
    requests, cursor = scan_landing(province.landing, registry, cursor, known)
    assert [agencies_of(r) for r in requests] == [["KAB-2"]]
    # the sensor reads the load log itself, and waits while a run holds the warehouse
    from orchestration.sensors import WarehouseBusy, loaded_shas

    db = tmp_path / "w.duckdb"
    assert loaded_shas(db) == set()
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.load_log (file_sha256 VARCHAR)")
        con.execute("INSERT INTO raw.load_log VALUES ('abc')")
    assert loaded_shas(db) == {"abc"}
    with duckdb.connect(str(db)):  # a writer in this process: another process cannot read
        import subprocess
        import sys

        code = (
            "import sys; from pathlib import Path; from orchestration.sensors import "
            "loaded_shas, WarehouseBusy\ntry:\n    loaded_shas(Path(sys.argv[1]))\n"
            "except WarehouseBusy:\n    sys.exit(3)"
        )
        assert subprocess.run([sys.executable, "-c", code, str(db)]).returncode == 3
    assert WarehouseBusy


def test_failure_alert_reaches_the_webhook(province, receiver):
    url, received = receiver
    defs = build_defs(province)
    with DagsterInstance.ephemeral() as instance:
        # publishing before anything was built fails in the publication gate
        result = run_job(defs, PUBLISH_JOB, AGENCIES, instance)
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        failure_event = next(
            e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE"
        )
        ctx = build_run_status_sensor_context(
            sensor_name="run_failure_alert",
            dagster_event=failure_event,
            dagster_instance=instance,
            dagster_run=run,
        ).for_run_failure()
        run_failure_alert(ctx, alert_webhook=AlertWebhookResource(url=url))
    (msg,) = received
    assert msg["run_id"] == result.run_id and msg["job"] == PUBLISH_JOB
    assert [s["step"] for s in msg["failed_steps"]] == ["marts_publication_gate"]
    assert "marts_publication_gate" in msg["text"]


def test_alert_without_webhook_only_logs(caplog):
    assert send_alert({"text": "kinerja: test"}, None) is False
    assert "kinerja: test" in caplog.text


@pytest.fixture
def postgres_db():
    name = f"dagster_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    yield name
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def test_postgres_instance_stores_the_run(province, postgres_db, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        (PROJECT_ROOT / "config" / "dagster.postgres.yaml").read_text()
    )
    for k, v in {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": "5432", "DAGSTER_PG_USER": "postgres",
                 "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": postgres_db}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        result = run_job(build_defs(province), INGEST_JOB, ["KAB-1"], instance)
        assert result.success
    with DagsterInstance.from_config(str(home)) as again:
        run = again.get_run_by_id(result.run_id)
        assert run.status == DagsterRunStatus.SUCCESS and run.job_name == INGEST_JOB
        assert run.tags[AGENCIES_TAG] == "KAB-1"
        assert run.run_config["ops"]["ingest_agency_submissions"]["config"] == {
            "agencies": ["KAB-1"]
        }
    with psycopg2.connect(host="127.0.0.1", user="postgres", dbname=postgres_db) as con:
        cur = con.cursor()
        cur.execute("SELECT count(*) FROM runs WHERE run_id = %s", (result.run_id,))
        assert cur.fetchone()[0] == 1


def test_every_step_that_writes_the_warehouse_is_in_the_duckdb_pool_limited_to_1(
    province, tmp_path
):
    defs = build_defs(province)
    # every step of every job reads or writes the working warehouse: ingestion, the registry,
    # dbt, the submission review, the GX gates and publication
    pools = {
        job: {node.name: node.definition.pool for node in defs.resolve_job_def(job).graph.nodes}
        for job in (INGEST_JOB, NIGHTLY_JOB, PUBLISH_JOB)
    }
    assert pools[NIGHTLY_JOB] == dict.fromkeys(
        ["ingest_agency_submissions", "raw_registry", "raw_batches_gate", "warehouse_dbt",
         "tinjauan_submisi", "marts_publication_gate", "publikasi"], "duckdb_writer",
    )  # fmt: skip
    assert pools[INGEST_JOB].items() < pools[NIGHTLY_JOB].items()
    assert pools[PUBLISH_JOB].items() < pools[NIGHTLY_JOB].items()
    # the nightly and publish jobs run their steps in one process, in order
    for job in (NIGHTLY_JOB, PUBLISH_JOB):
        assert defs.resolve_job_def(job).executor_def.name == "in_process"
    # an instance made from either template gives every pool one slot
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "config" / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    # (the PostgreSQL template: test_postgres_instance_stores_the_run)


def test_a_changed_registry_or_pseudonym_key_forces_a_full_rebuild(tmp_path):
    """The incremental models would keep old years built under old rules; the fingerprint
    of what they were built with changes with the registry, the key and the dbt project."""
    from orchestration.assets.warehouse import rules_fingerprint

    reg = tmp_path / "agencies.yaml"
    reg.write_text("agencies: []\n")
    first = rules_fingerprint(reg, "first-key-123")
    assert rules_fingerprint(reg, "first-key-123") == first
    assert rules_fingerprint(reg, "other-key-456") != first
    reg.write_text("agencies: [x]\n")
    assert rules_fingerprint(reg, "first-key-123") != first


def test_landing_sensor_waits_until_a_file_is_older_than_the_settle_time(province):
    """Ingestion skips a file modified less than KINERJA_SETTLE_SECONDS ago (a copy may still
    be in progress): the sensor must not start a run for it before then, or the run would
    receive nothing."""
    import os
    import time

    from core.hashing import sha256_file
    from orchestration.sensors import scan_landing

    registry = load_registry(province.registry)
    known = {sha256_file(p) for p in province.landing.rglob("*") if p.is_file()}
    _, cursor = scan_landing(province.landing, registry, {}, known, settle_seconds=60)
    new = province.landing / "KAB-2" / "survei" / "baru.csv"
    new.write_text("id_responden\nx\n")
    for _ in range(3):  # stable size, but written just now
        requests, cursor = scan_landing(province.landing, registry, cursor, known, 60)
        assert requests == []
    old = time.time() - 61
    os.utime(new, (old, old))  # the same file, a minute later
    requests, cursor = scan_landing(province.landing, registry, cursor, known, 60)
    requests = requests or scan_landing(province.landing, registry, cursor, known, 60)[0]
    assert [agencies_of(r) for r in requests] == [["KAB-2"]]


def test_cli_runs_record_every_event_in_sqlite_without_waiting_for_the_disk(tmp_path, monkeypatch):
    """instance_for (the CLI's instance) writes Dagster's SQLite run history with
    synchronous = OFF, over one connection per database file, and every event of a run is
    there for the UI as soon as it is written."""
    from dagster import (
        AssetCheckKey,
        AssetCheckResult,
        AssetKey,
        Definitions,
        asset,
        asset_check,
        define_asset_job,
        job,
        op,
    )

    from core.settings import Settings
    from orchestration.run import instance_for

    @op
    def step():
        return 1

    @job
    def tiny():
        step()

    @asset
    def tabel():
        return 1

    @asset_check(asset=tabel)
    def tabel_terisi():
        return AssetCheckResult(passed=True)

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    looked_up = []
    has_table = SqliteEventLogStorage.has_table

    def counted(self, name):
        looked_up.append(name)
        return has_table(self, name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    s = Settings.from_env({"KINERJA_HOME": str(tmp_path)})
    with instance_for(s) as instance, sigterm_kept():  # as run_job, which is not used here
        result = tiny.execute_in_process(instance=instance)
        # asset checks, whose table Dagster looks for before each check event (asked once here)
        checked_job = define_asset_job("checked").resolve(
            asset_graph=Definitions(
                assets=[tabel], asset_checks=[tabel_terisi]
            ).resolve_asset_graph()
        )
        for _ in range(2):
            assert checked_job.execute_in_process(instance=instance).success
        assert looked_up.count("asset_check_executions") == 1  # 4 check events
        storage = instance.event_log_storage
        with storage.index_connection() as conn:  # a connection as Dagster opens it
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
            first = conn.connection.dbapi_connection
        with storage.index_connection() as conn:  # the same one again, not a new one
            assert conn.connection.dbapi_connection is first
        # while the CLI's instance is still open, another process's view (the UI) already
        # sees every event: each was committed as it was written
        with DagsterInstance.from_config(str(tmp_path / "dagster_home")) as ui:
            kinds = {e.dagster_event.event_type_value for e in ui.all_logs(result.run_id)
                     if e.dagster_event}  # fmt: skip
            checked = ui.get_run_by_id(result.run_id)
            history = ui.event_log_storage.get_asset_check_execution_history(
                AssetCheckKey(AssetKey("tabel"), "tabel_terisi"), limit=10
            )
    assert {"PIPELINE_START", "STEP_START", "STEP_SUCCESS", "PIPELINE_SUCCESS"} <= kinds
    assert checked.is_success
    assert [h.status.value for h in history] == ["SUCCEEDED", "SUCCEEDED"]


SIGTERM_AFTER_RUN = """
import signal, subprocess, sys
from dagster import DagsterInstance, Definitions, job, op
from orchestration.run import run_job

@op
def say():
    print("jalan")

@job
def tiny():
    say()

signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `cmd &` from a script starts a process
signal.signal(signal.SIGTERM, signal.SIG_DFL)  # whatever the test process left
with DagsterInstance.local_temp(sys.argv[1]) as instance:  # Dagster's log capture (tail -F)
    for _ in range(2):
        assert run_job(Definitions(jobs=[tiny]), "tiny", None, instance).success
print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
child = subprocess.Popen(["sleep", "60"])
child.terminate()
print(child.wait(timeout=20) == -signal.SIGTERM)  # ended by SIGTERM, not ignoring it
"""


def test_a_run_in_a_process_that_ignores_sigint_leaves_sigterm_working(tmp_path):
    """Dagster maps SIGTERM to SIGINT's handler after a run in the main thread: with SIGINT
    ignored, every process started afterwards (the next run's log capture, dbt) ignored
    SIGTERM too. run_job keeps SIGTERM as it was."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", SIGTERM_AFTER_RUN, str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["True", "True"], done.stdout

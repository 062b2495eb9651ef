"""Shared fixtures: real files, a real DuckDB file, a real local HTTP server, and the hand
province run once through the nightly job (copied into each module that uses it)."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest
import yaml
from filelock import FileLock

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# tests write files and ingest them at once (the settle rule has its own test)
os.environ.setdefault("KINERJA_SETTLE_SECONDS", "0")
# no test reads a developer's secrets file (.env of `make demo`): tests that want one name it
os.environ["KINERJA_ENV_FILE"] = os.path.join(os.path.dirname(__file__), "no-such-secrets-file")

from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT

# the subprocesses the tests start (dbt, which imports its connection plugin
# orchestration/dbt_plugin.py; scripts run with the virtualenv's Python) import this
# checkout's packages, also when the virtualenv's editable install points at another
# checkout (a git worktree sharing the virtualenv)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p
)
from core.registry import Agency, FileFormat, load_registry  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.standard import DATASETS, load_standard  # noqa: E402
from demo.api_server import DemoApiServer  # noqa: E402
from demo.generate import generate  # noqa: E402
from ingestion.schema import ensure_raw_schema  # noqa: E402
from tests.hand_province import (  # noqa: E402
    AGENCIES,
    PELATIHAN_H,
    PENILAIAN_H,
    A,
    B,
    S,
    build_hand_province,
    hand_settings,
    pelatihan,
    penilaian,
    write,
)

DEMO_TOKEN = "test-token"
DEMO_TOKEN_VAR = "KINERJA_TOKEN_KOTA_GORONTALO"
DEMO_SIZE = 1500
PSEUDONYM_KEY = "test-pseudonym-key"  # one key for every build: copies stay incremental


@contextmanager
def pseudonym_key_set() -> Iterator[str]:
    """KINERJA_PSEUDONYM_KEY while a nightly run needs it (the PseudonymKeyResource reads it
    through EnvVar, dbt from the environment); the previous value is restored afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KINERJA_PSEUDONYM_KEY", PSEUDONYM_KEY)
        yield PSEUDONYM_KEY


@pytest.fixture
def pseudonym_key() -> Iterator[str]:
    with pseudonym_key_set() as key:
        yield key


def run_nightly(settings: Settings, agencies=AGENCIES, **kw):
    """The nightly job in-process (ephemeral instance), with the pseudonym key set."""
    from dagster import DagsterInstance

    from orchestration.definitions import NIGHTLY_JOB, build_defs
    from orchestration.run import run_job

    with pseudonym_key_set(), DagsterInstance.ephemeral() as instance:
        return run_job(build_defs(settings), NIGHTLY_JOB, list(agencies), instance, **kw)


def cli_env(s: Settings, dagster_home: Path) -> dict[str, str]:
    """The environment under which the `kinerja` command (Settings.from_env) works on `s`."""
    return {
        "KINERJA_HOME": str(s.home), "KINERJA_REGISTRY": str(s.registry), "KINERJA_LANDING": str(s.landing),
        "KINERJA_ARCHIVE": str(s.archive), "KINERJA_WAREHOUSE": str(s.warehouse),
        "KINERJA_PUBLISHED": str(s.published), "DAGSTER_HOME": str(dagster_home),
    }  # fmt: skip


def dbt_test_vars(warehouse: Path) -> str:
    """dbt's --vars for a build of `warehouse` as the pipeline passes them (without the
    memory limit: dbt's default)."""
    from core import personal_data

    return json.dumps({"warehouse_path": str(warehouse), **personal_data.dbt_vars()})


def dbt_test_env(target: Path, project: Path | None = None) -> dict[str, str]:
    """The environment dagster-dbt gives a dbt subprocess writing into `target`, for the
    project in `project` (default: this checkout's dbt project)."""
    project = project or DBT_PROJECT_DIR
    return {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target),
            "DBT_PROJECT_DIR": str(project)}  # fmt: skip


def copy_province(src: Settings, dest: Path) -> Settings:
    """A copy of a built hand province (landing, archive, warehouse, GX project, releases)."""
    shutil.copytree(src.home, dest, symlinks=True)
    return hand_settings(dest)


def _shared_dir(tmp_path_factory) -> Path:
    """One folder for the whole run, also under pytest-xdist (its workers' basetemps share a
    parent), so that a session fixture built by one worker is reused by the others."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hand_built(tmp_path_factory) -> tuple[Settings, list[dict]]:
    """The hand province (tests/hand_province.py) run once through the nightly job: its
    Settings and the run's asset check evaluations. Never written to: modules copy it
    (copy_province) before running anything on it."""
    root = _shared_dir(tmp_path_factory) / "hand_built"
    done = root / "checks.json"
    with FileLock(str(root) + ".lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            settings = build_hand_province(root / "home")
            result = run_nightly(settings)
            assert result.success
            checks = [
                {"name": e.check_name, "passed": e.passed, "severity": e.severity.value}
                for e in result.get_asset_check_evaluations()
            ]
            done.write_text(json.dumps(checks))
    return hand_settings(root / "home"), json.loads(done.read_text())


class Night(NamedTuple):
    settings: Settings  # never written to: tests copy it (copy_province)
    out: str  # what `kinerja refresh` printed
    alerts: list[dict]  # what its webhook received


def _published(s: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(s.published / "latest" / "kinerja.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def revised_night(hand_built, tmp_path_factory) -> Night:
    """One night after the hand province's first one, run once per test run by the operator's
    `kinerja refresh` (in-process, incremental): KAB-2 revises its 2025 appraisals (m4 is
    now appraised too), and KAB-1 sends a full training year (12 rows), then a 2-row
    "susulan" that, under the latest-submission rule, would replace it (the submission
    review holds it). Shared by the incremental-refresh and the submission-holds tests."""
    root = _shared_dir(tmp_path_factory) / "revised_night"
    done = root / "night.json"
    with FileLock(str(root) + ".lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            s = copy_province(hand_built[0], root / "home")
            full = [pelatihan(n, 6, f"2025-0{m}-01", f"2025-0{m}-02")
                    for n in ("n1", "n2", "n3", "n4") for m in (4, 5, 6)]  # fmt: skip
            write(s.landing, "KAB-1", "pelatihan", "latih_lengkap.csv", PELATIHAN_H, full,
                  "2026-02-10T08:00:00")  # fmt: skip
            write(s.landing, "KAB-1", "pelatihan", "susulan.csv", PELATIHAN_H,
                  [pelatihan("n6", 3, "2025-09-01", "2025-09-01"),
                   pelatihan("n1", 2, "2025-10-01", "2025-10-01")], "2026-02-11T08:00:00")  # fmt: skip
            write(s.landing, "KAB-2", "penilaian", "nilai_revisi.csv", PENILAIAN_H,
                  [penilaian("m1", A, A), penilaian("m2", S, A), penilaian("m3", B, B),
                   penilaian("m4", S, S)], "2026-03-01T08:00:00")  # fmt: skip
            # before the night KAB-2 has 4 appraised
            assert _published(s, DINILAI_KAB2) == [(4,)]
            from orchestration.cli import main

            out = io.StringIO()
            with (
                pytest.MonkeyPatch.context() as mp,
                webhook() as (url, alerts),
                redirect_stdout(out),
            ):
                for name, value in cli_env(s, root / "dagster").items():
                    mp.setenv(name, value)
                mp.setenv("KINERJA_ALERT_WEBHOOK", url)
                mp.setenv("KINERJA_PSEUDONYM_KEY", PSEUDONYM_KEY)
                code = main(["refresh"])
            assert code == 0, out.getvalue()[-3000:]
            done.write_text(json.dumps({"out": out.getvalue(), "alerts": alerts}))
    night = json.loads(done.read_text())
    return Night(hand_settings(root / "home"), night["out"], night["alerts"])


DINILAI_KAB2 = (
    "SELECT jumlah_dinilai FROM marts.indikator_instansi WHERE kode_instansi = 'KAB-2' "
    "AND tahun = 2025"
)


# The order in which `make test` hands out the modules (pytest-xdist, -n 2 --dist loadfile
# --no-loadscope-reorder: a module runs whole in one test process), longest work first (the
# seconds each module took in one `make test DURATIONS=0`, on a loaded machine, are in the
# README), so that the short ones fill the gaps at the end. The hand province's builder comes
# first; the operator's walk (the demo, the real daemon and sensor) and the crash test (its
# own province; it asks for the hand province only at its end) beside it, one per process;
# then the modules that copy the hand province or the revised night. Modules not named here (a few
# seconds each) follow in collection order.
HEAVY_FIRST = (
    "test_warehouse_hand_computed.py",
    "test_operator_first_week.py",
    "test_crash_recovery.py",
    "test_submission_holds.py",
    "test_incremental_refresh.py",
    "test_withdrawal.py",
    "test_publication_files.py",
    "test_personal_data.py",
    "test_wilayah_baru.py",
    "test_ingest_e2e.py",
    "test_dbt_parsed.py",
    "test_write_audit_publish.py",
    "test_operations.py",
    "test_operator_basics.py",
    "test_failed_agency.py",
    "test_quality_gates.py",
    "test_property_normalisation.py",
    "test_rules.py",
    "test_dbt_resource.py",
    "test_hostile_files.py",
)
# Modules whose last test runs a nightly job or longer. A test process asks for its next
# module while it is on the last test of the current one (pytest-xdist runs a test only once
# it knows the next, for the fixtures' teardown), and that module waits behind the long test:
# such a process gets the lightest module left instead of the next heavy one.
LONG_LAST = (
    "test_operator_first_week.py",
    "test_submission_holds.py",
    "test_incremental_refresh.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY_FIRST)))


def pytest_xdist_make_scheduler(config, log):
    """The order above, and a light module behind a long last test (see LONG_LAST)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class HeavyFirstScheduling(LoadFileScheduling):
        def _reschedule(self, node) -> None:
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            pending = [
                nodeid
                for unit in self.assigned_work[node].values()
                for nodeid, done in unit.items()
                if not done
            ]
            if len(pending) > 1:  # the process knows its next test: nothing to hand out yet
                return
            long_last = bool(pending) and pending[0].split("::")[0].endswith(LONG_LAST)
            scope, unit = self.workqueue.popitem(last=long_last)
            self.assigned_work.setdefault(node, {})[scope] = unit
            collection = self.registered_collections[node]
            node.send_runtest_some(
                [collection.index(nodeid) for nodeid, done in unit.items() if not done]
            )

    return HeavyFirstScheduling(config, log)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c, load_standard())
    yield c
    c.close()


def agency(kode="TEST", **fmt) -> Agency:
    formats = {ds: FileFormat(**fmt) for ds in DATASETS}
    return Agency(kode, "Test", "75", "opd_provinsi", formats=formats)


@pytest.fixture(scope="session")
def demo_province(tmp_path_factory):
    """A small demo province on disk, its API served on 127.0.0.1, and Settings for it."""
    home = tmp_path_factory.mktemp("kinerja")
    registry = yaml.safe_load((PROJECT_ROOT / "config" / "agencies.yaml").read_text())
    summary = generate(
        load_registry(PROJECT_ROOT / "config" / "agencies.yaml"), home, size=DEMO_SIZE
    )
    with DemoApiServer(summary.api_dir, token=DEMO_TOKEN) as server:
        for a in registry["agencies"]:
            if a.get("delivery") == "api":
                a["api"]["base_url"] = server.base_url
        reg_path = home / "agencies.yaml"
        reg_path.write_text(yaml.safe_dump(registry, allow_unicode=True))
        before = os.environ.get(DEMO_TOKEN_VAR)
        os.environ[DEMO_TOKEN_VAR] = DEMO_TOKEN  # read by the AgencyApiResource (EnvVar)
        settings = Settings(
            home=home,
            registry=reg_path,
            landing=home / "landing",
            archive=home / "archive",
            warehouse=home / "warehouse" / "kerja.duckdb",
            published=home / "published",
            variables_set=frozenset({DEMO_TOKEN_VAR}),
        )
        settings.ensure_dirs()
        try:
            yield settings
        finally:
            if before is None:
                os.environ.pop(DEMO_TOKEN_VAR, None)
            else:
                os.environ[DEMO_TOKEN_VAR] = before


@contextmanager
def webhook() -> Iterator[tuple[str, list]]:
    """A webhook on 127.0.0.1 that keeps what it receives (alerts): its URL and the list."""
    received: list = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver():
    with webhook() as (url, received):
        yield url, received

"""Shared fixtures: real files, a real DuckDB file, a real local HTTP server, and the hand
province run once through the nightly job (copied into each module that uses it)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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

from core.paths import PROJECT_ROOT

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
from tests.hand_province import AGENCIES, build_hand_province, hand_settings  # noqa: E402

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


# The modules with the long runs, collected first and in this order, so that under
# pytest-xdist (`make test`: -n 2 --dist loadfile --no-loadscope-reorder: one module to one
# worker, modules in collection order) they start early and the short ones fill the gaps:
# the hand province's builder first, the demo province's ingestion beside it, then the
# modules that wait for the hand province.
HEAVY_FIRST = (
    "test_warehouse_hand_computed.py",
    "test_operator_first_week.py",  # the demo, the real daemon and sensor: minutes of waiting
    "test_ingest_e2e.py",
    "test_incremental_refresh.py",
    "test_publication_files.py",
    "test_write_audit_publish.py",
    "test_no_secret_written.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY_FIRST)))


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


class Receiver(BaseHTTPRequestHandler):
    """A webhook on 127.0.0.1 that keeps what it receives (alerts)."""

    received: list = []

    def log_message(self, *a):
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver.received
    server.shutdown()

"""Shared fixtures: real files, a real DuckDB file, a real local HTTP server."""

from __future__ import annotations

import os

import duckdb
import pytest
import yaml

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from core.paths import PROJECT_ROOT
from core.registry import Agency, FileFormat, load_registry  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.standard import DATASETS, load_standard  # noqa: E402
from demo.api_server import DemoApiServer  # noqa: E402
from demo.generate import generate  # noqa: E402
from ingestion.schema import ensure_raw_schema  # noqa: E402

DEMO_TOKEN = "test-token"
DEMO_TOKEN_VAR = "KINERJA_TOKEN_KOTA_GORONTALO"
DEMO_SIZE = 1500


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

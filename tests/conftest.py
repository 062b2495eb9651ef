"""Shared fixtures: real files, a real DuckDB file, a real local HTTP server."""

from __future__ import annotations

import os

import duckdb
import pytest
import yaml

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from ingestion.demo.api_server import DemoApiServer  # noqa: E402
from ingestion.demo.generate import generate  # noqa: E402
from ingestion.registry import Agency, FileFormat, load_registry  # noqa: E402
from ingestion.schema import ensure_raw_schema  # noqa: E402
from ingestion.settings import PROJECT_ROOT, Settings  # noqa: E402
from ingestion.standard import load_standard  # noqa: E402

DEMO_TOKEN = "test-token"
DEMO_SIZE = 1500


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c, load_standard())
    yield c
    c.close()


def agency(kode="TEST", **fmt) -> Agency:
    return Agency(kode, "Test", "75", "opd_provinsi", formats={ds: FileFormat(**fmt) for ds in
                  ("pegawai", "penilaian", "pelatihan", "survei")})  # fmt: skip


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
        os.environ["KINERJA_TOKEN_KOTA_GORONTALO"] = DEMO_TOKEN
        settings = Settings(
            home=home,
            registry=reg_path,
            landing=home / "landing",
            archive=home / "archive",
            warehouse=home / "warehouse" / "kerja.duckdb",
            published=home / "published",
        )
        settings.ensure_dirs()
        yield settings

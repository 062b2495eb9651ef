"""Where things live, from environment variables (with defaults for a local demo)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def duckdb_config() -> dict[str, str]:
    """Settings for every DuckDB connection that builds data. KINERJA_DUCKDB_MEMORY_LIMIT
    (default 4GB) bounds DuckDB's memory; beyond it DuckDB spills to disk beside the
    database, so a national run fits a small server. dbt reads the same variable
    (dbt_project/profiles.yml).

    checkpoint_threshold: DuckDB folds its write-ahead log into the database file once the
    log passes 16 MB, which during ingestion (one commit per file) means a checkpoint of
    every raw table after almost every file: three times the cost of the inserts. With 1 GB
    the commits stay durable (the log is synced) and the checkpoint happens about once per
    run (and when the connection closes)."""
    return {
        "memory_limit": os.environ.get("KINERJA_DUCKDB_MEMORY_LIMIT", "4GB"),
        "checkpoint_threshold": "1GB",
    }


@dataclass(frozen=True)
class Settings:
    home: Path  # KINERJA_HOME: root of everything the pipeline writes
    registry: Path  # KINERJA_REGISTRY: the agency registry YAML
    landing: Path  # KINERJA_LANDING: where agencies drop files
    archive: Path  # originals, content-addressed
    warehouse: Path  # the working DuckDB (one writer: the pipeline)
    published: Path  # published files and the analysts' read-only marts

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("KINERJA_HOME", PROJECT_ROOT / "var")).resolve()
        return cls(
            home=home,
            registry=Path(
                os.environ.get("KINERJA_REGISTRY", PROJECT_ROOT / "config" / "agencies.yaml")
            ),
            landing=Path(os.environ.get("KINERJA_LANDING", home / "landing")),
            archive=Path(os.environ.get("KINERJA_ARCHIVE", home / "archive")),
            warehouse=Path(
                os.environ.get("KINERJA_WAREHOUSE", home / "warehouse" / "kerja.duckdb")
            ),
            published=Path(os.environ.get("KINERJA_PUBLISHED", home / "published")),
        )

    def ensure_dirs(self) -> None:
        for p in (self.landing, self.archive, self.warehouse.parent, self.published):
            p.mkdir(parents=True, exist_ok=True)

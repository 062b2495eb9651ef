"""Dagster resources: where the pipeline reads and writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from ingestion.settings import Settings, duckdb_config


class WarehouseResource(ConfigurableResource):
    """The working DuckDB file and the folders around it.

    Only the pipeline writes here. Every step that opens it for writing runs in the
    `duckdb_writer` pool (one at a time), because DuckDB allows one writing process.
    """

    warehouse_path: str
    landing: str
    archive: str
    published: str
    registry: str
    gx_root: str  # GX project (suites, results, Data Docs) in <gx_root>/gx

    @classmethod
    def from_settings(cls, s: Settings) -> WarehouseResource:
        return cls(
            warehouse_path=str(s.warehouse),
            landing=str(s.landing),
            archive=str(s.archive),
            published=str(s.published),
            registry=str(s.registry),
            gx_root=str(s.home),
        )

    @contextmanager
    def connect(self):
        Path(self.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.warehouse_path, config=duckdb_config())
        try:
            yield con
        finally:
            con.close()

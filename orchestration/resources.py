"""Dagster resources: where the pipeline reads and writes, and the secrets it needs.

Paths and limits come from `core.settings.Settings` (read once). Secrets come from the
environment through `EnvVar`, so the Dagster UI shows which variable each one is read from
and never its value.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from core.duck import connect_writer
from core.registry import Registry
from core.settings import ALERT_WEBHOOK_VAR, PSEUDONYM_KEY_VAR, Settings


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
    read_workers: int = 1  # processes that read and check agency files
    duckdb_memory_limit: str = "4GB"
    settle_seconds: float = 0.0  # a landed file younger than this waits for the next run

    @classmethod
    def from_settings(cls, s: Settings) -> WarehouseResource:
        return cls(
            warehouse_path=str(s.warehouse),
            landing=str(s.landing),
            archive=str(s.archive),
            published=str(s.published),
            registry=str(s.registry),
            gx_root=str(s.gx_root),
            read_workers=s.read_workers,
            duckdb_memory_limit=s.duckdb_memory_limit,
            settle_seconds=s.settle_seconds,
        )

    @contextmanager
    def connect(self):
        con = connect_writer(Path(self.warehouse_path), self.duckdb_memory_limit)
        try:
            yield con
        finally:
            con.close()


class PseudonymKeyResource(ConfigurableResource):
    """The secret of the keyed hash that replaces NIPs in the marts (KINERJA_PSEUDONYM_KEY),
    here for the rules fingerprint of the warehouse build. dbt's connection plugin reads the
    same variable (orchestration/dbt_plugin.py) and holds it on its connection, never in SQL."""

    key: str

    @classmethod
    def from_env(cls) -> PseudonymKeyResource:
        return cls(key=EnvVar(PSEUDONYM_KEY_VAR))


class AgencyApiResource(ConfigurableResource):
    """Bearer tokens of the agencies that deliver over an API, by agency kode. An agency whose
    token variable is unset has none; its pull fails with a reason, the others go on."""

    tokens: dict[str, str] = {}

    @classmethod
    def from_registry(cls, registry: Registry, settings: Settings) -> AgencyApiResource:
        return cls(
            tokens={
                a.kode: EnvVar(a.api.token_env)
                for a in registry.agencies
                if a.api and a.api.token_env and settings.is_set(a.api.token_env)
            }
        )


class AlertWebhookResource(ConfigurableResource):
    """Where failure alerts are POSTed (KINERJA_ALERT_WEBHOOK); none when unset."""

    url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertWebhookResource:
        if settings.is_set(ALERT_WEBHOOK_VAR):
            return cls(url=EnvVar(ALERT_WEBHOOK_VAR))
        return cls()

"""The dbt project as Dagster assets; dbt tests run as asset checks."""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WarehouseResource

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# the dbt installed beside this Python (works without an activated virtualenv)
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest(project: DbtProject) -> Path:
    """Parse the dbt project when its manifest is missing or older than any of its files."""
    manifest = project.manifest_path
    sources = [
        p
        for d in ("models", "macros", "seeds", "tests")
        for p in (DBT_PROJECT_DIR / d).rglob("*")
        if p.is_file()
    ] + [DBT_PROJECT_DIR / "dbt_project.yml"]
    newest = max(p.stat().st_mtime for p in sources)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        # dbt writes target/manifest.json here (dagster-dbt's own invocations use run folders)
        subprocess.run(
            [DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )  # fmt: skip
    return manifest


class KinerjaTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingestion"
        if "quality" in dbt_resource_props.get("fqn", []):
            return "quality"
        return "warehouse"

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # sources are the ingestion assets raw/<table>
            return AssetKey(["raw", dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["name"]])


class WarehouseBuildConfig(Config):
    full_refresh: bool = False  # rebuild every year of the incremental facts


def build_dbt_assets(project: DbtProject):
    manifest = ensure_manifest(project)

    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=KinerjaTranslator(),
        pool="duckdb_writer",
        name="warehouse_dbt",
    )
    def warehouse_dbt(
        context: AssetExecutionContext,
        config: WarehouseBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        """dbt build: seeds, staging, intermediate and marts, with every dbt test as an
        asset check. Facts rebuild only the years that received data (or every year with
        full_refresh). Writes the working warehouse (one writer at a time)."""
        os.environ["KINERJA_WAREHOUSE"] = warehouse.warehouse_path
        args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
        yield from dbt.cli(args, context=context).stream()

    return warehouse_dbt

"""The dbt resource skips two start-up costs of dagster-dbt (see KinerjaDbtCliResource)."""

import inspect
import subprocess

from dagster_dbt import DbtCliInvocation, DbtCliResource

from orchestration.assets.warehouse import (
    DBT_EXECUTABLE,
    KinerjaDbtCliResource,
    dbt_project,
    dbt_resource,
)


def test_the_overridden_dagster_dbt_internals_still_exist():
    # if dagster-dbt renames them, the overrides would silently stop saving the time
    assert isinstance(
        DbtCliResource.__dict__.get("_cli_version"),
        type(KinerjaDbtCliResource.__dict__["_cli_version"]),
    )
    assert callable(DbtCliResource.__dict__.get("_initialize_dbt_core_adapter"))


def test_the_version_is_the_one_the_dbt_executable_reports():
    resource = dbt_resource(dbt_project())
    out = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True)
    assert f"installed: {resource._cli_version}" in out.stdout
    # dbt Core (a Fusion engine would need the adapter path)
    assert resource._cli_version.major == 1
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_streamed_events_are_made_as_dagster_dbt_makes_them():
    # orchestration.assets.warehouse.streamed reads dbt's lines in a thread and converts them in
    # the step's thread the way DbtCliInvocation.stream() does; if dagster-dbt changes how, this
    # fails instead of the build's events silently differing from dagster-dbt's
    source = inspect.getsource(DbtCliInvocation._stream_asset_events)
    assert "self.stream_raw_events()" in source and "to_default_asset_events(" in source
    for argument in ("manifest", "dagster_dbt_translator", "context", "target_path", "project"):
        assert f"{argument}=self.{argument}" in source

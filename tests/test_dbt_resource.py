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


def _vars(warehouse) -> str:
    import json

    from core import personal_data

    return json.dumps({"warehouse_path": str(warehouse), **personal_data.dbt_vars()})


def test_dbt_runs_in_this_process_and_leaves_the_warehouse_free(tmp_path, pseudonym_key):
    """A build through the resource runs dbt in this process (InProcessDbt), streams its
    events as dagster-dbt reads them from a dbt process, and closes dbt-duckdb's database
    handle: this process then opens the warehouse with another configuration (DuckDB refuses
    that while a handle with other settings is open)."""
    import duckdb

    from orchestration.dbt_in_process import InProcessDbt

    warehouse = tmp_path / "w.duckdb"
    invocation = dbt_resource(dbt_project()).cli(
        ["seed", "--vars", _vars(warehouse), "--select", "ikm_mutu"],
        target_path=tmp_path / "target", raise_on_error=False,
    )  # fmt: skip
    assert isinstance(invocation.process, InProcessDbt)
    names = [e.raw_event["info"]["name"] for e in invocation.stream_raw_events()]
    assert "LogSeedResult" in names
    assert invocation.is_successful() and invocation.process.returncode == 0
    assert (tmp_path / "target" / "dbt.log").stat().st_size > 0  # dbt's full log, as before
    with duckdb.connect(str(warehouse), config={"memory_limit": "1GB"}) as con:
        assert con.execute("SELECT count(*) FROM ref.ikm_mutu").fetchone()[0] > 0


def test_a_failing_in_process_dbt_command_reports_its_error(tmp_path, pseudonym_key):
    """A model that fails (its raw source does not exist in an empty warehouse) ends as a dbt
    process would: not successful, exit code 1, dbt's error among the messages, then the
    warehouse is free again."""
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    invocation = dbt_resource(dbt_project()).cli(
        ["run", "--vars", _vars(warehouse), "--select", "stg_raw__penilaian"],
        target_path=tmp_path / "target", raise_on_error=False,
    )  # fmt: skip
    assert not invocation.is_successful()
    assert invocation.process.returncode == 1
    assert any("penilaian" in m for m in invocation._error_messages), invocation._error_messages
    with duckdb.connect(str(warehouse), config={"memory_limit": "1GB"}) as con:
        con.execute("SELECT 1")


def test_killing_an_in_process_dbt_command_ends_it(tmp_path, pseudonym_key):
    """What a failing step does to a dbt that still runs (warehouse_dbt's `process.kill()`):
    dbt's thread stops (KeyboardInterrupt, dbt's Ctrl-C) and the command reports a failure."""
    from orchestration.dbt_in_process import InProcessDbt

    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "target"),
           "DBT_PROJECT_DIR": str(dbt_project().project_dir)}  # fmt: skip
    process = InProcessDbt(
        ["dbt", "parse", "--vars", _vars(tmp_path / "w.duckdb"), "--no-partial-parse"],
        env, str(dbt_project().project_dir),
    )  # fmt: skip
    process.kill()
    assert process.poll() == 2  # stopped by the interruption (a finished parse exits 0)


def test_killing_in_process_dbt_interrupts_its_running_query(tmp_path, pseudonym_key):
    """A dbt command in the middle of a query that would run for many minutes ends when it is
    killed: its DuckDB query is interrupted, as a killed dbt process's would be."""
    import time

    from orchestration.dbt_in_process import InProcessDbt

    target = tmp_path / "target"
    env = {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target),
           "DBT_PROJECT_DIR": str(dbt_project().project_dir)}  # fmt: skip
    endless = "select sum(hash(range)) as s from range(1000000000000)"
    process = InProcessDbt(
        ["dbt", "show", "--vars", _vars(tmp_path / "w.duckdb"), "--inline", endless],
        env, str(dbt_project().project_dir),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (target / "dbt.log").exists() or endless not in (target / "dbt.log").read_text():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1)  # the query runs
    process.kill()
    assert process.poll() is not None  # ended within kill's wait, not after the query
    assert process.returncode != 0


def test_killing_in_process_dbt_that_nobody_reads_ends_it(tmp_path, pseudonym_key):
    """A step may fail before it streams dbt's events: dbt then writes into a pipe that
    nobody reads and waits once it is full. Killing it still ends it (its output is drained,
    so the interruption reaches it)."""
    import fcntl
    import struct
    import termios
    import time

    from orchestration.dbt_in_process import InProcessDbt

    target = tmp_path / "target"
    env = {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target),
           "DBT_PROJECT_DIR": str(dbt_project().project_dir)}  # fmt: skip
    # one event line per data test (about 170, a few hundred bytes to a kilobyte each)
    process = InProcessDbt(["dbt", "ls", "--vars", _vars(tmp_path / "w.duckdb"),
                            "--resource-type", "test", "--output", "json"],
                           env, str(dbt_project().project_dir))  # fmt: skip

    def unread() -> int:
        raw = fcntl.ioctl(process.stdout.fileno(), termios.FIONREAD, b"\0\0\0\0")
        return struct.unpack("i", raw)[0]

    # dbt waits on the pipe once what it holds stops growing (tens of kilobytes)
    deadline, last = time.monotonic() + 120, -1
    while (now := unread()) < 16_384 or now != last:
        assert process.poll() is None and time.monotonic() < deadline, now
        last = now
        time.sleep(1)
    process.kill()
    assert process.poll() is not None

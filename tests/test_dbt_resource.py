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
from tests.conftest import dbt_test_env, dbt_test_vars


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


def test_dbt_runs_in_this_process_and_leaves_the_warehouse_free(tmp_path, pseudonym_key):
    """A build through the resource runs dbt in this process (InProcessDbt), streams its
    events as dagster-dbt reads them from a dbt process, and closes dbt-duckdb's database
    handle: this process then opens the warehouse with another configuration (DuckDB refuses
    that while a handle with other settings is open)."""
    import duckdb

    from orchestration.dbt_in_process import InProcessDbt

    warehouse = tmp_path / "w.duckdb"
    invocation = dbt_resource(dbt_project()).cli(
        ["seed", "--vars", dbt_test_vars(warehouse), "--select", "ikm_mutu"],
        target_path=tmp_path / "target", raise_on_error=False,
    )  # fmt: skip
    assert isinstance(invocation.process, InProcessDbt)
    names = [e.raw_event["info"]["name"] for e in invocation.stream_raw_events()]
    assert "LogSeedResult" in names
    assert invocation.is_successful() and invocation.process.returncode == 0
    log = (tmp_path / "target" / "dbt.log").read_text()
    assert "LogSeedResult" not in log and "ikm_mutu" in log  # dbt's full log, as text
    assert "\x1b[" not in log  # without terminal colour codes
    with duckdb.connect(str(warehouse), config={"memory_limit": "1GB"}) as con:
        assert con.execute("SELECT count(*) FROM ref.ikm_mutu").fetchone()[0] > 0


def test_a_failing_in_process_dbt_command_reports_its_error(tmp_path, pseudonym_key):
    """A model that fails (its raw source does not exist in an empty warehouse) ends as a dbt
    process would: not successful, exit code 1, dbt's error among the messages, then the
    warehouse is free again."""
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    invocation = dbt_resource(dbt_project()).cli(
        ["run", "--vars", dbt_test_vars(warehouse), "--select", "stg_raw__penilaian"],
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

    env = dbt_test_env(tmp_path / "target")
    process = InProcessDbt(
        ["dbt", "parse", "--vars", dbt_test_vars(tmp_path / "w.duckdb"), "--no-partial-parse"],
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
    env = dbt_test_env(target)
    endless = "select sum(hash(range)) as s from range(1000000000000)"
    process = InProcessDbt(
        ["dbt", "show", "--vars", dbt_test_vars(tmp_path / "w.duckdb"), "--inline", endless],
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
    env = dbt_test_env(target)
    # one event line per data test (about 170, a few hundred bytes to a kilobyte each)
    process = InProcessDbt(["dbt", "ls", "--vars", dbt_test_vars(tmp_path / "w.duckdb"),
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


def test_dbt_lines_mask_secret_variables_as_a_dbt_process_does(tmp_path, pseudonym_key,
                                                               monkeypatch):  # fmt: skip
    """dbt masks the values of DBT_ENV_SECRET_* variables in what it prints; the lines of an
    in-process dbt are masked too (here a warning that repeats the selection it was given)."""
    from orchestration.dbt_in_process import InProcessDbt

    monkeypatch.setenv("DBT_ENV_SECRET_UJI", "rahasiaxyz")
    process = InProcessDbt(["dbt", "ls", "--vars", dbt_test_vars(tmp_path / "w.duckdb"),
                            "--select", "rahasiaxyz"],
                           dbt_test_env(tmp_path / "target"), str(dbt_project().project_dir))  # fmt: skip
    out = process.stdout.read().decode()
    assert process.wait() == 0
    assert "*****" in out and "rahasiaxyz" not in out, out


def test_an_interruption_after_dbt_finished_still_closes_everything(tmp_path, pseudonym_key,
                                                                 monkeypatch):  # fmt: skip
    """kill may come while dbt's command has just ended and its database handle is being
    closed: the interruption only ever reaches the thread running dbt, so the handle is still
    closed, the exit code is dbt's and stdout ends."""
    import threading

    import duckdb

    from orchestration import dbt_in_process

    closing, go_on = threading.Event(), threading.Event()
    real_close = dbt_in_process.close_duckdb_handle

    def slow_close() -> None:
        closing.set()
        go_on.wait(10)
        real_close()

    monkeypatch.setattr(dbt_in_process, "close_duckdb_handle", slow_close)
    warehouse = tmp_path / "w.duckdb"
    process = dbt_in_process.InProcessDbt(
        ["dbt", "seed", "--vars", dbt_test_vars(warehouse), "--select", "ikm_mutu"],
        dbt_test_env(tmp_path / "target"), str(dbt_project().project_dir),
    )  # fmt: skip
    threading.Thread(target=process.stdout.read, daemon=True).start()
    assert closing.wait(120)
    process.send_signal(2)
    go_on.set()
    assert process.wait(30) == 0
    assert process._out.closed
    with duckdb.connect(str(warehouse), config={"memory_limit": "1GB"}) as con:
        assert con.execute("SELECT count(*) FROM ref.ikm_mutu").fetchone()[0] > 0


def test_a_dbt_command_does_not_wait_forever_for_one_that_did_not_stop(tmp_path, monkeypatch):
    """Only one dbt command runs at a time in a process; when the one before it never stops,
    the next ends after a while with a reason instead of waiting silently."""
    from orchestration import dbt_in_process

    monkeypatch.setattr(dbt_in_process, "LOCK_WAIT_SECONDS", 0.2)
    with dbt_in_process._dbt_lock:
        process = dbt_in_process.InProcessDbt(
            ["dbt", "parse"], dbt_test_env(tmp_path / "target"), str(dbt_project().project_dir)
        )
        out = process.stdout.read().decode()
        assert process.wait(10) == 2
    assert "belum berhenti" in out and "`dbt parse`" in out, out


def test_a_dbt_command_stopped_while_waiting_for_its_turn_ends_at_once(tmp_path, monkeypatch):
    """kill on a command still waiting for the one before it ends it without waiting, and
    does not interrupt the queries of the one that runs (they are not its own)."""
    import time

    from orchestration import dbt_in_process

    cancels = []
    monkeypatch.setattr(dbt_in_process, "cancel_queries", lambda: cancels.append(1))
    with dbt_in_process._dbt_lock:
        process = dbt_in_process.InProcessDbt(
            ["dbt", "parse"], dbt_test_env(tmp_path / "target"), str(dbt_project().project_dir)
        )
        started = time.monotonic()
        process.kill()
        assert process.poll() == 2 and time.monotonic() - started < 5
    assert cancels == []
    assert "KeyboardInterrupt" in process.stdout.read().decode()


def test_a_signal_before_dbt_starts_keeps_it_from_starting(tmp_path, pseudonym_key, monkeypatch):
    """Between the start of the thread that runs dbt and dbt's start, a signal cannot reach
    that thread yet; it is kept, and dbt does not start."""
    import threading

    from orchestration import dbt_in_process

    in_thread, go_on = threading.Event(), threading.Event()
    invoke = dbt_in_process.InProcessDbt._invoke

    def late_invoke(self, argv):
        in_thread.set()
        go_on.wait(10)
        invoke(self, argv)

    monkeypatch.setattr(dbt_in_process.InProcessDbt, "_invoke", late_invoke)
    process = dbt_in_process.InProcessDbt(
        ["dbt", "seed", "--vars", dbt_test_vars(tmp_path / "w.duckdb"), "--select", "ikm_mutu"],
        dbt_test_env(tmp_path / "target"), str(dbt_project().project_dir),
    )  # fmt: skip
    assert in_thread.wait(30)
    process.send_signal(2)
    go_on.set()
    assert process.wait(30) == 2
    assert not (tmp_path / "w.duckdb").exists()  # dbt never ran
    import json

    lines = [json.loads(line) for line in process.stdout.read().decode().splitlines()]
    assert [e["info"]["msg"] for e in lines] == ["KeyboardInterrupt: "]  # the reason, no crash


def test_dbt_stops_when_its_reader_stops_early(tmp_path, pseudonym_key):
    """A step that stops reading dbt's events (an exception or an interrupt while waiting on
    it, as in `.wait()`) stops dbt: a dbt nobody reads would hold the warehouse on."""
    from orchestration.dbt_in_process import KILL_WAIT_SECONDS

    endless = "select sum(hash(range)) as s from range(1000000000000)"
    invocation = dbt_resource(dbt_project()).cli(
        ["show", "--vars", dbt_test_vars(tmp_path / "w.duckdb"), "--inline", endless],
        target_path=tmp_path / "target", raise_on_error=False,
    )  # fmt: skip
    events = invocation.stream_raw_events()
    next(events)  # dbt has started
    events.close()  # the reader gives up, as an exception in it would
    assert invocation.process.wait(KILL_WAIT_SECONDS + 5) != 0


def test_dbt_options_follow_the_command_and_make_paths_absolute():
    from orchestration.dbt_in_process import dbt_argv

    env = {"DBT_TARGET_PATH": "target/x", "DBT_LOG_PATH": "/abs/log"}
    build = dbt_argv(["dbt", "build", "--select", "a"], env, "/proj")
    assert build[:3] == ["build", "--select", "a"]
    assert build[build.index("--target-path") + 1] == "/proj/target/x"
    assert build[build.index("--log-path") + 1] == "/abs/log"
    assert build[build.index("--profiles-dir") + 1] == "/proj"
    # `dbt deps` takes no --target-path (it would refuse to run)
    assert "--target-path" not in dbt_argv(["dbt", "deps"], env, "/proj")
    # an option given as --option=value is not given twice
    given = dbt_argv(["dbt", "build", "--target-path=mine"], env, "/proj")
    assert given.count("--target-path") == 0 and "--target-path=mine" in given
    # an option dagster-dbt's environment sets is given once, with its value
    profiles = dbt_argv(["dbt", "build"], {"DBT_PROFILES_DIR": "/p"}, "/proj")
    assert profiles.count("--profiles-dir") == 1
    assert profiles[profiles.index("--profiles-dir") + 1] == "/p"
    assert dbt_argv(["dbt", "docs", "generate"], env, "/proj")[:2] == ["docs", "generate"]
    assert "--target-path" in dbt_argv(["dbt", "docs", "generate"], env, "/proj")

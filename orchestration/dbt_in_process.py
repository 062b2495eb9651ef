"""dbt run inside the orchestrator's process (dbt's programmatic `dbtRunner`, in a thread),
behind the `subprocess.Popen` interface that dagster-dbt reads.

A dbt process costs the same start-up on every build whatever it builds: importing dbt
(about 2 s), reading its partial-parse state, validating the project, and writing each
event as JSON for the parent to parse back. On the hand province's nightly build that was
about half of dbt's time (BENCHMARKS.md, sixth session). In-process, dbt is imported once
per process and its events go through a callback.

Everything else stays as it was: dagster-dbt's `DbtCliInvocation` reads the "process" as it
reads a subprocess: JSON lines of dbt's events at level info and above on `stdout` (the
lines dbt prints with `--log-format json`), an exit code (0 success, 1 failures, 2 dbt could
not run), `poll`, `wait`, `kill`. dbt still writes its full debug log (`dbt.log`) and its
artifacts to the target folder. What differs:

- dbt's flags come from the command line, not the environment: the `DBT_*` variables
  dagster-dbt sets for its subprocess become the matching options (`FLAG_OPTIONS`);
- dbt prints nothing to this process's terminal (`--log-level none`); its events reach
  the step's log through dagster-dbt as before;
- `kill` cannot end a thread: it raises KeyboardInterrupt in dbt's thread, which dbt handles
  as it handles Ctrl-C (it cancels its DuckDB queries and stops), then waits for it;
- at the end dbt-duckdb's database handle is closed, so the warehouse file is free for the
  next step's connections (dbt-duckdb keeps it open in a class attribute otherwise, and
  DuckDB refuses a second handle with another configuration in one process).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster import get_dagster_logger
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

# the environment dagster-dbt sets for its dbt subprocess, as dbt's command-line options
FLAG_OPTIONS = {
    "DBT_TARGET_PATH": "--target-path",
    "DBT_LOG_PATH": "--log-path",
    "DBT_PROFILES_DIR": "--profiles-dir",
    "DBT_PROJECT_DIR": "--project-dir",
    "DBT_INDIRECT_SELECTION": "--indirect-selection",
}
# dbt's events at these levels are what it prints with `--log-format json` (--log-level info)
PRINTED_LEVELS = {"info", "warn", "error"}
_dbt_lock = threading.Lock()  # dbt keeps global state (flags, adapters): one build at a time


def dbt_argv(args: Sequence[str], env: Mapping[str, str], cwd: str) -> list[str]:
    """dbt's arguments for an in-process run of `args` ([executable, command, ...]) under the
    environment dagster-dbt prepared for a subprocess."""
    argv = list(args[1:])
    for var, option in FLAG_OPTIONS.items():
        if env.get(var) and option not in argv:
            argv += [option, env[var]]
    if "--profiles-dir" not in argv:  # a subprocess found profiles.yml in its working folder
        argv += ["--profiles-dir", cwd]
    # nothing on this process's terminal; the full log in dbt.log, as a dbt process writes it
    # (an unset file level would follow --log-level)
    return [*argv, "--log-level", "none", "--log-level-file", "debug",
            "--no-send-anonymous-usage-stats"]  # fmt: skip


class InProcessDbt:
    """A dbt command running in a thread of this process, with the part of subprocess.Popen's
    interface dagster-dbt uses (args, stdout, poll, wait, kill, send_signal, returncode)."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], cwd: str) -> None:
        self.args = list(args)
        self.pid = os.getpid()
        self.returncode: int | None = None
        read, write = os.pipe()
        self.stdout = os.fdopen(read, "rb")
        self._out = os.fdopen(write, "wb")
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, args=(dbt_argv(args, env, cwd),), name="dbt", daemon=True
        )
        self._thread.start()

    def _emit(self, msg) -> None:
        """dbt's callback for each event (from any of its threads): the printed ones as the
        JSON line dbt would print."""
        if msg.info.level not in PRINTED_LEVELS:
            return
        from dbt_common.events.functions import msg_to_json

        self._write(msg_to_json(msg))

    def _write(self, line: str) -> None:
        """One line on dbt's stdout (from any thread). A reader that stopped (dagster-dbt
        closes the pipe on an interrupt) must not turn every later event into an exception
        inside dbt."""
        with self._write_lock, contextlib.suppress(OSError, ValueError):
            self._out.write(line.encode() + b"\n")
            self._out.flush()

    def _run(self, argv: list[str]) -> None:
        code = 2
        try:
            with _dbt_lock:
                from dbt.cli.main import dbtRunner

                try:
                    result = dbtRunner(callbacks=[self._emit]).invoke(argv)
                finally:
                    close_duckdb_handle()
            code = 0 if result.success else 1 if result.exception is None else 2
            if result.exception is not None:
                self._error_line(f"{type(result.exception).__name__}: {result.exception}")
        except BaseException as e:  # noqa: BLE001 (reported as dbt's error, like a crash)
            self._error_line(f"{type(e).__name__}: {e}")
        finally:
            with contextlib.suppress(OSError):
                self._out.close()
            self.returncode = code

    def _error_line(self, text: str) -> None:
        """An error dbt raised instead of logging, as the line a dbt process prints."""
        import json

        line = {"info": {"level": "error", "msg": text, "name": "MainEncounteredError"},
                "data": {}}  # fmt: skip
        self._write(json.dumps(line))

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def send_signal(self, _signal: int) -> None:
        """Ctrl-C for dbt: KeyboardInterrupt raised in its thread, and its running DuckDB
        queries interrupted (the exception reaches dbt's thread only when it runs Python
        again, after the node it waits for; a long query would keep it waiting)."""
        if self._thread.is_alive() and self._thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt)
            )
            cancel_queries()

    def terminate(self) -> None:
        self.send_signal(2)

    def kill(self) -> None:
        """Stop dbt and wait for its thread (30 s at most). dbt's output is read to its end
        meanwhile: with nobody reading it (a step that failed before streaming dbt's events),
        dbt would wait on a full pipe, where the interruption cannot reach it."""
        self.send_signal(2)
        threading.Thread(target=self._discard_output, name="dbt-drain", daemon=True).start()
        self._thread.join(30)

    def _discard_output(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while self.stdout.read(65536):
                pass


def cancel_queries() -> None:
    """Interrupt the DuckDB queries dbt is running (dbt's own cancel, as on Ctrl-C)."""
    with contextlib.suppress(Exception):
        from dbt.adapters.factory import get_adapter_by_type

        get_adapter_by_type("duckdb").cancel_open_connections()


def close_duckdb_handle() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after a build (a class attribute of its
    connection manager), so this process's own connections may open the warehouse again."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        with contextlib.suppress(Exception):
            env.close()
    DuckDBConnectionManager.close_all_connections()


class InProcessDbtCliInvocation(DbtCliInvocation):
    """dagster-dbt's invocation of a dbt command, started in this process (InProcessDbt)."""

    @classmethod
    def run(cls, args, env, manifest, dagster_dbt_translator, project_dir, target_path,
            raise_on_error, context, adapter, cli_version, dbt_project=None):  # fmt: skip
        invocation = cls(
            process=InProcessDbt(args, env, str(project_dir)),
            manifest=manifest,
            project=dbt_project,
            dagster_dbt_translator=dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            context=context,
            adapter=adapter,
            cli_version=cli_version,
        )
        get_dagster_logger().info(f"Running dbt command in-process: `{invocation.dbt_command}`.")
        return invocation


_swap_lock = threading.Lock()


@contextlib.contextmanager
def in_process_invocations() -> Iterator[None]:
    """dagster-dbt's `DbtCliResource.cli` names its invocation class directly (checked against
    dagster-dbt 0.29, the locked version); while it runs, that name is this project's class.
    Should dagster-dbt rename it, dbt runs as a subprocess, as before
    (tests/test_dbt_resource.py checks that builds run in-process)."""
    with _swap_lock:
        original = getattr(dagster_dbt_resource, "DbtCliInvocation", None)
        if original is not DbtCliInvocation:
            yield
            return
        dagster_dbt_resource.DbtCliInvocation = InProcessDbtCliInvocation
        try:
            yield
        finally:
            dagster_dbt_resource.DbtCliInvocation = original

"""dbt run inside the orchestrator's process (dbt's programmatic `dbtRunner`, in a thread),
behind the `subprocess.Popen` interface that dagster-dbt reads.

A dbt process costs the same start-up on every build whatever it builds: importing dbt
(about 2 s), reading its partial-parse state, validating the project, and writing each
event as JSON for the parent to parse back. On the hand province's nightly build that was
about half of dbt's time (BENCHMARKS.md, sixth session). In-process, dbt is imported once
per process and its events go through a callback.

Everything else stays as it was: dagster-dbt's `DbtCliInvocation` reads the "process" as it
reads a subprocess: JSON lines of dbt's events at level info and above on `stdout` (the
lines dbt prints with `--log-format json`, secrets masked as dbt masks them), an exit code
(0 success, 1 failures, 2 dbt could not run), `poll`, `wait`, `kill`. dbt still writes its
full debug log (`dbt.log`, plain text as a dbt run by hand writes it) and its artifacts to
the target folder. What differs:

- dbt's flags come from the command line, not the environment: the `DBT_*` variables
  dagster-dbt sets for its subprocess become the matching options (`FLAG_OPTIONS`), where
  the command takes them, with paths made absolute against the folder a subprocess would
  have run in;
- dbt prints nothing to this process's terminal (`--log-level none`); its events reach
  the step's log through dagster-dbt as before;
- `kill` cannot end a thread: it raises KeyboardInterrupt in the thread that runs dbt,
  which dbt handles as it handles Ctrl-C, interrupts dbt's DuckDB queries until it stops,
  and waits for it (InProcessDbt.kill);
- at the end dbt-duckdb's database handle is closed, so the warehouse file is free for the
  next step's connections (dbt-duckdb keeps it open in a class attribute otherwise, and
  DuckDB refuses a second handle with another configuration in one process).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster import get_dagster_logger
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from orchestration.dbt_parsed import parsed_project

# the environment dagster-dbt sets for its dbt subprocess, as dbt's command-line options
FLAG_OPTIONS = {
    "DBT_TARGET_PATH": "--target-path",
    "DBT_LOG_PATH": "--log-path",
    "DBT_PROFILES_DIR": "--profiles-dir",
    "DBT_PROJECT_DIR": "--project-dir",
    "DBT_INDIRECT_SELECTION": "--indirect-selection",
}
PATH_OPTIONS = {"--target-path", "--log-path", "--profiles-dir", "--project-dir"}
# nothing on this process's terminal; the full log in dbt.log, as a dbt run by hand writes it
# (an unset file level would follow --log-level)
QUIET_OPTIONS = {
    "--log-level": "none",
    "--log-level-file": "debug",
    "--no-use-colors": None,
    "--no-send-anonymous-usage-stats": None,
}
# dbt's events at these levels are what it prints with `--log-format json` (--log-level info)
PRINTED_LEVELS = {"info", "warn", "error"}
KILL_WAIT_SECONDS = 30.0  # how long kill waits for dbt to stop
DRAIN_AFTER_SECONDS = 2.0  # when kill starts reading dbt's output itself
REINTERRUPT_SECONDS = 5.0  # dbt's Ctrl-C handling is given this long before another
LOCK_WAIT_SECONDS = 60.0  # how long a dbt command waits for the one before it to end

_dbt_lock = threading.Lock()  # dbt keeps global state (flags, adapters): one command at a time


class DbtStillRunning(RuntimeError):
    """A dbt command could not start: the one before it in this process did not stop."""


def _command_words(argv: Sequence[str]) -> list[str]:
    """The words naming the dbt command in `argv` (its arguments without the executable):
    `["build"]`, `["docs", "generate"]`."""
    return list(itertools.takewhile(lambda word: not word.startswith("-"), argv))


def _command(argv: Sequence[str]):
    """dbt's click command that `argv` names, or None."""
    from dbt.cli.main import cli

    command = cli
    for word in _command_words(argv):
        if not hasattr(command, "commands"):
            break
        command = command.commands.get(word)
        if command is None:
            return None
    return None if command is cli else command


def _options(command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def dbt_argv(args: Sequence[str], env: Mapping[str, str], cwd: str) -> list[str]:
    """dbt's arguments for an in-process run of `args` ([executable, command, ...]) under the
    environment dagster-dbt prepared for a subprocess started in `cwd`."""
    argv = list(args[1:])
    command = _command(argv)
    accepted = _options(command) if command is not None else set()
    given = {a.split("=", 1)[0] for a in argv if a.startswith("--")}

    def add(option: str, value: str | None = None) -> None:
        if option in accepted and option not in given:
            argv.extend([option] if value is None else [option, value])
            given.add(option)

    for var, option in FLAG_OPTIONS.items():
        if env.get(var):
            value = env[var]
            if option in PATH_OPTIONS:
                value = str(Path(cwd, value))  # unchanged when already absolute
            add(option, value)
    add("--profiles-dir", cwd)  # a subprocess found profiles.yml in its working folder
    for option, value in QUIET_OPTIONS.items():
        add(option, value)
    return argv


class InProcessDbt:
    """A dbt command running in a thread of this process, with the part of subprocess.Popen's
    interface dagster-dbt uses (args, stdout, poll, wait, kill, send_signal, returncode).

    Two threads: `dbt-invoke` runs dbt and is the only one ever interrupted, and only while it
    says it runs dbt (`_invoking`, set by itself); `dbt` waits for the lock and for it, then
    closes dbt-duckdb's handle, sets the exit code and closes stdout, so an interruption
    arriving early or late can never leave those undone."""

    pid = None  # no process of its own: nothing may signal it by pid

    def __init__(self, args: Sequence[str], env: Mapping[str, str], cwd: str) -> None:
        self.args = list(args)
        self._cwd, self._env = cwd, env
        self.returncode: int | None = None
        read, write = os.pipe()
        self.stdout = os.fdopen(read, "rb")
        self._out = os.fdopen(write, "wb")
        self._write_lock = threading.Lock()
        self._signal_lock = threading.Lock()
        self._invoker_id: int | None = None
        self._invoking = False
        self._interrupted = False
        self._interrupted_at = -REINTERRUPT_SECONDS  # when KeyboardInterrupt was last raised
        self._dbt_reported = False  # dbt logged why it could not run (MainEncounteredError)
        self._result = None
        self._crash: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(args, env, cwd), name="dbt", daemon=True
        )
        self._thread.start()

    def _emit(self, msg) -> None:
        """dbt's callback for each event (from any of its threads): the printed ones as the
        JSON line dbt would print."""
        if msg.info.level not in PRINTED_LEVELS:
            return
        from dbt_common.events.functions import msg_to_json

        if msg.info.name == "MainEncounteredError":
            self._dbt_reported = True
        self._write(msg_to_json(msg))

    def _write(self, line: str) -> None:
        """One line on dbt's stdout (from any thread), with the values of DBT_ENV_SECRET_*
        variables masked as dbt masks its printed lines. A reader that stopped (dagster-dbt
        closes the pipe on an interrupt) must not turn every later event into an exception
        inside dbt."""
        from dbt_common.events.functions import env_scrubber

        data = env_scrubber(line).encode() + b"\n"
        with self._write_lock, contextlib.suppress(OSError, ValueError):
            self._out.write(data)
            self._out.flush()

    def _run(self, args: Sequence[str], env: Mapping[str, str], cwd: str) -> None:
        code = 2
        try:
            self._acquire_dbt()
            try:
                invoker = threading.Thread(target=self._invoke, args=(dbt_argv(args, env, cwd),),
                                           name="dbt-invoke", daemon=True)  # fmt: skip
                invoker.start()
                invoker.join()
            finally:
                try:
                    close_duckdb_handle()
                finally:
                    _dbt_lock.release()
            if self._crash is not None:
                raise self._crash
            result = self._result
            if result is None:  # interrupted before dbt started
                raise KeyboardInterrupt
            code = 0 if result.success else 1 if result.exception is None else 2
            if result.exception is not None and not self._dbt_reported:
                # an error before dbt's command ran (a wrong option): dbt logged nothing
                self._error_line(f"{type(result.exception).__name__}: {result.exception}")
        except BaseException as e:  # noqa: BLE001 (reported as dbt's error, like a crash)
            self._error_line(f"{type(e).__name__}: {e}")
        finally:
            self.returncode = code
            with contextlib.suppress(OSError):
                self._out.close()

    def _acquire_dbt(self) -> None:
        """The process's one dbt slot: waited for LOCK_WAIT_SECONDS at most, and not at all
        once this command is stopped."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while not _dbt_lock.acquire(timeout=0.2):
            if self._interrupted:
                raise KeyboardInterrupt
            if time.monotonic() > deadline:
                command = " ".join(_command_words(self.args[1:]))
                raise DbtStillRunning(
                    f"perintah dbt sebelumnya di proses ini belum berhenti setelah "
                    f"{LOCK_WAIT_SECONDS:.0f} detik; `dbt {command}` tidak dimulai"
                )

    def _invoke(self, argv: list[str]) -> None:
        """dbt's command, in the thread that alone may be interrupted (send_signal), and only
        between its start and its end here."""
        try:
            with self._signal_lock:
                if self._interrupted:
                    raise KeyboardInterrupt
                self._invoker_id, self._invoking = threading.get_ident(), True
            try:
                result = self._dbt(argv)
            finally:
                # no lock here: an interruption sent just before lands in this try, and one
                # raised inside a `with lock` block could leave the lock taken
                self._invoking = False
            self._result = result
        except BaseException as e:  # noqa: BLE001 (handed to the thread that reports it)
            self._crash = e

    def _dbt(self, argv: list[str]):
        """dbt's command, with the project parsed by an earlier command of this process
        when nothing it parses has changed since (orchestration/dbt_parsed.py)."""
        from dbt.cli.main import dbtRunner

        def parse(args: list[str], callbacks: list):
            return dbtRunner(callbacks=callbacks).invoke(args)

        manifest, warnings, parsed = parsed_project(
            argv, self._cwd, self._env, _command(argv), _command(["parse"]), parse
        )
        if parsed is not None and not parsed.success and self._interrupted:
            return parsed  # stopped while parsing
        for event in warnings:  # what dbt would say while parsing, as it parses each time
            self._emit(event)
        return dbtRunner(manifest=manifest, callbacks=[self._emit]).invoke(argv)

    def _error_line(self, text: str) -> None:
        """An error dbt did not log itself, as the line a dbt process prints."""
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
        """Ctrl-C for dbt: KeyboardInterrupt raised in the thread that runs it, and its
        running DuckDB queries interrupted (the exception reaches dbt only when it runs
        Python again, after the query it waits for). Raised again when dbt still runs
        REINTERRUPT_SECONDS later: an asynchronous exception can land in code that swallows
        it (a garbage-collection finalizer that happens to run in dbt's thread)."""
        with self._signal_lock:
            self._interrupted = True
            running = self._invoking
            now = time.monotonic()
            if running and now - self._interrupted_at >= REINTERRUPT_SECONDS:
                self._interrupted_at = now
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._invoker_id), ctypes.py_object(KeyboardInterrupt)
                )
        if running:  # another command's queries (this one waiting for the slot) are not ours
            cancel_queries()

    def terminate(self) -> None:
        self.send_signal(2)

    def kill(self) -> None:
        """Stop dbt and wait for it (KILL_WAIT_SECONDS at most), interrupting its queries
        twice a second meanwhile (a statement it starts while it stops is interrupted too).
        Should dbt not have stopped after DRAIN_AFTER_SECONDS, its output is read to its end
        (and lost): with nobody reading it (a step that failed before streaming dbt's
        events), dbt would wait on a full pipe, where nothing reaches it. Before that, a
        reader still gets dbt's last lines."""
        if not self._thread.is_alive():
            return
        log = get_dagster_logger()
        log.info("menghentikan dbt ...")
        started = time.monotonic()
        draining = False
        while self._thread.is_alive() and time.monotonic() < started + KILL_WAIT_SECONDS:
            with contextlib.suppress(Exception):  # kill must wait whatever signalling raised
                self.send_signal(2)
            if not draining and time.monotonic() >= started + DRAIN_AFTER_SECONDS:
                draining = True
                threading.Thread(target=self._discard_output, name="dbt-drain",
                                 daemon=True).start()  # fmt: skip
            self._thread.join(0.5)
        if self._thread.is_alive():
            log.warning(
                f"dbt belum berhenti {KILL_WAIT_SECONDS:.0f} detik setelah dihentikan; "
                "perintah dbt berikutnya di proses ini menunggunya"
            )

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
    """dagster-dbt's invocation of a dbt command, started in this process (InProcessDbt).
    Whoever stops reading dbt's output early (an exception or an interrupt while waiting or
    streaming) stops dbt too: a dbt nobody reads would hold the warehouse on."""

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

    def _stream_stdout(self):
        lines = super()._stream_stdout()
        try:
            for line in lines:  # noqa: UP028 (yield from would hand close() to dagster-dbt)
                yield line
        except BaseException:
            if self.process.poll() is None:
                self.process.kill()
            if self.process.poll() is not None:
                # dbt's last lines, up to the end its stop gave: closing dagster-dbt's reader
                # instead would raise inside it (it catches GeneratorExit with a bare except)
                for _ in lines:
                    pass
            raise


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

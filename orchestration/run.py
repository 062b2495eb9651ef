"""Run the code location's jobs in-process (what the `kinerja` CLI and the tests use)."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import threading
import uuid
from collections.abc import Iterator

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult

from core.paths import CONFIG_DIR
from core.settings import Settings, mark_run
from orchestration.assets.ingestion import AGENCIES_TAG, ingest_run_config
from orchestration.recovery import process_tags

INSTANCE_TEMPLATES = {"sqlite": "dagster.yaml", "postgres": "dagster.postgres.yaml"}


def fast_sqlite() -> None:
    """Make this process's writes to Dagster's SQLite storage cheap. A province-size nightly
    run records thousands of events (dbt's models and tests among them); each was committed
    with fsyncs, about 10 ms an event here: some 40 s of a refresh. Every SQLite connection
    of this process gets `synchronous = OFF`: SQLite still writes every event (an
    application crash, even kill -9, loses nothing), it just does not wait for the disk; an
    operating-system crash or power cut during a run may damage the run history (not the
    warehouse, whose DuckDB file is written by DuckDB). Production deployments that want
    more keep their run history in PostgreSQL (config/dagster.postgres.yaml), which this
    does not touch. Dagster opens its SQLite files through SQLAlchemy, whose connect event
    this hooks."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(fast_sqlite, "installed", False):
        return

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous = OFF").close()

    fast_sqlite.installed = True


def instance_for(settings: Settings) -> DagsterInstance:
    """The Dagster instance in DAGSTER_HOME (default <KINERJA_HOME>/dagster_home), so runs
    started from the command line show up in the UI too. A new DAGSTER_HOME gets
    config/dagster.yaml (SQLite), or config/dagster.postgres.yaml when
    KINERJA_DAGSTER_STORAGE=postgres."""
    home = settings.instance_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        template = CONFIG_DIR / INSTANCE_TEMPLATES[settings.dagster_storage]
        config.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    if settings.dagster_storage == "sqlite":
        fast_sqlite()
    instance = DagsterInstance.from_config(str(home))
    if settings.dagster_storage == "sqlite":
        reuse_event_log_connections(instance)
    return instance


def reuse_event_log_connections(instance: DagsterInstance) -> None:
    """Give this instance's SQLite event log one open connection per database file instead of
    a new engine and connection for every event. Dagster's SQLite event log opens, sets up
    and closes a connection for each write (about 5 ms with the pragma of `fast_sqlite`);
    a run records one event per planned and evaluated asset check, two writes each: over
    1,000 events, 2 to 5 s of a refresh. Writes still go one at a time under the storage's
    own lock, each in its own committed transaction, so what other processes (the UI, the
    daemon) read is unchanged. Only for the instance of a `kinerja` command, a process that
    runs one job and ends: the long-lived UI and daemon keep Dagster's own behaviour."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        SQLITE_BUSY_TIMEOUT_SECONDS,
        SqliteEventLogStorage,
    )
    from sqlalchemy import create_engine

    storage = instance.event_log_storage
    if not isinstance(storage, SqliteEventLogStorage):
        return
    engines: dict = {}

    @contextlib.contextmanager
    def connect(shard: str):
        with storage._db_lock:
            engine = engines.get(shard)
            if engine is None:
                engine = engines[shard] = create_engine(
                    storage.conn_string_for_shard(shard),
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                if shard not in storage._initialized_dbs:
                    storage._initdb(engine)
                    storage._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    # the instance's own storage object only (Dagster 1.13's SqliteEventLogStorage._connect)
    storage._connect = connect

    # Dagster asks whether the asset-check table exists before storing each asset-check event
    # (`supports_asset_checks`), with a new engine and connection each time: about 2 ms for
    # each of a run's several hundred check events. A table that exists stays: a yes is kept.
    has_table = storage.has_table
    tables: set[str] = set()

    def cached_has_table(table_name: str) -> bool:
        if table_name not in tables and has_table(table_name):
            tables.add(table_name)
        return table_name in tables

    storage.has_table = cached_has_table


def import_gates_meanwhile() -> None:
    """Import the GX gates (Great Expectations: about 2 s of imports) in a background thread
    while the run starts and ingests, so that the raw gate does not wait for them. The gate
    steps import the same modules; Python's import lock makes them wait for this import to
    finish, never import twice. An import error here is left to the gate step, which raises
    it where the run reports it."""

    def work() -> None:
        with contextlib.suppress(Exception):
            import expectations.gates  # noqa: F401

    threading.Thread(target=work, name="kinerja-import-gates", daemon=True).start()


def run_job(
    defs: Definitions,
    job_name: str,
    agencies: list[str] | None,
    instance: DagsterInstance,
    full_refresh: bool = False,
    log_level: str = "INFO",
    run_id: str | None = None,
) -> ExecuteInProcessResult:
    """One run over `agencies` (None: every registered agency). The console shows INFO and
    above: each step, each agency's files, dbt's progress."""
    job = defs.resolve_job_def(job_name)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    ops = run_config["ops"] = {}
    if job.graph.has_node_named("ingest_agency_submissions"):
        ops.update(ingest_run_config(agencies)["ops"])
    if full_refresh:
        ops["warehouse_dbt"] = {"config": {"full_refresh": True}}
    tags = {AGENCIES_TAG: ", ".join(agencies)[:200] if agencies else "semua"}
    # the run says which process runs it, and the processes it starts inherit its id: the
    # next run recognises it as dead after a kill (orchestration/recovery.py)
    run_id = run_id or str(uuid.uuid4())
    mark_run(run_id)
    if job.graph.has_node_named("ingest_agency_submissions"):
        import_gates_meanwhile()
    with sigterm_kept():
        return job.execute_in_process(
            instance=instance,
            tags={**tags, **process_tags()},
            run_config=run_config,
            raise_on_error=False,
            run_id=run_id,
        )


@contextlib.contextmanager
def sigterm_kept() -> Iterator[None]:
    """SIGTERM's handler as it was before the run. A run in the main thread ends by setting
    SIGTERM to SIGINT's handler (Dagster's `capture_interrupts`, "for k8s"): in a process
    started with SIGINT ignored (`cmd &` from a script, a CI runner), SIGTERM stays ignored,
    and every process started after that inherits the ignore. Dagster's log capture of the
    next run then cannot end its `tail -F` processes: it waits 30 s for each of the two, and
    they live on after the run. One pair per run, forever (found when `make test` was
    started in the background: 10 min 12 s, against 7 min 54 s with this)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Dagster changes signal handlers only in the main thread
        return
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)

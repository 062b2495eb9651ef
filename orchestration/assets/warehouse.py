"""The dbt project as Dagster assets; dbt tests run as asset checks."""

import hashlib
import importlib.metadata
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MetadataValue,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from filelock import FileLock
from packaging import version

from core import personal_data
from core.paths import DBT_PROJECT_DIR, STANDARD_FILE
from core.registry import load_registry
from expectations.submission_review import Tracer, record_holds, trace_failures
from orchestration.build_selection import (
    changed_units,
    input_fingerprints,
    selection,
    store_fingerprints,
    stored_fingerprints,
    unselected_models,
)
from orchestration.dbt_failures import failed_nodes, failing_rows, root_cause
from orchestration.dbt_in_process import in_process_invocations
from orchestration.recovery import claim_run
from orchestration.resources import PseudonymKeyResource, WarehouseResource
from publication.release import latest_release, published_watermark

# the dbt installed beside this Python (works without an activated virtualenv)
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class KinerjaDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of every `dbt build` (about 4 s of a
    45 s incremental refresh, measured in BENCHMARKS.md):

    - it asks the executable for its version (`dbt --version`, a second dbt start-up); the dbt
      we run is the one installed beside this Python, so the installed package says it;
    - it builds a dbt adapter inside the orchestrator's process (importing dbt, reading the
      profile), used only to fetch row counts and column metadata, which this project does
      not ask for.

    Both are dagster-dbt internals (checked against dagster-dbt 0.29, the locked version);
    should they be renamed, the overrides are simply not called and dbt runs as before
    (tests/test_dbt_resource.py checks the overrides are still in use)."""

    def cli(self, args, **kwargs):
        """dagster-dbt's `cli`, with dbt run in this process (orchestration/dbt_in_process.py)
        instead of a subprocess: dagster-dbt's own invocation class, given a process that is
        a thread of this one."""
        with in_process_invocations():
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (dagster-dbt's signature)
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return KinerjaDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _project_files() -> list[Path]:
    return sorted(
        p
        for d in ("models", "macros", "seeds", "tests")
        for p in (DBT_PROJECT_DIR / d).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ) + [DBT_PROJECT_DIR / "dbt_project.yml"]


def ensure_manifest(project: DbtProject) -> Path:
    """Parse the dbt project when its manifest is missing or older than any of its files.

    Several processes may load the code location at once (webserver and daemon, the test
    processes): each parses into a folder of its own, and the manifest is moved into place
    with one rename, so no process ever reads a half-written manifest."""
    manifest = project.manifest_path
    # the standard too: its free-text columns are the var personal_data, which models ref() by
    newest = max(p.stat().st_mtime for p in [*_project_files(), STANDARD_FILE])

    def fresh() -> bool:
        return manifest.exists() and manifest.stat().st_mtime >= newest

    if fresh():
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # one parse at a time; a process that waited finds the manifest the other one wrote
    with FileLock(manifest.parent / ".parse.lock"):
        if not fresh():
            _parse_into(manifest.parent)
    return manifest


def _parse_into(target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target, prefix=".parse-") as tmp:
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "--no-send-anonymous-usage-stats",
                "parse",
                "--quiet",
                "--vars",
                json.dumps(personal_data.dbt_vars()),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                tmp,
            ],
            check=True,
        )
        # the parse state first: dagster-dbt starts a warehouse's first build from it
        for name in ("partial_parse.msgpack", "manifest.json"):
            if (Path(tmp) / name).exists():
                os.replace(Path(tmp) / name, target / name)


def dbt_target(warehouse: WarehouseResource) -> Path:
    """dbt's target folder of a warehouse (compiled SQL, run results, logs, parse state),
    beside the warehouse and the same for every build of it. dbt reuses its parse state only
    when the profile (which holds the warehouse path) and the vars are unchanged, so the state
    is kept per warehouse: every build after the first parses only what changed (dagster-dbt's
    default, a new folder per invocation, parsed the whole project every time). One folder
    for every build is safe: builds of a warehouse run one at a time (pool duckdb_writer)."""
    return Path(warehouse.warehouse_path).parent / "dbt_target"


CHECK_DESCRIPTIONS = DBT_PROJECT_DIR / "check_descriptions.yml"


@cache
def _check_templates() -> dict[str, str]:
    return yaml.safe_load(CHECK_DESCRIPTIONS.read_text(encoding="utf-8"))


def check_description(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str | None:
    """The one Indonesian sentence of what a dbt test protects: its own meta.description, else
    the template of its kind (check_descriptions.yml) filled with its model and columns."""
    own = (test.get("config") or {}).get("meta", {}).get("description") or test.get("meta", {}).get(
        "description"
    )
    if own:
        return own
    meta = test.get("test_metadata") or {}
    template = _check_templates().get(meta.get("name", ""))
    if template is None:
        return None
    kwargs = meta.get("kwargs", {})
    attached = test.get("attached_node") or ""
    node = manifest.get("nodes", {}).get(attached) or manifest.get("sources", {}).get(attached)
    model = (node or {}).get("alias") or (node or {}).get("name") or attached.split(".")[-1]
    return template.format(
        model=model,
        column=kwargs.get("column_name") or test.get("column_name") or "",
        columns=", ".join(kwargs.get("columns") or kwargs.get("combination_of_columns") or []),
        to=re.sub(r"^(ref|source)\(['\"](.+?)['\"].*\)$", r"\2", str(kwargs.get("to", ""))),
        field=kwargs.get("field", ""),
        ranges="; ".join(
            f"{c} antara {lo} dan {hi}" for c, (lo, hi) in (kwargs.get("ranges") or {}).items()
        ),
        values=", ".join(map(str, kwargs.get("values") or [])),
    )


class KinerjaTranslator(DagsterDbtTranslator):
    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        description = check_description(manifest["nodes"][unique_id], manifest)
        return spec._replace(description=description) if description else spec

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
        # a model's relation name (its alias: fct_temuan is published as marts.temuan)
        return AssetKey([dbt_resource_props.get("alias") or dbt_resource_props["name"]])


def dbt_vars(warehouse: WarehouseResource) -> str:
    """Where dbt builds (the profile reads these vars: dbt_project/profiles.yml). The
    pseudonym key is not a var (vars are written to dbt's artifacts and logs): dbt (run in
    this process) reads the environment, where the PseudonymKeyResource found it; the profile's
    plugin (orchestration/dbt_plugin.py) puts it on the DuckDB connection. The definition of
    personal data in free text (core/personal_data.py, from core/standard.yaml) is the var
    `personal_data` (macros/personal_data.sql)."""
    return json.dumps(
        {
            "warehouse_path": warehouse.warehouse_path,
            "duckdb_memory_limit": warehouse.duckdb_memory_limit,
            **personal_data.dbt_vars(),
        }
    )


class WarehouseBuildConfig(Config):
    full_refresh: bool = False  # rebuild every year of the incremental models


def rules_fingerprint(registry: Path, pseudonym_key: str) -> str:
    """What the incremental models were built with: the dbt project (models, macros, rule
    seeds, tests), the personal-data definition, the registry and the pseudonym key (through a slow key derivation, so the
    stored fingerprint says nothing usable about the key). When it differs from the last
    successful build's, every year is rebuilt: a changed rule never leaves old years stale."""
    h = hashlib.sha256()
    for p in _project_files():
        h.update(str(p.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + p.read_bytes())
    h.update(registry.read_bytes())
    # the definition of personal data in free text (pattern, free-text columns of the standard)
    h.update(json.dumps(personal_data.dbt_vars(), sort_keys=True).encode())
    key = pseudonym_key.encode()
    h.update(hashlib.pbkdf2_hmac("sha256", key, b"kinerja-rules-fingerprint", 100_000))
    return h.hexdigest()


FINGERPRINT_TABLE = "meta.dbt_build"


def last_fingerprint(con) -> str | None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} (fingerprint VARCHAR, built_at TIMESTAMP)"
    )
    row = con.execute(
        f"SELECT fingerprint FROM {FINGERPRINT_TABLE} ORDER BY built_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def hold_traced_failures(
    context: AssetExecutionContext,
    invocation,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    target: Path,
) -> bool:
    """After a failed dbt build: when every failing data test's rows trace to one agency's
    new submission (submission_review.Tracer), hold those submissions and return True (the
    build is run again without them). False when anything else failed: the run fails as
    before and the last good publication stays."""
    tests, errors = failed_nodes(invocation.get_artifact("run_results.json"))
    if errors or not tests:
        return False
    rows = failing_rows(dbt, dbt_project().manifest_path, target, dbt_vars(warehouse),
                        warehouse, tests)  # fmt: skip
    since = published_watermark(latest_release(Path(warehouse.published)))
    region_of = {a.kode: a.kode_wilayah for a in load_registry(Path(warehouse.registry)).agencies}
    with warehouse.connect() as con:
        tracer = Tracer(con, since, region_of)
        holds, untraced = trace_failures(
            tracer, [(uid.split(".")[2], rows.get(uid, [])) for uid in tests]
        )
        if untraced or not holds:
            for line in untraced:
                context.log.error(f"tidak dapat ditelusuri ke satu kiriman baru: {line}")
            return False
        record_holds(con, holds, context.run_id)
    for h in holds:
        context.log.warning(
            f"DITAHAN {h.kode_instansi} {h.dataset} {h.tahun} ({h.file_name}): {h.alasan}"
        )
    return True


def build_failure(invocation, target: Path) -> Failure:
    """A failed dbt build as one line, dbt's root cause first (the model and dbt's message, or
    the connection refused), then where dbt's full log is; the CLI, the run page and the
    failure alert show this line."""
    try:
        run_results = invocation.get_artifact("run_results.json")
    except Exception:  # dbt stopped before writing it (e.g. it could not connect)
        run_results = None
    cause = root_cause(run_results, list(getattr(invocation, "_error_messages", [])))
    log = target / "dbt.log"
    return Failure(
        description=f"{cause} (log lengkap: {log})",
        metadata={"dbt_log": MetadataValue.path(str(log))},
        allow_retries=False,
    )


_DONE = object()


def streamed(invocation, context: AssetExecutionContext | None = None) -> Iterator:
    """dagster-dbt's events of one dbt invocation, as dbt reports them. dbt's output is read in
    a thread: Dagster records each event (a SQLite commit or two, ~10 ms per event on a quiet
    machine, more under load: 1,200 events for 400 nodes) while dbt goes on building, instead
    of all of them after dbt is done (issue 18: 12 to 25 s of the Jawa Barat dbt step), and
    dbt never waits on a full pipe. The thread only reads and parses dbt's lines; they become
    Dagster events here, in the step's thread, as `invocation.stream()` makes them (its
    warnings go to the step's log, not to the terminal). `context`: the step's, when dbt was
    started without it (a selection of our own, see `start_build`)."""
    lines: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            for line in invocation.stream_raw_events():
                lines.put(line)
        except BaseException as e:  # handed to the step's thread
            lines.put(e)
        finally:
            lines.put(_DONE)

    threading.Thread(target=read, name="dbt-events", daemon=True).start()
    while (line := lines.get()) is not _DONE:
        if isinstance(line, BaseException):
            raise line
        yield from line.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context or invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        )


def _event_key(event) -> tuple | None:
    if isinstance(event, Output):
        return ("output", event.output_name)
    if isinstance(event, AssetCheckResult):
        return ("check", event.asset_key, event.check_name)
    return None


def passing_events(events, recorded: set, failing: list) -> Iterator:
    """The events to record as they come: a failing check is kept in `failing` until dbt is
    done (when it traces to one agency's new submission, that submission is held and the
    build's second pass gives the check's result instead); an output or check already recorded
    by the first pass is not recorded again by the second (Dagster takes one per step)."""
    for event in events:
        key = _event_key(event)
        if key is not None and key in recorded:
            continue
        if isinstance(event, AssetCheckResult) and not event.passed:
            failing.append(event)
            continue
        if key is not None:
            recorded.add(key)
        yield event


def rebuild_after_holds(dbt: DbtCliResource, warehouse: WarehouseResource) -> list[str] | None:
    """dbt build again after the submission review held submissions: the nodes whose raw
    inputs changed since the last successful build (the held datasets' chains), or every node
    when no build recorded its inputs. Returns the selection (None: every node)."""
    manifest_path = dbt_project().manifest_path
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with warehouse.connect() as con:
        inputs = input_fingerprints(con, manifest)
        stored = stored_fingerprints(con)
    args = ["build", "--vars", dbt_vars(warehouse), "--exclude-resource-type", "unit_test"]
    chosen = None if stored is None else selection(manifest, changed_units(inputs, stored))
    if chosen == []:
        return chosen
    if chosen:
        args += ["--select", " ".join(chosen)]
    dbt.cli(args, manifest=manifest_path, target_path=dbt_target(warehouse)).wait()
    with warehouse.connect() as con:
        store_fingerprints(con, inputs)
    return chosen


class Build:
    """One dbt build of the warehouse step: what it was started from (the raw inputs'
    fingerprints, orchestration/build_selection.py), the dbt invocation (None when no raw
    input changed since the last successful build: nothing to build or test) and the models it
    leaves as they are."""

    def __init__(self, context, inputs, invocation, unchanged: list[str], manifest, translator):
        self.context, self.inputs, self.invocation = context, inputs, invocation
        self.unchanged, self._manifest, self._translator = unchanged, manifest, translator

    def events(self) -> Iterator:
        """dbt's events, with an output for each model or seed left as it is, so the steps after
        dbt (the review, the gates, the publication) run on it as on a rebuilt one (its
        metadata says it was not rebuilt). Dagster takes a multi-asset's outputs in dependency
        order only: an output waits until the outputs of its parents were given."""
        ctx, manifest, translator = self.context, self._manifest, self._translator
        selected = ctx.selected_asset_keys
        key_of = {uid: translator.get_asset_key(node) for uid, node in manifest["nodes"].items()
                  if node["resource_type"] in ("model", "seed")}  # fmt: skip
        parents = {
            key_of[uid]: {
                key_of[p]
                for p in manifest["nodes"][uid].get("depends_on", {}).get("nodes", [])
                if p in key_of and key_of[p] in selected
            }  # fmt: skip
            for uid in key_of
        }
        waiting = {
            key_of[uid]: Output(
                None,
                output_name=ctx.assets_def.get_output_name_for_asset_key(key_of[uid]),
                metadata={
                    "dibangun_ulang": False,
                    "alasan": "masukan mentahnya tidak berubah sejak build terakhir yang berhasil",
                },
            )
            for uid in self.unchanged
            if uid in key_of and key_of[uid] in selected
        }
        done: set = set()

        def release() -> Iterator[Output]:
            ready = [k for k in waiting if parents[k] <= done]
            while ready:
                for key in ready:
                    done.add(key)
                    yield waiting.pop(key)
                ready = [k for k in waiting if parents[k] <= done]

        yield from release()
        checked: set = set()
        if self.invocation is not None:
            for event in streamed(self.invocation, ctx):
                yield event
                if isinstance(event, Output):
                    done.add(ctx.assets_def.keys_by_output_name[event.output_name])
                    yield from release()
                elif isinstance(event, AssetCheckResult):
                    checked.add(AssetCheckKey(event.asset_key, event.check_name))
        # parents that dbt did not build (a failed build): the rest in dependency order
        while waiting:
            key = next(k for k in waiting if not (parents[k] & waiting.keys()))
            done.add(key)
            yield waiting.pop(key)
        if self.invocation is None or self.invocation.is_successful():
            yield from self._carried_checks(checked)

    def _carried_checks(self, checked: set) -> Iterator[AssetCheckResult]:
        """The tests of the tables left as they are did not run: each check's last recorded
        result is given again, saying so (the publication waits on every dbt check; without a
        result Dagster would let it go on with a warning). A check with no recorded result
        stays without one."""
        ctx = self.context
        unchanged = {self._translator.get_asset_key(self._manifest["nodes"][uid])
                     for uid in self.unchanged}  # fmt: skip
        keys = [k for k in ctx.selected_asset_check_keys
                if k not in checked and k.asset_key in unchanged]  # fmt: skip
        if not keys:
            return
        summaries = ctx.instance.event_log_storage.get_asset_check_summary_records(keys)
        for key in keys:
            summary = summaries.get(key)
            record = summary.last_completed_check_execution_record if summary else None
            entry = record.event if record else None
            evaluation = (
                entry.dagster_event.event_specific_data if entry and entry.dagster_event else None
            )
            if evaluation is None or not hasattr(evaluation, "passed"):
                continue
            yield AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=evaluation.passed,
                severity=evaluation.severity,
                metadata={
                    "dijalankan": False,
                    "alasan": "tabel tidak berubah sejak build terakhir yang berhasil: "
                    "hasil uji terakhirnya berlaku",
                    "hasil_dari_run": record.run_id,
                },
            )


def start_build(context, dbt: DbtCliResource, warehouse: WarehouseResource, args: list[str],
                target: Path, full: bool) -> Build:  # fmt: skip
    """Start `dbt build`: on an incremental build of every asset, only the nodes whose raw
    inputs changed since the last successful build (orchestration/build_selection.py); on a
    full build, the first one, or a subset asked for in the UI, what dagster-dbt selects."""
    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    with warehouse.connect() as con:
        inputs = input_fingerprints(con, manifest)
        stored = None if full or context.is_subset else stored_fingerprints(con)
    if stored is None:
        invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False)
        return Build(context, inputs, invocation, [], manifest, translator)
    changed = changed_units(inputs, stored)
    chosen = selection(manifest, changed)
    unchanged = unselected_models(manifest, chosen)
    context.log.info(
        f"raw inputs changed since the last build: {', '.join(sorted(changed)) or 'none'}; "
        f"{len(unchanged)} models left as they are"
    )
    if not chosen:
        return Build(context, inputs, None, unchanged, manifest, translator)
    # without the context, dagster-dbt adds no selection of its own (its `--select fqn:*`
    # would be a union with ours); the context is given to the events instead (Build.events)
    invocation = dbt.cli(
        [*args, "--select", " ".join(chosen)],
        manifest=manifest,
        dagster_dbt_translator=translator,
        target_path=target,
        raise_on_error=False,
    )
    return Build(context, inputs, invocation, unchanged, manifest, translator)


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
        pseudonym: PseudonymKeyResource,
    ):
        """dbt build: seeds, staging, intermediate and marts, with every dbt test as an
        asset check. Incremental models rebuild only what received data, unless full_refresh
        is asked for or the rules changed since the last successful build (rules_fingerprint).
        Writes the working warehouse (one writer at a time)."""
        claim_run(context)
        fingerprint = rules_fingerprint(Path(warehouse.registry), pseudonym.key)
        with warehouse.connect() as con:
            last = last_fingerprint(con)
        full = config.full_refresh or fingerprint != last
        if full and not config.full_refresh:
            context.log.info(
                "full refresh: first build"
                if last is None
                else "full refresh: the dbt project, the registry or the pseudonym key changed "
                "since the last successful build"
            )
        # dbt's unit tests check the SQL of the rules, not the night's data: they run in
        # `make test` (tests/test_warehouse_hand_computed.py), not in every nightly build
        args = ["build", "--vars", dbt_vars(warehouse), "--exclude-resource-type", "unit_test"]
        args += ["--full-refresh"] if full else []
        target = dbt_target(warehouse)
        build = start_build(context, dbt, warehouse, args, target, full)
        invocation = build.invocation
        recorded: set = set()
        failing: list = []
        try:
            yield from passing_events(build.events(), recorded, failing)
            if invocation is not None and not invocation.is_successful():
                if not hold_traced_failures(context, invocation, dbt, warehouse, target):
                    yield from failing
                    raise build_failure(invocation, target)
                failing.clear()
                # the holds changed what counts: the selection is worked out again
                build = start_build(context, dbt, warehouse, args, target, full)
                invocation = build.invocation
                yield from passing_events(build.events(), recorded, failing)
                if invocation is not None and not invocation.is_successful():
                    yield from failing
                    raise build_failure(invocation, target)
            yield from failing
        except BaseException:
            # the step fails: dbt must not live on holding the warehouse's lock
            if invocation is not None and invocation.process.poll() is None:
                invocation.process.kill()
            raise
        with warehouse.connect() as con:
            con.execute(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (?, now())", [fingerprint])
            # a subset chosen in the UI rebuilt only some models: the next build still compares
            # with the inputs of the last build of every model
            if not context.is_subset:
                store_fingerprints(con, build.inputs)

    return warehouse_dbt

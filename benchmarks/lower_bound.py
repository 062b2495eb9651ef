"""Lower bound: the same transformation as plain DuckDB SQL over the same files, without
orchestration: read and type every landed file (the same readers, in the same pool of reader
processes, and the same row rules), then run the dbt models' compiled SQL straight into
DuckDB. No archive, no load-log transactions, no Dagster, no dbt tests, no GX, no publication.

usage: python -m benchmarks.lower_bound <home> <registry.yaml>
(needs `dbt compile` to have written dbt_project/target/compiled and manifest.json)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from core.duck import connect_writer
from core.paths import DBT_PROJECT_DIR
from core.registry import load_registry
from core.settings import Settings, pseudonym_key
from core.sql import ident
from core.standard import DATASETS, load_standard
from ingestion.landing import files_for, submission_time
from ingestion.load import PreparedFile, check_prepared
from ingestion.readers import UnreadableFile
from ingestion.registry_table import write_registry
from ingestion.schema import ensure_raw_schema
from orchestration.dbt_plugin import put_key


def _checked(todo, workers: int):
    """(prepared, checked) in order, checked by `workers` processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        yield from zip(todo, pool.map(check_prepared, todo, chunksize=4), strict=True)


def load_files(con, registry, landing: Path, workers: int) -> int:
    """Read and check every file (in the pipeline's pool of worker processes) and insert its
    valid rows."""
    standard = load_standard()
    ensure_raw_schema(con, standard)
    todo = [
        PreparedFile(
            f.path,
            f.relative_name,
            agency,
            ds,
            f"{agency.kode}/{f.relative_name}",
            f.path.stat().st_size,
            submission_time(f.path, agency, ds),
        )
        for agency in registry.agencies
        for ds in DATASETS
        for f in files_for(landing, agency, ds)
    ]
    n = 0
    for p, checked in _checked(todo, workers):
        if isinstance(checked, UnreadableFile):
            continue
        spec = standard.datasets[p.dataset]
        con.register("valid", checked.valid)
        cols = ", ".join(ident(c) for c in spec.column_names)
        con.execute(
            f"INSERT INTO raw.{p.dataset} (file_sha256, kode_instansi, baris, {cols}) "
            f"SELECT '{p.sha256}', '{p.agency.kode}', baris, {cols} FROM valid"
        )
        con.unregister("valid")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute(
            "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, '', 0, ?, ?, 'loaded', 0, 0, 0, NULL, NULL)",
            [p.sha256, p.agency.kode, p.dataset, p.file_name, p.submitted_at, now],
        )
        n += 1
    return n


def run_models(con) -> int:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] in ("model", "seed")}
    done, order = set(), []

    def visit(k):
        if k in done or k not in nodes:
            return
        for d in nodes[k]["depends_on"].get("nodes", []):
            visit(d)
        done.add(k)
        order.append(k)

    for k in nodes:
        visit(k)
    for k in order:
        node = nodes[k]
        schema, name = node["schema"], node["alias"]
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        if node["resource_type"] == "seed":
            path = DBT_PROJECT_DIR / node["original_file_path"]
            con.execute(
                f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM read_csv('{path}', all_varchar=true)"
            )
            types = node["config"].get("column_types", {})
            for col, t in types.items():
                con.execute(f"ALTER TABLE {schema}.{name} ALTER {col} TYPE {t}")
            continue
        sql = (
            DBT_PROJECT_DIR / "target" / "compiled" / "kinerja" / node["original_file_path"]
        ).read_text()
        con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS {sql}")
    return len(order)


def main(home: str, registry_path: str) -> None:
    home_p = Path(home)
    db = home_p / "lower_bound.duckdb"
    db.unlink(missing_ok=True)
    registry = load_registry(registry_path)
    settings = Settings.from_env()
    con = connect_writer(db, settings.duckdb_memory_limit)
    put_key(con, pseudonym_key())  # the compiled SQL reads it as dbt's connection has it
    t0 = time.perf_counter()
    write_registry(con, registry)
    files = load_files(con, registry, home_p / "landing", settings.read_workers)
    t1 = time.perf_counter()
    models = run_models(con)
    t2 = time.perf_counter()
    con.close()
    print(
        json.dumps(
            {
                "files": files,
                "models": models,
                "load_s": round(t1 - t0, 1),
                "transform_s": round(t2 - t1, 1),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])

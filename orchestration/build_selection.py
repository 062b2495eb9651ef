"""Which dbt nodes an incremental build has to run: those whose raw inputs changed since the
last successful build (issue 18: one agency resending one dataset rebuilt and tested all 316
nodes).

The warehouse's inputs are the dbt project, the seeds, the registry and the pseudonym key
(`rules_fingerprint`: any change and every node is rebuilt in full) and the raw tables. The raw
tables are followed per *unit*: each submission dataset (its table's columns and row count,
its load-log lines, its holds in raw.penahanan) and each other raw source (raw.instansi,
raw.predikat_organisasi). The raw tables are only appended to, one file per transaction with
its load-log line, so these see every change of their content. A unit's fingerprint is computed from the warehouse before the build and stored after it
succeeds (`meta.dbt_inputs`), so a build that failed leaves its units changed for the next one.

A node depends on the units of its ancestors, with one exception: an incremental model reads
the load log, the holds and the file-years of every dataset only for its own datasets (macros
load_watermark, changed_years_filter, changed_nip_years, latest_submission and
remove_withheld_pairs: what changed since its own last build, and which file is the latest
submission), so those edges bring no unit of their own; that model's own incremental run would rebuild nothing for a change outside its
datasets. A model that is not incremental and reads the load log or the holds (a view, the
data-quality mart) depends on every dataset. Seeds are covered by rules_fingerprint.

A node none of whose units changed is left as it is, with its tests: its table is exactly what
its last build wrote, and its tests checked that build. The nodes that run are the changed
sources and every model that depends on them; dbt's eager indirect selection runs every test
that touches one of them (also a relationship test into a table that did not change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from core.sql import ident

INPUTS_TABLE = "meta.dbt_inputs"
LOAD_LOG, HOLDS = "source.kinerja.raw.load_log", "source.kinerja.raw.penahanan"
# relations with rows of every dataset, each row naming its dataset: the load log and the
# holds (sources and staging views) and the file-years of every submission (which the
# submission rule reads for its own dataset)
EVERY_DATASET = {
    LOAD_LOG,
    HOLDS,
    "model.kinerja.stg_raw__load_log",
    "model.kinerja.stg_raw__penahanan",
    "model.kinerja.stg_raw__file_years",
}


def datasets_of(manifest: Mapping[str, Any]) -> list[str]:
    """The submission datasets: the raw sources marked `meta.dataset` in _sources.yml."""
    return sorted(
        s["name"]
        for s in manifest["sources"].values()
        if s.get("source_name") == "raw" and (s.get("meta") or {}).get("dataset")
    )


def other_raw_sources(manifest: Mapping[str, Any]) -> list[str]:
    """Raw sources that are neither a dataset nor the load log and holds (raw.instansi, ...)."""
    datasets = set(datasets_of(manifest))
    return sorted(
        s["name"]
        for uid, s in manifest["sources"].items()
        if s.get("source_name") == "raw"
        and s["name"] not in datasets
        and uid not in (LOAD_LOG, HOLDS)
    )


def _exists(con, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'raw' AND table_name = ?",
            [table],
        ).fetchone()[0]
    )


def _columns(con, table: str) -> list[tuple]:
    """A raw table's columns and types: a changed table (a column renamed, retyped) is a
    changed input, whose models run again (and fail, if they no longer fit it)."""
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()


def input_fingerprints(con, manifest: Mapping[str, Any]) -> dict[str, str]:
    """One fingerprint per unit, from the warehouse as it is now (a few small queries: the load
    log and the holds are one line per file, the raw tables' row counts are metadata)."""
    out: dict[str, str] = {}
    has_log, has_holds = _exists(con, "load_log"), _exists(con, "penahanan")
    # the load log's and the holds' columns belong to every dataset
    shared = (_columns(con, "load_log"), _columns(con, "penahanan"))
    for d in datasets_of(manifest):
        parts = [
            shared,
            _columns(con, d),
            con.execute(f"SELECT count(*) FROM raw.{ident(d)}").fetchone()
            if _exists(con, d)
            else None,
            con.execute(
                "SELECT count(*), sum(hash(l)) FROM raw.load_log AS l WHERE dataset = ?", [d]
            ).fetchone()
            if has_log
            else None,
            con.execute(
                "SELECT count(*), sum(hash(h)) FROM raw.penahanan AS h WHERE dataset = ?", [d]
            ).fetchone()
            if has_holds
            else None,
        ]
        out[d] = hashlib.sha256(repr(parts).encode()).hexdigest()
    for name in other_raw_sources(manifest):
        row = (
            con.execute(f"SELECT count(*), sum(hash(t)) FROM raw.{ident(name)} AS t").fetchone()
            if _exists(con, name)
            else None
        )
        out[name] = hashlib.sha256(repr((_columns(con, name), row)).encode()).hexdigest()
    return out


def stored_fingerprints(con) -> dict[str, str] | None:
    """The units' fingerprints of the last successful build; None before the first one that
    recorded them (then everything runs)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE TABLE IF NOT EXISTS {INPUTS_TABLE} (unit VARCHAR, fingerprint VARCHAR)")
    rows = con.execute(f"SELECT unit, fingerprint FROM {INPUTS_TABLE}").fetchall()
    return dict(rows) if rows else None


def store_fingerprints(con, fingerprints: Mapping[str, str]) -> None:
    """After a successful build: what it was built from."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE TABLE IF NOT EXISTS {INPUTS_TABLE} (unit VARCHAR, fingerprint VARCHAR)")
    con.execute("BEGIN")
    con.execute(f"DELETE FROM {INPUTS_TABLE}")
    con.executemany(f"INSERT INTO {INPUTS_TABLE} VALUES (?, ?)", list(fingerprints.items()))
    con.execute("COMMIT")


def changed_units(now: Mapping[str, str], stored: Mapping[str, str]) -> set[str]:
    return {unit for unit, fp in now.items() if stored.get(unit) != fp}


def node_units(manifest: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """The units each source and model depends on (see the module's docstring)."""
    datasets = datasets_of(manifest)
    every = frozenset(datasets)
    units: dict[str, frozenset[str]] = {}
    for uid, s in manifest["sources"].items():
        if s.get("source_name") != "raw":
            units[uid] = frozenset()
        elif uid in (LOAD_LOG, HOLDS):
            units[uid] = every
        else:
            units[uid] = frozenset({s["name"]})
    nodes = manifest["nodes"]

    def of(uid: str) -> frozenset[str]:
        if uid in units:
            return units[uid]
        node = nodes.get(uid)
        if node is None or node["resource_type"] != "model":
            units[uid] = frozenset()  # seeds: rules_fingerprint
            return units[uid]
        incremental = node["config"].get("materialized") == "incremental"
        acc: set[str] = set()
        for parent in node["depends_on"]["nodes"]:
            if incremental and parent in EVERY_DATASET:
                continue  # what changed since its last build, for its own datasets
            acc |= of(parent)
        units[uid] = frozenset(acc)
        return units[uid]

    for uid in nodes:
        of(uid)
    return units


def selection(manifest: Mapping[str, Any], changed: Iterable[str]) -> list[str]:
    """dbt --select arguments: the raw sources and models whose units changed (their tests
    come with them), in manifest order. Empty when nothing changed."""
    changed = set(changed)
    units = node_units(manifest)
    out = []
    for uid, s in manifest["sources"].items():
        if units[uid] & changed:
            out.append(f"source:{s['source_name']}.{s['name']}")
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and units[uid] & changed:
            out.append(node["name"])
    return out


def unselected_models(manifest: Mapping[str, Any], selected: Iterable[str]) -> list[str]:
    """The unique ids of the models and seeds a selection leaves as they are (seeds are never
    selected: a changed seed is a changed rules_fingerprint, a full build)."""
    chosen = set(selected)
    return [
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and node["name"] not in chosen
    ]

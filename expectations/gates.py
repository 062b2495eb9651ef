"""The two gates: what ingestion loaded in a run, and the marts before publication.

Both read from DuckDB into pandas (per dataset, per table) and validate with GX.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe  # noqa: E402,I001
import pandas as pd

from core.personal_data import nip_like_params, nip_like_sql
from core.sql import lit
from core.standard import Standard
from expectations.frames import read_frame
from expectations.mart_suites import (
    PERSONAL_COLUMNS,
    indikator_expectations,
    with_derived_columns,
)
from expectations.raw_suites import (
    expected_types,
    profile_sql,
    raw_files_expectations,
    raw_profile_expectations,
    raw_schema_expectations,
)
from expectations.runner import GateContext, SuiteOutcome

INDIKATOR = {"indikator_wilayah": "kode_wilayah", "indikator_instansi": "kode_instansi"}


def raw_gate(
    con: duckdb.DuckDBPyConnection, run_id: str, standard: Standard, cfg: dict, gx: GateContext
) -> dict[str, SuiteOutcome]:
    """Validate the files and rows loaded in run `run_id`. Returns outcomes by name:
    'files', and per dataset that received rows, '<dataset>' (the per-agency profile of the
    rows) and '<dataset>_schema' (columns and types of the raw table)."""
    files = read_frame(
        con,
        """SELECT kode_instansi || ': ' || file_name AS label, kode_instansi, dataset, rows_loaded,
                  CASE WHEN rows_read > 0 THEN rows_rejected / rows_read ELSE 0 END AS rejected_share
           FROM raw.load_log WHERE run_id = ? AND status = 'loaded'""",
        [run_id],
    )
    outcomes = {}
    if not files.empty:
        outcomes["files"] = gx.run(
            "raw_files", files, raw_files_expectations(cfg), label_column="label"
        )
    for name, dataset in standard.datasets.items():
        if name not in set(files["dataset"]):
            continue
        rows_sql = (
            f"SELECT r.* FROM raw.{name} r JOIN raw.load_log l USING (file_sha256, kode_instansi) "
            f"WHERE l.run_id = {lit(run_id)} AND l.dataset = {lit(name)}"
        )
        profile = read_frame(con, profile_sql(standard, dataset, rows_sql))
        if profile.empty:
            continue
        outcomes[name] = gx.run(
            f"raw_{name}",
            profile,
            raw_profile_expectations(standard, dataset, cfg),
            label_column="kode_instansi",
        )
        schema = read_frame(
            con,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
            [name],
        )
        types = expected_types(dataset)
        schema["expected_type"] = [
            types.get(c, t) for c, t in zip(schema["column_name"], schema["data_type"], strict=True)
        ]
        missing = sorted(set(types) - set(schema["column_name"]))
        for c in missing:  # a missing column is a row with no type at all
            schema.loc[len(schema)] = {
                "column_name": c,
                "data_type": "(tidak ada)",
                "expected_type": types[c],
            }
        outcomes[f"{name}_schema"] = gx.run(
            f"raw_{name}_schema",
            schema,
            raw_schema_expectations(dataset, cfg),
            label_column="column_name",
        )
    return outcomes


def _previous(published_db: Path | None, table: str) -> pd.DataFrame | None:
    if published_db is None or not published_db.exists():
        return None
    with duckdb.connect(str(published_db), read_only=True) as prev:
        try:
            return read_frame(prev, f"SELECT * FROM marts.{table}")
        except duckdb.CatalogException:
            return None


def marts_gate(
    con: duckdb.DuckDBPyConnection, published_db: Path | None, cfg: dict, gx: GateContext
) -> dict[str, SuiteOutcome]:
    """Validate the published indicators, and every mart's columns for personal data (the
    suite of personal_data_gate, its counts made meanwhile)."""
    cols, text = _mart_columns(con)
    # the NIP-like values are counted by DuckDB on a cursor of its own while GX validates the
    # indicators (Python): on Jawa Barat's incremental the two took 2.2 and 1.7 s one after
    # the other in the submission review
    # (the cursor is closed after the pool has waited for the count, also when GX raises)
    with con.cursor() as cur, ThreadPoolExecutor(1, thread_name_prefix="nilai-mirip-nip") as pool:
        counting = pool.submit(_nip_like_counts, cur, text, gx.root / NIP_COUNTS)
        bands = read_frame(con, "SELECT * FROM ref.ikm_mutu")
        outcomes = {}
        for table, key in INDIKATOR.items():
            df = read_frame(con, f"SELECT * FROM marts.{table}")
            derived = with_derived_columns(df, bands, _previous(published_db, table), key)
            outcomes[table] = gx.run(table, derived, indikator_expectations(cfg), label_column=key)
        counts = counting.result()
    outcomes["tanpa_data_pribadi"] = _personal_data_outcome(cols, counts, cfg, gx)
    return outcomes


# per mart: the fingerprint of its text columns and how many values of each look like an NIP
# (what the last gate counted; a mart whose text did not change is not counted again)
NIP_COUNTS = "nilai_mirip_nip.json"


def _nip_like_counts(con, text: dict[str, list[str]], memo: Path) -> dict[str, dict[str, int]]:
    """Per mart and text column, the values holding an NIP-like run of digits that are no
    hex digest. Counted again only for a mart whose text columns changed since the last
    count with the same pattern (`memo`: fingerprint = row count and a sum of row hashes of
    the text columns, as publication/release.py fingerprints a table)."""
    params = nip_like_params()
    pattern = [params["nip"], params["hex"]]
    try:
        before = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    if before.get("pattern") != pattern:
        before = {}
    out, record = {}, {"pattern": pattern, "tables": {}}
    for table, columns in text.items():
        quoted = [f'"{c}"' for c in columns]
        n, total = con.execute(
            f"SELECT count(*), coalesce(sum(hash({', '.join(quoted)})::HUGEINT), 0) "
            f'FROM marts."{table}"'
        ).fetchone()
        fingerprint = f"{n}:{total}:{columns}"
        known = before.get("tables", {}).get(table, {})
        if known.get("fingerprint") == fingerprint:
            counts = known["counts"]
        else:
            found = con.execute(
                "SELECT "
                + ", ".join(f"count_if({nip_like_sql(q)})" for q in quoted)
                + f' FROM marts."{table}"',
                params,
            ).fetchone()
            counts = dict(zip(columns, found, strict=True))
        out[table] = counts
        record["tables"][table] = {"fingerprint": fingerprint, "counts": counts}
    tmp = memo.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    tmp.replace(memo)
    return out


def personal_data_gate(con: duckdb.DuckDBPyConnection, cfg: dict, gx: GateContext) -> SuiteOutcome:
    """One row per (mart table, column): is it a personal-data column, and how many of its
    values hold an NIP, also inside free text (the pattern the warehouse masks with,
    core/personal_data.py). Counted in DuckDB, validated with GX. Names in free text are
    searched in every published file before the release is switched (publication/scan.py)."""
    cols, text = _mart_columns(con)
    counts = _nip_like_counts(con, text, gx.root / NIP_COUNTS)
    return _personal_data_outcome(cols, counts, cfg, gx)


def _mart_columns(con) -> tuple[list[tuple], dict[str, list[str]]]:
    """Every (table, column, type) of the marts, and the text columns of each table."""
    cols = con.execute(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position"""
    ).fetchall()
    text: dict[str, list[str]] = {}
    for table, column, dtype in cols:
        if dtype == "VARCHAR":
            text.setdefault(table, []).append(column)
    return cols, text


def _personal_data_outcome(
    cols: list[tuple], counts: dict, cfg: dict, gx: GateContext
) -> SuiteOutcome:
    rows = [
        {
            "label": f"{table}.{column}",
            "kolom_pribadi": bool(PERSONAL_COLUMNS.match(column)),
            "nilai_mirip_nip": counts.get(table, {}).get(column, 0),
        }
        for table, column, _ in cols
    ]
    sev = {"rule": "no_personal_data", "severity": cfg["marts"]["severity"]["no_personal_data"]}
    return gx.run(
        "tanpa_data_pribadi",
        pd.DataFrame(rows),
        [
            gxe.ExpectColumnValuesToBeInSet(column="kolom_pribadi", value_set=[False], meta=sev),
            gxe.ExpectColumnValuesToBeBetween(column="nilai_mirip_nip", max_value=0, meta=sev),
        ],
        label_column="label",
    )

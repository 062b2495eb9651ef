"""Suites for raw batches: what ingestion loaded in one run, per agency and dataset.

The rows are counted in DuckDB (one pass per dataset, grouped by agency), and GX validates the
resulting batch profile: one row per agency with, per column and rule, how many rows break it.
So the gate costs the same for 30,000 or 4 million employees, and a failure names the agency.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from core.sql import SQL_TYPES, ident, lit
from core.standard import Dataset, Standard


def _meta(rule: str, severity: dict, column: str | None = None) -> dict:
    return {"rule": rule, "severity": severity[rule], "column": column}


def profile_checks(standard: Standard, dataset: Dataset) -> list[tuple[str, str, str, str]]:
    """(profile column, rule, source column, SQL counting rows that break it)."""
    out = []
    for col in dataset.columns:
        c = ident(col.name)
        if col.required:
            out.append(
                (
                    f"{col.name}__kosong",
                    "required_columns",
                    col.name,
                    f"count(*) FILTER (WHERE {c} IS NULL)",
                )
            )
        if col.type == "code" and col.values:
            allowed = ", ".join(lit(v) for v in col.values)
            out.append(
                (
                    f"{col.name}__kode",
                    "allowed_codes",
                    col.name,
                    f"count(*) FILTER (WHERE {c} NOT IN ({allowed}))",
                )
            )
        if col.type == "golongan":
            allowed = ", ".join(lit(g) for v in standard.golongan.values() for g in v)
            out.append(
                (
                    f"{col.name}__kode",
                    "allowed_codes",
                    col.name,
                    f"count(*) FILTER (WHERE {c} NOT IN ({allowed}))",
                )
            )
        if col.type == "nip":
            out.append(
                (
                    f"{col.name}__format",
                    "nip_format",
                    col.name,
                    f"count(*) FILTER (WHERE NOT regexp_full_match({c}, '[0-9]{{18}}'))",
                )
            )
        bounds = []
        if col.min is not None:
            bounds.append(f"{c} < {col.min}")
        if col.min_exclusive is not None:
            bounds.append(f"{c} <= {col.min_exclusive}")
        if col.max is not None:
            bounds.append(f"{c} > {col.max}")
        if bounds:
            out.append(
                (
                    f"{col.name}__rentang",
                    "value_range",
                    col.name,
                    f"count(*) FILTER (WHERE {' OR '.join(bounds)})",
                )
            )
    return out


def profile_sql(standard: Standard, dataset: Dataset, rows_sql: str) -> str:
    counts = ", ".join(
        f"{sql} AS {ident(name)}" for name, _, _, sql in profile_checks(standard, dataset)
    )
    return f"SELECT kode_instansi, count(*) AS baris, {counts} FROM ({rows_sql}) GROUP BY kode_instansi ORDER BY 1"


def raw_profile_expectations(standard: Standard, dataset: Dataset, cfg: dict) -> list:
    sev = cfg["raw"]["severity"]
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=name, min_value=0, max_value=0, meta=_meta(rule, sev, column)
        )
        for name, rule, column, _ in profile_checks(standard, dataset)
    ]


def raw_schema_expectations(dataset: Dataset, cfg: dict) -> list:
    """On information_schema of raw.<dataset>: every standard column exists with its type."""
    sev = cfg["raw"]["severity"]
    out = [
        gxe.ExpectColumnValuesToBeInSet(
            column="column_name",
            value_set=[c.name for c in dataset.columns] + ["file_sha256", "kode_instansi", "baris"],
            meta=_meta("required_columns", sev),
        )
    ]
    # one row per column of the table: its type must be the standard's
    out.append(
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="data_type",
            column_B="expected_type",
            ignore_row_if="either_value_is_missing",
            meta=_meta("types", sev),
        )
    )
    return out


def expected_types(dataset: Dataset) -> dict[str, str]:
    return {c.name: SQL_TYPES[c.type] for c in dataset.columns}


def raw_files_expectations(cfg: dict) -> list:
    """One row per file received in this run (label: agency and file): a non-empty batch, and
    a rejected share under the threshold (a warning that names the agency to call)."""
    sev = cfg["raw"]["severity"]
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="rows_loaded", min_value=1, meta=_meta("non_empty", sev)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rejected_share",
            min_value=0,
            max_value=cfg["raw"]["rejected_share_max"],
            meta=_meta("rejected_share", sev),
        ),
    ]

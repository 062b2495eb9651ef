"""Suites for raw batches: what ingestion loaded in one run, per dataset and per file."""

from __future__ import annotations

import great_expectations.expectations as gxe

from ingestion.standard import Standard

# Frames come from expectations.frames.read_frame: text and dates as Python objects (GX then
# checks each value's type), numbers as NumPy dtypes (float64 when a column holds NULLs).
DTYPES = {
    "nip": ["str"],
    "text": ["str"],
    "code": ["str"],
    "golongan": ["str"],
    "integer": ["int64", "int32", "float64"],
    "number": ["float64"],
    "date": ["date"],
}


def _meta(rule: str, severity: dict) -> dict:
    return {"rule": rule, "severity": severity[rule]}


def raw_rows_expectations(standard: Standard, dataset: str, cfg: dict) -> list:
    """Rows of one dataset loaded in this run (label: kode_instansi)."""
    sev = cfg["raw"]["severity"]
    out = []
    for col in standard.datasets[dataset].columns:
        out.append(gxe.ExpectColumnToExist(column=col.name, meta=_meta("required_columns", sev)))
        out.append(
            gxe.ExpectColumnValuesToBeInTypeList(
                column=col.name, type_list=DTYPES[col.type], meta=_meta("types", sev)
            )
        )
        if col.required:
            out.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=col.name, meta=_meta("required_columns", sev)
                )
            )
        if col.type == "code" and col.values:
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=col.name, value_set=list(col.values), meta=_meta("allowed_codes", sev)
                )
            )
        if col.type == "golongan":
            allowed = [g for v in standard.golongan.values() for g in v]
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=col.name, value_set=allowed, meta=_meta("allowed_codes", sev)
                )
            )
        if col.type == "nip":
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=col.name, regex=r"^\d{18}$", meta=_meta("nip_format", sev)
                )
            )
        if col.type in ("integer", "number") and (col.min is not None or col.max is not None):
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=col.name,
                    min_value=col.min if col.min is not None else col.min_exclusive,
                    max_value=col.max,
                    strict_min=col.min_exclusive is not None,
                    meta=_meta("allowed_codes", sev),
                )
            )
    return out


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

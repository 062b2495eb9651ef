"""Cells that are safe to open in a spreadsheet, and no personal data in what is published."""

from __future__ import annotations

from core.personal_data import Detector

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell starting with = + - @ (or tab/CR) would run as a formula in Excel or
    LibreOffice: prefix it with an apostrophe so it is shown as text. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_sql(column: str) -> str:
    """The same rule in DuckDB SQL, for files written with COPY."""
    return (
        f"CASE WHEN regexp_matches({column}, '^[=+\\-@\\t\\r]') THEN '''' || {column} "
        f"ELSE {column} END"
    )


def _mask(text: str) -> str:
    return text[:4] + "*" * max(len(text) - 6, 0) + text[-2:] if len(text) > 6 else "***"


def mask_personal(column: str | None, value, detector: Detector | None = None):
    """What an agency sent in an NIP or name column is shown masked in published findings
    (the agency finds the row by file and row number); anywhere else every NIP and every
    name of `detector` (the agency's roster names) is replaced by [NIP] / [NAMA], as in the
    warehouse (core/personal_data.py)."""
    if value is None:
        return value
    text = str(value)
    if column == "nama":
        return text[:1] + "***" if text else text
    if column in {"nip", "nip_penilai"}:
        return _mask(text)
    return (detector or Detector()).mask(text)

"""What every reader returns, and how a cell that is not text is written out as text."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field

import pyarrow as pa

ROW_COLUMN = "__baris"


class UnreadableFile(Exception):
    """The whole file cannot be read; the message is the reason, in plain Indonesian."""


@dataclass
class BrokenRow:
    """A row the reader could not split into cells (wrong column count, not an object)."""

    baris: int | None
    text: str
    reason: str


@dataclass
class RawFile:
    headers: list[str]  # the agency's own header names, in file order
    table: pa.Table  # one string column per header (named by position) + ROW_COLUMN
    broken_rows: list[BrokenRow] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.table.num_rows + len(self.broken_rows)


def cell_to_text(value: object) -> str:
    """Write a typed cell (from Excel or JSON) as text without changing what it says.

    An integral number small enough to be exact is written without '.0' (2024.0 -> "2024");
    any other float keeps Python's shortest exact form (1.98609262015051e+17), so an NIP that
    a spreadsheet turned into a number stays visibly a number and is rejected downstream.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table_from_rows(headers: list[str], rows: list[list[str]], row_numbers: list[int]) -> pa.Table:
    columns = {f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(len(headers))}
    columns[ROW_COLUMN] = pa.array(row_numbers, pa.int64())
    return pa.table(columns)


def check_headers(headers: list[str]) -> list[str]:
    cleaned = [h.replace("\ufeff", "").strip() for h in headers]
    if not any(cleaned):
        raise UnreadableFile("baris judul kolom (header) kosong")
    return cleaned

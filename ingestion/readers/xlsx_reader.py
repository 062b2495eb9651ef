"""XLSX reader (python-calamine): a named sheet, a header row below title rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError, CalamineWorkbook

from core.limits import Limits, load_limits
from core.registry import FileFormat
from ingestion.readers.base import (
    ROW_COLUMN,
    BrokenRow,
    RawFile,
    UnreadableFile,
    cell_to_text,
    check_headers,
    table_from_rows,
)
from ingestion.readers.xlsx_formulas import formulas_without_value


def _check_unpacked_size(path: Path, limit: int) -> None:
    """An XLSX is a zip: refuse one that unpacks to more than `limit` bytes, before reading."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as e:
        raise UnreadableFile(f"workbook Excel rusak atau bukan file XLSX: {e}") from e
    if unpacked > limit:
        raise UnreadableFile(
            f"workbook Excel terurai menjadi {unpacked / 2**20:.0f} MB, melebihi batas "
            f"{limit / 2**20:.0f} MB (config/limits.yaml: uncompressed_bytes)"
        )


def read_xlsx(path: Path, fmt: FileFormat, limits: Limits | None = None) -> RawFile:
    _check_unpacked_size(path, (limits or load_limits()).uncompressed_bytes)
    raw = _read_xlsx(path, fmt)
    missing = [m for m in formulas_without_value(path, fmt.sheet) if m.row > fmt.header_row]
    if not missing:
        return raw
    # a formula the file holds no value for: the row is rejected, not loaded as 0 or empty
    rows = raw.table.column(ROW_COLUMN).to_pylist()
    bad = {m.row: m for m in missing if m.row in set(rows)}
    keep = pc.invert(pc.is_in(raw.table.column(ROW_COLUMN), pa.array(sorted(bad), pa.int64())))
    broken = [
        BrokenRow(
            m.row,
            f"{m.ref}: ={m.formula}",
            f"sel {m.ref} berisi rumus (={m.formula}) tanpa nilai tersimpan: buka file di "
            "Excel, simpan ulang, lalu kirim lagi",
        )
        for m in bad.values()
    ]
    return RawFile(raw.headers, raw.table.filter(keep), [*raw.broken_rows, *broken])


def _read_xlsx(path: Path, fmt: FileFormat) -> RawFile:
    try:
        wb = CalamineWorkbook.from_path(str(path))
        if isinstance(fmt.sheet, int):
            sheet = wb.get_sheet_by_index(fmt.sheet)
        else:
            if fmt.sheet not in wb.sheet_names:
                raise UnreadableFile(
                    f"sheet {fmt.sheet!r} tidak ada; sheet dalam file: {wb.sheet_names}"
                )
            sheet = wb.get_sheet_by_name(fmt.sheet)
        cells = sheet.to_python(skip_empty_area=False)
    except UnreadableFile:
        raise
    except (CalamineError, Exception) as e:  # calamine raises several types for corrupt files
        raise UnreadableFile(f"workbook Excel rusak atau bukan file XLSX: {e}") from e
    if len(cells) < fmt.header_row:
        raise UnreadableFile(
            f"sheet hanya berisi {len(cells)} baris; header di baris {fmt.header_row}"
        )
    headers = check_headers([cell_to_text(c) for c in cells[fmt.header_row - 1]])
    width = len(headers)
    data = cells[fmt.header_row :]
    if any(len(r) < width for r in data):
        return RawFile(headers, _table_row_by_row(headers, data, fmt.header_row))
    # column by column: a column of text (most of them) is taken as it is; only a column that
    # holds numbers or dates goes through cell_to_text
    columns = (
        [
            list(col) if all(type(v) is str for v in col) else [cell_to_text(v) for v in col]
            for col in list(zip(*data, strict=False))[:width]
        ]
        if data
        else [[] for _ in headers]
    )
    table = pa.table(
        {f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}
        | {
            ROW_COLUMN: pa.array(
                range(fmt.header_row + 1, fmt.header_row + 1 + len(data)), pa.int64()
            )
        }
    )
    if width and len(data):
        # an empty row in the sheet is not a row of data
        empty = None
        for i in range(width):
            blank = pc.equal(pc.utf8_trim_whitespace(table.column(f"c{i}")), "")
            empty = blank if empty is None else pc.and_(empty, blank)
        table = table.filter(pc.invert(empty))
    return RawFile(headers, table)


def _table_row_by_row(headers: list[str], data: list[list], header_row: int) -> pa.Table:
    width = len(headers)
    rows, numbers = [], []
    for excel_row, raw in enumerate(data, start=header_row + 1):
        texts = [cell_to_text(c) for c in raw[:width]]
        if not any(t.strip() for t in texts):
            continue  # an empty row in the sheet is not a row of data
        texts += [""] * (width - len(texts))
        rows.append(texts)
        numbers.append(excel_row)
    return table_from_rows(headers, rows, numbers)

"""XLSX reader (python-calamine): a named sheet, a header row below title rows."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from ingestion.readers.base import (
    RawFile,
    UnreadableFile,
    cell_to_text,
    check_headers,
    table_from_rows,
)
from ingestion.registry import FileFormat


def read_xlsx(path: Path, fmt: FileFormat) -> RawFile:
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
    rows, numbers = [], []
    for excel_row, raw in enumerate(cells[fmt.header_row :], start=fmt.header_row + 1):
        texts = [cell_to_text(c) for c in raw[:width]]
        if not any(t.strip() for t in texts):
            continue  # an empty row in the sheet is not a row of data
        texts += [""] * (width - len(texts))
        rows.append(texts)
        numbers.append(excel_row)
    return RawFile(headers, table_from_rows(headers, rows, numbers))

"""Readers: turn one agency file (CSV, XLSX, JSON) into a table of text cells.

Every reader returns a `RawFile`: the agency's own headers, every cell as text exactly as the
file holds it (numbers a spreadsheet stored as numbers are written out as such, never
"repaired"), and each row's number as the agency sees it in the file. A file that cannot be
read at all raises `UnreadableFile`, whose message is the quarantine reason.
"""

from __future__ import annotations

from pathlib import Path

from core.limits import Limits, load_limits
from core.registry import FileFormat
from ingestion.readers.base import RawFile, UnreadableFile
from ingestion.readers.csv_reader import read_csv
from ingestion.readers.json_reader import read_json
from ingestion.readers.xlsx_reader import read_xlsx

READERS = {".csv": read_csv, ".txt": read_csv, ".xlsx": read_xlsx, ".json": read_json}


def read_file(path: Path, fmt: FileFormat, limits: Limits | None = None) -> RawFile:
    """`limits` (config/limits.yaml) bound what reading may unpack."""
    limits = limits or load_limits()
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(
            f"jenis file {path.suffix!r} tidak didukung (gunakan .csv, .xlsx atau .json)"
        )
    return reader(path, fmt, limits)


__all__ = ["RawFile", "UnreadableFile", "read_file", "READERS"]

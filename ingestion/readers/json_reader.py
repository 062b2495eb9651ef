"""JSON reader: an array of objects, or {"data": [...]}."""

from __future__ import annotations

import json
from pathlib import Path

from core.limits import Limits
from core.registry import FileFormat
from ingestion.readers.base import BrokenRow, RawFile, UnreadableFile, cell_to_text, table_from_rows


def read_json(path: Path, fmt: FileFormat, limits: Limits | None = None) -> RawFile:  # noqa: ARG001 (size is checked before reading)
    try:
        doc = json.loads(path.read_bytes().decode(fmt.encoding))
    except RecursionError as e:
        raise UnreadableFile(
            "JSON bersarang terlalu dalam (ribuan lapis array/objek): bukan array objek "
            "sesuai standar"
        ) from e
    except UnicodeDecodeError as e:
        raise UnreadableFile(f"file tidak dapat dibaca sebagai {fmt.encoding}: {e}") from e
    except json.JSONDecodeError as e:
        raise UnreadableFile(f"JSON tidak valid: {e}") from e
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if not isinstance(doc, list):
        raise UnreadableFile('JSON harus berupa array objek atau {"data": [...]}')
    headers: dict[str, None] = {}
    for item in doc:
        if isinstance(item, dict):
            headers.update(dict.fromkeys(item))
    names = list(headers)
    rows, numbers, broken = [], [], []
    for i, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            broken.append(BrokenRow(i, cell_to_text(item), "elemen JSON ini bukan objek"))
            continue
        rows.append([cell_to_text(item.get(h)) for h in names])
        numbers.append(i)
    return RawFile(names, table_from_rows(names, rows, numbers), broken)

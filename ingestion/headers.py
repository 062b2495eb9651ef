"""Map an agency's own headers to the standard's column names."""

from __future__ import annotations

from core.registry import FileFormat
from core.standard import Dataset
from ingestion.readers.base import UnreadableFile


def _key(text: str) -> str:
    return " ".join(text.strip().lower().split())


def map_headers(headers: list[str], dataset: Dataset, fmt: FileFormat) -> dict[str, int]:
    """Return {standard column: position in file}. Extra columns are ignored.

    Raises UnreadableFile when a required column is missing or a column appears twice:
    such a file is quarantined whole.
    """
    aliases = {_key(k): v for k, v in fmt.header_aliases.items()}
    standard = {_key(c): c for c in dataset.column_names}
    mapping: dict[str, int] = {}
    for pos, header in enumerate(headers):
        target = aliases.get(_key(header)) or standard.get(_key(header))
        if target is None or target not in standard.values():
            continue
        if target in mapping:
            raise UnreadableFile(
                f"kolom {target!r} muncul dua kali (header {headers[mapping[target]]!r} "
                f"dan {header!r})"
            )
        mapping[target] = pos
    missing = [c for c in dataset.columns_required_in_file if c not in mapping]
    if missing:
        raise UnreadableFile(
            f"kolom wajib tidak ada: {', '.join(missing)} (header dalam file: "
            f"{', '.join(repr(h) for h in headers)})"
        )
    return mapping

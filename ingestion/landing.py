"""The landing area: <landing>/<kode_instansi>/<dataset>/<file>, and submission times."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from core.domain import WIB
from core.registry import Agency


@dataclass(frozen=True)
class LandedFile:
    path: Path
    kode_instansi: str
    dataset: str
    relative_name: str  # path inside the landing area


def files_for(landing: Path, agency: Agency, dataset: str) -> list[LandedFile]:
    """Every file an agency dropped for a dataset (hidden files, e.g. partial uploads, aside).
    A file of an unknown type is still a submission: the loader quarantines it with its reason."""
    folder = landing / agency.kode / dataset
    if not folder.is_dir():
        return []
    return [
        LandedFile(p, agency.kode, dataset, str(p.relative_to(landing)))
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]


def submission_time(path: Path, agency: Agency, dataset: str) -> dt.datetime:
    """UTC submission time (naive): the timestamp in the name if the registry says so
    (read as Asia/Jakarta time), else the file's modification time."""
    ts = agency.file_format(dataset).filename_timestamp
    if ts:
        m = re.search(ts["regex"], path.name)
        if m:
            local = dt.datetime.strptime(m.group(1), ts["format"]).replace(tzinfo=WIB)
            return local.astimezone(dt.UTC).replace(tzinfo=None)
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)

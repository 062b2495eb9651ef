"""The landing area: <landing>/<kode_instansi>/<dataset>/<file>, and submission times.

Paths are resolved: a file or folder that points (by a symlink) outside the landing area is
refused and reported, never read. Hidden files, subfolders, files modified less than
`settle_seconds` ago (a copy still in progress: picked up by the next run), folders of
unregistered agencies and of unknown datasets are not ingested either, and each is reported
(`Ignored`) so the summary and `kinerja status` can list them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
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


@dataclass(frozen=True)
class Ignored:
    kode_instansi: str
    path: str  # inside the landing area
    reason: str  # in Indonesian


OUTSIDE = "menunjuk ke luar area landing (symlink): ditolak, tidak dibaca"


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, resolved (symlinks followed), lies inside `root` resolved."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def agency_folder(landing: Path, kode: str) -> Path | None:
    """The agency's folder when it is a real folder inside the landing area."""
    folder = landing / kode
    if not folder.is_dir() or folder.resolve() != landing.resolve() / kode:
        return None
    return folder


def files_for(
    landing: Path,
    agency: Agency,
    dataset: str,
    ignored: list[Ignored] | None = None,
    settle_seconds: float = 0.0,
    settled: Iterable[Path] = (),
) -> list[LandedFile]:
    """Every file an agency dropped for a dataset; what is not taken goes to `ignored`.
    A file of an unknown type is still a submission: the loader quarantines it with its reason."""
    ignored = ignored if ignored is not None else []
    settled = set(settled)  # written whole by this run (API pulls): no need to wait
    folder = landing / agency.kode / dataset
    rel = f"{agency.kode}/{dataset}"
    if not folder.is_dir():
        return []
    own = landing.resolve() / agency.kode
    if folder.resolve() != own / dataset:
        if agency_folder(landing, agency.kode) is not None:  # the agency folder is reported once
            ignored.append(Ignored(agency.kode, rel, OUTSIDE))
        return []
    now = time.time()
    out = []
    for p in sorted(folder.iterdir()):
        name = f"{rel}/{p.name}"
        if p.is_symlink() and not inside(p, own):
            ignored.append(Ignored(agency.kode, name, OUTSIDE))
        elif p.name.startswith("."):
            ignored.append(Ignored(agency.kode, name, "file tersembunyi: diabaikan"))
        elif p.is_dir():
            ignored.append(
                Ignored(
                    agency.kode,
                    name,
                    "subfolder: diabaikan (taruh file langsung di folder dataset)",
                )
            )
        elif not p.is_file():
            ignored.append(Ignored(agency.kode, name, "bukan file biasa: diabaikan"))
        elif now - p.stat().st_mtime < settle_seconds and p not in settled:
            ignored.append(
                Ignored(
                    agency.kode,
                    name,
                    f"baru diubah (kurang dari {settle_seconds:g} detik): mungkin masih disalin; "
                    "diproses pada run berikutnya",
                )
            )
        else:
            out.append(LandedFile(p, agency.kode, dataset, str(p.relative_to(landing))))
    return out


def wait_until_settled(
    landing: Path, agencies: Iterable[Agency], datasets: Iterable[str], settle_seconds: float
) -> float:
    """Sleep until the newest landed file of `agencies` is `settle_seconds` old (at most
    that long): a file copied in just before the run is read, not left for the next run.
    Returns the seconds waited."""
    if settle_seconds <= 0:
        return 0.0
    newest = 0.0
    for agency in agencies:
        for dataset in datasets:
            folder = landing / agency.kode / dataset
            if not folder.is_dir():
                continue
            for p in folder.iterdir():
                try:
                    newest = max(newest, p.stat().st_mtime)
                except OSError:
                    continue
    wait = min(settle_seconds, newest + settle_seconds - time.time())
    if wait > 0:
        time.sleep(wait)
    return max(wait, 0.0)


def stray_folders(
    landing: Path, registered: Iterable[str], datasets: Iterable[str], agencies: Iterable[str]
) -> list[Ignored]:
    """Folders nobody reads: unregistered agencies (at the top) and unknown datasets (in the
    folders of `agencies`), and files lying at either level."""
    out: list[Ignored] = []
    registered, datasets = set(registered), set(datasets)
    if not landing.is_dir():
        return out
    for p in sorted(landing.iterdir()):
        if p.name not in registered:
            what = (
                "folder instansi yang tidak terdaftar"
                if p.is_dir()
                else "file di luar folder instansi"
            )
            out.append(Ignored("", p.name, f"{what}: diabaikan"))
    for kode in agencies:
        folder = agency_folder(landing, kode)
        if (landing / kode).exists() and folder is None:
            out.append(Ignored(kode, kode, OUTSIDE))
            continue
        if folder is None:
            continue
        for p in sorted(folder.iterdir()):
            if p.name not in datasets:
                what = (
                    "folder dataset yang tidak dikenal"
                    if p.is_dir()
                    else "file di luar folder dataset"
                )
                out.append(Ignored(kode, f"{kode}/{p.name}", f"{what}: diabaikan"))
    return out


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

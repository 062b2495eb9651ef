"""Content-addressed archive of every original file, stored unchanged.

A file is stored at <archive>/<sha256[:2]>/<sha256><suffix>. Writing is atomic (temporary
file, fsync, rename), so a killed run never leaves a half-written original, and storing the
same bytes again is a no-op.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.hashing import sha256_file, sha256_of


def archive_bytes(archive_root: Path, data: bytes, suffix: str) -> tuple[str, Path]:
    digest = sha256_of(data)
    target = archive_root / digest[:2] / f"{digest}{suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        target.chmod(0o440)
    return digest, target


def archive_file(
    archive_root: Path, path: Path, suffix: str, durable: bool = True
) -> tuple[str, Path, int]:
    """Archive a landed file without holding it in memory: (sha256, archived path, size).
    The file is hashed first: bytes archived before (every file of every later run) are
    not copied again. With `durable=False` the copy is not fsynced: the caller syncs before
    it records the file as loaded (ingestion syncs once per batch: a national run lands
    tens of thousands of files)."""
    import hashlib

    digest = sha256_file(path)
    target = archive_root / digest[:2] / f"{digest}{suffix.lower()}"
    if target.exists():
        return digest, target, path.stat().st_size
    archive_root.mkdir(parents=True, exist_ok=True)
    tmp = archive_root / f".incoming.{os.getpid()}.tmp"
    h, size = hashlib.sha256(), 0
    with path.open("rb") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            h.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        if durable:
            os.fsync(dst.fileno())
    if h.hexdigest() != digest:  # changed between the two reads: archive what was copied
        digest = h.hexdigest()
        target = archive_root / digest[:2] / f"{digest}{suffix.lower()}"
    if target.exists():
        tmp.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        target.chmod(0o440)
    return digest, target, size

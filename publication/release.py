"""Write one publication beside the last one, then switch `latest` to it atomically.

<published>/runs/<stamp>_<run>/  kinerja.duckdb (the analysts' read-only marts), indicator
                                 files, manifest.json
<published>/latest -> runs/<stamp>_<run>   (a symlink, replaced with one rename)

Nothing published is ever written in place: an analyst with the previous kinerja.duckdb open
keeps reading it, a reader of `latest` sees either the whole old or the whole new release,
and a failed or blocked run leaves `latest` byte-for-byte as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from core.duck import connect_reader, connect_writer
from core.hashing import sha256_file

ANALYST_DB = "kinerja.duckdb"  # the analysts' read-only marts (schema `marts`)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_release(working_db: Path, folder: Path, memory_limit: str) -> dict:
    """Copy the marts into folder/kinerja.duckdb (what analysts query), without their internal
    columns; returns the row count of each table."""
    folder.mkdir(parents=True)
    con = connect_writer(folder / ANALYST_DB, memory_limit)
    try:
        con.execute(f"ATTACH '{working_db}' AS kerja (READ_ONLY)")
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'kerja' "
                "AND table_schema = 'marts' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        con.execute("CREATE SCHEMA marts")
        counts = {}
        for t in tables:
            con.execute(
                f"CREATE TABLE marts.{t} AS SELECT {_published_columns(con, t)} FROM kerja.marts.{t}"
            )
            counts[t] = con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0]
        con.execute("DETACH kerja")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def _published_columns(con, table: str) -> str:
    """Every column of a working mart but the internal ones (`_dimuat_sampai`: a name starting
    with `_`, the incremental watermark), which analysts never see."""
    cols = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'kerja' "
        "AND table_schema = 'marts' AND table_name = ? AND NOT starts_with(column_name, '_') "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return ", ".join('"' + c + '"' for (c,) in cols)


def publish(
    working_db: Path,
    published: Path,
    run_id: str,
    *,
    memory_limit: str,
    keep: int = 7,
    extra=None,
    check=None,
) -> Path:
    """Build a release next to the current one and switch `latest` to it. `extra(folder,
    stamp)` adds the files people read (publication.files) before the switch; `check(folder)`
    then looks at the whole release (publication.scan: no personal data in any file) and
    raises to stop it: the release is removed and `latest` stays as it was. Returns the
    release folder. The manifest records the load watermark of the data published
    (`dimuat_sampai`: what arrived after it is new to the next run's submission review)."""
    runs = published / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{stamp}_{run_id[:8]}"
    partial = runs / f".{name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    counts = build_release(working_db, partial, memory_limit)
    if extra is not None:
        extra(partial, stamp)
    manifest = {
        "run_id": run_id,
        "published_at": stamp,
        "dimuat_sampai": load_watermark(working_db),
        "tables": counts,
        "files": {
            str(p.relative_to(partial)): sha256_file(p)
            for p in sorted(partial.rglob("*"))
            if p.is_file()
        },
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if check is not None:
        try:
            check(partial)
        except Exception:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    for p in partial.rglob("*"):
        if p.is_file():
            p.chmod(0o444)
    _fsync_dir(partial)
    final = runs / name
    os.replace(partial, final)
    link_tmp = published / f".latest.{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(Path("runs") / name)
    os.replace(link_tmp, published / "latest")  # the one atomic switch
    _fsync_dir(published)
    prune(published, keep)
    return final


def load_watermark(working_db: Path) -> str | None:
    """The latest load, hold or acceptance in the working warehouse (ISO, UTC)."""
    with connect_reader(working_db) as con:
        (value,) = con.execute(
            "SELECT greatest((SELECT max(loaded_at) FROM raw.load_log), "
            "(SELECT max(greatest(ditahan_pada, diterima_pada)) FROM raw.penahanan))"
        ).fetchone()
    return value.isoformat() if value else None


def published_watermark(release: Path | None) -> dt.datetime | None:
    """What the release `release` was built from: everything loaded up to this time (UTC).
    None when nothing was published yet."""
    if release is None:
        return None
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("dimuat_sampai"):
        return dt.datetime.fromisoformat(manifest["dimuat_sampai"])
    # a release of an earlier version: everything it holds was loaded before it was published
    return dt.datetime.strptime(manifest["published_at"], "%Y%m%dT%H%M%SZ")


def latest_release(published: Path) -> Path | None:
    link = published / "latest"
    return link.resolve() if link.is_symlink() else None


def prune(published: Path, keep: int) -> None:
    """Keep the newest `keep` releases (never the one `latest` points to). An analyst who
    still has a pruned kinerja.duckdb open keeps reading it until they close it."""
    current = latest_release(published)
    releases = sorted(
        p for p in (published / "runs").iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    for old in releases[:-keep]:
        if old.resolve() != current:
            # read-only files are removed as they are (no chmod: a later release may share
            # a file with this one through a hard link, and must keep it read-only)
            shutil.rmtree(old)

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

import duckdb

from core.duck import connect_reader, connect_writer
from core.hashing import sha256_file, sha256_of
from core.sql import lit

ANALYST_DB = "kinerja.duckdb"  # the analysts' read-only marts (schema `marts`)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# A release's analysts' file is rebuilt whole when more than REBUILD_SHARE of its rows
# changed, or when more than FREE_SHARE of it is free space (tables replaced before: the file
# stays within about 1.4 times its size), else it is a copy of the previous release's file in
# which only the changed tables are replaced.
REBUILD_SHARE = 0.5
FREE_SHARE = 0.3


def build_release(
    working_db: Path, folder: Path, memory_limit: str, previous: Path | None = None
) -> tuple[dict, dict]:
    """Copy the marts into folder/kinerja.duckdb (what analysts query), without their internal
    columns; returns the row count and the fingerprint (`fingerprints`) of each table.

    With the previous release (`previous`), a table whose fingerprint did not change is not
    copied again: its file is copied whole and only the changed tables are replaced in it
    (unless most rows changed, or the file holds much free space)."""
    folder.mkdir(parents=True)
    target = folder / ANALYST_DB
    with connect_reader(working_db) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        columns = _published_columns(con, tables)
        prints = fingerprints(con, "marts", columns)
    before = _previous_tables(previous)
    changed = [
        t for t in tables if before.get(t, {}).get("fingerprint") != prints[t]["fingerprint"]
    ]
    rows = sum(p["rows"] for p in prints.values())
    changed_rows = sum(prints[t]["rows"] for t in changed)
    reuse = (
        bool(before)
        and changed_rows <= REBUILD_SHARE * rows
        and _mostly_used(previous / ANALYST_DB)
    )
    if reuse:
        shutil.copyfile(previous / ANALYST_DB, target)
        target.chmod(0o640)
    con = connect_writer(target, memory_limit)
    try:
        con.execute(f"ATTACH {lit(str(working_db))} AS kerja (READ_ONLY)")
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        if reuse:
            for t in sorted(set(before) - set(tables)) + changed:
                con.execute(f'DROP TABLE IF EXISTS marts."{t}"')
        for t in changed if reuse else tables:
            con.execute(f'CREATE TABLE marts."{t}" AS SELECT {columns[t]} FROM kerja.marts."{t}"')
        con.execute("DETACH kerja")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {t: prints[t]["rows"] for t in tables}, {t: prints[t]["fingerprint"] for t in tables}


def fingerprints(con, schema: str, columns: dict[str, str]) -> dict[str, dict]:
    """Per table: its row count and a fingerprint of its content as published (the columns
    `columns[table]`, their names, types and order, and every row: a sum of row hashes,
    whatever the order of the rows)."""
    out = {}
    for table, cols in columns.items():
        n, total = con.execute(
            f'SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) FROM {schema}."{table}"'
        ).fetchone()
        types = con.execute(f'DESCRIBE SELECT {cols} FROM {schema}."{table}"').fetchall()
        shape = sha256_of(repr([(c[0], c[1]) for c in types]).encode("utf-8"))[:16]
        # hex (a digest): a run of decimal digits in a published file would look like an NIP
        whole = f"{n}:{total}:{shape}:{duckdb.__version__}"
        out[table] = {"rows": n, "fingerprint": sha256_of(whole.encode("utf-8"))}
    return out


def _previous_tables(previous: Path | None) -> dict[str, dict]:
    """The previous release's tables with their fingerprints ({} when it has none)."""
    if previous is None or not (previous / ANALYST_DB).exists():
        return {}
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    return {t: {"fingerprint": f} for t, f in (manifest.get("fingerprints") or {}).items()}


def _mostly_used(db: Path) -> bool:
    """False when the file holds more free blocks than FREE_SHARE of its blocks."""
    with duckdb.connect(str(db), read_only=True) as con:
        total, free = con.execute(
            "SELECT total_blocks, free_blocks FROM pragma_database_size()"
        ).fetchone()
    return free <= FREE_SHARE * max(total, 1)


def _published_columns(con, tables: list[str]) -> dict[str, str]:
    """Per working mart, its columns but the internal ones (`_dimuat_sampai`: a name starting
    with `_`, the incremental watermark), which analysts never see, as SQL."""
    cols: dict[str, list[str]] = {t: [] for t in tables}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND NOT starts_with(column_name, '_') "
        "ORDER BY table_name, ordinal_position"
    ).fetchall():
        if table in cols:
            cols[table].append('"' + column + '"')
    return {t: ", ".join(c) for t, c in cols.items()}


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
    previous = latest_release(published)
    counts, prints = build_release(working_db, partial, memory_limit, previous)
    _TABLES[partial] = prints
    try:
        if extra is not None:
            extra(partial, stamp)
    finally:
        _TABLES.pop(partial, None)
    manifest = {
        "run_id": run_id,
        "published_at": stamp,
        "dimuat_sampai": load_watermark(working_db),
        "tables": counts,
        "fingerprints": prints,
        "files": _file_digests(partial, previous),
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


# the fingerprints of the tables of a release being built (publish), for its files
_TABLES: dict[Path, dict[str, str]] = {}


def table_fingerprints(folder: Path) -> dict[str, str]:
    """The fingerprint of each table of a release: being built (publish), or published."""
    if folder in _TABLES:
        return _TABLES[folder]
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return {}
    return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprints") or {}


def _file_digests(folder: Path, previous: Path | None) -> dict[str, str]:
    """sha256 of every file of the release; a file shared with the previous release (a hard
    link: published files are never written in place) keeps the digest recorded there."""
    known = {}
    if previous is not None and (previous / "manifest.json").exists():
        known = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))["files"]
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = str(p.relative_to(folder))
        old = previous / rel if previous is not None else None
        if rel in known and old is not None and old.exists() and os.path.samefile(p, old):
            out[rel] = known[rel]
        else:
            out[rel] = sha256_file(p)
    return out


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

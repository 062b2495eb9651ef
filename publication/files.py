"""Everything people read in a release, written from the release's own marts:

indikator_*.csv / .parquet / .xlsx   the published indicators (Indonesian headers, data dictionary)
laporan.html                         the report with charts (offline, one file)
temuan_instansi/<kode>.xlsx          per agency: rejected rows and findings, to send back
temuan_instansi/digests.json         per agency, a digest of what its workbook holds
parquet/<mart>.parquet               every mart, for analysts' other tools
PANDUAN_ANALIS.md                    the analysts' guide with example queries
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from core import personal_data
from core.paths import STANDARD_FILE
from publication.release import ANALYST_DB, table_fingerprints
from publication.report import build_report
from publication.safe import neutralise_sql
from publication.workbooks import write_agency_findings, write_indicator_workbook

GUIDE = Path(__file__).with_name("PANDUAN_ANALIS.md")
# the published indicator tables and the order of their rows
INDICATORS = {
    "indikator_wilayah": "kode_wilayah, tahun",
    "indikator_instansi": "kode_instansi, tahun",
}


def _columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()


def _select(con, table: str, parquet: bool) -> str:
    """The columns of a mart as written to a file: text neutralised against formulas (CSV),
    measures as DOUBLE and whole numbers as BIGINT in Parquet (pandas reads them as float64 and
    int64, not as object), DECIMAL kept in CSV (its text is exact: 77.04)."""
    parts = []
    for c, t in _columns(con, table):
        quoted = '"' + c + '"'
        if t == "VARCHAR" and not parquet:
            parts.append(f"{neutralise_sql(quoted)} AS {quoted}")
        elif parquet and t.startswith("DECIMAL"):
            parts.append(f"CAST({quoted} AS DOUBLE) AS {quoted}")
        elif parquet and t == "HUGEINT":
            parts.append(f"CAST({quoted} AS BIGINT) AS {quoted}")
        else:
            parts.append(quoted)
    return ", ".join(parts)


def _text_columns(con, table: str) -> str:
    """The text columns (codes among them), always quoted in the CSV: `75.10` stays text."""
    return ", ".join('"' + c + '"' for c, t in _columns(con, table) if t == "VARCHAR")


def write_publication_files(
    working_db: Path, folder: Path, stamp: str, previous: Path | None = None, workers: int = 1
) -> None:
    """Write the files of the release in `folder`. `previous` is the release published before
    (or None): an agency's findings workbook whose content has not changed since is linked
    from it instead of written again. With many agencies, `workers` processes write the
    findings workbooks."""
    con = duckdb.connect(str(folder / ANALYST_DB), read_only=True)
    try:
        for table, order in INDICATORS.items():
            csv = f"SELECT {_select(con, table, False)} FROM marts.{table} ORDER BY {order}"
            pq = f"SELECT {_select(con, table, True)} FROM marts.{table} ORDER BY {order}"
            con.execute(
                f"COPY ({csv}) TO '{folder / table}.csv' "
                f"(HEADER, FORCE_QUOTE ({_text_columns(con, table)}))"
            )
            con.execute(f"COPY ({pq}) TO '{folder / table}.parquet' (FORMAT parquet)")
            cur = con.execute(f"SELECT * FROM marts.{table} ORDER BY {order}")
            write_indicator_workbook(
                folder / f"{table}.xlsx", table, [d[0] for d in cur.description], cur.fetchall()
            )
        (folder / "parquet").mkdir()
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "ORDER BY 1"
            ).fetchall()
        ]
        parquet = _parquet_digests(folder, tables)
        reused = _link_unchanged(folder / "parquet", parquet, previous, "parquet")
        for table in [t for t in tables if t not in reused]:
            select = f"SELECT {_select(con, table, True)} FROM marts.{table}"
            con.execute(
                f"COPY ({select}) TO '{folder / 'parquet' / table}.parquet' (FORMAT parquet)"
            )
        (folder / "parquet" / "digests.json").write_text(
            json.dumps(parquet, indent=1), encoding="utf-8"
        )
        agencies = con.execute(
            "SELECT kode_instansi, nama_instansi FROM marts.dim_instansi ORDER BY 1"
        ).fetchall()
        findings = con.execute(
            "SELECT kode_instansi, tahun, aturan, jumlah, penjelasan FROM marts.temuan ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        con.close()
    rejects_of, findings_of, holds_of = defaultdict(list), defaultdict(list), defaultdict(list)
    rows_of = defaultdict(list)
    personal_of, names_of = defaultdict(list), defaultdict(set)
    for p in _personal_data_findings(working_db):
        personal_of[p[0]].append(p[1:])
    for kode, nama in _roster_names(working_db):
        names_of[kode].add(nama)
    for r in _rejects(working_db):
        rejects_of[r[0]].append(r[1:])
    for f in findings:
        findings_of[f[0]].append(f[1:])
    for h in _holds(working_db):
        holds_of[h[0]].append(h[1:])
    for r in _finding_rows(working_db):
        rows_of[r[0]].append(r[1:])
    out = folder / "temuan_instansi"
    out.mkdir()
    books = [
        (out / f"{kode}.xlsx", kode, nama, rejects_of[kode], findings_of[kode], holds_of[kode],
         rows_of[kode], personal_of[kode], tuple(sorted(names_of[kode])))
        for kode, nama in agencies
    ]  # fmt: skip
    code = _workbook_code_digest()
    digests = {book[1]: _content_digest(code, book[1:]) for book in books}
    reused = _link_unchanged(out, digests, previous)
    _write_findings_workbooks([b for b in books if b[1] not in reused], workers)
    (out / "digests.json").write_text(json.dumps(digests, indent=1), encoding="utf-8")
    build_report(folder / ANALYST_DB, folder / "laporan.html", stamp)
    _copy_or_link(GUIDE, folder / GUIDE.name, previous)


def _copy_or_link(src: Path, dest: Path, previous: Path | None) -> None:
    """Copy `src` to `dest`, or hard-link the previous release's file of that name when it
    holds the same bytes (shared, it is not searched again: publication/scan.py)."""
    before = previous / dest.name if previous is not None else None
    if before is not None and before.is_file() and before.read_bytes() == src.read_bytes():
        try:
            os.link(before, dest)
            return
        except OSError:
            pass
    shutil.copyfile(src, dest)


# what a findings workbook is made from besides its rows: a change here rewrites every workbook
_WORKBOOK_CODE = [
    *(
        Path(__file__).with_name(n)
        for n in ("workbooks.py", "safe.py", "dictionary.py", "labels.yaml", "perbaikan.yaml")
    ),
    Path(personal_data.__file__),  # the masking, and its definition
    STANDARD_FILE,
]


def _workbook_code_digest() -> bytes:
    h = hashlib.sha256()
    for p in _WORKBOOK_CODE:
        h.update(p.read_bytes())
    return h.digest()


def _content_digest(code: bytes, content: tuple) -> str:
    """Digest of an agency's workbook content (code, name, rejected rows, findings, held
    submissions) and of the
    code that writes it (`code`, from _workbook_code_digest)."""
    return hashlib.sha256(code + repr(content).encode("utf-8")).hexdigest()


def _parquet_digests(folder: Path, tables: list[str]) -> dict[str, str]:
    """Per mart, a digest of its Parquet file's content: the table's fingerprint (its rows,
    columns and types, publication/release.py) and the code that writes it (this module)."""
    prints = table_fingerprints(folder)
    code = Path(__file__).read_bytes()
    return {
        t: hashlib.sha256(code + prints[t].encode("utf-8")).hexdigest()
        for t in tables
        if t in prints
    }


def _link_unchanged(
    out: Path,
    digests: dict[str, str],
    previous: Path | None,
    kind: str = "temuan_instansi",
    suffix: str | None = None,
) -> set[str]:
    """Hard-link the previous release's file (its `kind` folder) of every agency or table
    whose content digest is unchanged (published files are read-only and never written in
    place, so sharing them is safe); returns those. Where linking is impossible the file is
    written."""
    suffix = suffix or (".parquet" if kind == "parquet" else ".xlsx")
    before_file = previous / kind / "digests.json" if previous else None
    if before_file is None or not before_file.exists():
        return set()
    before = json.loads(before_file.read_text("utf-8"))
    reused = set()
    for kode, digest in digests.items():
        src = before_file.with_name(f"{kode}{suffix}")
        if before.get(kode) == digest and src.exists():
            try:
                os.link(src, out / src.name)
            except OSError:
                continue
            reused.add(kode)
    return reused


def _write_findings_workbooks(books: list[tuple], workers: int) -> None:
    """One workbook per agency (xlsxwriter is pure Python): in worker processes when there
    are many agencies (a national registry), in this process for a province."""
    if workers < 2 or len(books) < 100:
        for book in books:
            write_agency_findings(*book)
        return
    ctx = multiprocessing.get_context("spawn")  # the caller may be a threaded server
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(write_agency_findings, *zip(*books, strict=True), chunksize=8))


def _holds(working_db: Path) -> list[tuple]:
    """Submissions held and not accepted (expectations/submission_review.py)."""
    with duckdb.connect(str(working_db), read_only=True) as con:
        return con.execute(
            """SELECT kode_instansi, file_name, dataset, tahun, aturan, alasan
               FROM raw.penahanan WHERE diterima_pada IS NULL ORDER BY ALL"""
        ).fetchall()


def _personal_data_findings(working_db: Path) -> list[tuple]:
    """Each NIP or roster name masked in an agency's free text (dbt int_temuan_data_pribadi)."""
    with duckdb.connect(str(working_db), read_only=True) as con:
        return con.execute(
            """SELECT kode_instansi, file_name, baris, dataset, tahun, kolom, jenis, aturan
               FROM intermediate.int_temuan_data_pribadi ORDER BY ALL"""
        ).fetchall()


def _roster_names(working_db: Path) -> list[tuple]:
    """Every name on each agency's rosters (every year, every submission): masked wherever
    the agency's findings workbook quotes what it sent."""
    with duckdb.connect(str(working_db), read_only=True) as con:
        return con.execute(
            "SELECT DISTINCT kode_instansi, nama FROM raw.pegawai WHERE nama IS NOT NULL"
        ).fetchall()


def _rejects(working_db: Path) -> list[tuple]:
    """Rejected rows, and quarantined files as one line each (no row number): (kode_instansi,
    file_name, dataset, baris, kolom, nilai, aturan, alasan, data_asli, submitted_at)."""
    with duckdb.connect(str(working_db), read_only=True) as con:
        return con.execute(
            """SELECT r.kode_instansi, r.file_name, r.dataset, r.baris, r.kolom, r.nilai,
                      r.aturan, r.alasan, r.data_asli, l.submitted_at
               FROM raw.rejects r
               LEFT JOIN raw.load_log l USING (file_sha256, kode_instansi, dataset)
               UNION ALL
               SELECT kode_instansi, file_name, dataset, NULL, NULL, NULL, 'FILE_DIKARANTINA',
                      'file tidak dapat dibaca dan tidak dimuat sama sekali: ' || reason,
                      NULL, submitted_at
               FROM raw.load_log WHERE status = 'quarantined'
               ORDER BY 1, 2, 4 NULLS FIRST, 5"""
        ).fetchall()


def _finding_rows(working_db: Path) -> list[tuple]:
    """The rows behind the findings (dbt model int_temuan_baris): (kode_instansi, tahun,
    aturan, file_name, dataset, baris, nip, submitted_at); the workbook masks the NIP."""
    with duckdb.connect(str(working_db), read_only=True) as con:
        return con.execute(
            """SELECT t.kode_instansi, t.tahun, t.aturan, l.file_name, l.dataset, t.baris, t.nip,
                      l.submitted_at
               FROM intermediate.int_temuan_baris t
               JOIN raw.load_log l ON l.file_sha256 = t.file_sha256
                                  AND l.kode_instansi = t.kode_instansi
               ORDER BY ALL"""
        ).fetchall()

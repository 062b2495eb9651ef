"""The submission review: before publication, hold what is far more often a mistake than the
truth, so that one agency's mistake neither changes the province's figures unasked nor stops
the province's publication.

Three rules, each per agency, dataset and year (a *file-year*: the rows of one file for one
year), on what arrived since the last publication:

- TURUN_DRASTIS: a replacing submission that drops more than `drop_share_max` of the rows or
  of the distinct NIPs of the submission it replaces (a 5-row "susulan" replacing a year);
- INDIKATOR_BERUBAH: a new submission that moves one of its agency's published indicators by
  more than its `indicator_change_max` since the last publication;
- GERBANG_MUTU: a blocking publication check failing on rows that trace to one agency's new
  submission.

A held file-year is loaded and archived but does not count (dbt macro latest_submission): the
agency's earlier submission keeps counting until the operator accepts it (`kinerja terima`,
`accept` below). Accepted file-years are never held again. Thresholds are in
expectations/config.yaml (`submissions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from core.numbers import angka, daftar_file, persen
from expectations.runner import SuiteOutcome

RULES = ("TURUN_DRASTIS", "INDIKATOR_BERUBAH", "GERBANG_MUTU")


@dataclass(frozen=True)
class Hold:
    file_sha256: str
    kode_instansi: str
    dataset: str
    tahun: int
    file_name: str
    aturan: str
    alasan: str
    sebelum: float | None = None
    sesudah: float | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# Every loaded file-year with its rows and NIPs (staging.stg_raw__file_years, built by dbt),
# its submission ranked per (agency, dataset, year) as the submission rule ranks them
# (latest_submission; a submission may be several files, kiriman_ke): the file-years of rank 1
# count. Held file-years that are not accepted do not compete.
_RANKED = """
WITH fy AS (
    SELECT f.file_sha256, f.kode_instansi, f.dataset, f.tahun, f.jumlah_baris, f.jumlah_nip,
           f.kiriman_ke, l.file_name, l.submitted_at, l.loaded_at
    FROM staging.stg_raw__file_years f
    JOIN raw.load_log l USING (file_sha256, kode_instansi, dataset)
    WHERE l.status = 'loaded'
),
eligible AS (
    SELECT * FROM fy ANTI JOIN (
        SELECT file_sha256, kode_instansi, dataset, tahun FROM raw.penahanan
        WHERE diterima_pada IS NULL
    ) h USING (file_sha256, kode_instansi, dataset, tahun)
)
SELECT *, dense_rank() OVER (
    PARTITION BY kode_instansi, dataset, tahun ORDER BY kiriman_ke DESC
) AS peringkat
FROM eligible
"""

# the ranked submissions: rows, NIPs and file names. NIPs are summed over the files: an NIP in
# two parts of one submission counts twice (a part repeats at most revision_min_repeat_share
# of its row keys, usually none: macros/submissions.sql)
_SUBMISSIONS = f"""
SELECT kode_instansi, dataset, tahun, peringkat, sum(jumlah_baris) AS jumlah_baris,
       sum(jumlah_nip) AS jumlah_nip, list(file_name ORDER BY file_name) AS files,
       max(loaded_at) AS loaded_at
FROM ({_RANKED}) r
GROUP BY ALL
"""


# file-years the review has decided on already (held, or accepted): never judged again
def _undecided(alias: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM raw.penahanan d WHERE d.file_sha256 = {alias}.file_sha256 "
        f"AND d.kode_instansi = {alias}.kode_instansi AND d.dataset = {alias}.dataset "
        f"AND d.tahun = {alias}.tahun)"
    )


def new_counting(con: duckdb.DuckDBPyConnection, since: dt.datetime | None) -> list[tuple]:
    """The counting file-years loaded after `since` (the last publication's load watermark;
    None: never published) and not decided on: (sha, kode, dataset, tahun, file_name)."""
    return con.execute(
        f"""SELECT file_sha256, kode_instansi, dataset, tahun, file_name
        FROM ({_RANKED}) r
        WHERE peringkat = 1 AND loaded_at > ?
          AND {_undecided("r")}
        ORDER BY ALL""",
        [since or dt.datetime(1900, 1, 1)],
    ).fetchall()


def drop_holds(con, since: dt.datetime | None, cfg: dict) -> list[Hold]:
    """TURUN_DRASTIS: the counting submission is new (a file of it arrived since) and has far
    fewer rows or NIPs than the one it replaces (the next in rank): each of its file-years
    is held."""
    sub = cfg["submissions"]
    keep = 1 - sub["drop_share_max"]
    rows = con.execute(
        f"""WITH r AS ({_RANKED}), s AS ({_SUBMISSIONS})
        SELECT w.file_sha256, w.kode_instansi, w.dataset, w.tahun, w.file_name, ws.files,
               ws.jumlah_baris, ws.jumlah_nip, p.files, p.jumlah_baris, p.jumlah_nip
        FROM r w
        JOIN s ws USING (kode_instansi, dataset, tahun, peringkat)
        JOIN s p USING (kode_instansi, dataset, tahun)
        WHERE w.peringkat = 1 AND p.peringkat = 2 AND ws.loaded_at > ?
          AND {_undecided("w")}
          AND p.jumlah_baris >= ?
          AND (ws.jumlah_baris < ? * p.jumlah_baris OR ws.jumlah_nip < ? * p.jumlah_nip)
        ORDER BY ALL""",
        [since or dt.datetime(1900, 1, 1), sub["drop_min_rows_before"], keep, keep],
    ).fetchall()
    holds = []
    for (
        sha,
        kode,
        dataset,
        tahun,
        name,
        files,
        rows_after,
        nips_after,
        prev,
        rows_before,
        nips_before,
    ) in rows:
        nips = (
            f" dan {angka(nips_after)} NIP (sebelumnya {angka(nips_before)})"
            if nips_before is not None
            else ""
        )
        drop = 1 - rows_after / rows_before
        alasan = (
            f"Kiriman {daftar_file(files)} ({dataset} {tahun}) menggantikan {daftar_file(prev)}, "
            f"tetapi hanya berisi "
            f"{angka(rows_after)} baris (sebelumnya {angka(rows_before)}, turun "
            f"{persen(100 * drop)}){nips}. Kiriman pengganti biasanya lengkap: kiriman ini "
            f"ditahan dan data sebelumnya tetap dipakai sampai operator menerimanya "
            f"(kinerja terima {kode} {dataset} {tahun})."
        )
        holds.append(
            Hold(
                sha,
                kode,
                dataset,
                tahun,
                name,
                "TURUN_DRASTIS",
                alasan,
                float(rows_before),
                float(rows_after),
            )  # fmt: skip
        )
    return holds


def _indicators(db: duckdb.DuckDBPyConnection, columns: list[str], catalog: str = "") -> dict:
    cols = ", ".join(columns)
    table = f"{catalog}.marts.indikator_instansi" if catalog else "marts.indikator_instansi"
    return {
        (kode, tahun): dict(zip(columns, values, strict=True))
        for kode, tahun, *values in db.execute(
            f"SELECT kode_instansi, tahun, {cols} FROM {table}"
        ).fetchall()
    }


def indicator_holds(
    con, published_db: str | None, since: dt.datetime | None, cfg: dict
) -> list[Hold]:
    """INDIKATOR_BERUBAH: an agency's new submission of a dataset behind one of its indicators,
    and that indicator moved more than allowed since the last publication (both published,
    i.e. not suppressed as a small cell)."""
    if published_db is None:
        return []
    rules = cfg["submissions"]["indicator_change_max"]
    new = new_counting(con, since)
    if not new:
        return []
    con.execute(f"ATTACH '{published_db}' AS terbit (READ_ONLY)")
    try:
        before = _indicators(con, list(rules), "terbit")
    finally:
        con.execute("DETACH terbit")
    after = _indicators(con, list(rules))
    holds = []
    for sha, kode, dataset, tahun, name in new:
        old, now = before.get((kode, tahun)), after.get((kode, tahun))
        if old is None or now is None:
            continue
        for column, rule in rules.items():
            a, b = old[column], now[column]
            if dataset not in rule["datasets"] or a is None or b is None:
                continue
            if abs(float(b) - float(a)) > rule["max_change"]:
                alasan = (
                    f"Kiriman {name} ({dataset} {tahun}) mengubah {column} instansi {kode} dari "
                    f"{angka(float(a), 2)} menjadi {angka(float(b), 2)} sejak publikasi terakhir "
                    f"(batas perubahan {angka(rule['max_change'], 2)}). Kiriman ditahan dan data "
                    f"sebelumnya tetap dipakai sampai operator menerimanya "
                    f"(kinerja terima {kode} {dataset} {tahun})."
                )
                holds.append(
                    Hold(sha, kode, dataset, tahun, name, "INDIKATOR_BERUBAH", alasan,
                         float(a), float(b))
                )  # fmt: skip
                break
    return holds


AGENCY_COLUMNS = ("kode_instansi", "kode_instansi_pengirim", "kode_instansi_induk")


class Tracer:
    """Traces a failing row to the one agency's new counting submissions it comes from.

    A row traces by what it carries: its file (file_sha256 and kode_instansi: that file's
    year, when new and counting), else its agency (a kode_instansi column) and year, else its
    region (kode_wilayah) and year when exactly one agency of that region has new data that
    year. Without a year, every new year of that agency. A row that traces to nothing new, or
    to more than one agency, is untraced: it blocks the publication as before."""

    def __init__(self, con, since: dt.datetime | None, region_of: dict[str, str]):
        self.new = new_counting(con, since)
        self.region_of = region_of

    def trace(self, row: dict) -> list[tuple] | None:
        year = row.get("tahun")
        year = int(year) if year is not None else None
        items = [i for i in self.new if year is None or i[3] == year]
        if row.get("file_sha256") and row.get("kode_instansi"):
            found = [
                i for i in items if i[0] == row["file_sha256"] and i[1] == row["kode_instansi"]
            ]
            return found or None
        agency = next((row[c] for c in AGENCY_COLUMNS if row.get(c)), None)
        if agency is not None:
            return [i for i in items if i[1] == agency] or None
        region = row.get("kode_wilayah")
        if region is not None:
            agencies = {i[1] for i in items if self.region_of.get(i[1]) == region}
            if len(agencies) == 1:
                return [i for i in items if i[1] in agencies]
        return None


def _gate_hold(item: tuple, check: str, rows: list[dict]) -> Hold:
    sha, kode, dataset, tahun, name = item
    lines = sorted({int(r["baris"]) for r in rows if r.get("baris") is not None})
    at = f" (baris {', '.join(map(str, lines[:20]))}{' ...' if len(lines) > 20 else ''})"
    # a test of several columns names the failing ones in each row (macro rows_failing_columns)
    columns = sorted({c for r in rows for c in str(r.get("kolom_gagal") or "").split(", ") if c})
    on = f" pada kolom {', '.join(columns)}" if columns else ""
    alasan = (
        f"Pemeriksaan publikasi '{check}' gagal{on} pada {angka(len(rows))} baris data"
        f"{at if lines else ''}, yang berasal dari kiriman baru {kode}: {name} "
        f"({dataset} {tahun}). Kiriman ini ditahan agar provinsi tetap terbit dengan data {kode} "
        f"yang terakhir diterima. Perbaiki dan kirim ulang, atau operator menerimanya "
        f"(kinerja terima {kode} {dataset} {tahun})."
    )
    return Hold(sha, kode, dataset, tahun, name, "GERBANG_MUTU", alasan)


def trace_failures(
    tracer: Tracer, failures: list[tuple[str, list[dict]]]
) -> tuple[list[Hold], list[str]]:
    """Holds for failing checks, each given as (check name, its failing rows). Returns the
    holds and the checks (or rows) that trace to no single agency's new data."""
    traced: dict[tuple, tuple[tuple, str, list[dict]]] = {}
    untraced = []
    for check, rows in failures:
        if not rows:
            untraced.append(f"{check}: baris yang gagal tidak diketahui")
            continue
        for row in rows:
            items = tracer.trace(row)
            if items is None:
                shown = {k: v for k, v in row.items() if v is not None and k in TRACE_KEYS}
                untraced.append(f"{check}: {shown or 'baris tanpa instansi'}")
                continue
            for item in items:
                traced.setdefault(item[:4], (item, check, []))[2].append(row)
    holds = [_gate_hold(item, check, rows) for item, check, rows in traced.values()]
    return holds, untraced


TRACE_KEYS = ("kode_instansi", *AGENCY_COLUMNS[1:], "kode_wilayah", "tahun", "file_sha256", "baris")


def gate_holds(
    con,
    outcomes: dict[str, SuiteOutcome],
    since: dt.datetime | None,
    region_of: dict[str, str],
) -> tuple[list[Hold], list[str]]:
    """GERBANG_MUTU for the GX publication gate: each blocking failure's labels name the rows
    (an agency code, a region code, or starting with one, then optionally a year)."""
    failures = []
    for outcome in outcomes.values():
        if outcome is None:
            continue
        for f in outcome.blocking:
            rows = []
            for label in f.examples:
                first, *rest = label.replace(":", " ").split()
                row = {"kode_wilayah" if first not in region_of else "kode_instansi": first}
                if rest and rest[0].isdigit() and len(rest[0]) == 4:
                    row["tahun"] = int(rest[0])
                rows.append(row)
            failures.append((f"{f.rule} ({f.expectation} {f.column or ''})".strip(), rows))
    return trace_failures(Tracer(con, since, region_of), failures)


def record_holds(con, holds: list[Hold], run_id: str | None) -> int:
    """Write the holds (one transaction); a file-year already decided on is left as it is."""
    if not holds:
        return 0
    now = _now()
    con.execute("BEGIN")
    try:
        for h in holds:
            con.execute(
                "INSERT INTO raw.penahanan VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) "
                "ON CONFLICT DO NOTHING",
                [h.file_sha256, h.kode_instansi, h.dataset, h.tahun, h.file_name, h.aturan,
                 h.alasan, h.sebelum, h.sesudah, now, run_id],
            )  # fmt: skip
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(holds)


def held(con, kode: str | None = None) -> list[dict]:
    """The held file-years not accepted yet (for the run summary, status and workbooks)."""
    where, params = ("AND kode_instansi = ?", [WITHDRAWN, kode]) if kode else ("", [WITHDRAWN])
    cur = con.execute(
        f"""SELECT kode_instansi, dataset, tahun, file_name, aturan, alasan, sebelum, sesudah,
                   ditahan_pada, run_id
            FROM raw.penahanan WHERE diterima_pada IS NULL AND aturan <> ? {where}
            ORDER BY kode_instansi, dataset, tahun, file_name""",
        params,
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def accept(con, kode: str, dataset: str, tahun: int, who: str) -> int:
    """The operator accepts the held submissions of (agency, dataset, year): recorded with who
    and when; the next run applies them. Returns how many file-years were accepted."""
    n = con.execute(
        "SELECT count(*) FROM raw.penahanan WHERE kode_instansi = ? AND dataset = ? AND tahun = ? "
        "AND diterima_pada IS NULL AND aturan <> ?",
        [kode, dataset, tahun, WITHDRAWN],
    ).fetchone()[0]
    if n:
        con.execute(
            "UPDATE raw.penahanan SET diterima_pada = ?, diterima_oleh = ? "
            "WHERE kode_instansi = ? AND dataset = ? AND tahun = ? AND diterima_pada IS NULL "
            "AND aturan <> ?",
            [_now(), who, kode, dataset, tahun, WITHDRAWN],
        )
    return n


# A file the operator withdrew (sent by mistake, e.g. by the wrong agency): recorded in
# raw.penahanan like a hold that is never accepted, so the submission rule skips it by the
# same mechanism (macros/latest_submission.sql, _RANKED); its rows stay in raw.* and the
# archive, and the load log keeps it.
WITHDRAWN = "DITARIK"


def withdraw(con, kode: str, file: str, who: str) -> list[tuple[str, int]]:
    """Withdraw the agency's file `file` (its name in the landing area, with or without
    the agency/dataset folders, or its sha256): (dataset, year) of each file-year withdrawn;
    [] when the agency has no such loaded file."""
    files = con.execute(
        """SELECT file_sha256, dataset, file_name FROM raw.load_log
           WHERE kode_instansi = ? AND status = 'loaded'
             AND (file_name = ? OR file_name LIKE '%/' || ? OR file_sha256 = ?)""",
        [kode, file, file, file],
    ).fetchall()
    now, out = _now(), []
    con.execute("BEGIN")
    try:
        for sha, dataset, name in files:
            years = con.execute(
                "SELECT DISTINCT tahun FROM staging.stg_raw__file_years "
                "WHERE file_sha256 = ? AND kode_instansi = ? AND dataset = ? ORDER BY 1",
                [sha, kode, dataset],
            ).fetchall()
            for (tahun,) in years:
                reason = (
                    f"ditarik oleh {who} pada {now:%Y-%m-%d %H:%M} UTC: {name} tidak dihitung "
                    "(baris tetap di arsip dan log muat)"
                )
                con.execute(
                    "INSERT INTO raw.penahanan VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL, NULL) "
                    "ON CONFLICT DO UPDATE SET aturan = excluded.aturan, alasan = excluded.alasan, "
                    "ditahan_pada = excluded.ditahan_pada, diterima_pada = NULL, diterima_oleh = NULL",
                    [sha, kode, dataset, tahun, name, WITHDRAWN, reason, now, f"tarik:{who}"],
                )
                out.append((dataset, tahun))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return out


def withdrawn(con) -> list[tuple]:
    return con.execute(
        "SELECT kode_instansi, dataset, tahun, alasan FROM raw.penahanan WHERE aturan = ? "
        "ORDER BY ALL",
        [WITHDRAWN],
    ).fetchall()

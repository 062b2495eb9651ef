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

from core.numbers import angka, persen
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
# ranked per (agency, dataset, year) as the submission rule ranks them (latest_submission):
# rank 1 counts. Held file-years that are not accepted do not compete.
_RANKED = """
WITH fy AS (
    SELECT f.file_sha256, f.kode_instansi, f.dataset, f.tahun, f.jumlah_baris, f.jumlah_nip,
           l.file_name, l.submitted_at, l.loaded_at
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
SELECT *, row_number() OVER (
    PARTITION BY kode_instansi, dataset, tahun
    ORDER BY submitted_at DESC, loaded_at DESC, file_sha256 DESC
) AS peringkat
FROM eligible
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
    """TURUN_DRASTIS: the counting file-year is new and has far fewer rows or NIPs than the
    one it replaces (the next in rank)."""
    sub = cfg["submissions"]
    keep = 1 - sub["drop_share_max"]
    rows = con.execute(
        f"""WITH r AS ({_RANKED})
        SELECT w.file_sha256, w.kode_instansi, w.dataset, w.tahun, w.file_name,
               w.jumlah_baris, w.jumlah_nip, p.file_name, p.jumlah_baris, p.jumlah_nip
        FROM r w JOIN r p USING (kode_instansi, dataset, tahun)
        WHERE w.peringkat = 1 AND p.peringkat = 2 AND w.loaded_at > ?
          AND {_undecided("w")}
          AND p.jumlah_baris >= ?
          AND (w.jumlah_baris < ? * p.jumlah_baris OR w.jumlah_nip < ? * p.jumlah_nip)
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
            f"Kiriman {name} ({dataset} {tahun}) menggantikan {prev}, tetapi hanya berisi "
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


def gate_holds(
    con,
    outcomes: dict[str, SuiteOutcome],
    since: dt.datetime | None,
    region_of: dict[str, str],
) -> tuple[list[Hold], list[str]]:
    """GERBANG_MUTU: for every blocking failure of the publication gate, the agencies its
    failing rows trace to (a label is an agency code, a region code, or starts with one).
    A row traces to an agency when that agency, or exactly one agency of that region, has new
    counting submissions: they are held. Returns the holds and the failures that trace to no
    single agency's new data (these block the publication as before)."""
    new = new_counting(con, since)
    by_agency: dict[str, list[tuple]] = {}
    for item in new:
        by_agency.setdefault(item[1], []).append(item)
    holds: dict[tuple, Hold] = {}
    untraced = []
    for outcome in outcomes.values():
        if outcome is None:
            continue
        for failure in outcome.blocking:
            labels = failure.examples or [""]
            for label in labels:
                first = label.split(" ")[0].split(":")[0]
                if first in by_agency:
                    agencies = [first]
                else:
                    agencies = [k for k in by_agency if region_of.get(k) == first]
                if len(agencies) != 1:
                    untraced.append(f"{failure.describe()} [{label or 'tanpa baris'}]")
                    continue
                for sha, kode, dataset, tahun, name in by_agency[agencies[0]]:
                    alasan = (
                        f"Pemeriksaan publikasi '{failure.rule}' gagal pada {label} "
                        f"({failure.unexpected_count} baris), dan instansi {kode} mengirim data "
                        f"baru: kiriman {name} ({dataset} {tahun}) ditahan agar provinsi tetap "
                        f"terbit dengan data {kode} yang terakhir diterima. Perbaiki dan kirim "
                        f"ulang, atau operator menerimanya (kinerja terima {kode} {dataset} {tahun})."
                    )
                    holds.setdefault(
                        (sha, kode, dataset, tahun),
                        Hold(sha, kode, dataset, tahun, name, "GERBANG_MUTU", alasan),
                    )
    return list(holds.values()), untraced


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
    where, params = ("AND kode_instansi = ?", [kode]) if kode else ("", [])
    cur = con.execute(
        f"""SELECT kode_instansi, dataset, tahun, file_name, aturan, alasan, sebelum, sesudah,
                   ditahan_pada
            FROM raw.penahanan WHERE diterima_pada IS NULL {where}
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
        "AND diterima_pada IS NULL",
        [kode, dataset, tahun],
    ).fetchone()[0]
    if n:
        con.execute(
            "UPDATE raw.penahanan SET diterima_pada = ?, diterima_oleh = ? "
            "WHERE kode_instansi = ? AND dataset = ? AND tahun = ? AND diterima_pada IS NULL",
            [_now(), who, kode, dataset, tahun],
        )
    return n

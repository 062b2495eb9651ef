"""The summary of one run, in Indonesian, for the operator (`kinerja refresh`, `kinerja demo`):

- the files received in this run, per agency, with rows loaded and rejected;
- the submissions that replaced earlier ones (rows before and after, per year);
- the five largest indicator changes since the last publication, with the region, the figure
  and the likely reason (new submission, revision, or transfer);
- whether the run published, and the folder.

Computed from the warehouse after the run (raw.load_log, staging.stg_raw__file_years,
marts.indikator_wilayah) and the releases (the release before this run's).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.numbers import angka, daftar_file
from core.registry import Registry
from publication.release import ANALYST_DB, published_watermark

TOP_CHANGES = 5
# the figures compared, with how their change is measured: "poin" (percentage points, JP,
# IKM or IP ASN points) or "persen" (a count, as a relative change)
FIGURES = {
    "jumlah_pegawai": ("jumlah pegawai", "persen"),
    "cakupan_penilaian_pct": ("cakupan penilaian (%)", "poin"),
    "pct_sangat_baik": ("predikat Sangat Baik (%)", "poin"),
    "pct_baik": ("predikat Baik (%)", "poin"),
    "pct_butuh_perbaikan": ("predikat Butuh Perbaikan (%)", "poin"),
    "rata_jp": ("rata-rata JP", "poin"),
    "pct_pns_memenuhi_20jp": ("PNS memenuhi 20 JP (%)", "poin"),
    "ikm": ("IKM", "poin"),
    "rata_ip_asn": ("rata-rata IP ASN", "poin"),
    "pct_dialog_lengkap": ("dialog kinerja lengkap (%)", "poin"),
}


@dataclass
class RunSummary:
    received: list[dict] = field(default_factory=list)
    replaced: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    release: Path | None = None  # published by this run
    compared_with: Path | None = None  # the publication before it


def releases(published: Path) -> list[Path]:
    runs = published / "runs"
    return (
        sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))
        if runs.is_dir()
        else []
    )


def _manifest(release: Path) -> dict:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def _has(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def summarise(con, run_id: str, published: Path, registry: Registry) -> RunSummary:
    out = RunSummary()
    if _has(con, "raw", "load_log"):
        out.received = _received(con, run_id)
        if _has(con, "staging", "stg_raw__file_years"):
            out.replaced = _replaced(con, run_id)
    all_releases = releases(published)
    mine = [r for r in all_releases if _manifest(r).get("run_id") == run_id]
    out.release = mine[-1] if mine else None
    before = [r for r in all_releases if out.release is None or r.name < out.release.name]
    out.compared_with = before[-1] if before else None
    if out.compared_with and _has(con, "marts", "indikator_wilayah"):
        out.changes = _changes(con, out.compared_with, registry)
    return out


def _received(con, run_id: str) -> list[dict]:
    rows = con.execute(
        """SELECT kode_instansi, count(*), count(*) FILTER (WHERE status = 'quarantined'),
                  sum(rows_loaded), sum(rows_rejected)
           FROM raw.load_log WHERE run_id = ? GROUP BY 1 ORDER BY 1""",
        [run_id],
    ).fetchall()
    keys = ("kode_instansi", "files", "quarantined", "rows_loaded", "rows_rejected")
    return [dict(zip(keys, r, strict=True)) for r in rows]


_FILE_YEARS = """
WITH fy AS (
    SELECT f.kode_instansi, f.dataset, f.tahun, f.jumlah_baris, f.file_sha256, f.kiriman_ke,
           l.file_name, l.submitted_at, l.loaded_at, l.run_id
    FROM staging.stg_raw__file_years f
    JOIN raw.load_log l USING (file_sha256, kode_instansi, dataset)
    WHERE l.status = 'loaded'
)
SELECT *, dense_rank() OVER (
    PARTITION BY kode_instansi, dataset, tahun ORDER BY kiriman_ke DESC) AS peringkat
FROM fy
"""

# per submission (a submission may be several files): its files, rows and whether this run
# loaded a file of it
_SUBMISSIONS = f"""
SELECT kode_instansi, dataset, tahun, peringkat,
       list(file_name ORDER BY file_name) AS files, sum(jumlah_baris) AS jumlah_baris,
       bool_or(run_id = $run_id) AS this_run
FROM ({_FILE_YEARS}) r
GROUP BY ALL
"""


def _replaced(con, run_id: str) -> list[dict]:
    rows = con.execute(
        f"""WITH s AS ({_SUBMISSIONS})
        SELECT n.kode_instansi, n.dataset, n.tahun, n.files, p.files,
               p.jumlah_baris, n.jumlah_baris
        FROM s n JOIN s p ON p.kode_instansi = n.kode_instansi AND p.dataset = n.dataset
             AND p.tahun = n.tahun AND p.peringkat = n.peringkat + 1
        WHERE n.this_run AND n.peringkat = 1
        ORDER BY 1, 2, 3""",
        {"run_id": run_id},
    ).fetchall()
    keys = (
        "kode_instansi",
        "dataset",
        "tahun",
        "file",
        "replaced_file",
        "rows_before",
        "rows_after",
    )
    out = [dict(zip(keys, r, strict=True)) for r in rows]
    for r in out:
        r["file"], r["replaced_file"] = daftar_file(r["file"]), daftar_file(r["replaced_file"])
    return out


def _columns(con, catalog: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? "
            "AND table_schema = 'marts' AND table_name = 'indikator_wilayah'",
            [catalog],
        ).fetchall()
    }


def _changes(con, previous: Path, registry: Registry) -> list[dict]:
    try:
        con.execute(f"ATTACH '{previous / ANALYST_DB}' AS sebelumnya (READ_ONLY)")
    except duckdb.Error:
        return []
    try:
        current = con.execute("SELECT current_database()").fetchone()[0]
        # the figures both publications have (a new indicator has no earlier value)
        both = _columns(con, current) & _columns(con, "sebelumnya")
        figures = [c for c in FIGURES if c in both]
        cols = ", ".join(f"n.{c} AS new_{c}, o.{c} AS old_{c}" for c in figures)
        rows = con.execute(
            f"""SELECT n.kode_wilayah, n.nama_wilayah, n.tahun, {cols}
            FROM marts.indikator_wilayah n
            JOIN sebelumnya.marts.indikator_wilayah o USING (kode_wilayah, tahun)"""
        ).fetchall()
    finally:
        con.execute("DETACH sebelumnya")
    changes = []
    for kode, nama, tahun, *values in rows:
        for i, c in enumerate(figures):
            new, old = values[2 * i], values[2 * i + 1]
            if new is None or old is None or new == old:
                continue
            unit = FIGURES[c][1]
            size = abs(new - old) if unit == "poin" else abs(new - old) / max(abs(old), 1) * 100
            changes.append({"kode_wilayah": kode, "nama_wilayah": nama, "tahun": tahun,
                            "indikator": c, "sebelum": old, "sesudah": new, "ukuran": size})  # fmt: skip
    changes.sort(key=lambda c: (-c["ukuran"], c["kode_wilayah"], c["tahun"], c["indikator"]))
    top = changes[:TOP_CHANGES]
    since = published_watermark(previous)
    for c in top:
        c["alasan"] = likely_reason(con, c["kode_wilayah"], c["tahun"], since, registry)
    return top


def likely_reason(
    con, kode_wilayah: str, tahun: int, since: dt.datetime | None, registry: Registry
) -> str:
    """Why a region's figure of a year moved since the last publication: a submission of one
    of its agencies for that year arrived since (a revision when it replaced an earlier one,
    else a new submission); else a roster of another region's agency for that year arrived
    (employees moved: a transfer); else unknown."""
    if not _has(con, "staging", "stg_raw__file_years"):
        return "tidak diketahui"
    region = {a.kode: a.kode_wilayah for a in registry.agencies}
    rows = con.execute(
        f"""WITH r AS ({_FILE_YEARS})
        SELECT n.kode_instansi, n.dataset, n.file_name,
               EXISTS (SELECT 1 FROM r p WHERE p.kode_instansi = n.kode_instansi
                       AND p.dataset = n.dataset AND p.tahun = n.tahun AND p.peringkat > 1)
        FROM r n WHERE n.peringkat = 1 AND n.tahun = ? AND n.loaded_at > ?
        ORDER BY n.loaded_at DESC""",
        [tahun, since or dt.datetime(1900, 1, 1)],
    ).fetchall()

    def inside(kode: str) -> bool:
        w = region.get(kode, "")
        return w == kode_wilayah or ("." not in kode_wilayah and w.split(".")[0] == kode_wilayah)

    own = [r for r in rows if inside(r[0])]
    if own:
        kode, dataset, name, revised = own[0]
        what = "revisi" if revised else "kiriman baru"
        return f"{what} {kode} {dataset} ({name})"
    rosters = [r for r in rows if r[1] == "pegawai"]
    if rosters:
        return f"mutasi pegawai (roster baru {rosters[0][0]})"
    return "tidak diketahui"


def format_change(c: dict) -> str:
    label, unit = FIGURES[c["indikator"]]
    decimals = 0 if c["indikator"].startswith("jumlah") else 2
    return (
        f"{c['nama_wilayah']} ({c['kode_wilayah']}) {c['tahun']}: {label} "
        f"{angka(c['sebelum'], decimals)} -> {angka(c['sesudah'], decimals)}; "
        f"kemungkinan sebab: {c['alasan']}"
    )


def to_json(s: RunSummary) -> dict:
    return {
        "diterima": s.received,
        "menggantikan": s.replaced,
        "perubahan_indikator": s.changes,
        "terbit": str(s.release) if s.release else None,
        "dibandingkan_dengan": str(s.compared_with) if s.compared_with else None,
    }

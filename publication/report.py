"""The static HTML report: one self-contained file in Indonesian, opens offline."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import duckdb

from publication.charts import hbar, hstack

MUTU_COLOUR = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", None: "#bbbbbb"}
PREDIKAT = [
    ("pct_sangat_baik", "Sangat Baik", "#1a9850"),
    ("pct_baik", "Baik", "#91cf60"),
    ("pct_butuh_perbaikan", "Butuh Perbaikan", "#fee08b"),
    ("pct_kurang_misconduct", "Kurang/Misconduct", "#fc8d59"),
    ("pct_sangat_kurang", "Sangat Kurang", "#d73027"),
]
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{color:#1F4E79}h2{border-bottom:2px solid #1F4E79;padding-bottom:.2rem;margin-top:2.2rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ccd;border-radius:6px;padding:.6rem 1rem;min-width:150px}
.card b{display:block;font-size:1.5rem;color:#1F4E79}figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
svg .lbl{font-size:12px}svg .val{font-size:11px}svg .muted{font-size:11px;fill:#777}svg .ref{stroke:#999;stroke-dasharray:3 3}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:right}
th{background:#eef2f7}td:first-child,th:first-child{text-align:left}.note{color:#666;font-size:.85rem}
"""


BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def _when(stamp: str) -> str:
    """20261124T113152Z -> 24 November 2026 18:31 WIB"""
    t = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC) + dt.timedelta(hours=7)
    return f"{t.day} {BULAN[t.month - 1]} {t.year} {t:%H:%M} WIB"


def _fmt(v, digits=2, suffix=""):
    return "—" if v is None else f"{float(v):,.{digits}f}{suffix}"


def _rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def build_report(release_db: Path, out: Path, published_at: str) -> Path:
    con = duckdb.connect(str(release_db), read_only=True)
    try:
        years = [
            y
            for (y,) in con.execute(
                "SELECT DISTINCT tahun FROM marts.indikator_wilayah ORDER BY 1"
            ).fetchall()
        ]
        year = years[-1]
        prev_year = years[-2] if len(years) > 1 else None
        wil = _rows(
            con,
            "SELECT * FROM marts.indikator_wilayah WHERE tahun = ? ORDER BY length(kode_wilayah), kode_wilayah",
            [year],
        )
        prev = (
            {
                r["kode_wilayah"]: r
                for r in _rows(
                    con, "SELECT * FROM marts.indikator_wilayah WHERE tahun = ?", [prev_year]
                )
            }
            if prev_year
            else {}
        )
        quality = _rows(
            con,
            "SELECT * FROM marts.mutu_data_instansi WHERE tahun = ? ORDER BY kode_instansi",
            [year],
        )
    finally:
        con.close()
    provinces = [r for r in wil if "." not in r["kode_wilayah"]]
    national = len(provinces) > 1
    label = {r["kode_wilayah"]: r["nama_wilayah"] for r in wil}
    if national:
        # a national registry: one bar per province (the kabupaten/kota are in the files)
        wil = provinces
    charts = []
    charts.append(hstack(
        "predikat", f"Distribusi predikat kinerja pegawai per wilayah, {year} (% dari yang dinilai)",
        [(label[r["kode_wilayah"]], None if r["pct_baik"] is None else [r[c] for c, _, _ in PREDIKAT]) for r in wil],
        [(n, colour) for _, n, colour in PREDIKAT],
    ))  # fmt: skip
    charts.append(hbar(
        "ikm", f"Indeks Kepuasan Masyarakat (IKM) per wilayah, {year}, warna = mutu pelayanan",
        [(f"{label[r['kode_wilayah']]} ({r['mutu_ikm'] or '-'})", r["ikm"], MUTU_COLOUR[r["mutu_ikm"]]) for r in wil],
        100, bands=[(65, "C 65"), (76.61, "B 76,61"), (88.31, "A 88,31")],
    ))  # fmt: skip
    charts.append(hbar(
        "pct_pns_memenuhi_20jp", f"PNS yang memenuhi 20 JP pengembangan kompetensi, {year} (%)",
        [(label[r["kode_wilayah"]], r["pct_pns_memenuhi_20jp"], "#4575b4") for r in wil], 100, "%",
    ))  # fmt: skip
    charts.append(hbar(
        "rata_jp", f"Rata-rata JP per pegawai, {year}",
        [(label[r["kode_wilayah"]], r["rata_jp"], "#74add1") for r in wil],
        max([float(r["rata_jp"] or 0) for r in wil] + [20]), bands=[(20, "20 JP")],
    ))  # fmt: skip
    charts.append(hbar(
        "cakupan_penilaian_pct", f"Cakupan penilaian kinerja, {year} (% pegawai yang dinilai)",
        [(label[r["kode_wilayah"]], r["cakupan_penilaian_pct"], "#5e3c99") for r in wil], 100, "%",
    ))  # fmt: skip
    if prev:
        changes = []
        for r in wil:
            p = prev.get(r["kode_wilayah"])
            d = (
                None
                if not p or r["ikm"] is None or p["ikm"] is None
                else float(r["ikm"]) - float(p["ikm"])
            )
            changes.append(
                (
                    label[r["kode_wilayah"]],
                    None if d is None else abs(d),
                    "#1a9850" if (d or 0) >= 0 else "#d73027",
                )
            )
        charts.append(hbar(
            "perubahan", f"Perubahan IKM sejak {prev_year} (poin; hijau naik, merah turun)",
            changes, max([c[1] or 0 for c in changes] + [1]),
        ))  # fmt: skip
    charts.append(hbar(
        "mutu_data", f"Mutu data per instansi, {year}: baris ditolak (%)",
        [(q["kode_instansi"], q["pct_baris_ditolak"], "#d73027" if not q["tepat_waktu"] else "#fdae61") for q in quality],
        max([float(q["pct_baris_ditolak"] or 0) for q in quality] + [5]),
    ))  # fmt: skip

    def change_cell(r, col):
        p = prev.get(r["kode_wilayah"])
        if not p or r[col] is None or p[col] is None:
            return "—"
        return f"{float(r[col]) - float(p[col]):+.2f}"

    if national:
        scope, title = "Nasional sekilas", f"Nasional ({len(provinces)} provinsi)"
        cards = [
            ("Pegawai ASN", _count(sum(r["jumlah_pegawai"] for r in provinces))),
            ("Responden SKM", _count(sum(r["jumlah_responden"] for r in provinces))),
            ("Provinsi", str(len(provinces))),
            ("Instansi", str(len(quality))),
        ]
    else:
        province = provinces[0]
        scope, title = "Provinsi sekilas", province["nama_wilayah"]
        cards = _province_cards(province)
    change_rows = "".join(
        f"<tr><td>{escape(label[r['kode_wilayah']])}</td>"
        + "".join(f"<td>{change_cell(r, c)}</td>" for c in ("cakupan_penilaian_pct", "pct_sangat_baik", "pct_pns_memenuhi_20jp", "rata_jp", "ikm"))
        + "</tr>"
        for r in wil
    )  # fmt: skip
    quality_rows = "".join(
        f"<tr><td>{escape(q['kode_instansi'])}</td><td>{escape(q['nama_instansi'])}</td>"
        f"<td>{'ya' if q['tepat_waktu'] else 'tidak'}</td><td>{q['jumlah_dataset_diterima']}/4</td>"
        f"<td>{_fmt(q['pct_baris_ditolak'], suffix='%')}</td><td>{q['file_dikarantina']}</td><td>{q['jumlah_temuan']}</td></tr>"
        for q in quality
    )  # fmt: skip
    html = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Indikator Kinerja ASN {escape(title)} {year}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Indikator Kinerja ASN — {escape(title)}, {year}</h1>
<p class="note">Diterbitkan {escape(_when(published_at))} oleh BKD. Persentase dibulatkan dua desimal; persentase dengan
penyebut di bawah 5 orang disembunyikan (—). Setiap pegawai dihitung sekali per tahun di instansi induknya.</p>
<h2>{scope}</h2>
<div class="cards">{"".join(f"<div class='card'>{escape(k)}<b>{escape(v)}</b></div>" for k, v in cards)}</div>
<h2>{"Per provinsi" if national else "Per wilayah"}</h2>
{"".join(charts[:5])}
<h2>Perubahan sejak tahun lalu</h2>
{charts[5] if prev else "<p class='note'>Belum ada tahun sebelumnya.</p>"}
<table><tr><th>Wilayah</th><th>Cakupan</th><th>Sangat Baik</th><th>PNS ≥ 20 JP</th><th>Rata JP</th><th>IKM</th></tr>{change_rows}</table>
<h2>Mutu data instansi</h2>
{charts[-1]}
<table><tr><th>Kode</th><th>Instansi</th><th>Tepat waktu</th><th>Dataset</th><th>Baris ditolak</th><th>File rusak</th><th>Temuan</th></tr>{quality_rows}</table>
</body></html>
"""
    out.write_text(html, encoding="utf-8")
    return out


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _province_cards(province: dict) -> list[tuple[str, str]]:
    return [
        ("Pegawai ASN", _count(province["jumlah_pegawai"])),
        ("Cakupan penilaian", _fmt(province["cakupan_penilaian_pct"], suffix="%")),
        ("Sangat Baik", _fmt(province["pct_sangat_baik"], suffix="%")),
        ("PNS ≥ 20 JP", _fmt(province["pct_pns_memenuhi_20jp"], suffix="%")),
        ("IKM", f"{_fmt(province['ikm'])} ({province['mutu_ikm'] or '-'})"),
        ("Responden SKM", _count(province["jumlah_responden"])),
    ]

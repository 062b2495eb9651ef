"""The static HTML report: one self-contained file in Indonesian, opens offline.

Built in steps: read the release's marts (`read_report_data`), draw one chart per indicator
(`indicator_charts`), then lay out the page (`render_page`). Predikat names, IKM bands, the
small-cell size, the 20-JP threshold and the datasets come from their homes (core.domain,
core.standard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path

from core.domain import WIB, ikm_bands, min_cell_size, min_jp_pns, predikat
from core.duck import connect_reader
from core.standard import DATASETS
from publication.charts import hbar, hstack
from publication.report_siklus import siklus_section

MUTU_COLOUR = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", None: "#bbbbbb"}
# one colour per predikat, best first (the order of the seed `predikat`)
PREDIKAT_COLOURS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]
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
CHANGE_COLUMNS = (
    "cakupan_penilaian_pct",
    "pct_sangat_baik",
    "pct_pns_memenuhi_20jp",
    "rata_jp",
    "ikm",
)


@dataclass
class ReportData:
    year: int
    prev_year: int | None
    regions: list[dict]  # indikator_wilayah of `year`: the regions shown (provinces, nationally)
    provinces: list[dict]
    previous: dict[str, dict]  # kode_wilayah -> indikator_wilayah of `prev_year`
    quality: list[dict]  # mutu_data_instansi of `year`
    label: dict[str, str]  # kode_wilayah -> nama_wilayah

    @property
    def national(self) -> bool:
        return len(self.provinces) > 1


def build_report(release_db: Path, out: Path, published_at: str) -> Path:
    data = read_report_data(release_db)
    charts = indicator_charts(data)
    charts["siklus"] = siklus_section(release_db, data.year, [r["kode_wilayah"] for r in data.regions], data.label)  # fmt: skip
    out.write_text(render_page(data, charts, published_at), encoding="utf-8")
    return out


def _rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def read_report_data(release_db: Path) -> ReportData:
    with connect_reader(release_db) as con:
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
            "SELECT * FROM marts.indikator_wilayah WHERE tahun = ? "
            "ORDER BY length(kode_wilayah), kode_wilayah",
            [year],
        )
        previous = {}
        if prev_year:
            sql = "SELECT * FROM marts.indikator_wilayah WHERE tahun = ?"
            previous = {r["kode_wilayah"]: r for r in _rows(con, sql, [prev_year])}
        quality = _rows(
            con,
            "SELECT * FROM marts.mutu_data_instansi WHERE tahun = ? ORDER BY kode_instansi",
            [year],
        )
    provinces = [r for r in wil if "." not in r["kode_wilayah"]]
    label = {r["kode_wilayah"]: r["nama_wilayah"] for r in wil}
    # a national registry: one bar per province (the kabupaten/kota are in the files)
    regions = provinces if len(provinces) > 1 else wil
    return ReportData(year, prev_year, regions, provinces, previous, quality, label)


def _ikm_change(data: ReportData, r: dict) -> float | None:
    p = data.previous.get(r["kode_wilayah"])
    if not p or r["ikm"] is None or p["ikm"] is None:
        return None
    return float(r["ikm"]) - float(p["ikm"])


def indicator_charts(data: ReportData) -> dict[str, str]:
    """One chart per indicator, by its name in the page."""
    year, wil, label = data.year, data.regions, data.label
    name = {r["kode_wilayah"]: label[r["kode_wilayah"]] for r in wil}
    jp = min_jp_pns()
    charts = {}
    charts["predikat"] = hstack(
        "predikat",
        f"Distribusi predikat kinerja pegawai per wilayah, {year} (% dari yang dinilai)",
        [
            (
                name[r["kode_wilayah"]],
                None if r["pct_baik"] is None else [r[p.pct_column] for p in predikat()],
            )
            for r in wil
        ],
        [(p.name, colour) for p, colour in zip(predikat(), PREDIKAT_COLOURS, strict=True)],
        hidden_note=f"disembunyikan (kurang dari {min_cell_size()} dinilai)",
    )
    charts["ikm"] = hbar(
        "ikm",
        f"Indeks Kepuasan Masyarakat (IKM) per wilayah, {year}, warna = mutu pelayanan",
        [
            (
                f"{name[r['kode_wilayah']]} ({r['mutu_ikm'] or '-'})",
                r["ikm"],
                MUTU_COLOUR[r["mutu_ikm"]],
            )
            for r in wil
        ],
        100,
        bands=_band_marks(),
    )
    charts["pct_pns_memenuhi_20jp"] = hbar(
        "pct_pns_memenuhi_20jp",
        f"PNS yang memenuhi {jp} JP pengembangan kompetensi, {year} (%)",
        [(name[r["kode_wilayah"]], r["pct_pns_memenuhi_20jp"], "#4575b4") for r in wil],
        100,
        "%",
    )
    charts["rata_jp"] = hbar(
        "rata_jp",
        f"Rata-rata JP per pegawai, {year}",
        [(name[r["kode_wilayah"]], r["rata_jp"], "#74add1") for r in wil],
        max([float(r["rata_jp"] or 0) for r in wil] + [jp]),
        bands=[(jp, f"{jp} JP")],
    )
    charts["cakupan_penilaian_pct"] = hbar(
        "cakupan_penilaian_pct",
        f"Cakupan penilaian kinerja, {year} (% pegawai yang dinilai)",
        [(name[r["kode_wilayah"]], r["cakupan_penilaian_pct"], "#5e3c99") for r in wil],
        100,
        "%",
    )
    if data.previous:
        changes = []
        for r in wil:
            d = _ikm_change(data, r)
            colour = "#1a9850" if (d or 0) >= 0 else "#d73027"
            changes.append((name[r["kode_wilayah"]], None if d is None else abs(d), colour))
        charts["perubahan"] = hbar(
            "perubahan",
            f"Perubahan IKM sejak {data.prev_year} (poin; hijau naik, merah turun)",
            changes,
            max([c[1] or 0 for c in changes] + [1]),
        )
    quality = data.quality
    charts["mutu_data"] = hbar(
        "mutu_data",
        f"Mutu data per instansi, {year}: baris ditolak (%)",
        [
            (
                q["kode_instansi"],
                q["pct_baris_ditolak"],
                "#d73027" if not q["tepat_waktu"] else "#fdae61",
            )
            for q in quality
        ],
        max([float(q["pct_baris_ditolak"] or 0) for q in quality] + [5]),
    )
    return charts


def _band_marks() -> list[tuple[float, str]]:
    """The lower IKM bound of every mutu band above the lowest, e.g. (76.61, 'B 76,61')."""
    return [
        (float(b.ikm_bawah), f"{b.mutu} {b.ikm_bawah.normalize():f}".replace(".", ","))
        for b in ikm_bands()[1:]
    ]


def _when(stamp: str) -> str:
    """20261124T113152Z -> 24 November 2026 18:31 WIB"""
    t = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC).astimezone(WIB)
    return f"{t.day} {BULAN[t.month - 1]} {t.year} {t:%H:%M} WIB"


def _fmt(v, digits=2, suffix=""):
    return "—" if v is None else f"{float(v):,.{digits}f}{suffix}"


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _cards(data: ReportData) -> tuple[str, str, list[tuple[str, str]]]:
    """(section title, page title, cards) for a province, or for the nation."""
    if data.national:
        provinces = data.provinces
        return (
            "Nasional sekilas",
            f"Nasional ({len(provinces)} provinsi)",
            [
                ("Pegawai ASN", _count(sum(r["jumlah_pegawai"] for r in provinces))),
                ("Responden SKM", _count(sum(r["jumlah_responden"] for r in provinces))),
                ("Provinsi", str(len(provinces))),
                ("Instansi", str(len(data.quality))),
            ],
        )
    province = data.provinces[0]
    jp = min_jp_pns()
    return (
        "Provinsi sekilas",
        province["nama_wilayah"],
        [
            ("Pegawai ASN", _count(province["jumlah_pegawai"])),
            ("Cakupan penilaian", _fmt(province["cakupan_penilaian_pct"], suffix="%")),
            ("Sangat Baik", _fmt(province["pct_sangat_baik"], suffix="%")),
            (f"PNS ≥ {jp} JP", _fmt(province["pct_pns_memenuhi_20jp"], suffix="%")),
            ("IKM", f"{_fmt(province['ikm'])} ({province['mutu_ikm'] or '-'})"),
            ("Responden SKM", _count(province["jumlah_responden"])),
        ],
    )


def _change_rows(data: ReportData) -> str:
    def cell(r, col):
        p = data.previous.get(r["kode_wilayah"])
        if not p or r[col] is None or p[col] is None:
            return "—"
        return f"{float(r[col]) - float(p[col]):+.2f}"

    return "".join(
        f"<tr><td>{escape(data.label[r['kode_wilayah']])}</td>"
        + "".join(f"<td>{cell(r, c)}</td>" for c in CHANGE_COLUMNS)
        + "</tr>"
        for r in data.regions
    )


def _quality_rows(data: ReportData) -> str:
    return "".join(
        f"<tr><td>{escape(q['kode_instansi'])}</td><td>{escape(q['nama_instansi'])}</td>"
        f"<td>{'ya' if q['tepat_waktu'] else 'tidak'}</td>"
        f"<td>{q['jumlah_dataset_diterima']}/{len(DATASETS)}</td>"
        f"<td>{_fmt(q['pct_baris_ditolak'], suffix='%')}</td><td>{q['file_dikarantina']}</td>"
        f"<td>{q['jumlah_temuan']}</td></tr>"
        for q in data.quality
    )


def render_page(data: ReportData, charts: dict[str, str], published_at: str) -> str:
    scope, title, cards = _cards(data)
    year, jp = data.year, min_jp_pns()
    per_region = "".join(
        charts[k]
        for k in ("predikat", "ikm", "pct_pns_memenuhi_20jp", "rata_jp", "cakupan_penilaian_pct")
    )
    change = charts.get("perubahan", "<p class='note'>Belum ada tahun sebelumnya.</p>")
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Indikator Kinerja ASN {escape(title)} {year}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Indikator Kinerja ASN — {escape(title)}, {year}</h1>
<p class="note">Diterbitkan {escape(_when(published_at))} oleh BKD. Persentase dibulatkan dua desimal; persentase dengan
penyebut di bawah {min_cell_size()} orang disembunyikan (—). Setiap pegawai dihitung sekali per tahun di instansi induknya.</p>
<h2>{scope}</h2>
<div class="cards">{"".join(f"<div class='card'>{escape(k)}<b>{escape(v)}</b></div>" for k, v in cards)}</div>
<h2>{"Per provinsi" if data.national else "Per wilayah"}</h2>
{per_region}
<h2>Perubahan sejak tahun lalu</h2>
{change}
<table><tr><th>Wilayah</th><th>Cakupan</th><th>Sangat Baik</th><th>PNS ≥ {jp} JP</th><th>Rata JP</th><th>IKM</th></tr>{_change_rows(data)}</table>
{charts.get("siklus", "")}
<h2>Mutu data instansi</h2>
{charts["mutu_data"]}
<table><tr><th>Kode</th><th>Instansi</th><th>Tepat waktu</th><th>Dataset</th><th>Baris ditolak</th><th>File rusak</th><th>Temuan</th></tr>{_quality_rows(data)}</table>
</body></html>
"""

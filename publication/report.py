"""The static HTML report: one self-contained file in Indonesian, opens offline.

Built in steps: read the release's marts (`read_report_data`), draw one chart per indicator
(`indicator_charts`), then lay out the page (`render_page`). Predikat names, IKM bands, the
small-cell size, the 20-JP threshold and the datasets come from their homes (core.domain,
core.standard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

import yaml

from core.domain import WIB, ikm_bands, min_cell_size, min_jp_pns, predikat
from core.duck import connect_reader
from core.numbers import KOSONG, angka, sel
from core.standard import DATASETS
from publication.charts import diverging, hbar, hstack
from publication.report_siklus import siklus_section

MUTU_COLOUR = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", None: "#bbbbbb"}
# one colour per predikat, best first (the order of the seed `predikat`), and the colour of
# the value written on it
PREDIKAT_COLOURS = [
    ("#1a9850", "#ffffff"),
    ("#91cf60", "#1b1b1b"),
    ("#fee08b", "#1b1b1b"),
    ("#fc8d59", "#1b1b1b"),
    ("#d73027", "#ffffff"),
]
GLOSSARY = Path(__file__).with_name("glosarium.yaml")
# the files of the same release the report links to (relative: they sit beside it)
DATA_FILES = [
    ("indikator_wilayah.xlsx", "Indikator per wilayah (Excel, dengan Kamus Data)"),
    ("indikator_wilayah.csv", "Indikator per wilayah (CSV)"),
    ("indikator_wilayah.parquet", "Indikator per wilayah (Parquet)"),
    ("indikator_instansi.xlsx", "Indikator per instansi (Excel, dengan Kamus Data)"),
    ("indikator_instansi.csv", "Indikator per instansi (CSV)"),
    ("indikator_instansi.parquet", "Indikator per instansi (Parquet)"),
    ("kinerja.duckdb", "Seluruh marts untuk analis (DuckDB, hanya-baca)"),
    ("parquet/", "Salinan Parquet setiap mart"),
    ("PANDUAN_ANALIS.md", "Panduan analis (contoh kueri DuckDB, pandas, Power Query)"),
    ("temuan_instansi/", "Hasil pemeriksaan data per instansi (Excel)"),
]
CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem auto;max-width:1040px;color:#222;padding:0 .9rem;line-height:1.4}
h1{color:#1F4E79;font-size:1.6rem}h2{border-bottom:2px solid #1F4E79;padding-bottom:.2rem;margin-top:2rem}
h3{margin:1.2rem 0 .4rem;font-size:1.05rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.6rem}
.card{border:1px solid #ccd;border-radius:6px;padding:.5rem .8rem}
.card b{display:block;font-size:1.4rem;color:#1F4E79}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:0 2rem}
figure{margin:.8rem 0;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;margin-bottom:.3rem;break-after:avoid;page-break-after:avoid}
figure svg{display:block;width:100%;height:auto;max-width:560px}
svg .lbl{font-size:12px}svg .val{font-size:11px}svg .seg{font-size:10.5px}
svg .muted{font-size:11px;fill:#666}svg .ref{stroke:#888;stroke-dasharray:3 3}svg .axis{stroke:#444}
.scroll{overflow-x:auto;max-width:100%}
.scroll td:first-child{position:sticky;left:0;background:#fff}.scroll th:first-child{position:sticky;left:0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ccd;padding:.25rem .45rem;text-align:right}
th{background:#eef2f7;vertical-align:bottom}td:first-child,th:first-child{text-align:left}
td.t,th.t{text-align:left}.note{color:#555;font-size:.85rem;font-weight:normal}
th[data-sort]{cursor:pointer;user-select:none}th[data-sort]::after{content:" \\2195";color:#889}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
#tabel-instansi td:first-child{min-width:12rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.4rem 0}
.filters input,.filters select{font:inherit;padding:.2rem .4rem;max-width:100%}
dl.glos dt{font-weight:600;margin-top:.5rem}dl.glos dd{margin:0 0 0 1rem}
ul.files{padding-left:1.2rem}ul.files code{font-size:.85rem}
@media (max-width:600px){body{margin:.8rem auto}h1{font-size:1.3rem}table{font-size:.78rem}}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt}
 h2,h3{break-after:avoid;page-break-after:avoid}
 .charts{display:block}figure svg{max-width:150mm}
 .keep,.card{break-inside:avoid;page-break-inside:avoid}
 tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
 .filters{display:none}.scroll{overflow:visible}
 a{color:inherit;text-decoration:none}
}
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
    years: list[int] = field(default_factory=list)  # every published year, oldest first
    history: dict[tuple[str, int], dict] = field(default_factory=dict)  # (kode_wilayah, tahun)
    agencies: list[dict] = field(default_factory=list)  # indikator_instansi, every year

    @property
    def national(self) -> bool:
        return len(self.provinces) > 1


def build_report(release_db: Path, out: Path, published_at: str) -> Path:
    data = read_report_data(release_db)
    if data is None:  # nothing was loaded yet: the page says so (and where the files are)
        out.write_text(render_empty_page(published_at), encoding="utf-8")
        return out
    siklus = siklus_section(release_db, data.year, [r["kode_wilayah"] for r in data.regions], data.label)  # fmt: skip
    out.write_text(
        render_page(data, indicator_charts(data), published_at, siklus), encoding="utf-8"
    )
    return out


def _rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def headline_years(years: list[int], this_year: int) -> list[int]:
    """The years the report may lead with: the complete ones (before `this_year`), or all
    of them when none is complete yet."""
    return [y for y in years if y < this_year] or years


def read_report_data(release_db: Path, this_year: int | None = None) -> ReportData | None:
    """The figures of the report; None when the release holds no indicator at all (no
    submission was loaded into the warehouse)."""
    this_year = this_year or dt.datetime.now(WIB).year
    with connect_reader(release_db) as con:
        everything = _rows(
            con,
            "SELECT * FROM marts.indikator_wilayah ORDER BY length(kode_wilayah), kode_wilayah, tahun",
        )
        quality_all = _rows(
            con, "SELECT * FROM marts.mutu_data_instansi ORDER BY kode_instansi, tahun"
        )
        agencies = _rows(
            con, "SELECT * FROM marts.indikator_instansi ORDER BY tahun DESC, kode_instansi"
        )
    years = sorted({r["tahun"] for r in everything})
    if not years:
        return None
    # the headline is the latest complete year, never a year still running (or later)
    shown = headline_years(years, this_year)
    year = shown[-1]
    prev_year = shown[-2] if len(shown) > 1 else None
    wil = [r for r in everything if r["tahun"] == year]
    previous = {r["kode_wilayah"]: r for r in everything if r["tahun"] == prev_year}
    quality = [q for q in quality_all if q["tahun"] == year]
    provinces = [r for r in wil if "." not in r["kode_wilayah"]]
    label = {r["kode_wilayah"]: r["nama_wilayah"] for r in everything}
    # a national registry: one bar per province (the kabupaten/kota are in the files)
    regions = provinces if len(provinces) > 1 else wil
    history = {(r["kode_wilayah"], r["tahun"]): r for r in everything}
    return ReportData(
        year, prev_year, regions, provinces, previous, quality, label, years, history, agencies
    )


def _change(data: ReportData, r: dict, column: str) -> float | None:
    p = data.previous.get(r["kode_wilayah"])
    if not p or r[column] is None or p[column] is None:
        return None
    return float(r[column]) - float(p[column])


def indicator_charts(data: ReportData) -> dict[str, str]:
    """One chart per indicator, by its name in the page."""
    year, wil, label = data.year, data.regions, data.label
    name = {r["kode_wilayah"]: label[r["kode_wilayah"]] for r in wil}
    jp = min_jp_pns()
    hidden = f"disembunyikan (penyebut kurang dari {min_cell_size()} orang)"
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
        [(p.name, *colours) for p, colours in zip(predikat(), PREDIKAT_COLOURS, strict=True)],
        hidden_note=f"disembunyikan (kurang dari {min_cell_size()} dinilai)",
    )
    charts["ikm"] = hbar(
        "ikm",
        f"Indeks Kepuasan Masyarakat (IKM) per wilayah, {year}; warna = mutu pelayanan",
        [
            (
                f"{name[r['kode_wilayah']]} (mutu {r['mutu_ikm'] or '-'})",
                r["ikm"],
                MUTU_COLOUR[r["mutu_ikm"]],
            )
            for r in wil
        ],
        100,
        bands=_band_marks(),
        hidden_note="tidak ada data survei",
    )
    charts["pct_pns_memenuhi_20jp"] = hbar(
        "pct_pns_memenuhi_20jp",
        f"PNS yang memenuhi {jp} JP pengembangan kompetensi, {year} (%)",
        [(name[r["kode_wilayah"]], r["pct_pns_memenuhi_20jp"], "#4575b4") for r in wil],
        100,
        "%",
        hidden_note=hidden,
    )
    charts["rata_jp"] = hbar(
        "rata_jp",
        f"Rata-rata JP per pegawai, {year}",
        [(name[r["kode_wilayah"]], r["rata_jp"], "#74add1") for r in wil],
        max([float(r["rata_jp"] or 0) for r in wil] + [jp]) * 1.05,
        " JP",
        bands=[(jp, f"{jp} JP")],
    )
    charts["cakupan_penilaian_pct"] = hbar(
        "cakupan_penilaian_pct",
        f"Cakupan penilaian kinerja, {year} (% pegawai yang dinilai)",
        [(name[r["kode_wilayah"]], r["cakupan_penilaian_pct"], "#5e3c99") for r in wil],
        100,
        "%",
        hidden_note=hidden,
    )
    if data.previous:
        charts["perubahan"] = diverging(
            "perubahan",
            f"Perubahan IKM {data.prev_year} ke {year} (poin)",
            [(name[r["kode_wilayah"]], _change(data, r, "ikm")) for r in wil],
            note="hijau ke kanan = naik, merah ke kiri = turun",
        )
    quality = data.quality
    charts["mutu_data"] = hbar(
        "mutu_data",
        f"Mutu data per instansi, {year}: baris ditolak (%); merah = terlambat",
        [
            (
                q["kode_instansi"],
                q["pct_baris_ditolak"],
                "#d73027" if not q["tepat_waktu"] else "#fdae61",
            )
            for q in quality
        ],
        max([float(q["pct_baris_ditolak"] or 0) for q in quality] + [5]),
        "%",
        hidden_note="tidak ada data",
    )
    return charts


def _band_marks() -> list[tuple[float, str]]:
    """The lower IKM bound of every mutu band above the lowest, e.g. (76.61, 'B 76,61')."""
    return [(float(b.ikm_bawah), f"{b.mutu} {angka(b.ikm_bawah, 2)}") for b in ikm_bands()[1:]]


def _when(stamp: str) -> str:
    """20261124T113152Z -> 24 November 2026 18:31 WIB"""
    t = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC).astimezone(WIB)
    return f"{t.day} {BULAN[t.month - 1]} {t.year} {t:%H:%M} WIB"


def _cards(data: ReportData) -> tuple[str, str, list[tuple[str, str]]]:
    """(section title, page title, cards) for a province, or for the nation."""
    if data.national:
        provinces = data.provinces
        return (
            "Nasional sekilas",
            f"Nasional ({angka(len(provinces))} provinsi)",
            [
                ("Pegawai ASN", angka(sum(r["jumlah_pegawai"] for r in provinces))),
                ("Responden SKM", angka(sum(r["jumlah_responden"] for r in provinces))),
                ("Provinsi", angka(len(provinces))),
                ("Instansi", angka(len(data.quality))),
            ],
        )
    province = data.provinces[0]
    jp = min_jp_pns()
    return (
        "Provinsi sekilas",
        province["nama_wilayah"],
        [
            ("Pegawai ASN", sel("jumlah_pegawai", province["jumlah_pegawai"])),
            ("Cakupan penilaian", sel("cakupan_penilaian_pct", province["cakupan_penilaian_pct"])),
            ("Sangat Baik", sel("pct_sangat_baik", province["pct_sangat_baik"])),
            (f"PNS ≥ {jp} JP", sel("pct_pns_memenuhi_20jp", province["pct_pns_memenuhi_20jp"])),
            ("IKM", f"{sel('ikm', province['ikm'])} (mutu {province['mutu_ikm'] or '-'})"),
            ("Responden SKM", sel("jumlah_responden", province["jumlah_responden"])),
        ],
    )


def _headers() -> dict[str, str]:
    jp = min_jp_pns()
    return {
        "cakupan_penilaian_pct": "Cakupan penilaian",
        "pct_sangat_baik": "Sangat Baik",
        "pct_pns_memenuhi_20jp": f"PNS ≥ {jp} JP",
        "rata_jp": "Rata-rata JP",
        "ikm": "IKM",
    }


def _table(head: list[str], rows: list[list[str]], keep: bool = False, text: int = 1) -> str:
    """A table in a horizontally scrolling box (a wide table never widens the page); `keep`:
    printed on one page; the first `text` columns are text (aligned left)."""

    def a(i):
        return ' class="t"' if i < text else ""

    th = "".join(f"<th{a(i)}>{h}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{a(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    cls = "scroll keep" if keep else "scroll"
    return (
        f'<div class="{cls}"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def _change_table(data: ReportData) -> str:
    head = ["Wilayah"] + [
        f"{h} ({'JP' if c == 'rata_jp' else 'poin'})" for c, h in _headers().items()
    ]
    rows = [
        [escape(data.label[r["kode_wilayah"]])]
        + [
            angka(
                _change(data, r, c),
                2,
                tanda=True,
                kosong=KOSONG,
            )
            for c in CHANGE_COLUMNS
        ]
        for r in data.regions
    ]
    return _table(head, rows, keep=True)


def _trend(data: ReportData, heading: str) -> str:
    """Every published year per region, one small table per indicator (the first one printed
    on the same page as `heading`)."""
    codes = [r["kode_wilayah"] for r in data.regions]
    parts = []
    for column, title in _headers().items():
        rows = [
            [escape(data.label[k])]
            + [sel(column, (data.history.get((k, y)) or {}).get(column)) for y in data.years]
            for k in codes
        ]
        table = _table(["Wilayah"] + [str(y) for y in data.years], rows)
        parts.append(
            f'<div class="keep">{"" if parts else heading}<h3>{escape(title)}</h3>{table}</div>'
        )
    return "".join(parts)


AGENCY_COLUMNS = [
    ("nama_instansi", "Instansi"),
    ("tahun", "Tahun"),
    ("jumlah_pegawai", "Pegawai"),
    ("cakupan_penilaian_pct", "Cakupan penilaian"),
    ("pct_sangat_baik", "Sangat Baik"),
    ("pct_pns_memenuhi_20jp", "PNS ≥ 20 JP"),
    ("rata_jp", "Rata-rata JP"),
    ("ikm", "IKM"),
    ("mutu_ikm", "Mutu"),
]


def _agency_table(data: ReportData) -> str:
    """indikator_instansi, every year, sortable (click a header) and filterable (name, year)
    by the small script at the end of the page; without it, the whole table shows."""
    jp = min_jp_pns()
    cols = [(c, h.replace("20 JP", f"{jp} JP")) for c, h in AGENCY_COLUMNS]
    text = ("nama_instansi", "mutu_ikm")
    head = "".join(
        (
            f'<th data-sort="t" class="t">{escape(h)}</th>'
            if c in text
            else f'<th data-sort="n">{escape(h)}</th>'
        )
        for c, h in cols
    )
    body = []
    for a in data.agencies:
        cells = []
        for c, _ in cols:
            v = a[c]
            if c == "nama_instansi":
                cells.append(
                    f'<td class="t" data-v="{escape(v)}">{escape(v)}'
                    f'<br><span class="note">{escape(a["kode_instansi"])}</span></td>'
                )
            elif c == "mutu_ikm":
                cells.append(f'<td class="t" data-v="{escape(v or "")}">{escape(v or KOSONG)}</td>')
            else:
                raw = "" if v is None else str(v)
                cells.append(f'<td data-v="{raw}">{sel(c, v)}</td>')
        body.append(f'<tr data-tahun="{a["tahun"]}">{"".join(cells)}</tr>')
    options = "".join(
        f'<option value="{y}"{" selected" if y == data.year else ""}>{y}</option>'
        for y in reversed(data.years)
    )
    return f"""<div class="filters">
<label>Cari instansi <input type="search" id="cari-instansi" placeholder="nama atau kode"></label>
<label>Tahun <select id="tahun-instansi"><option value="">semua</option>{options}</select></label>
<span class="note" id="jumlah-instansi"></span></div>
<div class="scroll"><table id="tabel-instansi"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>"""


# sort and filter the agency table, offline (no library)
SCRIPT = """
(function(){
var t=document.getElementById('tabel-instansi');if(!t)return;
var q=document.getElementById('cari-instansi'),y=document.getElementById('tahun-instansi'),
n=document.getElementById('jumlah-instansi'),b=t.tBodies[0],rows=[].slice.call(b.rows);
function filter(){var s=q.value.toLowerCase(),yr=y.value,k=0;rows.forEach(function(r){
var ok=(!yr||r.getAttribute('data-tahun')===yr)&&r.textContent.toLowerCase().indexOf(s)>=0;
r.style.display=ok?'':'none';if(ok)k++;});n.textContent=k+' baris ditampilkan';}
q.addEventListener('input',filter);y.addEventListener('change',filter);
[].forEach.call(t.tHead.rows[0].cells,function(th,i){th.setAttribute('tabindex','0');
function sort(){var asc=th.getAttribute('aria-sort')!=='ascending',num=th.getAttribute('data-sort')==='n';
[].forEach.call(t.tHead.rows[0].cells,function(o){o.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
rows.sort(function(a,c){var u=a.cells[i].getAttribute('data-v'),v=c.cells[i].getAttribute('data-v');
if(num){if(u==='')return 1;if(v==='')return -1;u=parseFloat(u);v=parseFloat(v);return asc?u-v:v-u;}
return asc?u.localeCompare(v,'id'):v.localeCompare(u,'id');});
rows.forEach(function(r){b.appendChild(r);});}
th.addEventListener('click',sort);th.addEventListener('keydown',function(e){if(e.key==='Enter')sort();});});
filter();})();
"""


def _quality_table(data: ReportData) -> str:
    head = ["Kode", "Instansi", "Tepat waktu", "Dataset", "Baris ditolak", "File rusak", "Temuan"]
    rows = [
        [
            escape(q["kode_instansi"]),
            escape(q["nama_instansi"]),
            sel("tepat_waktu", q["tepat_waktu"]),
            f"{angka(q['jumlah_dataset_diterima'])}/{angka(len(DATASETS))}",
            sel("pct_baris_ditolak", q["pct_baris_ditolak"]),
            sel("file_dikarantina", q["file_dikarantina"]),
            sel("jumlah_temuan", q["jumlah_temuan"]),
        ]
        for q in data.quality
    ]
    return _table(head, rows, text=2)


@cache
def glossary() -> list[tuple[str, str]]:
    """(term, explanation) of the report's glossary (publication/glosarium.yaml)."""
    entries = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    mutu = ", ".join(
        f"{b.mutu} ({b.kinerja_unit}, {angka(b.ikm_bawah, 2)} sampai {angka(b.ikm_atas, 2)})"
        for b in reversed(ikm_bands())
    )
    return [(e["istilah"], e["penjelasan"].format(jp=min_jp_pns(), mutu=mutu)) for e in entries]


def _glossary() -> str:
    return (
        '<dl class="glos">'
        + "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in glossary())
        + "</dl>"
    )


def _files() -> str:
    return (
        '<ul class="files">'
        + "".join(
            f'<li><a href="{escape(href)}"><code>{escape(href)}</code></a> — {escape(text)}</li>'
            for href, text in DATA_FILES
        )
        + "</ul>"
    )


EMPTY_MESSAGE = (
    "Belum ada indikator yang dapat diterbitkan: gudang data belum memuat satu pun kiriman "
    "instansi (tidak ada file yang diterima, atau semua file diabaikan atau dikarantina). "
    "Periksa `kinerja status` dan hasil pemeriksaan per instansi, lalu jalankan lagi setelah "
    "instansi mengirim data."
)


def render_empty_page(published_at: str) -> str:
    """The page of a release with no indicator (an empty warehouse)."""
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Indikator Kinerja ASN: belum ada data</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Indikator Kinerja ASN: belum ada data</h1>
<p class="note">Diterbitkan {escape(_when(published_at))} oleh BKD.</p>
<p>{escape(EMPTY_MESSAGE)}</p>
<h2>File data rilis ini</h2>
<p class="note">File berikut ada di folder yang sama dengan laporan ini (rilis yang sama).</p>
{_files()}
</body></html>
"""


def render_page(
    data: ReportData, charts: dict[str, str], published_at: str, sections: str = ""
) -> str:
    """The page. `sections`: further HTML sections (e.g. another report module's), placed
    before the data quality section."""
    scope, title, cards = _cards(data)
    year = data.year
    per_region = "".join(
        charts[k]
        for k in ("predikat", "ikm", "pct_pns_memenuhi_20jp", "rata_jp", "cakupan_penilaian_pct")
    )
    if data.previous:
        change = f'<div class="charts">{charts["perubahan"]}</div>' + _change_table(data)
    else:
        change = "<p class='note'>Belum ada tahun sebelumnya.</p>"
    years = ", ".join(str(y) for y in data.years)
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Indikator Kinerja ASN {escape(title)} {year}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Indikator Kinerja ASN — {escape(title)}, {year}</h1>
<p class="note">Diterbitkan {escape(_when(published_at))} oleh BKD. Persentase dibulatkan dua desimal; persentase dengan
penyebut di bawah {min_cell_size()} orang disembunyikan ({KOSONG}). Setiap pegawai dihitung sekali per tahun di instansi induknya.
Angka ditulis dengan titik untuk ribuan dan koma untuk desimal (31.291; 94,86%).</p>
<h2>{scope}</h2>
<div class="cards">{"".join(f"<div class='card'>{escape(k)}<b>{escape(v)}</b></div>" for k, v in cards)}</div>
<h2>{"Per provinsi" if data.national else "Per wilayah"}</h2>
<div class="charts">{per_region}</div>
<h2>Perubahan sejak tahun lalu</h2>
{change}
{_trend(data, f'<h2>Tren per wilayah</h2><p class="note">Setiap tahun yang diterbitkan ({years}).</p>')}
<h2>Per instansi</h2>
<p class="note">Klik judul kolom untuk mengurutkan; saring dengan nama/kode instansi atau tahun.</p>
{_agency_table(data)}
{sections}
<h2>Mutu data instansi</h2>
<div class="charts">{charts["mutu_data"]}</div>
{_quality_table(data)}
<h2>Istilah</h2>
{_glossary()}
<h2>File data rilis ini</h2>
<p class="note">File berikut ada di folder yang sama dengan laporan ini (rilis yang sama).</p>
{_files()}
<script>{SCRIPT}</script>
</body></html>
"""

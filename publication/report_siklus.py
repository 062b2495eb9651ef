"""The report's section "Siklus manajemen kinerja": IP ASN per region (distribution over the
five kategori and the mean), dialogue completeness per region and per quarter, and rewards
aligned with performance. Read from the release's marts; every number in Indonesian format
(core.numbers), small cells shown as "—" (the marts already hold them as NULL; the per-quarter
shares, computed here, follow the same small-cell rule).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from core.domain import ip_asn_kategori, min_cell_size, triwulan_per_tahun
from core.duck import connect_reader
from core.numbers import KOSONG, angka, persen

EMPTY = KOSONG
KATEGORI_COLOURS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]


def _pct(v) -> str:
    return EMPTY if v is None else persen(float(v))


def _num(v, decimals: int = 2) -> str:
    return EMPTY if v is None else angka(float(v), decimals)


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _bar(shares: list, hidden: str) -> str:
    """A stacked bar of the five kategori shares as inline HTML (no chart library)."""
    if any(s is None for s in shares):
        return f"<span class='note'>{escape(hidden)}</span>"
    cells = "".join(
        f"<span title='{escape(k.name)}: {escape(persen(float(s)))}' style='display:inline-block;"
        f"height:12px;width:{float(s) * 2:.1f}px;background:{c}'></span>"
        for k, s, c in zip(ip_asn_kategori(), shares, KATEGORI_COLOURS, strict=True)
    )
    return f"<span style='white-space:nowrap'>{cells}</span>"


def _quarters(con, year: int, regions: list[str]) -> dict[str, list]:
    """Per region (kabupaten/kota or province code), the share of its employees with a counted
    dialogue in each quarter; None under the small-cell size."""
    rows = _rows(
        con,
        """
        WITH pegawai AS (
            SELECT p.pegawai_key, i.kode_wilayah, i.kode_provinsi
            FROM marts.fct_pegawai_tahun p JOIN marts.dim_instansi i USING (kode_instansi)
            WHERE p.tahun = ?
        ),
        wilayah AS (
            SELECT pegawai_key, kode_wilayah AS wilayah FROM pegawai
            WHERE kode_wilayah <> kode_provinsi
            UNION ALL
            SELECT pegawai_key, kode_provinsi FROM pegawai
        ),
        dialog AS (SELECT DISTINCT pegawai_key, triwulan FROM marts.fct_dialog_kinerja WHERE tahun = ?)
        SELECT w.wilayah, count(DISTINCT w.pegawai_key) AS pegawai,
               list(d.triwulan) FILTER (WHERE d.triwulan IS NOT NULL) AS triwulan
        FROM wilayah w LEFT JOIN dialog d USING (pegawai_key)
        GROUP BY w.wilayah
        """,
        [year, year],
    )
    n_quarters = triwulan_per_tahun()
    out = {}
    for r in rows:
        n = r["pegawai"]
        held = r["triwulan"] or []
        out[r["wilayah"]] = [
            round(100.0 * held.count(q) / n, 2) if n >= min_cell_size() else None
            for q in range(1, n_quarters + 1)
        ]
    return {k: out.get(k, [None] * n_quarters) for k in regions}


def _findings(con, year: int) -> dict[str, int]:
    """Recipients whose reward is not aligned, per kabupaten/kota and per province."""
    rows = _rows(
        con,
        """
        SELECT i.kode_wilayah, i.kode_provinsi, sum(t.jumlah) AS jumlah
        FROM marts.temuan t JOIN marts.dim_instansi i USING (kode_instansi)
        WHERE t.tahun = ? AND t.aturan = 'PENGHARGAAN_TIDAK_SELARAS'
        GROUP BY ALL
        """,
        [year],
    )
    out: dict[str, int] = {}
    for r in rows:
        codes = {r["kode_provinsi"], r["kode_wilayah"]}
        for code in codes:
            out[code] = out.get(code, 0) + int(r["jumlah"])
    return out


def siklus_section(release_db: Path, year: int, regions: list[str], label: dict[str, str]) -> str:
    """The HTML of the section for `year`, one row per region code in `regions` (in order)."""
    with connect_reader(release_db) as con:
        wil = {
            r["kode_wilayah"]: r
            for r in _rows(con, "SELECT * FROM marts.indikator_wilayah WHERE tahun = ?", [year])
        }
        quarters = _quarters(con, year, regions)
        findings = _findings(con, year)
    kategori = ip_asn_kategori()
    small = min_cell_size()
    n_quarters = triwulan_per_tahun()
    hidden = f"disembunyikan (kurang dari {small} PNS)"
    ip_rows = "".join(
        f"<tr><td>{escape(label.get(k, k))}</td><td>{angka(wil[k]['jumlah_pns_ip_asn'])}</td>"
        f"<td>{_num(wil[k]['rata_ip_asn'])}</td>"
        + "".join(f"<td>{_pct(wil[k][c.pct_column])}</td>" for c in kategori)
        + f"<td style='text-align:left'>{_bar([wil[k][c.pct_column] for c in kategori], hidden)}</td></tr>"
        for k in regions
        if k in wil
    )
    dialog_rows = "".join(
        f"<tr><td>{escape(label.get(k, k))}</td><td>{angka(wil[k]['jumlah_pegawai'])}</td>"
        f"<td>{_pct(wil[k]['pct_dialog_lengkap'])}</td>"
        f"<td>{_num(wil[k]['rata_triwulan_dialog'])}</td>"
        + "".join(f"<td>{_pct(v)}</td>" for v in quarters[k])
        + "</tr>"
        for k in regions
        if k in wil
    )
    reward_rows = "".join(
        f"<tr><td>{escape(label.get(k, k))}</td>"
        f"<td>{angka(wil[k]['jumlah_penerima_penghargaan'])}</td>"
        f"<td>{_pct(wil[k]['pct_penghargaan_selaras'])}</td>"
        f"<td>{angka(findings.get(k, 0))}</td></tr>"
        for k in regions
        if k in wil
    )
    bands = ", ".join(f"{k.name} {k.skor_bawah}–{k.skor_atas}" for k in kategori)
    return f"""
<h2>Siklus manajemen kinerja</h2>
<p class="note">Indeks Profesionalitas ASN (IP ASN, Perban BKN 8/2019) untuk PNS yang dinilai pada {year}:
kualifikasi (maks. 25) + kompetensi (maks. 40) + kinerja (maks. 30) + disiplin (maks. 5). Kategori: {escape(bands)}.
PPPK dan PNS tanpa penilaian tidak memperoleh IP ASN.</p>
<div class="scroll"><table><tr><th>Wilayah</th><th>PNS ber-IP ASN</th><th>Rata-rata IP ASN</th>{"".join(f"<th>{escape(k.name)}</th>" for k in kategori)}<th>Sebaran</th></tr>{ip_rows}</table></div>
<h3>Dialog kinerja triwulanan</h3>
<p class="note">Dialog lengkap: dialog kinerja tercatat pada keempat triwulan. Per triwulan: persentase pegawai yang dialognya
tercatat pada triwulan itu (triwulan yang dikirim dua kali dihitung sekali).</p>
<div class="scroll"><table><tr><th>Wilayah</th><th>Pegawai</th><th>Dialog lengkap</th><th>Rata-rata triwulan (0–{n_quarters})</th>{"".join(f"<th>TW {q}</th>" for q in range(1, n_quarters + 1))}</tr>{dialog_rows}</table></div>
<h3>Penghargaan dan kinerja</h3>
<p class="note">Penghargaan selaras: penerima yang pada tahun itu tidak berpredikat Butuh Perbaikan, Kurang/Misconduct atau
Sangat Kurang dan tidak dijatuhi hukuman disiplin sedang atau berat (PP 11/2017). Penerima yang tidak selaras adalah temuan
PENGHARGAAN_TIDAK_SELARAS di buku temuan instansinya.</p>
<div class="scroll"><table><tr><th>Wilayah</th><th>Penerima penghargaan</th><th>Selaras dengan kinerja</th><th>Penerima tidak selaras (temuan)</th></tr>{reward_rows}</table></div>
"""

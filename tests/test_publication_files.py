"""What people read: files exist and agree with the marts, no personal data anywhere,
formula injection neutralised, suppressed cells empty, the report offline with its charts."""

import csv
import re
import shutil
import zipfile
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from publication.files import write_publication_files
from publication.release import ANALYST_DB, latest_release, publish
from publication.safe import mask_personal, neutralise
from tests.conftest import copy_province, run_nightly
from tests.hand_province import AGENCIES, NIP, PELATIHAN_H, write

# this module's release is a nightly run: every test here is slow
pytestmark = pytest.mark.slow

INJECTION = '=HYPERLINK("http://contoh.invalid/x","klik")'


@pytest.fixture(scope="module")
def release(hand_built, tmp_path_factory):
    s = copy_province(hand_built[0], tmp_path_factory.mktemp("pub") / "home")
    # free text from an agency that would run as a formula: a rejected value, and a training name
    write(s.landing, "KAB-2", "pelatihan", "latih_tambahan.csv", PELATIHAN_H, [
        f"{NIP['m3']},{INJECTION.replace(',', ' ')},{INJECTION.replace(',', ' ')},2025-04-01,2025-04-02,4,@BPSDM",
        f"{NIP['m3']},-Pelatihan Plus,klasikal,2025-04-01,2025-04-02,4,+BPSDM",
    ], "2026-01-21T08:00:00")  # fmt: skip
    assert run_nightly(s).success
    return s, (s.published / "latest").resolve()


def xlsx_rows(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_files_exist_and_agree_with_the_marts(release):
    s, rel = release
    for name in ("indikator_wilayah", "indikator_instansi"):
        for ext in ("csv", "parquet", "xlsx"):
            assert (rel / f"{name}.{ext}").exists()
    with duckdb.connect(str(rel / ANALYST_DB), read_only=True) as con:
        marts = con.execute(
            "SELECT kode_wilayah, tahun, jumlah_pegawai, pct_sangat_baik, ikm FROM marts.indikator_wilayah ORDER BY 1, 2"
        ).fetchall()
    with (rel / "indikator_wilayah.csv").open() as f:
        from_csv = [(r["kode_wilayah"], int(r["tahun"]), int(r["jumlah_pegawai"]),
                     Decimal(r["pct_sangat_baik"]) if r["pct_sangat_baik"] else None,
                     Decimal(r["ikm"]) if r["ikm"] else None) for r in csv.DictReader(f)]  # fmt: skip
    assert from_csv == marts
    pq_rows = pq.read_table(rel / "indikator_wilayah.parquet").to_pylist()
    assert [(r["kode_wilayah"], r["tahun"], r["jumlah_pegawai"]) for r in pq_rows] == [
        m[:3] for m in marts
    ]
    data = xlsx_rows(rel / "indikator_wilayah.xlsx", "Data")
    assert data[0][:3] == ["Kode Wilayah", "Nama Wilayah", "Tahun"]
    assert [(r[0], int(r[2]), int(r[3])) for r in data[1:]] == [m[:3] for m in marts]
    # the data dictionary explains every column, from the dbt docs
    kamus = xlsx_rows(rel / "indikator_wilayah.xlsx", "Kamus Data")
    described = {r[0]: r[3] for r in kamus[3:] if r and r[0]}
    assert "ikm" in described and "1/9" in described["ikm"]
    assert set(described) >= {"jumlah_pegawai", "pct_pns_memenuhi_20jp", "mutu_ikm"}
    assert (rel / "parquet" / "fct_pegawai_tahun.parquet").exists() and (
        rel / "PANDUAN_ANALIS.md"
    ).exists()


def test_suppressed_cells_are_empty(release):
    _, rel = release
    with (rel / "indikator_wilayah.csv").open() as f:
        kab2 = next(r for r in csv.DictReader(f) if r["kode_wilayah"] == "75.02")
    assert kab2["pct_sangat_baik"] == "" and kab2["cakupan_penilaian_pct"] == "80.00"
    row = next(r for r in xlsx_rows(rel / "indikator_wilayah.xlsx", "Data") if r[0] == "75.02")
    assert row[6] == "" and float(row[5]) == 80.0  # empty cell, not 0
    html = (rel / "laporan.html").read_text()
    assert "disembunyikan" in html


def all_text(path):
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        return " ".join(str(v) for col in pq.read_table(path).columns for v in col.to_pylist())
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
            return " ".join(
                str(v)
                for s, t in tables
                for row in con.execute(f'SELECT * FROM "{s}"."{t}"').fetchall()
                for v in row
            )
    return path.read_text(encoding="utf-8", errors="replace")


def test_no_nip_or_name_in_any_published_file(release):
    s, rel = release
    files = [p for p in rel.rglob("*") if p.is_file()]
    assert len(files) > 20
    for p in files:
        text = all_text(p)
        assert not re.search(r"\b\d{18}\b", text), p
        assert not any(n in text for n in NIP.values()), p
        assert "Pegawai n" not in text, p  # the names in the hand province's rosters


def test_formula_injection_is_neutralised(release):
    _, rel = release
    rows = xlsx_rows(rel / "temuan_instansi" / "KAB-2.xlsx", "Baris Ditolak")
    values = [r[3] for r in rows[1:]]
    assert "'" + INJECTION.replace(",", " ") in values
    assert not any(
        isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for r in rows for v in r
    )
    with zipfile.ZipFile(rel / "temuan_instansi" / "KAB-2.xlsx") as z:
        sheets = " ".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")
        )
    assert "<f>" not in sheets  # no formula cells at all
    assert neutralise("-5") == "'-5" and neutralise(-5) == -5 and neutralise("Baik") == "Baik"


def test_agency_findings_name_file_row_and_reason(release):
    _, rel = release
    rows = xlsx_rows(rel / "temuan_instansi" / "KAB-2.xlsx", "Baris Ditolak")
    assert rows[0] == ["File", "Baris", "Kolom", "Nilai Dikirim", "Aturan", "Alasan"]
    bad = [r for r in rows[1:] if r[0] == "KAB-2/pelatihan/latih_tambahan.csv"]
    assert {(int(r[1]), r[2], r[4]) for r in bad} == {(2, "jenis_pelatihan", "KODE_TIDAK_DIKENAL")}
    assert "pilihan: klasikal, nonklasikal" in bad[0][5]
    temuan = xlsx_rows(rel / "temuan_instansi" / "KAB-1.xlsx", "Temuan")
    assert {r[1] for r in temuan[1:]} >= {"PENILAIAN_NIP_TIDAK_DI_ROSTER", "PEGAWAI_DI_DUA_ROSTER"}
    assert mask_personal("nip", "198609262015051001") == "1986************01"


def test_report_is_offline_with_one_chart_per_indicator(release):
    _, rel = release
    html = (rel / "laporan.html").read_text()
    charts = re.findall(r'<figure class="chart" data-indikator="([^"]+)"', html)
    assert sorted(charts) == sorted(
        [
            "predikat",
            "ikm",
            "pct_pns_memenuhi_20jp",
            "rata_jp",
            "cakupan_penilaian_pct",
            "mutu_data",
        ]
    )  # one year only in the hand province: no change-since-last-year chart
    assert html.count("<svg") == len(charts)
    urls = re.findall(r"(?:src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert urls == [] and "<script" not in html and "http://www.w3.org/2000/svg" in html
    assert 'lang="id"' in html and "Provinsi sekilas" in html


def test_unchanged_findings_workbooks_are_shared_with_the_last_release(release, tmp_path):
    s, _ = release
    working, published = tmp_path / "kerja.duckdb", tmp_path / "published"
    shutil.copyfile(s.warehouse, working)

    def release_now(run_id):
        previous = latest_release(published)
        extra = lambda f, stamp: write_publication_files(working, f, stamp, previous)  # noqa: E731
        return publish(working, published, run_id, memory_limit="1GB", keep=1, extra=extra)

    first = release_now("run00001")
    inodes = {p.name: p.stat().st_ino for p in (first / "temuan_instansi").glob("*.xlsx")}
    assert set(inodes) == {f"{k}.xlsx" for k in AGENCIES}
    with duckdb.connect(str(working)) as con:  # KAB-2 sent one more bad row
        con.execute(
            "INSERT INTO raw.rejects SELECT * REPLACE (baris + 1000 AS baris) FROM raw.rejects "
            "WHERE kode_instansi = 'KAB-2' LIMIT 1"
        )
    second = release_now("run00002")
    assert not first.exists()  # pruned (keep=1) ...
    books = {p.name: p.stat() for p in (second / "temuan_instansi").glob("*.xlsx")}
    for name, st in books.items():  # ... and what the second shares stays read-only
        assert st.st_mode & 0o777 == 0o444, name
        assert (st.st_ino == inodes[name]) == (name != "KAB-2.xlsx"), name
    rows = xlsx_rows(second / "temuan_instansi" / "KAB-2.xlsx", "Baris Ditolak")
    assert any(isinstance(r[1], float) and r[1] > 1000 for r in rows[1:])


def test_siklus_kinerja_is_published(release):
    """The new columns reach the files people read, the report has its section, and the
    analysts get the new marts; KAB-1's findings workbook names the unaligned reward."""
    _, rel = release
    with (rel / "indikator_wilayah.csv").open() as f:
        got = {r["kode_wilayah"]: r for r in csv.DictReader(f) if r["tahun"] == "2025"}
    # dialogues and rewards do not depend on KAB-2's replaced training file (hand-computed in
    # test_warehouse_hand_computed)
    assert (got["75"]["rata_triwulan_dialog"], got["75"]["pct_dialog_lengkap"]) == ("2.17", "41.67")
    assert (
        got["75.02"]["jumlah_penerima_penghargaan"],
        got["75.02"]["pct_penghargaan_selaras"],
    ) == ("5", "60.00")
    assert got["75.01"]["rata_ip_asn"] == "" and got["75.01"]["jumlah_pns_ip_asn"] == "4"
    kamus = xlsx_rows(rel / "indikator_wilayah.xlsx", "Kamus Data")
    described = {r[0] for r in kamus[3:] if r and r[0]}
    assert described >= {"rata_ip_asn", "pct_ip_sangat_tinggi", "pct_dialog_lengkap",
                         "rata_triwulan_dialog", "pct_penghargaan_selaras"}  # fmt: skip
    html = (rel / "laporan.html").read_text()
    section = html[html.index("Siklus manajemen kinerja") :]
    assert "Dialog kinerja triwulanan" in section and "Penghargaan dan kinerja" in section
    assert "41,67%" in section and "2,17" in section  # Indonesian number format
    for mart in ("fct_ip_asn", "fct_dialog_kinerja", "fct_penghargaan"):
        assert (rel / "parquet" / f"{mart}.parquet").exists()
    temuan = xlsx_rows(rel / "temuan_instansi" / "KAB-1.xlsx", "Temuan")
    assert "PENGHARGAAN_TIDAK_SELARAS" in {r[1] for r in temuan[1:]}

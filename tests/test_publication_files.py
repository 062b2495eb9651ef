"""What people read: files exist and agree with the marts, no personal data anywhere,
formula injection neutralised, suppressed cells empty, the report offline with its charts."""

import csv
import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import duckdb
import pandas as pd
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
    values = [r[4] for r in rows[1:]]
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
    assert rows[0] == ["File", "Baris", "Kunci Data (NIP disamarkan, tahun)", "Kolom",
                       "Nilai Dikirim", "Aturan", "Alasan", "Yang Harus Dilakukan"]  # fmt: skip
    bad = [r for r in rows[1:] if r[0] == "KAB-2/pelatihan/latih_tambahan.csv"]
    assert {(int(r[1]), r[3], r[5]) for r in bad} == {(2, "jenis_pelatihan", "KODE_TIDAK_DIKENAL")}
    assert "pilihan: klasikal, nonklasikal" in bad[0][6]
    assert bad[0][2] == "NIP " + mask_personal("nip", NIP["m3"]) and bad[0][7]
    # every finding row the agency can act on: the file, the row, the masked NIP, what to fix
    temuan = xlsx_rows(rel / "temuan_instansi" / "KAB-1.xlsx", "Temuan")
    assert temuan[0] == ["Tahun", "Aturan", "File", "Baris", "Kunci Data (NIP disamarkan, tahun)",
                         "Penjelasan", "Yang Harus Dilakukan"]  # fmt: skip
    by_rule = {r[1]: r for r in temuan[1:]}
    assert set(by_rule) >= {"PENILAIAN_NIP_TIDAK_DI_ROSTER", "PEGAWAI_DI_DUA_ROSTER"}
    for rule in ("PENILAIAN_NIP_TIDAK_DI_ROSTER", "PEGAWAI_DI_DUA_ROSTER"):
        tahun, _, file_name, baris, kunci, penjelasan, fix = by_rule[rule]
        assert file_name.startswith("KAB-1/") and baris >= 2 and kunci.startswith("NIP 19")
        assert "*" in kunci and penjelasan and fix
    # with as many rows as the finding counts (marts.temuan)
    with duckdb.connect(str(rel / ANALYST_DB), read_only=True) as con:
        counts = dict(con.execute(
            "SELECT aturan, jumlah FROM marts.temuan WHERE kode_instansi = 'KAB-1'"
        ).fetchall())  # fmt: skip
    assert {a: sum(r[1] == a for r in temuan[1:]) for a in counts} == counts
    # the first sheet: one line per cause with its count
    book = CalamineWorkbook.from_path(str(rel / "temuan_instansi" / "KAB-1.xlsx"))
    assert book.sheet_names[0] == "Ringkasan"
    summary = xlsx_rows(rel / "temuan_instansi" / "KAB-1.xlsx", "Ringkasan")
    assert {(r[1], int(r[3])) for r in summary[4:] if r[0] == "Temuan"} == set(counts.items())
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
    assert urls == [] and "<script src" not in html and "http://www.w3.org/2000/svg" in html
    assert 'lang="id"' in html and "Provinsi sekilas" in html
    # Indonesian numbers: no English decimal point in what is shown (tags and tooltips aside)
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)>.*?</\1>", "", html, flags=re.S))
    assert not re.search(r"\d\.\d\d(?!\d)", shown), re.findall(r".{20}\d\.\d\d.{5}", shown)[:3]
    assert re.search(r"\d,\d\d%", shown)
    # a table per agency (sortable and filterable offline), the glossary, the release's files
    assert 'id="tabel-instansi"' in html and 'data-sort="n"' in html
    for term in ("IKM", "JP (jam pelajaran)", "Mutu pelayanan", "Predikat kinerja", "IP ASN"):
        assert f"<dt>{term}" in html, term
    for href in re.findall(r'<a href="([^"]+)"', html):
        assert (rel / href).exists(), href


def release_with_files(working, published, run_id, **kw):
    """Publish the working warehouse with every file of a release, after the last one."""
    previous = latest_release(published)
    extra = lambda f, stamp: write_publication_files(working, f, stamp, previous)  # noqa: E731
    return publish(working, published, run_id, memory_limit="1GB", extra=extra, **kw)


def test_unchanged_findings_workbooks_are_shared_with_the_last_release(release, tmp_path):
    s, _ = release
    working, published = tmp_path / "kerja.duckdb", tmp_path / "published"
    shutil.copyfile(s.warehouse, working)

    def release_now(run_id):
        return release_with_files(working, published, run_id, keep=1)

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


def test_an_empty_warehouse_publishes_a_release_that_says_so(tmp_path):
    """Every file left aside (here: none landed at all): the run publishes a release whose
    report says, in Indonesian, that nothing was loaded yet, with its (empty) files."""
    from publication.report import EMPTY_MESSAGE
    from tests.hand_province import build_hand_province

    s = build_hand_province(tmp_path / "home")
    shutil.rmtree(s.landing)
    s.landing.mkdir()
    result = run_nightly(s)
    assert result.success
    rel = latest_release(s.published)
    html = (rel / "laporan.html").read_text(encoding="utf-8")
    assert "belum ada data" in html and EMPTY_MESSAGE.split(":")[0] in html
    with duckdb.connect(str(rel / ANALYST_DB), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.indikator_wilayah").fetchone() == (0,)
    with (rel / "indikator_wilayah.csv").open() as f:
        header, *rows = list(csv.reader(f))
    assert "kode_wilayah" in header and "tahun" in header and rows == []
    assert sorted(p.name for p in (rel / "temuan_instansi").glob("*.xlsx")) == [
        f"{k}.xlsx" for k in AGENCIES
    ]


def test_a_release_shares_what_did_not_change_and_copies_what_did(release, tmp_path):
    """The next release copies into the analysts' file only the marts that changed (the
    rest comes with the previous release's file), links the unchanged marts' Parquet files,
    and still holds exactly the working marts."""
    s, _ = release
    working, published = tmp_path / "kerja.duckdb", tmp_path / "published"
    shutil.copyfile(s.warehouse, working)

    def release_now(run_id):
        return release_with_files(working, published, run_id)

    first = release_now("run00001")
    with duckdb.connect(str(working)) as con:
        con.execute(
            "UPDATE marts.fct_pelatihan SET penyelenggara = 'BPSDM Baru' "
            "WHERE kode_instansi_pengirim = 'KAB-2'"
        )
    second = release_now("run00002")
    manifests = [json.loads((r / "manifest.json").read_text()) for r in (first, second)]
    changed = {
        t for t, f in manifests[1]["fingerprints"].items() if manifests[0]["fingerprints"][t] != f
    }
    assert changed == {"fct_pelatihan"}
    for p in sorted((second / "parquet").glob("*.parquet")):
        shared = p.stat().st_ino == (first / "parquet" / p.name).stat().st_ino
        assert shared == (p.stem not in changed), p.name
    with duckdb.connect(str(second / ANALYST_DB), read_only=True) as con:
        con.execute(f"ATTACH '{working}' AS kerja (READ_ONLY)")
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'kinerja' "
            "AND table_schema = 'marts'").fetchall()]  # fmt: skip
        assert set(tables) == set(manifests[1]["fingerprints"])
        for t in tables:
            cols = ", ".join(f'"{c}"' for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
                "'kinerja' AND table_name = ? ORDER BY ordinal_position", [t]).fetchall())  # fmt: skip
            for a, b in (("marts", "kerja.marts"), ("kerja.marts", "marts")):
                extra_rows = con.execute(
                    f"SELECT count(*) FROM (SELECT {cols} FROM {a}.{t} "
                    f"EXCEPT ALL SELECT {cols} FROM {b}.{t})"
                ).fetchone()[0]
                assert extra_rows == 0, (t, a)
        assert (
            con.execute(
                "SELECT count(*) FROM marts.fct_pelatihan WHERE penyelenggara = 'BPSDM Baru'"
            ).fetchone()[0]
            > 0
        )
    assert (
        manifests[1]["files"]["parquet/dim_pegawai.parquet"]
        == (manifests[0]["files"]["parquet/dim_pegawai.parquet"])
    )


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
    selaras = [r for r in temuan[1:] if r[1] == "PENGHARGAAN_TIDAK_SELARAS"]
    assert len(selaras) == 1 and selaras[0][2] == "KAB-1/penghargaan/hadiah.csv"  # n3


# --- the published workbooks, read as Excel reads them (the sheet XML) -------------------
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00"}


def workbook_xml(path):
    """{sheet name: (sheet XML root, number format of each style index, print titles)}."""
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{M}numFmt")}
        xfs = [int(x.get("numFmtId", 0)) for x in styles.find(f"{M}cellXfs")]
        fmt = [custom.get(i, BUILTIN_FORMATS.get(i, str(i))) for i in xfs]
        titles = {
            int(d.get("localSheetId")): d.text
            for d in book.iter(f"{M}definedName")
            if d.get("name") == "_xlnm.Print_Titles"
        }
        return {
            s.get("name"): (
                ET.fromstring(
                    z.read("xl/" + target[s.get(f"{R}id")].lstrip("/").removeprefix("xl/"))
                ),
                fmt,
                titles.get(i),
            )
            for i, s in enumerate(book.find(f"{M}sheets"))
        }


def col_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def test_every_workbook_prints_well_with_plain_years_and_two_decimal_measures(release):
    _, rel = release
    books = [rel / "indikator_wilayah.xlsx", rel / "indikator_instansi.xlsx"]
    books += sorted((rel / "temuan_instansi").glob("*.xlsx"))
    assert len(books) == 2 + len(AGENCIES)
    checked = {"tahun": 0, "measure": 0}
    for path in books:
        values = {n: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(n).to_python()
                  for n in CalamineWorkbook.from_path(str(path)).sheet_names}  # fmt: skip
        for name, (sheet, fmt, titles) in workbook_xml(path).items():
            where = f"{path.name}/{name}"
            # landscape A4, one page wide (as many pages down as needed), header row repeated
            setup = sheet.find(f"{M}pageSetup")
            assert setup.get("orientation") == "landscape" and setup.get("paperSize") == "9", where
            assert sheet.find(f"{M}sheetPr/{M}pageSetUpPr").get("fitToPage") == "1", where
            assert setup.get("fitToWidth", "1") == "1" and setup.get("fitToHeight") == "0", where
            if name != "Petunjuk":
                assert titles and re.search(r"\$1:\$\d", titles), where
            rows = values[name]
            header_at = 3 if name in ("Kamus Data", "Ringkasan") else 0
            header = rows[header_at] if len(rows) > header_at else []
            end = next((k for k in range(header_at + 1, len(rows)) if not any(rows[k])), len(rows))
            table = rows[header_at + 1 : end]  # the table, without the notes below it
            widths = {}
            for c in sheet.iter(f"{M}col"):
                for i in range(int(c.get("min")) - 1, int(c.get("max"))):
                    widths[i] = float(c.get("width"))
            # every column as wide as its longest value (long text wraps at 60)
            for i, title in enumerate(header):
                longest = max(
                    (len(f"{v:.2f}" if isinstance(v, float) and v != int(v) else
                         str(int(v)) if isinstance(v, float) else str(v))
                     for r in table for v in r[i:i + 1] if v != ""),
                    default=0,
                )  # fmt: skip
                assert widths.get(i, 8.43) + 0.01 >= min(longest, 60), (where, title, longest)
            # numbers: years and counts plain integers, measures two decimals
            for cell in sheet.iter(f"{M}c"):
                if cell.get("t") is not None or cell.find(f"{M}v") is None:
                    continue  # text
                r, i = int(re.search(r"\d+", cell.get("r")).group(0)) - 1, col_index(cell.get("r"))
                title = header[i] if i < len(header) and r > header_at else ""
                number_format = fmt[int(cell.get("s", 0))]
                assert number_format in ("0", "0.00"), (where, cell.get("r"), number_format)
                if title in ("Tahun", "Baris", "Jumlah") or title.startswith("Jumlah"):
                    assert number_format == "0", (where, title)
                    checked["tahun"] += title == "Tahun"
                if "(%)" in title or title in ("IKM", "Rata-rata JP"):
                    assert number_format == "0.00", (where, title)
                    checked["measure"] += 1
        # the Indonesian dictionary covers every column of the data sheet
        if path.name.startswith("indikator_"):
            data, kamus = values["Data"], values["Kamus Data"]
            defined = {r[1]: r for r in kamus[3:] if r and r[0]}
            assert set(data[0]) <= set(defined), set(data[0]) - set(defined)
            for title in data[0]:
                _, _, kind, definisi = defined[title][:4]
                assert len(definisi) > 10 and kind, title
                assert not re.search(r"\b(the|of|when|rounded|varchar|decimal)\b", definisi + kind)
            # Nama Wilayah / Nama Instansi: never cut
            col = 1
            longest = max(len(r[col]) for r in data[1:])
            assert widths_of(path, "Data")[col] >= longest
    assert checked["tahun"] > 0 and checked["measure"] > 0


def widths_of(path, sheet_name):
    sheet = workbook_xml(path)[sheet_name][0]
    out = {}
    for c in sheet.iter(f"{M}col"):
        for i in range(int(c.get("min")) - 1, int(c.get("max"))):
            out[i] = float(c.get("width"))
    return out


# --- the analysts' files, as pandas reads them -------------------------------------------
def test_parquet_and_csv_load_in_pandas_with_the_right_dtypes(release):
    _, rel = release
    with duckdb.connect(str(rel / ANALYST_DB), read_only=True) as con:
        types = {
            (t, c): d
            for t, c, d in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'marts'"
            ).fetchall()
        }
    assert not [k for k in types if k[1].startswith("_")]  # no internal columns published
    files = sorted((rel / "parquet").glob("*.parquet")) + sorted(rel.glob("indikator_*.parquet"))
    assert len(files) == len({t for t, _ in types}) + 2
    for path in files:
        df = pd.read_parquet(path)
        for column in df.columns:
            kind = types[(path.stem, column)]
            dtype = df[column].dtype
            if kind.startswith(("DECIMAL", "DOUBLE")):
                assert dtype == "float64", (path.name, column, dtype)
            elif kind in ("INTEGER", "BIGINT", "HUGEINT"):
                assert dtype in ("int64", "int32") or (
                    dtype == "float64" and df[column].isna().any()
                ), (path.name, column, dtype)
            elif kind == "VARCHAR":
                assert pd.api.types.is_string_dtype(dtype), (path.name, column, dtype)
        assert not df.select_dtypes("number").empty or path.stem.startswith("dim_"), path.name
    # the CSV: codes quoted, read as text with the guide's dtype hint; measures as float64
    for table in ("indikator_wilayah", "indikator_instansi"):
        text = (rel / f"{table}.csv").read_text(encoding="utf-8")
        for code in re.findall(r"(?m)^([^,]*),", text)[1:]:
            assert code.startswith('"') and code.endswith('"'), code
        codes = {c: str for c in ("kode_wilayah", "kode_instansi", "nama_wilayah", "nama_instansi",
                                  "mutu_ikm")}  # fmt: skip
        df = pd.read_csv(rel / f"{table}.csv", dtype=codes)
        with duckdb.connect(str(rel / ANALYST_DB), read_only=True) as con:
            expected = con.execute(f"SELECT kode_wilayah FROM marts.{table}").fetchall()
        assert sorted(df["kode_wilayah"]) == sorted(v for (v,) in expected)
        assert df["ikm"].dtype == "float64" and df["tahun"].dtype == "int64"


# --- the analysts' guide: every example runs verbatim from the release folder -------------
def guide_blocks(rel):
    text = (rel / "PANDUAN_ANALIS.md").read_text(encoding="utf-8")
    return re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)


def test_every_example_of_the_guide_runs_from_the_release_folder(release, monkeypatch):
    """SQL runs through DuckDB's Python API on the same file, opened read-only from the
    release folder (the `duckdb` Python package has no CLI; when a `duckdb` CLI is installed
    the shell example itself runs too, with every SQL example on its input). Python examples
    run as they are in a new interpreter. Power Query cannot run here: its files are checked
    to exist in the release."""
    _, rel = release
    blocks = guide_blocks(rel)
    kinds = {k for k, _ in blocks}
    assert kinds == {"sh", "sql", "python", "powerquery"}, kinds
    sql = [b for k, b in blocks if k == "sql"]
    monkeypatch.chdir(rel)
    for kind, block in blocks:
        if kind == "sh":
            for line in block.strip().splitlines():
                argv = shlex.split(line)
                assert argv[0] == "duckdb" and "-readonly" in argv, line
                assert (rel / argv[-1]).is_file(), line
                if shutil.which("duckdb"):
                    out = subprocess.run(argv, input="\n".join(sql), cwd=rel, text=True,
                                         capture_output=True, timeout=120)  # fmt: skip
                    assert out.returncode == 0 and "Error" not in out.stderr, out.stderr
        elif kind == "sql":
            with duckdb.connect("kinerja.duckdb", read_only=True) as con:
                assert con.execute(block).fetchall(), block  # every example returns rows
        elif kind == "python":
            out = subprocess.run([sys.executable, "-c", block], cwd=rel, text=True,
                                 capture_output=True, timeout=120)  # fmt: skip
            assert out.returncode == 0, out.stderr
            dtypes = out.stdout.split("dtype: object")[0]  # print(instansi.dtypes)
            assert "float64" in dtypes and "object" not in dtypes, dtypes
        else:
            names = re.findall(r'Folder & "([^"]+)"', block)
            assert names and all((rel / n).is_file() for n in names), names


# --- the report in a real browser: a 390 px phone and A4 print ---------------------------
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="page.html" style="width:{w}px;height:900px;border:0"></iframe><script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument.documentElement, p = document.createElement('pre');
  p.id = 'out'; p.textContent = d.scrollWidth + ' ' + d.clientWidth;
  document.body.appendChild(p);
}});</script></body></html>"""


def page_width(browser, html: str, width: int, folder) -> tuple[int, int]:
    """(page width, viewport width) of `html` shown `width` px wide (in an iframe: headless
    Chromium's window is never narrower than 500 px)."""
    (folder / "page.html").write_text(html, encoding="utf-8")
    (folder / "frame.html").write_text(FRAME.format(w=width), encoding="utf-8")
    out = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         "--window-size=1000,1000", "--virtual-time-budget=5000", "--dump-dom",
         (folder / "frame.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'<pre id="out">(\d+) (\d+)</pre>', out.stdout)
    assert found, out.stderr[-2000:]
    return int(found.group(1)), int(found.group(2))


def test_report_fits_a_phone_and_prints_on_a4(release, tmp_path):
    browser = next((b for b in map(shutil.which, BROWSERS) if b), None)
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install -y chromium)")
    _, rel = release
    html = (rel / "laporan.html").read_text(encoding="utf-8")
    scroll, viewport = page_width(browser, html, 390, tmp_path)
    assert scroll <= viewport, f"the report is {scroll} px wide on a {viewport} px phone"
    # the measure sees a page that is too wide (a 720 px chart, as before)
    wide = html.replace("</body>", '<svg width="720" height="10"></svg></body>')
    assert page_width(browser, wide, 390, tmp_path)[0] > 390
    # printed: A4 pages
    pdf = tmp_path / "laporan.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", (rel / "laporan.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    boxes = re.findall(rb"MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert boxes and all(
        abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes
    ), boxes[:3]

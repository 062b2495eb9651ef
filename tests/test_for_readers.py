"""Made for Indonesian readers (fast parts): the one number formatter, the charts, the
findings workbook of a file agency and of an API agency, written from given rows."""

import datetime as dt
import re
from decimal import Decimal

from python_calamine import CalamineWorkbook

from core.numbers import angka, daftar_file, persen, sel
from publication.charts import diverging, hbar, hstack
from publication.workbooks import write_agency_findings


def test_numbers_are_written_the_indonesian_way():
    assert angka(31291) == "31.291"
    assert angka(1234567.891, 2) == "1.234.567,89"
    assert angka(Decimal("77.04"), 2) == "77,04"
    assert angka(-0.19, 2, tanda=True) == "-0,19" and angka(0.42, 2, tanda=True) == "+0,42"
    assert angka(-0.001, 2, tanda=True) == "0,00"  # no sign on a change that rounds to nothing
    assert angka(None) == "-" and angka(None, kosong="—") == "—"
    assert persen(94.857) == "94,86%" and persen(Decimal("100")) == "100,00%"
    assert angka(40.17, 2, satuan=" JP") == "40,17 JP"
    # a mart cell by its column: years never grouped, counts grouped, measures two decimals
    assert sel("tahun", 2024) == "2024" and sel("jumlah_pegawai", 31291) == "31.291"
    assert sel("ikm", Decimal("77.04")) == "77,04" and sel("pct_baik", Decimal("74.83")) == "74,83%"
    assert sel("tepat_waktu", True) == "ya" and sel("ikm", None) == "—"


def test_change_bars_diverge_with_signed_labels():
    svg = diverging("perubahan", "Perubahan IKM", [("Naik", 0.42), ("Turun", -0.19), ("?", None)])
    rects = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    (up_x, up_w), (down_x, down_w) = [(float(x), float(w)) for x, w in rects]
    assert up_x == 200 and down_x + down_w == 200  # either side of the zero line
    assert down_w < up_w  # scaled: 0,19 is shorter than 0,42
    assert ">+0,42<" in svg and ">-0,19<" in svg and "tidak ada data" in svg
    assert "0.42" not in svg.replace('"', " ").split("<title>")[0]  # no English decimal point


def test_stacked_bars_carry_their_values_where_they_fit():
    svg = hstack(
        "predikat",
        "Distribusi",
        [("Wilayah", [Decimal("74.83"), Decimal("24.17"), Decimal("1.00")]), ("Kecil", None)],
        [("Baik", "#1a9850", "#fff"), ("Cukup", "#fee08b", "#000"), ("Kurang", "#d73027", "#fff")],
        hidden_note="disembunyikan",
    )
    printed = re.findall(r'class="seg"[^>]*>([^<]+)<', svg)
    assert printed == ["74,83", "24,17"]  # 1,00 is too narrow to carry its value ...
    assert "Kurang: 1,00%" in svg  # ... and is in its tooltip
    assert "disembunyikan" in svg
    # every chart scales with the page: a viewBox, no fixed pixel width
    for chart in (svg, hbar("x", "X", [("a", 50, "#000")], 100, "%")):
        assert 'viewBox="0 0 400 ' in chart and " width=" not in chart.split("<svg")[1][:120]


def _sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_findings_workbook_names_each_row_and_summarises_each_cause(tmp_path):
    nip = "198609262015051001"
    pulled = dt.datetime(2026, 1, 5, 1, 30)  # UTC: 08:30 WIB
    rejects = [
        ("X/pegawai/roster.xlsx", "pegawai", 7, "nip", "1.98609E+17", "NIP_JADI_ANGKA",
         "nip tersimpan sebagai angka", '{"NIP": "1.98609E+17", "tahun": "2025"}', pulled),
        ("X/pegawai/roster.xlsx", "pegawai", 9, "nip", "1.98610E+17", "NIP_JADI_ANGKA",
         "nip tersimpan sebagai angka", '{"NIP": "1.98610E+17", "tahun": "2025"}', pulled),
        ("X/pegawai/api_pegawai_20260105T013000.json", "pegawai", 8050, "status_kepegawaian",
         "Honorer", "KODE_TIDAK_DIKENAL", "pilihan: PNS, PPPK",
         f'{{"nip": "{nip}", "tahun": "2025"}}', pulled),
    ]  # fmt: skip
    findings = [(2025, "PEGAWAI_DI_DUA_ROSTER", 1, "Pegawai di dua roster")]
    rows = [(2025, "PEGAWAI_DI_DUA_ROSTER", "X/pegawai/roster.xlsx", "pegawai", 12, nip, pulled)]
    path = tmp_path / "X.xlsx"
    write_agency_findings(path, "X", "Instansi X", rejects, findings, (), rows)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[0] == "Ringkasan"
    summary = _sheet(path, "Ringkasan")
    nip_line = next(r for r in summary if r[1] == "NIP_JADI_ANGKA")
    assert nip_line[3] == 2 and "Format kolom NIP sebagai Teks" in nip_line[4]
    assert any(r[0] == "Temuan" and r[1] == "PEGAWAI_DI_DUA_ROSTER" for r in summary)
    ditolak = _sheet(path, "Baris Ditolak")
    assert ditolak[0][:3] == ["File", "Baris", "Kunci Data (NIP disamarkan, tahun)"]
    by_file = {r[0]: r for r in reversed(ditolak[1:])}  # the first row of each source
    # a file agency finds the row by file and row number
    assert by_file["X/pegawai/roster.xlsx"][1] == 7.0
    # an API agency never saw a file: the record's key and the pull date, no row number
    api = by_file["API pegawai, ditarik 05-01-2026 08:30 WIB"]
    assert api[1] == "" and api[2] == "NIP 1986************01, tahun 2025"
    temuan = _sheet(path, "Temuan")
    assert temuan[1][:5] == [2025.0, "PEGAWAI_DI_DUA_ROSTER", "X/pegawai/roster.xlsx", 12.0,
                             "NIP 1986************01, tahun 2025"]  # fmt: skip
    assert temuan[1][6]  # what to fix
    text = " ".join(str(c) for s in book.sheet_names for r in _sheet(path, s) for c in r)
    assert nip not in text and not re.search(r"\d{18}", text)


def test_every_published_column_has_its_indonesian_definition_once():
    """The marts (what a release publishes) carry `meta.deskripsi` on the model and on every
    column but the internal ones (`_dimuat_sampai`, never published); the workbooks' Kamus
    Data and the dbt docs read it from there."""
    import yaml

    from core.paths import DBT_PROJECT_DIR
    from publication.dictionary import deskripsi

    missing, seen = [], 0
    for path in sorted((DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            if not deskripsi(model):
                missing.append(model["name"])
            for col in model.get("columns", []):
                if col["name"].startswith("_"):
                    continue
                seen += 1
                text = deskripsi(col)
                if not text or re.search(r"\b(the|of|when|rounded)\b", text):
                    missing.append(f"{model['name']}.{col['name']}")
    assert seen > 100 and missing == []


def test_a_long_list_of_files_is_cut_in_a_sentence():
    assert daftar_file(["a.csv", "b.csv"]) == "a.csv, b.csv"
    names = [f"p_{i}.csv" for i in range(1205)]
    assert daftar_file(names) == "p_0.csv, p_1.csv, p_2.csv dan 1.202 file lainnya"

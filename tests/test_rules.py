"""Each row rule of the standard, through the real loader into a real DuckDB file."""

import datetime as dt
from pathlib import Path

import pytest

from core.standard import load_standard
from tests.conftest import agency
from tests.ingesting import ingest_file

PEGAWAI_HEADER = "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,jenis_jabatan,pendidikan,hukuman_disiplin"
GOOD_PEGAWAI = (
    "198609262015051001,Budi,2025,Sekretariat,L,1986-09-26,PNS,III/a,pelaksana,S1,tidak_ada"
)


def load(con, tmp_path, dataset, text, name="f.csv", file_encoding="utf-8", **fmt):
    p = tmp_path / name
    p.write_bytes(text.encode(file_encoding))
    return ingest_file(
        con, path=p, file_name=name, agency=agency(**fmt), dataset=dataset,
        standard=load_standard(), archive_root=tmp_path / "archive",
        submitted_at=dt.datetime(2026, 1, 1),
    )  # fmt: skip


def rejects(con):
    return con.execute(
        "SELECT baris, kolom, nilai, aturan, alasan FROM raw.rejects ORDER BY baris, kolom"
    ).fetchall()


@pytest.mark.parametrize(
    "change, column, rule",
    [
        ({0: "1.98609E+17"}, "nip", "NIP_JADI_ANGKA"),
        ({0: "198609262015051001.0"}, "nip", "NIP_JADI_ANGKA"),
        ({0: "19860926201505100"}, "nip", "NIP_BUKAN_18_DIGIT"),
        ({0: "19860926 201505 1 001"}, "nip", "NIP_BUKAN_18_DIGIT"),
        ({0: "198613262015051001"}, "nip", "NIP_STRUKTUR"),
        ({0: "198609262015053001"}, "nip", "NIP_STRUKTUR"),
        ({1: ""}, "nama", "WAJIB_DIISI"),
        ({2: "2025.5"}, "tahun", "BUKAN_BILANGAN_BULAT"),
        ({4: "X"}, "jenis_kelamin", "KODE_TIDAK_DIKENAL"),
        ({5: "1986-02-30"}, "tanggal_lahir", "TANGGAL_TIDAK_VALID"),
        ({6: "Honorer"}, "status_kepegawaian", "KODE_TIDAK_DIKENAL"),
        ({7: "IX"}, "golongan", "GOLONGAN_TIDAK_SESUAI_STATUS"),
        ({7: "V/a"}, "golongan", "KODE_TIDAK_DIKENAL"),
        ({8: "staf"}, "jenis_jabatan", "KODE_TIDAK_DIKENAL"),
        ({9: "S4"}, "pendidikan", "KODE_TIDAK_DIKENAL"),
        ({10: ""}, "hukuman_disiplin", "WAJIB_DIISI"),
    ],
)
def test_pegawai_rules(con, tmp_path, change, column, rule):
    cells = GOOD_PEGAWAI.split(",")
    for i, v in change.items():
        cells[i] = v
    res = load(con, tmp_path, "pegawai", f"{PEGAWAI_HEADER}\n{GOOD_PEGAWAI}\n{','.join(cells)}\n")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (2, 1, 1)
    (baris, kolom, _nilai, aturan, alasan), *_ = rejects(con)
    assert (baris, kolom, aturan) == (3, column, rule)
    assert alasan  # a reason in words, for the agency


def test_a_row_breaking_two_rules_is_one_rejected_row_with_two_reasons(con, tmp_path):
    bad = GOOD_PEGAWAI.replace("Budi", "").replace(",L,", ",X,")
    res = load(con, tmp_path, "pegawai", f"{PEGAWAI_HEADER}\n{bad}\n")
    assert (res.rows_loaded, res.rows_rejected) == (0, 1)
    assert {r[3] for r in rejects(con)} == {"WAJIB_DIISI", "KODE_TIDAK_DIKENAL"}
    data_asli = con.execute("SELECT DISTINCT data_asli FROM raw.rejects").fetchone()[0]
    assert '"nip":"198609262015051001"' in data_asli.replace(" ", "")


def test_codes_are_case_insensitive_and_aliases_apply(con, tmp_path):
    row = (
        GOOD_PEGAWAI.replace(",PNS,", ",pns,")
        .replace(",L,", ",Laki-laki,")
        .replace("III/a", "iii/A")
    )
    res = load(con, tmp_path, "pegawai", f"{PEGAWAI_HEADER}\n{row}\n",
               value_aliases={"jenis_kelamin": {"laki-laki": "L"}})  # fmt: skip
    assert res.rows_loaded == 1, rejects(con)
    assert con.execute(
        "SELECT jenis_kelamin, status_kepegawaian, golongan FROM raw.pegawai"
    ).fetchone() == ("L", "PNS", "III/a")


def test_penilaian_rules(con, tmp_path):
    h = "nip,tahun,rating_hasil_kerja,rating_perilaku_kerja,predikat,nip_penilai,tanggal_penilaian"
    rows = [
        "198609262015051001,2025,DI_ATAS_EKSPEKTASI,SESUAI_EKSPEKTASI,,197001012000031001,2025-12-20",
        "198609262015051001,2025,Di Atas Ekspektasi,diatas,Sangat Baik,197001012000031001,2025-12-20",
        "198609262015051001,2025,LUAR_BIASA,SESUAI_EKSPEKTASI,BAIK,197001012000031001,2025-12-20",
        "198609262015051001,2025,SESUAI_EKSPEKTASI,SESUAI_EKSPEKTASI,HEBAT,197001012000031001,2025-12-20",
        "198609262015051001,2025,SESUAI_EKSPEKTASI,SESUAI_EKSPEKTASI,BAIK,198609262015051001,2025-12-20",
    ]
    aliases = {
        "rating_hasil_kerja": {"Di Atas Ekspektasi": "DI_ATAS_EKSPEKTASI"},
        "rating_perilaku_kerja": {"diatas": "DI_ATAS_EKSPEKTASI"},
        "predikat": {"Sangat Baik": "SANGAT_BAIK"},
    }
    res = load(con, tmp_path, "penilaian", h + "\n" + "\n".join(rows) + "\n", value_aliases=aliases)
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (5, 2, 3)
    assert [r[3] for r in rejects(con)] == [
        "KODE_TIDAK_DIKENAL",
        "KODE_TIDAK_DIKENAL",
        "PENILAI_ADALAH_PEGAWAI",
    ]
    assert con.execute("SELECT predikat FROM raw.penilaian ORDER BY baris").fetchall() == [
        (None,),
        ("SANGAT_BAIK",),
    ]


def test_pelatihan_semicolon_decimal_comma_ddmmyyyy(con, tmp_path):
    text = (
        "NIP;NAMA_DIKLAT;JENIS;MULAI;SELESAI;JP;PENYELENGGARA\n"
        "198609262015051001;Latsar;klasikal;28/12/2024;03/01/2025;12,5;Pusdiklat – Kemendagri\n"
        "198609262015051001;Latsar;klasikal;05/01/2025;03/01/2025;10;X\n"
        "198609262015051001;Latsar;klasikal;01/02/2025;01/02/2025;0;X\n"
        "198609262015051001;Latsar;klasikal;01/02/2025;01/02/2025;200,5;X\n"
        "198609262015051001;Latsar;tatap muka;2025-02-01;31/02/2025;abc;X\n"
    )
    fmt = dict(delimiter=";", encoding="cp1252", date_format="%d/%m/%Y", decimal_comma=True,
               header_aliases={"NAMA_DIKLAT": "nama_pelatihan", "JENIS": "jenis_pelatihan",
                               "MULAI": "tanggal_mulai", "SELESAI": "tanggal_selesai"})  # fmt: skip
    res = load(con, tmp_path, "pelatihan", text, file_encoding="cp1252", **fmt)
    assert (res.rows_loaded, res.rows_rejected) == (1, 4)
    row = con.execute(
        "SELECT tanggal_mulai, tanggal_selesai, jp, penyelenggara FROM raw.pelatihan"
    ).fetchone()
    assert row == (dt.date(2024, 12, 28), dt.date(2025, 1, 3), 12.5, "Pusdiklat – Kemendagri")
    got = {(r[0], r[3]) for r in rejects(con)}
    assert got == {
        (3, "SELESAI_SEBELUM_MULAI"), (4, "DI_LUAR_RENTANG"), (5, "DI_LUAR_RENTANG"),
        (6, "KODE_TIDAK_DIKENAL"), (6, "TANGGAL_TIDAK_VALID"), (6, "BUKAN_ANGKA"),
    }  # fmt: skip


def test_survei_rules_and_unanswered_elements(con, tmp_path):
    h = "id_responden,unit_layanan,tanggal_survei,usia,u1,u2,u3,u4,u5,u6,u7,u8,u9"
    rows = [
        "R1,Loket,2025-03-01,30,4,3,,3,3,3,3,3,3",
        "R2,Loket,2025-03-01,,5,3,3,3,3,3,3,3,3",
        "R1,Loket,2025-03-02,14,3,3,3,3,3,3,3,3,3",
        "R3,Loket,2025-03-02,40,3.0,3,3,3,3,3,3,3,2.5",
    ]
    res = load(con, tmp_path, "survei", h + "\n" + "\n".join(rows) + "\n")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (4, 1, 3)
    assert con.execute("SELECT u1, u3, usia FROM raw.survei").fetchone() == (4, None, 30)
    got = {(r[0], r[1], r[3]) for r in rejects(con)}
    assert got == {
        (3, "u1", "DI_LUAR_RENTANG"), (4, "id_responden", "ID_RESPONDEN_GANDA"),
        (4, "usia", "DI_LUAR_RENTANG"), (5, "u9", "BUKAN_BILANGAN_BULAT"),
    }  # fmt: skip


def test_missing_required_column_quarantines_the_file(con, tmp_path):
    res = load(con, tmp_path, "pegawai", "nip,nama\n198609262015051001,Budi\n")
    assert res.status == "quarantined" and "kolom wajib tidak ada: tahun" in res.reason
    log = con.execute("SELECT status, rows_read, reason FROM raw.load_log").fetchone()
    assert log[0] == "quarantined" and log[1] == 0 and "tahun" in log[2]
    assert con.execute("SELECT count(*) FROM raw.pegawai").fetchone()[0] == 0


def test_same_file_twice_loads_once_and_original_is_archived(con, tmp_path):
    text = f"{PEGAWAI_HEADER}\n{GOOD_PEGAWAI}\n"
    first = load(con, tmp_path, "pegawai", text)
    second = load(con, tmp_path, "pegawai", text, name="copy.csv")
    assert (first.status, second.status) == ("loaded", "skipped")
    assert con.execute("SELECT count(*) FROM raw.pegawai").fetchone()[0] == 1
    archived = con.execute("SELECT archive_path FROM raw.load_log").fetchone()[0]
    assert Path(archived).read_bytes() == text.encode()


def test_dialog_kinerja_rules_and_registry_aliases(con, tmp_path):
    """The registry's bureau-wide aliases ("TW", "Tgl Dialog", "TW II"); a dialogue dated
    outside its year and one whose supervisor is the employee are rejected."""
    from core.registry import load_registry

    fmt = load_registry("config/agencies.yaml").agency("KAB-POHUWATO").file_format("dialog_kinerja")
    text = (
        "NIP,Tahun,TW,Tgl Dialog,NIP Atasan,Catatan\n"
        "198609262015051001,2025,1,2025-03-20,197001012000031001,target tercapai\n"
        "198609262015051001,2025,TW II,2025-06-20,197001012000031001,\n"
        "198609262015051001,2025,3,2024-09-20,197001012000031001,\n"
        "198609262015051001,2025,4,2025-12-20,198609262015051001,\n"
        "198609262015051001,2025,5,2025-12-21,197001012000031001,\n"
    )
    res = load(con, tmp_path, "dialog_kinerja", text, header_aliases=fmt.header_aliases,
               value_aliases=fmt.value_aliases)  # fmt: skip
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (5, 2, 3)
    assert con.execute("SELECT triwulan, catatan FROM raw.dialog_kinerja ORDER BY baris").fetchall() == [
        (1, "target tercapai"), (2, None),
    ]  # fmt: skip
    got = [(r[0], r[1], r[3]) for r in rejects(con)]
    assert got == [
        (4, "tanggal_dialog", "TANGGAL_DI_LUAR_TAHUN"),
        (5, "nip_atasan", "ATASAN_ADALAH_PEGAWAI"),
        (6, "triwulan", "DI_LUAR_RENTANG"),
    ]
    reasons = dict((r[0], r[4]) for r in rejects(con))
    assert reasons[4] == (
        "tanggal_dialog (2024-09-20) tidak berada di tahun 2025: tanggal dialog kinerja "
        "harus di dalam tahunnya"
    )


def test_penghargaan_rules_and_registry_aliases(con, tmp_path):
    from core.registry import load_registry

    fmt = load_registry("config/agencies.yaml").agency("KAB-POHUWATO").file_format("penghargaan")
    text = (
        "nip,tahun,Jenis Penghargaan,Tgl Penghargaan,keterangan\n"
        "198609262015051001,2025,Pegawai Teladan,2025-08-17,teladan tingkat provinsi\n"
        "198609262015051001,2025,satyalancana,2025-08-17,\n"
        "198609262015051001,2025,piala,2025-08-17,\n"
        "198609262015051001,2025,lainnya,2026-01-02,\n"
    )
    res = load(con, tmp_path, "penghargaan", text, header_aliases=fmt.header_aliases,
               value_aliases=fmt.value_aliases)  # fmt: skip
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (4, 2, 2)
    assert con.execute("SELECT jenis_penghargaan FROM raw.penghargaan ORDER BY baris").fetchall() == [
        ("pegawai_teladan",), ("tanda_kehormatan",),
    ]  # fmt: skip
    assert [(r[0], r[1], r[3]) for r in rejects(con)] == [
        (4, "jenis_penghargaan", "KODE_TIDAK_DIKENAL"),
        (5, "tanggal", "TANGGAL_DI_LUAR_TAHUN"),
    ]


def test_pelatihan_kategori_is_optional_and_checked(con, tmp_path):
    h = "nip,nama_pelatihan,jenis_pelatihan,tanggal_mulai,tanggal_selesai,jp,penyelenggara,kategori"
    rows = [
        "198609262015051001,PIM IV,klasikal,2025-03-01,2025-03-10,40,LAN,PIM",
        "198609262015051001,Excel,klasikal,2025-03-01,2025-03-01,8,BPSDM,",
        "198609262015051001,Excel,klasikal,2025-03-01,2025-03-01,8,BPSDM,hiburan",
    ]
    res = load(con, tmp_path, "pelatihan", h + "\n" + "\n".join(rows) + "\n",
               value_aliases={"kategori": {"PIM": "kepemimpinan"}})  # fmt: skip
    assert (res.rows_loaded, res.rows_rejected) == (2, 1)
    assert con.execute("SELECT kategori FROM raw.pelatihan ORDER BY baris").fetchall() == [
        ("kepemimpinan",), (None,),
    ]  # fmt: skip
    assert [(r[0], r[3]) for r in rejects(con)] == [(4, "KODE_TIDAK_DIKENAL")]

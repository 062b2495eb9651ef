"""A hand-made province on disk (three agencies, year 2025) whose published figures were
computed by hand; see test_warehouse_hand_computed for the cases and the expected values."""

import datetime as dt
import os
from pathlib import Path

import yaml

from core.settings import Settings

AGENCIES = ["KAB-1", "KAB-2", "OPD-A"]


def nip(i: int, gender: int = 1) -> str:
    return f"{1970 + i}0101" + "200501" + str(gender) + f"{i:03d}"


NIP = {name: nip(i) for i, name in enumerate(
    ["n1", "n2", "n3", "n4", "n5", "n6", "m1", "m2", "m3", "m4", "o1", "o2", "z9"], start=1)}  # fmt: skip
PEGAWAI_H = "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,jenis_jabatan,pendidikan,hukuman_disiplin"
PENILAIAN_H = (
    "nip,tahun,rating_hasil_kerja,rating_perilaku_kerja,predikat,nip_penilai,tanggal_penilaian"
)
PELATIHAN_H = "nip,nama_pelatihan,jenis_pelatihan,tanggal_mulai,tanggal_selesai,jp,penyelenggara"
PELATIHAN_KAT_H = PELATIHAN_H + ",kategori"
DIALOG_H = "nip,tahun,triwulan,tanggal_dialog,nip_atasan,catatan"
PENGHARGAAN_H = "nip,tahun,jenis_penghargaan,tanggal,keterangan"
SURVEI_H = "id_responden,unit_layanan,tanggal_survei,u1,u2,u3,u4,u5,u6,u7,u8,u9"
A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
PENILAI = nip(90)


def pegawai(name, status="PNS", pendidikan="S1", hukuman="tidak_ada"):
    n = NIP[name]
    born = f"{n[:4]}-{n[4:6]}-{n[6:8]}"
    gol = "III/a" if status == "PNS" else "IX"
    return f"{n},Pegawai {name},2025,Umum,L,{born},{status},{gol},pelaksana,{pendidikan},{hukuman}"


def penilaian(name, hasil, perilaku):
    return f"{NIP[name]},2025,{hasil},{perilaku},,{PENILAI},2025-12-20"


def pelatihan(name, jp, mulai="2025-03-01", selesai="2025-03-02"):
    return f"{NIP[name]},Latsar,klasikal,{mulai},{selesai},{jp},BPSDM"


def latih(name, jp, kategori="", mulai="2025-03-01", selesai="2025-03-02"):
    """A training row under PELATIHAN_KAT_H (empty kategori = teknis)."""
    return pelatihan(name, jp, mulai, selesai) + f",{kategori}"


def dialog(name, triwulan, tanggal=None, atasan=None, tahun=2025):
    tanggal = tanggal or f"2025-{3 * triwulan:02d}-20"
    return f"{NIP[name]},{tahun},{triwulan},{tanggal},{atasan or PENILAI},umpan balik"


def penghargaan(name, jenis, tanggal="2025-08-17"):
    return f"{NIP[name]},2025,{jenis},{tanggal},"


def write(landing, kode, dataset, name, header, rows, submitted):
    p = landing / kode / dataset / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(header + "\n" + "\n".join(rows) + "\n")
    ts = dt.datetime.fromisoformat(submitted).replace(tzinfo=dt.UTC).timestamp()
    os.utime(p, (ts, ts))


def build_hand_province(home: Path) -> Settings:
    home.mkdir(parents=True, exist_ok=True)
    landing = home / "landing"
    registry = {
        "provinsi": {"kode_wilayah": "75", "nama": "Provinsi Gorontalo"},
        "agencies": [
            {"kode": "KAB-1", "nama": "Kabupaten Satu", "kode_wilayah": "75.01"},
            {"kode": "KAB-2", "nama": "Kabupaten Dua", "kode_wilayah": "75.02"},
            {"kode": "OPD-A", "nama": "Dinas A", "kode_wilayah": "75"},
        ],
    }
    (home / "agencies.yaml").write_text(yaml.safe_dump(registry))
    jan10, jan20 = "2026-01-10T08:00:00", "2026-01-20T08:00:00"
    write(
        landing,
        "KAB-1",
        "pegawai",
        "p.csv",
        PEGAWAI_H,
        [
            pegawai("n1", pendidikan="S2"),
            pegawai("n2", pendidikan="S3"),
            pegawai("n3", hukuman="sedang"),
            pegawai("n4", pendidikan="D3", hukuman="ringan"),
            pegawai("n5", hukuman="berat"),  # not n5's home roster: KAB-2's is (S3, tidak_ada)
            pegawai("n6", "PPPK"),
        ],
        jan10,
    )
    write(
        landing,
        "KAB-2",
        "pegawai",
        "p.csv",
        PEGAWAI_H,
        [
            pegawai("m1", pendidikan="S2", hukuman="sedang"),
            pegawai("m2", pendidikan="S2"),
            pegawai("m3", pendidikan="SMA", hukuman="berat"),
            pegawai("m4"),
            pegawai("n5", pendidikan="S3"),
        ],
        jan20,
    )
    write(landing, "OPD-A", "pegawai", "p.csv", PEGAWAI_H, [pegawai("o1"), pegawai("o2")], jan10)
    first = [
        penilaian("n1", A, A),
        penilaian("n2", S, S),
        penilaian("n3", B, S),
        penilaian("n4", S, B),
        penilaian("n6", A, S),
        penilaian("n5", S, S),
        penilaian("z9", A, A),
    ]
    write(landing, "KAB-1", "penilaian", "nilai.csv", PENILAIAN_H, first, jan10)
    revised = [penilaian("n2", A, A) if r.startswith(NIP["n2"]) else r for r in first]
    write(
        landing,
        "KAB-1",
        "penilaian",
        "nilai_revisi.csv",
        PENILAIAN_H,
        revised,
        "2026-02-01T08:00:00",
    )
    write(
        landing,
        "KAB-2",
        "penilaian",
        "nilai.csv",
        PENILAIAN_H,
        [penilaian("m1", A, A), penilaian("m2", S, A), penilaian("m3", B, B)],
        jan20,
    )
    write(landing, "OPD-A", "penilaian", "nilai.csv", PENILAIAN_H, [penilaian("o1", S, S)], jan10)
    write(landing, "KAB-1", "pelatihan", "latih.csv", PELATIHAN_KAT_H, [
        latih("n1", 20, "kepemimpinan"), latih("n2", 12, "kepemimpinan"),
        latih("n2", 8, "fungsional", "2024-12-28", "2025-01-02"),
        latih("n3", "19.5"), latih("n6", 30), latih("n3", 10, "", "2024-12-30", "2024-12-31"),
        latih("n1", 2, "seminar"), latih("n2", 2, "seminar"),
    ], jan10)  # fmt: skip
    write(landing, "KAB-2", "pelatihan", "latih.csv", PELATIHAN_KAT_H, [
        latih("m1", 25, "kepemimpinan"), latih("n5", 20, "kepemimpinan"),
        latih("m2", 5, "fungsional"), latih("m1", 3, "fungsional"),
    ], jan20)  # fmt: skip
    # dialog kinerja: KAB-1 sends n5's Q1 (n5 is on its roster), KAB-2 the other three; n2's Q2
    # twice; z9 on no roster; two rows rejected (dated in 2024; the supervisor is the employee)
    write(landing, "KAB-1", "dialog_kinerja", "dialog.csv", DIALOG_H, [
        *(dialog("n1", q) for q in (1, 2, 3, 4)), *(dialog("n2", q) for q in (1, 2, 2, 3, 4)),
        dialog("n3", 1), dialog("n3", 2), *(dialog("n6", q) for q in (1, 2, 3, 4)),
        dialog("n5", 1), dialog("z9", 1),
        dialog("n4", 1, "2024-12-30"), dialog("n4", 2, atasan=NIP["n4"]),
    ], jan10)  # fmt: skip
    write(landing, "KAB-2", "dialog_kinerja", "dialog.csv", DIALOG_H, [
        *(dialog("m1", q) for q in (1, 2, 3, 4)), *(dialog("m2", q) for q in (1, 2, 3)),
        *(dialog("n5", q) for q in (2, 3, 4)),
    ], jan20)  # fmt: skip
    write(landing, "OPD-A", "dialog_kinerja", "dialog.csv", DIALOG_H, [dialog("o1", 1)], jan10)
    write(landing, "KAB-1", "penghargaan", "hadiah.csv", PENGHARGAAN_H, [
        penghargaan("n1", "pegawai_teladan"), penghargaan("n1", "tanda_kehormatan"),
        penghargaan("n3", "pengembangan_diri"), penghargaan("n6", "lainnya"),
        penghargaan("n5", "lainnya"), penghargaan("z9", "lainnya"),
    ], jan10)  # fmt: skip
    write(landing, "KAB-2", "penghargaan", "hadiah.csv", PENGHARGAAN_H, [
        penghargaan("m1", "pegawai_teladan"), penghargaan("m2", "kenaikan_pangkat_istimewa"),
        penghargaan("m3", "lainnya"), penghargaan("m4", "lainnya"),
    ], jan20)  # fmt: skip
    write(landing, "OPD-A", "penghargaan", "hadiah.csv", PENGHARGAAN_H,
          [penghargaan("o2", "pengembangan_diri")], jan10)  # fmt: skip
    write(landing, "KAB-1", "survei", "skm.csv", SURVEI_H, [
        "r1,Loket,2025-05-01,4,4,4,4,4,4,4,4,4",
        "r2,Loket,2025-05-01,3,3,,3,3,3,3,3,3",
        "r3,Loket,2025-05-02,2,2,2,2,2,2,2,2,2",
    ], jan10)  # fmt: skip
    write(
        landing,
        "KAB-2",
        "survei",
        "skm.csv",
        SURVEI_H,
        ["s1,Loket,2025-06-01,4,4,4,4,4,4,4,4,4", "s2,Loket,2025-06-01,4,4,4,4,4,4,4,4,4"],
        jan20,
    )
    settings = hand_settings(home)
    settings.ensure_dirs()
    return settings


def hand_settings(home: Path) -> Settings:
    """The Settings of a hand province (or a copy of one) in `home`."""
    return Settings(home=home, registry=home / "agencies.yaml", landing=home / "landing",
                    archive=home / "archive", warehouse=home / "w.duckdb", published=home / "pub")  # fmt: skip

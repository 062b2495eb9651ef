"""A hand-made province run through the nightly job (Dagster, dbt build with its tests as
asset checks), against figures computed by hand from submission-standard.md.

Agencies: KAB-1 (75.01), KAB-2 (75.02), OPD-A (provincial OPD, 75). Year 2025.
- n5 is on KAB-1's and KAB-2's rosters; KAB-2's roster is submitted later -> home KAB-2.
- KAB-1 revises its appraisals: the revision (n2 becomes Sangat Baik) replaces the first file.
- KAB-1 appraises n5 (on KAB-1's roster) -> counts at n5's home, KAB-2.
- z9 is appraised by KAB-1 but on no roster -> not counted, a finding.
- n2's 8 JP course runs 2024-12-28..2025-01-02 -> counts in 2025; n6 is PPPK (not in 20 JP).
- KAB-1's survey has one response with U3 unanswered.
"""

import datetime as dt
import os
from decimal import Decimal as D

import duckdb
import pytest
import yaml
from dagster import DagsterInstance

from ingestion.settings import Settings
from orchestration.definitions import NIGHTLY_JOB, build_defs
from orchestration.run import run_job


def nip(i: int, gender: int = 1) -> str:
    return f"{1970 + i}0101" + "200501" + str(gender) + f"{i:03d}"


NIP = {name: nip(i) for i, name in enumerate(
    ["n1", "n2", "n3", "n4", "n5", "n6", "m1", "m2", "m3", "m4", "o1", "o2", "z9"], start=1)}  # fmt: skip
PEGAWAI_H = "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,jenis_jabatan,pendidikan,hukuman_disiplin"
PENILAIAN_H = (
    "nip,tahun,rating_hasil_kerja,rating_perilaku_kerja,predikat,nip_penilai,tanggal_penilaian"
)
PELATIHAN_H = "nip,nama_pelatihan,jenis_pelatihan,tanggal_mulai,tanggal_selesai,jp,penyelenggara"
SURVEI_H = "id_responden,unit_layanan,tanggal_survei,u1,u2,u3,u4,u5,u6,u7,u8,u9"
A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
PENILAI = nip(90)


def pegawai(name, status="PNS"):
    n = NIP[name]
    born = f"{n[:4]}-{n[4:6]}-{n[6:8]}"
    gol = "III/a" if status == "PNS" else "IX"
    return f"{n},Pegawai {name},2025,Umum,L,{born},{status},{gol},pelaksana,S1,tidak_ada"


def penilaian(name, hasil, perilaku):
    return f"{NIP[name]},2025,{hasil},{perilaku},,{PENILAI},2025-12-20"


def pelatihan(name, jp, mulai="2025-03-01", selesai="2025-03-02"):
    return f"{NIP[name]},Latsar,klasikal,{mulai},{selesai},{jp},BPSDM"


def write(landing, kode, dataset, name, header, rows, submitted):
    p = landing / kode / dataset / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(header + "\n" + "\n".join(rows) + "\n")
    ts = dt.datetime.fromisoformat(submitted).replace(tzinfo=dt.UTC).timestamp()
    os.utime(p, (ts, ts))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("hand")
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
        [pegawai(n) for n in ["n1", "n2", "n3", "n4", "n5"]] + [pegawai("n6", "PPPK")],
        jan10,
    )
    write(
        landing,
        "KAB-2",
        "pegawai",
        "p.csv",
        PEGAWAI_H,
        [pegawai(n) for n in ["m1", "m2", "m3", "m4", "n5"]],
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
    write(landing, "KAB-1", "pelatihan", "latih.csv", PELATIHAN_H, [
        pelatihan("n1", 20), pelatihan("n2", 12), pelatihan("n2", 8, "2024-12-28", "2025-01-02"),
        pelatihan("n3", "19.5"), pelatihan("n6", 30), pelatihan("n3", 10, "2024-12-30", "2024-12-31"),
    ], jan10)  # fmt: skip
    write(
        landing,
        "KAB-2",
        "pelatihan",
        "latih.csv",
        PELATIHAN_H,
        [pelatihan("m1", 25), pelatihan("n5", 20), pelatihan("m2", 5)],
        jan20,
    )
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
    settings = Settings(home=home, registry=home / "agencies.yaml", landing=landing,
                        archive=home / "archive", warehouse=home / "w.duckdb", published=home / "pub")  # fmt: skip
    settings.ensure_dirs()
    os.environ["KINERJA_PSEUDONYM_KEY"] = "test-pseudonym-key"
    with DagsterInstance.ephemeral() as instance:
        result = run_job(build_defs(settings), NIGHTLY_JOB, ["KAB-1", "KAB-2", "OPD-A"], instance)
        assert result.success
        checks = [e for e in result.get_asset_check_evaluations()]
    assert checks and all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]
    return settings.warehouse


def rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


COLS = ("jumlah_pegawai, jumlah_dinilai, cakupan_penilaian_pct, pct_sangat_baik, pct_baik, "
        "pct_butuh_perbaikan, pct_kurang_misconduct, pct_sangat_kurang, rata_jp, "
        "pct_pns_memenuhi_20jp, jumlah_responden, ikm, mutu_ikm")  # fmt: skip


def expect(*values):
    return dict(zip([c.strip() for c in COLS.split(",")], values, strict=True))


def test_indikator_wilayah_matches_hand_computed(warehouse):
    got = rows(
        warehouse, f"SELECT kode_wilayah, {COLS} FROM marts.indikator_wilayah WHERE tahun = 2025"
    )
    got = {k: {c: v for c, v in r.items() if c != "kode_wilayah"} for k, r in got.items()}
    assert got == {
        # KAB-1 home: n1 SB, n2 SB (revised), n3 BP, n4 KM, n6 B; JP 20+20+19.5+30+0 = 89.5;
        # 4 PNS (<5: share empty); IKM: NRR 3 for every element (U3 over 2 answers) = 75.00 C
        "75.01": expect(5, 5, D("100.00"), D("40.00"), D("20.00"), D("20.00"), D("20.00"),
                        D("0.00"), D("17.90"), None, 3, D("75.00"), "C"),
        # KAB-2 home: m1..m4 + n5 (transfer); appraised m1 SB, m2 B, m3 SK, n5 B (sent by
        # KAB-1) = 4 < 5, so the predikat shares are empty; JP 25+20+5; PNS with 20 JP: m1, n5
        "75.02": expect(5, 4, D("80.00"), None, None, None, None, None, D("10.00"), D("40.00"),
                        2, D("100.00"), "A"),
        # province: 12 employees, 10 appraised: SB 3, B 4, BP 1, KM 1, SK 1; JP 139.5/12;
        # PNS 11, 4 with 20 JP; IKM pooled: 25/9 x (8 x 17/5 + 14/4) = 85.2777 -> 85.28 B
        "75": expect(12, 10, D("83.33"), D("30.00"), D("40.00"), D("10.00"), D("10.00"),
                     D("10.00"), D("11.63"), D("36.36"), 5, D("85.28"), "B"),
    }  # fmt: skip


def test_indikator_instansi_small_agency_is_suppressed(warehouse):
    got = rows(
        warehouse, f"SELECT kode_instansi, {COLS} FROM marts.indikator_instansi WHERE tahun = 2025"
    )
    opd = {c: v for c, v in got["OPD-A"].items() if c != "kode_instansi"}
    assert opd == expect(2, 1, None, None, None, None, None, None, D("0.00"), None, 0, None, None)
    assert got["KAB-1"]["pct_sangat_baik"] == D("40.00")


def test_findings(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = set(
            con.execute("SELECT kode_instansi, tahun, aturan, jumlah FROM marts.temuan").fetchall()
        )
    assert got == {
        ("KAB-1", 2025, "PENILAIAN_NIP_TIDAK_DI_ROSTER", 1),
        ("KAB-1", 2025, "PEGAWAI_DI_DUA_ROSTER", 1),
        ("KAB-2", 2025, "PEGAWAI_DI_DUA_ROSTER", 1),
        ("KAB-1", 2024, "PELATIHAN_NIP_TIDAK_DI_ROSTER", 1),
    }


def test_marts_hold_no_nip_or_name(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()
        cols = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts'"
        ).fetchall()
        text = " ".join(
            str(v)
            for (t,) in tables
            for row in con.execute(f"SELECT * FROM marts.{t}").fetchall()
            for v in row
        )
    assert not {"nip", "nama", "nip_penilai"} & {c for (c,) in cols}
    assert not any(n in text for n in NIP.values())
    assert "Pegawai n1" not in text


def marts_snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for t in (
            "fct_pegawai_tahun",
            "fct_penilaian",
            "fct_pelatihan",
            "fct_survei",
            "indikator_wilayah",
        ):
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                "AND table_name = ? AND column_name <> '_dimuat_sampai' ORDER BY ordinal_position", [t]
            ).fetchall()]  # fmt: skip
            out[t] = con.execute(f"SELECT {', '.join(cols)} FROM marts.{t} ORDER BY ALL").fetchall()
    return out


def test_incremental_refresh_after_a_revision_equals_a_full_refresh(warehouse, tmp_path):
    import shutil

    home = warehouse.parent
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    s = Settings(home=copy, registry=copy / "agencies.yaml", landing=copy / "landing",
                 archive=copy / "archive", warehouse=copy / "w.duckdb", published=copy / "pub")  # fmt: skip
    # KAB-2 revises its 2025 appraisals: m4 is now appraised too
    write(s.landing, "KAB-2", "penilaian", "nilai_revisi.csv", PENILAIAN_H,
          [penilaian("m1", A, A), penilaian("m2", S, A), penilaian("m3", B, B), penilaian("m4", S, S)],
          "2026-03-01T08:00:00")  # fmt: skip
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(s), NIGHTLY_JOB, ["KAB-1", "KAB-2", "OPD-A"], instance).success
        incremental = marts_snapshot(s.warehouse)
        assert run_job(
            build_defs(s), NIGHTLY_JOB, ["KAB-1", "KAB-2", "OPD-A"], instance, full_refresh=True
        ).success
    assert marts_snapshot(s.warehouse) == incremental
    kab2 = rows(
        s.warehouse,
        "SELECT kode_wilayah, jumlah_dinilai FROM marts.indikator_wilayah WHERE tahun = 2025",
    )
    assert kab2["75.02"]["jumlah_dinilai"] == 5

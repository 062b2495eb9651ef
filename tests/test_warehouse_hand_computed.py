"""A hand-made province run through the nightly job (Dagster, dbt build with its tests as
asset checks), against figures computed by hand from submission-standard.md.

Agencies: KAB-1 (75.01), KAB-2 (75.02), OPD-A (provincial OPD, 75). Year 2025.
- n5 is on KAB-1's and KAB-2's rosters; KAB-2's roster is submitted later -> home KAB-2.
- KAB-1 revises its appraisals: the revision (n2 becomes Sangat Baik) replaces the first file.
- KAB-1 appraises n5 (on KAB-1's roster) -> counts at n5's home, KAB-2.
- z9 is appraised by KAB-1 but on no roster -> not counted, a finding.
- n2's 8 JP course runs 2024-12-28..2025-01-02 -> counts in 2025; n6 is PPPK (not in 20 JP).
- KAB-1's survey has one response with U3 unanswered.
- Trainings carry a kategori (empty = teknis); n1, n2 and m1 have extra short ones (seminar,
  fungsional) that feed IP ASN Kompetensi.
- Rosters: n1 S2, n2 S3, n3 S1 sedang, n4 D3 ringan, m1 S2 sedang, m2 S2, m3 SMA berat; n5 is
  S1 berat on KAB-1's roster but S3 tidak_ada on KAB-2's, its home roster (which counts).
- Dialog kinerja: n2's Q2 is sent twice; n5's Q1 comes from KAB-1, Q2..Q4 from KAB-2; z9 is on
  no roster; two KAB-1 rows are rejected (dated 2024; supervisor = employee).
- Penghargaan: n1 twice; n3 (Butuh Perbaikan), m1 (Sangat Baik but `sedang`) and m3 (Sangat
  Kurang, `berat`) are not aligned; n5's reward is sent by KAB-1 and counts at KAB-2.
"""

import json
from decimal import Decimal as D

import duckdb
import pytest

from tests.conftest import copy_province, dbt_test_vars
from tests.hand_province import NIP


@pytest.fixture(scope="module")
def province(hand_built, tmp_path_factory):
    """A copy of the hand province, built once per test run by the nightly job."""
    settings, checks = hand_built
    failed = [c["name"] for c in checks if not c["passed"] and c["severity"] == "ERROR"]
    assert checks and not failed, failed
    return copy_province(settings, tmp_path_factory.mktemp("hand") / "home")


@pytest.fixture(scope="module")
def warehouse(province):
    return province.warehouse


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
        # KAB-1 home: n1 SB, n2 SB (revised), n3 BP, n4 KM, n6 B; JP n1 20+2, n2 12+8+2,
        # n3 19.5, n6 30, n4 0 = 93.5 / 5 = 18.70; 4 PNS (<5: share empty);
        # IKM: NRR 3 for every element (U3 over 2 answers) = 75.00 C
        "75.01": expect(5, 5, D("100.00"), D("40.00"), D("20.00"), D("20.00"), D("20.00"),
                        D("0.00"), D("18.70"), None, 3, D("75.00"), "C"),
        # KAB-2 home: m1..m4 + n5 (transfer); appraised m1 SB, m2 B, m3 SK, n5 B (sent by
        # KAB-1) = 4 < 5, so the predikat shares are empty; JP 25+3+20+5 = 53 / 5 = 10.60;
        # PNS with 20 JP: m1, n5 = 2 / 5
        "75.02": expect(5, 4, D("80.00"), None, None, None, None, None, D("10.60"), D("40.00"),
                        2, D("100.00"), "A"),
        # province: 12 employees, 10 appraised: SB 3, B 4, BP 1, KM 1, SK 1; JP 146.5 / 12 =
        # 12.208 -> 12.21; PNS 11, 4 with 20 JP (n1, n2, m1, n5);
        # IKM pooled: 25/9 x (8 x 17/5 + 14/4) = 85.2777 -> 85.28 B
        "75": expect(12, 10, D("83.33"), D("30.00"), D("40.00"), D("10.00"), D("10.00"),
                     D("10.00"), D("12.21"), D("36.36"), 5, D("85.28"), "B"),
    }  # fmt: skip


def test_indikator_instansi_small_agency_is_suppressed(warehouse):
    got = rows(
        warehouse, f"SELECT kode_instansi, {COLS} FROM marts.indikator_instansi WHERE tahun = 2025"
    )
    opd = {c: v for c, v in got["OPD-A"].items() if c != "kode_instansi"}
    # 2 employees: every share and mean is empty, rata_jp too (a mean over fewer than 5 people)
    assert opd == expect(2, 1, None, None, None, None, None, None, None, None, 0, None, None)
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
        ("KAB-1", 2025, "DIALOG_NIP_TIDAK_DI_ROSTER", 1),  # z9
        ("KAB-1", 2025, "PENGHARGAAN_NIP_TIDAK_DI_ROSTER", 1),  # z9
        ("KAB-1", 2025, "PENGHARGAAN_TIDAK_SELARAS", 1),  # n3 (Butuh Perbaikan)
        ("KAB-2", 2025, "PENGHARGAAN_TIDAK_SELARAS", 2),  # m1 (sedang), m3 (Sangat Kurang)
    }


SIKLUS = ("jumlah_pns_ip_asn, rata_ip_asn, pct_ip_sangat_tinggi, pct_ip_tinggi, pct_ip_sedang, "
          "pct_ip_rendah, pct_ip_sangat_rendah, pct_dialog_lengkap, rata_triwulan_dialog, "
          "jumlah_penerima_penghargaan, pct_penghargaan_selaras")  # fmt: skip


def siklus(*values):
    return dict(zip([c.strip() for c in SIKLUS.split(",")], values, strict=True))


# IP ASN by hand (domain-rules.md; Kualifikasi + Kompetensi + Kinerja + Disiplin), 2025:
#   n1: S2 20 + (kepemimpinan 15, seminar 5) 20 + SB 30 + tidak_ada 5 = 75 SEDANG
#   n2: S3 25 + (kepemimpinan 15, fungsional 15 [the course ending 2025-01-02], seminar 5) 35
#       + SB 30 (the revision) + 5 = 95 SANGAT_TINGGI
#   n3: S1 15 + (teknis 19.5 JP < 20: 0; the 2024 course is another year) 0 + BP 20 + sedang 2
#       = 37 SANGAT_RENDAH
#   n4: D3 10 + 0 + KM 15 + ringan 3 = 28 SANGAT_RENDAH
#   n6: PPPK -> none;  m4, o2: PNS without an appraisal -> none
#   m1: S2 20 + (kepemimpinan 15, fungsional 15) 30 + SB 30 + sedang 2 = 82 TINGGI
#   m2: S2 20 + fungsional 15 + B 25 + 5 = 65 RENDAH
#   m3: SMA 1 + 0 + SK 5 + berat 1 = 7 SANGAT_RENDAH
#   n5: home roster KAB-2: S3 25 + kepemimpinan 15 + B 25 + tidak_ada 5 = 70 RENDAH
#       (KAB-1's roster row, S1 berat, would give 56)
#   o1: S1 15 + 0 + B 25 + 5 = 45 SANGAT_RENDAH
IP_ASN = {"n1": (75, "SEDANG"), "n2": (95, "SANGAT_TINGGI"), "n3": (37, "SANGAT_RENDAH"),
          "n4": (28, "SANGAT_RENDAH"), "m1": (82, "TINGGI"), "m2": (65, "RENDAH"),
          "m3": (7, "SANGAT_RENDAH"), "n5": (70, "RENDAH"), "o1": (45, "SANGAT_RENDAH")}  # fmt: skip


def test_fct_ip_asn_matches_hand_computed(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET VARIABLE kinerja_pseudonym_key = 'test-pseudonym-key'")
        got = {
            r[0]: (int(r[1]), r[2])
            for r in con.execute(
                "SELECT n.name, f.ip_asn, f.kategori FROM marts.fct_ip_asn AS f JOIN (VALUES "
                + ", ".join(f"('{k}', sha256(getvariable('kinerja_pseudonym_key') || ':' || '{v}'))"
                            for k, v in NIP.items())
                + ") AS n(name, key) ON f.pegawai_key = n.key WHERE f.tahun = 2025"
            ).fetchall()
        }  # fmt: skip
    assert got == IP_ASN


def test_siklus_kinerja_columns_match_hand_computed(warehouse):
    got = rows(
        warehouse, f"SELECT kode_wilayah, {SIKLUS} FROM marts.indikator_wilayah WHERE tahun = 2025"
    )
    got = {k: {c: v for c, v in r.items() if c != "kode_wilayah"} for k, r in got.items()}
    assert got == {
        # KAB-1 home: IP ASN n1..n4 = 4 PNS (<5: mean and shares empty).
        # Dialogue quarters n1 4, n2 4 (Q2 twice = once), n3 2, n4 0 (both rows rejected),
        # n6 4 = 14 / 5 = 2.80; complete n1, n2, n6 = 3 / 5 = 60.00.
        # Rewards: n1 (twice: one recipient), n3 (BP: finding), n6 = 3 recipients (<5: empty).
        "75.01": siklus(4, None, None, None, None, None, None, D("60.00"), D("2.80"), 3, None),
        # KAB-2 home: IP ASN m1, m2, m3, n5 = 4 (<5). Quarters m1 4, m2 3, m3 0, m4 0, n5 4
        # (Q1 from KAB-1, Q2..Q4 from KAB-2) = 11 / 5 = 2.20; complete m1, n5 = 2 / 5 = 40.00.
        # Rewards: m1 (SB but sedang: finding), m2, m3 (SK: finding), m4 (no appraisal,
        # no penalty: aligned), n5 (sent by KAB-1) = 5 recipients, 3 aligned = 60.00.
        "75.02": siklus(4, None, None, None, None, None, None, D("40.00"), D("2.20"), 5,
                        D("60.00")),
        # province: 9 PNS with IP ASN, sum 75+95+37+28+82+65+7+70+45 = 504 / 9 = 56.00;
        # kategori ST 1, T 1, S 1, R 2, SR 4 of 9 -> 11.11, 11.11, 11.11, 22.22, 44.44.
        # Quarters 14 + 11 + o1 1 + o2 0 = 26 / 12 = 2.1667 -> 2.17; complete 5 / 12 = 41.67.
        # Rewards: 3 + 5 + o2 = 9 recipients, 6 aligned = 66.67.
        "75": siklus(9, D("56.00"), D("11.11"), D("11.11"), D("11.11"), D("22.22"), D("44.44"),
                     D("41.67"), D("2.17"), 9, D("66.67")),
    }  # fmt: skip


def test_siklus_kinerja_small_agency_is_suppressed(warehouse):
    got = rows(
        warehouse,
        f"SELECT kode_instansi, {SIKLUS} FROM marts.indikator_instansi WHERE tahun = 2025",
    )
    opd = {c: v for c, v in got["OPD-A"].items() if c != "kode_instansi"}
    # OPD-A: o1 (IP ASN 45, dialogue Q1) and o2 (reward): 2 employees, every share and mean empty
    assert opd == siklus(1, None, None, None, None, None, None, None, None, 1, None)
    assert got["KAB-2"]["pct_penghargaan_selaras"] == D("60.00")


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


def test_dbt_unit_tests_of_every_rule_pass(warehouse, tmp_path, pseudonym_key):
    """The unit tests of the dbt rules (the YAML beside each model) run here, in `make test`,
    not in every nightly build; they need the seeds, which the hand province's build loaded."""
    from orchestration.assets.warehouse import dbt_project, dbt_resource

    vars_ = dbt_test_vars(warehouse)
    # in this process, as the nightly build runs dbt (the project parsed once per process)
    invocation = dbt_resource(dbt_project()).cli(
        ["test", "--select", "resource_type:unit_test", "--vars", vars_],
        target_path=tmp_path / "target", raise_on_error=False,
    )  # fmt: skip
    invocation.wait()
    log = (tmp_path / "target" / "dbt.log").read_text(encoding="utf-8")
    assert invocation.process.returncode == 0, log[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 15 and all(r["status"] == "pass" for r in unit)

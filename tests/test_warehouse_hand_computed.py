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

import json
import subprocess
from decimal import Decimal as D

import duckdb
import pytest

from core import personal_data
from tests.conftest import copy_province
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


def test_dbt_unit_tests_of_every_rule_pass(warehouse, tmp_path, pseudonym_key):
    """The unit tests of the dbt rules (the YAML beside each model) run here, in `make test`,
    not in every nightly build; they need the seeds, which the hand province's build loaded."""
    from orchestration.assets.warehouse import DBT_EXECUTABLE
    from orchestration.assets.warehouse import DBT_PROJECT_DIR as project

    vars_ = json.dumps({"warehouse_path": str(warehouse), **personal_data.dbt_vars()})
    done = subprocess.run(
        [DBT_EXECUTABLE, "--no-send-anonymous-usage-stats", "test", "--select",
         "resource_type:unit_test", "--vars", vars_, "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(tmp_path / "target")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 9 and all(r["status"] == "pass" for r in unit)

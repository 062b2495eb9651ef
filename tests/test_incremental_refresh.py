"""An incremental refresh after a revision ends with exactly the marts of a full refresh, and
the operator's `kinerja refresh` runs it (the hand province of tests/hand_province.py; the
night of the revision, tests/conftest.py revised_night, is shared with the holds test)."""

import duckdb
import pytest

from tests.conftest import copy_province, run_nightly
from tests.hand_province import DIALOG_H, dialog, write


def rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def marts_snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for t in (
            "fct_pegawai_tahun",
            "fct_penilaian",
            "fct_pelatihan",
            "fct_survei",
            "fct_ip_asn",
            "fct_dialog_kinerja",
            "fct_penghargaan",
            "indikator_wilayah",
        ):
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                "AND table_name = ? AND column_name <> '_dimuat_sampai' ORDER BY ordinal_position", [t]
            ).fetchall()]  # fmt: skip
            out[t] = con.execute(f"SELECT {', '.join(cols)} FROM marts.{t} ORDER BY ALL").fetchall()
    return out


@pytest.mark.slow
def test_incremental_refresh_after_a_revision_equals_a_full_refresh(revised_night, tmp_path):
    # the night (tests/conftest.py revised_night): KAB-2 revises its 2025 appraisals (m4 is
    # now appraised too); KAB-1's training susulan of the same night is held
    s = copy_province(revised_night.settings, tmp_path / "copy")
    # the incremental run was the operator's `kinerja refresh` (exit code 0 and the release)
    assert f"TERBIT: {revised_night.settings.published / 'runs'}" in revised_night.out
    incremental = marts_snapshot(s.warehouse)
    # the run was incremental and reworked only KAB-2's appraisals of 2025
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        built = dict(con.execute(
            "SELECT kode_instansi || '/' || tahun, max(_dimuat_sampai) "
            "FROM staging.stg_raw__penilaian GROUP BY ALL"
        ).fetchall())  # fmt: skip
    assert built["KAB-2/2025"] > built["KAB-1/2025"]
    assert len({v for k, v in built.items() if k != "KAB-2/2025"}) == 1
    file_years = "SELECT * EXCLUDE (_dimuat_sampai) FROM staging.stg_raw__file_years ORDER BY ALL"
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        # the submissions of every file: only the agencies that sent a file that night (KAB-1
        # its training, KAB-2 its appraisals) were computed again, with all their files
        again = dict(con.execute(
            "SELECT kode_instansi || '/' || dataset, max(_dimuat_sampai) "
            "FROM staging.stg_raw__file_years GROUP BY ALL"
        ).fetchall())  # fmt: skip
        file_years_incremental = con.execute(file_years).fetchall()
    recomputed = {k for k, v in again.items() if v == max(again.values())}
    assert recomputed == {"KAB-1/pelatihan", "KAB-2/penilaian"}, again
    assert run_nightly(s, ["KAB-1", "KAB-2", "OPD-A"], full_refresh=True).success
    assert marts_snapshot(s.warehouse) == incremental
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        assert con.execute(file_years).fetchall() == file_years_incremental
    kab2 = rows(
        s.warehouse,
        "SELECT kode_wilayah, jumlah_dinilai FROM marts.indikator_wilayah WHERE tahun = 2025",
    )
    assert kab2["75.02"]["jumlah_dinilai"] == 5


@pytest.mark.slow
def test_a_revised_dialogue_file_rebuilds_only_what_it_touches(hand_built, tmp_path):
    s = copy_province(hand_built[0], tmp_path / "copy")

    def built(con, table):
        return con.execute(f"SELECT max(_dimuat_sampai) FROM {table}").fetchone()[0]

    tables = ("staging.stg_raw__penilaian", "marts.fct_ip_asn", "marts.fct_penghargaan",
              "marts.fct_dialog_kinerja", "staging.stg_raw__dialog_kinerja")  # fmt: skip
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        before = {t: built(con, t) for t in tables}
    # KAB-2 revises its 2025 dialogues: m3 now held all four quarters too
    write(s.landing, "KAB-2", "dialog_kinerja", "dialog_revisi.csv", DIALOG_H, [
        *(dialog("m1", q) for q in (1, 2, 3, 4)), *(dialog("m2", q) for q in (1, 2, 3)),
        *(dialog("n5", q) for q in (2, 3, 4)), *(dialog("m3", q) for q in (1, 2, 3, 4)),
    ], "2026-03-01T08:00:00")  # fmt: skip
    assert run_nightly(s, ["KAB-2"]).success
    incremental = marts_snapshot(s.warehouse)
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        after = {t: built(con, t) for t in tables}
        stg = dict(con.execute(
            "SELECT kode_instansi || '/' || tahun, max(_dimuat_sampai) "
            "FROM staging.stg_raw__dialog_kinerja GROUP BY ALL"
        ).fetchall())  # fmt: skip
    # the dialogues were reworked (KAB-2's 2025 only); appraisals, IP ASN and rewards were not
    assert after["marts.fct_dialog_kinerja"] > before["marts.fct_dialog_kinerja"]
    assert stg["KAB-2/2025"] > stg["KAB-1/2025"] == stg["OPD-A/2025"]
    for t in ("staging.stg_raw__penilaian", "marts.fct_ip_asn", "marts.fct_penghargaan"):
        assert after[t] == before[t], t
    # KAB-2 home: quarters m1 4, m2 3, m3 4, m4 0, n5 4 = 15 / 5 = 3.00; complete 3 / 5
    got = rows(s.warehouse, "SELECT kode_wilayah, pct_dialog_lengkap, rata_triwulan_dialog "
               "FROM marts.indikator_wilayah WHERE tahun = 2025")  # fmt: skip
    assert (got["75.02"]["pct_dialog_lengkap"], str(got["75.02"]["rata_triwulan_dialog"])) == (
        60,
        "3.00",
    )
    assert run_nightly(s, ["KAB-1", "KAB-2", "OPD-A"], full_refresh=True).success
    assert marts_snapshot(s.warehouse) == incremental

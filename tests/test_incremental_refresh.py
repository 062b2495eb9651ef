"""An incremental refresh after a revision ends with exactly the marts of a full refresh, and
the operator's `kinerja refresh` runs it (the hand province of tests/hand_province.py)."""

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import cli_env, copy_province, run_nightly
from tests.hand_province import PENILAIAN_H, A, B, S, penilaian, write


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
            "indikator_wilayah",
        ):
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
                "AND table_name = ? AND column_name <> '_dimuat_sampai' ORDER BY ordinal_position", [t]
            ).fetchall()]  # fmt: skip
            out[t] = con.execute(f"SELECT {', '.join(cols)} FROM marts.{t} ORDER BY ALL").fetchall()
    return out


@pytest.mark.slow
def test_incremental_refresh_after_a_revision_equals_a_full_refresh(
    hand_built, tmp_path, monkeypatch, capsys, pseudonym_key
):
    s = copy_province(hand_built[0], tmp_path / "copy")
    # KAB-2 revises its 2025 appraisals: m4 is now appraised too
    write(s.landing, "KAB-2", "penilaian", "nilai_revisi.csv", PENILAIAN_H,
          [penilaian("m1", A, A), penilaian("m2", S, A), penilaian("m3", B, B), penilaian("m4", S, S)],
          "2026-03-01T08:00:00")  # fmt: skip
    # the incremental run is the operator's `kinerja refresh` (exit code 0 and the release)
    for name, value in cli_env(s, tmp_path / "dagster").items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["refresh"]) == 0
    assert f"TERBIT: {s.published / 'runs'}" in capsys.readouterr().out
    incremental = marts_snapshot(s.warehouse)
    # the run was incremental and reworked only KAB-2's appraisals of 2025
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        built = dict(con.execute(
            "SELECT kode_instansi || '/' || tahun, max(_dimuat_sampai) "
            "FROM staging.stg_raw__penilaian GROUP BY ALL"
        ).fetchall())  # fmt: skip
    assert built["KAB-2/2025"] > built["KAB-1/2025"]
    assert len({v for k, v in built.items() if k != "KAB-2/2025"}) == 1
    assert run_nightly(s, ["KAB-1", "KAB-2", "OPD-A"], full_refresh=True).success
    assert marts_snapshot(s.warehouse) == incremental
    kab2 = rows(
        s.warehouse,
        "SELECT kode_wilayah, jumlah_dinilai FROM marts.indikator_wilayah WHERE tahun = 2025",
    )
    assert kab2["75.02"]["jumlah_dinilai"] == 5

"""The same file sent by two agencies no longer blocks (the staging grain includes the
agency); a wrongly sent file is withdrawn with `kinerja tarik` (recorded, rows kept), and a
withdrawn or held file that was its pair's only submission leaves no staging rows behind."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import cli_env, copy_province, run_nightly


def indicators(s):
    latest = s.published / "latest"
    return {
        n: (latest / n).read_bytes() for n in ("indikator_wilayah.csv", "indikator_instansi.csv")
    }


@pytest.mark.slow
def test_same_file_from_two_agencies_then_withdrawn(hand_built, tmp_path, monkeypatch, capsys):
    reference, _ = hand_built
    s = copy_province(reference, tmp_path / "home")
    # KAB-2 sends KAB-1's survey file by mistake, after its own
    wrong = s.landing / "KAB-2" / "survei" / "skm_kab1.csv"
    shutil.copy(s.landing / "KAB-1" / "survei" / "skm.csv", wrong)
    later = (s.landing / "KAB-2" / "survei" / "skm.csv").stat().st_mtime + 86400
    os.utime(wrong, (later, later))
    result = run_nightly(s)
    assert result.success  # the grain (file, agency, row) holds: publication is not blocked
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        (loaded,) = con.execute(
            "SELECT count(*) FROM raw.load_log WHERE file_name = 'KAB-2/survei/skm_kab1.csv' "
            "AND status = 'loaded'"
        ).fetchone()
    assert loaded == 1  # (the submission review may hold it; withdrawing it is final)

    for k, v in cli_env(s, tmp_path / "dh").items():
        monkeypatch.setenv(k, v)
    assert main(["tarik", "KAB-2", "skm_kab1.csv", "--oleh", "operator1"]) == 0
    assert "ditarik oleh operator1" in capsys.readouterr().out
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        (who,) = con.execute("SELECT alasan FROM raw.penahanan WHERE aturan = 'DITARIK'").fetchone()
        assert "operator1" in who
    assert main(["status"]) == 0
    assert "ditarik: KAB-2 survei" in capsys.readouterr().out
    assert run_nightly(s).success
    assert indicators(s) == indicators(reference)
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        # rows and load log kept
        (n,) = con.execute(
            "SELECT count(*) FROM raw.survei WHERE kode_instansi = 'KAB-2' AND file_sha256 IN "
            "(SELECT file_sha256 FROM raw.load_log WHERE file_name LIKE '%skm_kab1.csv')"
        ).fetchone()
        assert n > 0

    # OPD-A's only appraisal file withdrawn: its pair is emptied, not left as it was
    assert main(["tarik", "OPD-A", "OPD-A/penilaian/nilai.csv", "--oleh", "operator1"]) == 0
    assert run_nightly(s).success
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        (staged,) = con.execute(
            "SELECT count(*) FROM staging.stg_raw__penilaian WHERE kode_instansi = 'OPD-A'"
        ).fetchone()
        (dinilai,) = con.execute(
            "SELECT jumlah_dinilai FROM marts.indikator_instansi WHERE kode_instansi = 'OPD-A'"
        ).fetchone()
    assert staged == 0 and dinilai == 0


def test_tarik_of_an_unknown_file_says_so(hand_built, tmp_path, monkeypatch, capsys):
    reference, _ = hand_built
    s = copy_province(reference, tmp_path / "home")
    for k, v in cli_env(s, tmp_path / "dh").items():
        monkeypatch.setenv(k, v)
    assert main(["tarik", "KAB-2", "no-such.csv"]) == 1
    assert "tidak ada file" in capsys.readouterr().err

"""Implausible submissions are held, not applied, while the rest of the province publishes;
the operator's `kinerja terima` applies them at the next run (expectations/submission_review)."""

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.cli import main
from tests.conftest import DINILAI_KAB2, cli_env, copy_province
from tests.hand_province import NIP, PENILAIAN_H, SURVEI_H, S, penilaian, write


def one(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def published(s, sql):
    return [tuple(float(v) for v in r) for r in one(s.published / "latest" / "kinerja.duckdb", sql)]


RATA_JP = (
    "SELECT rata_jp FROM marts.indikator_instansi WHERE kode_instansi = 'KAB-1' AND tahun = 2025"
)


@pytest.mark.slow
def test_a_tiny_revision_is_held_while_the_province_publishes_then_applied_after_terima(
    revised_night, tmp_path, monkeypatch, capsys, pseudonym_key
):
    # the night (tests/conftest.py revised_night): KAB-1 sends a full training year, then a
    # 2-row "susulan" that would replace it; KAB-2 revises its appraisals the same night
    out, alerts = revised_night.out, revised_night.alerts
    # held, said in Indonesian with the figures before and after
    assert "KIRIMAN DITAHAN" in out and "susulan.csv" in out
    assert "hanya berisi 2 baris (sebelumnya 12" in out
    assert "kinerja terima KAB-1 pelatihan 2025" in out
    s = copy_province(revised_night.settings, tmp_path / "copy")
    for name, value in cli_env(s, tmp_path / "dagster").items():
        monkeypatch.setenv(name, value)
    # the agency's findings workbook says it
    book = CalamineWorkbook.from_path(s.published / "latest" / "temuan_instansi" / "KAB-1.xlsx")
    sheet = book.get_sheet_by_name("Kiriman Ditahan").to_python()
    assert sheet[1][:4] == ["KAB-1/pelatihan/susulan.csv", "pelatihan", 2025, "TURUN_DRASTIS"]
    assert "sebelumnya 12" in sheet[1][4]
    assert (
        "Kiriman Ditahan"
        not in CalamineWorkbook.from_path(
            s.published / "latest" / "temuan_instansi" / "KAB-2.xlsx"
        ).sheet_names
    )
    # and the alert says it
    assert (
        len(alerts) == 1 and "DITAHAN" in alerts[0]["text"] and "susulan.csv" in alerts[0]["text"]
    )
    # the rest of the night's data is published: the full training year and KAB-2's revision
    assert published(s, RATA_JP) == [(pytest.approx(72 / 5),)]  # 12 x 6 JP over 5 employees
    assert published(s, DINILAI_KAB2) == [(5,)]  # m4 appraised too (before the night: 4)
    held_rows = one(s.warehouse, "SELECT kode_instansi, dataset, tahun, aturan, sebelum, sesudah, "
                                 "diterima_pada FROM raw.penahanan")  # fmt: skip
    assert held_rows == [("KAB-1", "pelatihan", 2025, "TURUN_DRASTIS", 12.0, 2.0, None)]
    # archived and loaded, not applied
    assert one(s.warehouse, "SELECT count(*) FROM raw.pelatihan JOIN raw.load_log USING "
                            "(file_sha256, kode_instansi) WHERE file_name LIKE '%susulan.csv'") == [(2,)]  # fmt: skip

    # the status shows it; the operator accepts it; the next refresh applies it
    capsys.readouterr()
    assert main(["status"]) == 0
    assert "susulan.csv" in capsys.readouterr().out
    assert main(["terima", "KAB-1", "pelatihan", "2025", "--oleh", "operator-bkd"]) == 0
    assert "diterima oleh operator-bkd" in capsys.readouterr().out
    assert main(["refresh"]) == 0
    out = capsys.readouterr().out
    assert "KIRIMAN DITAHAN" not in out
    assert published(s, RATA_JP) == [(pytest.approx(5 / 5),)]  # 3 + 2 JP over 5 employees
    accepted = one(
        s.warehouse, "SELECT diterima_oleh, diterima_pada IS NOT NULL FROM raw.penahanan"
    )
    assert accepted == [("operator-bkd", True)]
    assert NIP  # the hand province's NIPs are the ones used above


@pytest.mark.slow
def test_an_injected_bad_row_from_one_agency_holds_only_that_agency(
    hand_built, tmp_path, monkeypatch, capsys, pseudonym_key
):
    s = copy_province(hand_built[0], tmp_path / "copy")
    for name, value in cli_env(s, tmp_path / "dagster").items():
        monkeypatch.setenv(name, value)
    ikm = "SELECT ikm FROM marts.indikator_instansi WHERE kode_instansi = 'KAB-2' AND tahun = 2025"
    ikm_before = published(s, ikm)
    dinilai = (
        "SELECT jumlah_dinilai FROM marts.indikator_instansi "
        "WHERE kode_instansi = 'KAB-1' AND tahun = 2025"
    )
    assert published(s, dinilai) == [(5,)]
    # the same night: KAB-2 sends new survey responses, KAB-1 a revision of its appraisals
    write(s.landing, "KAB-2", "survei", "skm_revisi.csv", SURVEI_H,
          ["s1,Loket,2025-06-01,3,3,3,3,3,3,3,3,3", "s2,Loket,2025-06-01,4,4,4,4,4,4,4,4,4",
           "s3,Loket,2025-06-02,4,4,4,4,4,4,4,4,4"], "2026-03-01T08:00:00")  # fmt: skip
    write(s.landing, "KAB-1", "penilaian", "nilai_tanpa_z9.csv", PENILAIAN_H,
          [penilaian(n, S, S) for n in ("n1", "n2", "n3", "n4", "n5", "n6")],
          "2026-03-01T08:00:00")  # fmt: skip
    assert main(["ingest"]) == 0
    # a value no row rule would let through gets into KAB-2's new rows (injected)
    with duckdb.connect(str(s.warehouse)) as con:
        con.execute(
            "UPDATE raw.survei SET u1 = 9 WHERE id_responden = 's3' AND file_sha256 IN "
            "(SELECT file_sha256 FROM raw.load_log WHERE file_name LIKE '%skm_revisi.csv')"
        )
    capsys.readouterr()
    assert main(["refresh"]) == 0
    out = capsys.readouterr().out
    # only KAB-2's survey is held, naming the check, the file and the row
    held_rows = one(
        s.warehouse, "SELECT kode_instansi, dataset, tahun, aturan, alasan FROM raw.penahanan"
    )
    assert [r[:4] for r in held_rows] == [("KAB-2", "survei", 2025, "GERBANG_MUTU")]
    assert "skm_revisi.csv" in held_rows[0][4] and "baris 4" in held_rows[0][4]
    # the range test of all nine answers names the one out of range
    assert "'values_between_stg_raw__survei' gagal pada kolom u1 " in held_rows[0][4]
    assert "KIRIMAN DITAHAN" in out and "skm_revisi.csv" in out
    # the province published: KAB-1's revision counts, KAB-2's IKM is its last accepted one
    assert published(s, ikm) == ikm_before
    assert published(s, "SELECT pct_sangat_baik FROM marts.indikator_instansi "
                        "WHERE kode_instansi = 'KAB-1' AND tahun = 2025") == [(0.0,)]  # fmt: skip

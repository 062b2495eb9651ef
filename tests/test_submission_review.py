"""The submission review's rules on a real DuckDB built by hand: which file-year counts,
which replacement is held, and whose new submission a failing row traces to (the whole
nightly with these rules: tests/test_submission_holds.py)."""

import datetime as dt

import duckdb
import pytest

from core.standard import load_standard
from expectations.config import load_gate_config
from expectations.submission_review import (
    Tracer,
    accept,
    drop_holds,
    held,
    new_counting,
    record_holds,
    trace_failures,
)
from ingestion.schema import ensure_raw_schema

CFG = load_gate_config()
T0 = dt.datetime(2026, 1, 1)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c, load_standard())
    c.execute("CREATE SCHEMA staging")
    c.execute(
        "CREATE TABLE staging.stg_raw__file_years (file_sha256 VARCHAR, kode_instansi VARCHAR, "
        "dataset VARCHAR, tahun INTEGER, jumlah_baris BIGINT, jumlah_nip BIGINT, "
        "kiriman_ke BIGINT, waktu_kiriman TIMESTAMP)"
    )
    yield c
    c.close()


def submit(con, sha, kode, dataset, tahun, rows, nips, day, part=0):
    """A loaded file of `rows` rows (`nips` NIPs) for one year, submitted and loaded on `day`
    (`part` minutes later): the submission of that day, as dbt's file_submissions numbers it."""
    at = T0 + dt.timedelta(days=day, minutes=part)
    con.execute(
        "INSERT INTO raw.load_log VALUES (?, ?, ?, ?, '', 0, ?, ?, 'loaded', ?, ?, 0, NULL, NULL)",
        [sha, kode, dataset, f"{sha}.csv", at, at, rows, rows],
    )
    con.execute(
        "INSERT INTO staging.stg_raw__file_years VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [sha, kode, dataset, tahun, rows, nips, day, at],
    )


def test_a_replacement_dropping_more_than_half_is_held_exactly_at_the_threshold(con):
    submit(con, "full", "KAB-X", "pelatihan", 2025, 100, 40, day=1)
    submit(con, "half", "KAB-X", "pelatihan", 2025, 50, 20, day=2)  # exactly half: applied
    assert drop_holds(con, None, CFG) == []
    submit(con, "tiny", "KAB-X", "pelatihan", 2025, 5, 20, day=3)  # rows fall 90%
    (hold,) = drop_holds(con, None, CFG)
    assert (hold.file_name, hold.aturan, hold.sebelum, hold.sesudah) == (
        "tiny.csv", "TURUN_DRASTIS", 50.0, 5.0,
    )  # fmt: skip
    assert "hanya berisi 5 baris (sebelumnya 50, turun 90,00%)" in hold.alasan
    record_holds(con, [hold], "run-1")
    # held: the file before it counts again, and nothing is new since day 2
    assert [c[0] for c in new_counting(con, T0 + dt.timedelta(days=2))] == []
    assert drop_holds(con, None, CFG) == []  # never judged twice
    # a drop in NIPs alone (rows padded) is held too
    submit(con, "padded", "KAB-X", "pelatihan", 2025, 60, 5, day=4)
    assert [h.file_name for h in drop_holds(con, None, CFG)] == ["padded.csv"]


def test_a_submission_of_several_files_is_judged_and_held_whole(con):
    submit(con, "full", "KAB-X", "pegawai", 2025, 100, 100, day=1)
    submit(con, "p1", "KAB-X", "pegawai", 2025, 30, 30, day=2)
    submit(con, "p2", "KAB-X", "pegawai", 2025, 30, 30, day=2, part=3)  # 60 of 100: applied
    assert drop_holds(con, None, CFG) == []
    submit(con, "q1", "KAB-X", "pegawai", 2025, 20, 20, day=3)
    submit(con, "q2", "KAB-X", "pegawai", 2025, 5, 5, day=3, part=1)  # 25 of 60: held
    holds = drop_holds(con, None, CFG)
    assert [h.file_name for h in holds] == ["q1.csv", "q2.csv"]
    assert "Kiriman q1.csv, q2.csv (pegawai 2025) menggantikan p1.csv, p2.csv" in holds[0].alasan
    assert "hanya berisi 25 baris (sebelumnya 60" in holds[0].alasan
    record_holds(con, holds, "run-1")
    assert accept(con, "KAB-X", "pegawai", 2025, "op") == 2


def test_small_submissions_and_other_agencies_are_not_compared(con):
    submit(con, "a1", "KAB-X", "pegawai", 2025, 8, 8, day=1)  # under drop_min_rows_before
    submit(con, "a2", "KAB-X", "pegawai", 2025, 1, 1, day=2)
    submit(con, "b1", "KAB-Y", "pegawai", 2025, 300, 300, day=1)
    submit(con, "b2", "KAB-Y", "pegawai", 2024, 3, 3, day=2)  # another year: not a replacement
    assert drop_holds(con, None, CFG) == []


def test_only_what_arrived_since_the_last_publication_is_judged(con):
    submit(con, "full", "KAB-X", "survei", 2025, 100, None, day=1)
    submit(con, "tiny", "KAB-X", "survei", 2025, 3, None, day=2)
    assert drop_holds(con, T0 + dt.timedelta(days=2), CFG) == []  # published already
    assert [h.file_name for h in drop_holds(con, T0 + dt.timedelta(days=1), CFG)] == ["tiny.csv"]


def test_accept_records_who_and_applies_at_the_next_build(con):
    submit(con, "full", "KAB-X", "pelatihan", 2025, 100, 40, day=1)
    submit(con, "tiny", "KAB-X", "pelatihan", 2025, 5, 5, day=2)
    record_holds(con, drop_holds(con, None, CFG), "run-1")
    assert [h["file_name"] for h in held(con)] == ["tiny.csv"]
    assert accept(con, "KAB-X", "pelatihan", 2024, "op") == 0  # nothing held for 2024
    assert accept(con, "KAB-X", "pelatihan", 2025, "op") == 1
    assert held(con) == []
    who, when = con.execute("SELECT diterima_oleh, diterima_pada FROM raw.penahanan").fetchone()
    assert who == "op" and when is not None
    # accepted: never held again (that it counts is dbt's unit test
    # a_held_submission_does_not_count_until_accepted)
    assert drop_holds(con, None, CFG) == []


def test_a_failing_row_traces_to_one_agencys_new_file_else_blocks(con):
    submit(con, "x-old", "KAB-X", "survei", 2025, 10, None, day=1)
    submit(con, "x-new", "KAB-X", "survei", 2025, 10, None, day=5)
    submit(con, "y-new", "KAB-Y", "penilaian", 2025, 10, 10, day=5)
    submit(con, "z-new", "KAB-Z", "penilaian", 2025, 10, 10, day=5)
    region_of = {"KAB-X": "75.01", "KAB-Y": "75.02", "KAB-Z": "75.02"}
    tracer = Tracer(con, T0 + dt.timedelta(days=2), region_of)
    holds, untraced = trace_failures(tracer, [
        ("values_between_stg_raw__survei", [{"file_sha256": "x-new", "kode_instansi": "KAB-X",
                                             "baris": 4, "kolom_gagal": "u1, u3"}]),
        ("ikm_range", [{"kode_wilayah": "75.01", "tahun": 2025}]),
    ])  # fmt: skip
    assert [(h.file_sha256, h.aturan) for h in holds] == [("x-new", "GERBANG_MUTU")]
    assert "'values_between_stg_raw__survei' gagal pada kolom u1, u3 pada " in holds[0].alasan
    assert "(baris 4)" in holds[0].alasan
    assert untraced == []
    # an old file, a region with two agencies sending, a row without agency: untraced
    _, untraced = trace_failures(tracer, [
        ("a", [{"file_sha256": "x-old", "kode_instansi": "KAB-X"}]),
        ("b", [{"kode_wilayah": "75.02", "tahun": 2025}]),
        ("c", [{"n_records": 2}]),
        ("d", []),
    ])  # fmt: skip
    assert [u.split(":")[0] for u in untraced] == ["a", "b", "c", "d"]


def test_a_new_submission_moving_its_agencys_indicator_too_much_is_held(con, tmp_path):
    from expectations.submission_review import indicator_holds

    cols = "kode_instansi VARCHAR, tahun INTEGER, " + ", ".join(
        f"{c} DECIMAL(7,2)" for c in CFG["submissions"]["indicator_change_max"]
    )
    pub = duckdb.connect(str(tmp_path / "kinerja.duckdb"))
    pub.execute("CREATE SCHEMA marts")
    pub.execute(f"CREATE TABLE marts.indikator_instansi ({cols})")
    pub.execute("INSERT INTO marts.indikator_instansi (kode_instansi, tahun, rata_jp, ikm) "
                "VALUES ('KAB-X', 2025, 39.84, 80), ('KAB-Y', 2025, 30, 80)")  # fmt: skip
    pub.close()
    con.execute("CREATE SCHEMA marts")
    con.execute(f"CREATE TABLE marts.indikator_instansi ({cols})")
    con.execute("INSERT INTO marts.indikator_instansi (kode_instansi, tahun, rata_jp, ikm) "
                "VALUES ('KAB-X', 2025, 0.31, 80), ('KAB-Y', 2025, 31, NULL)")  # fmt: skip
    submit(con, "x-lat", "KAB-X", "pelatihan", 2025, 10, 10, day=5)
    submit(con, "x-skm", "KAB-X", "survei", 2025, 10, None, day=5)  # IKM did not move
    submit(con, "y-lat", "KAB-Y", "pelatihan", 2025, 10, 10, day=5)  # moved 1 JP only
    holds = indicator_holds(con, str(tmp_path / "kinerja.duckdb"), T0, CFG)
    assert [(h.file_sha256, h.aturan, h.sebelum, h.sesudah) for h in holds] == [
        ("x-lat", "INDIKATOR_BERUBAH", 39.84, 0.31)
    ]
    assert "mengubah rata_jp instansi KAB-X dari 39,84 menjadi 0,31" in holds[0].alasan
    # nothing published yet: nothing to compare with
    assert indicator_holds(con, None, None, CFG) == []

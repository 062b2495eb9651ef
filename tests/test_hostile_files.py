"""Hostile and broken files: each is contained to itself, with a reason in Indonesian, and
memory stays bounded by the limits of config/limits.yaml."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from core.limits import Limits, load_limits
from core.standard import load_standard
from tests.conftest import agency
from tests.ingesting import ingest_file

HEADER = (
    "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,"
    "jenis_jabatan,pendidikan,hukuman_disiplin"
)
ROW = "198609262015051001,Pegawai A,2025,Umum,L,1986-09-26,PNS,III/a,pelaksana,S1,tidak_ada"
ROW2 = "198701012015052002,Pegawai B,2025,Umum,P,1987-01-01,PNS,III/a,pelaksana,S1,tidak_ada"


def load(con, tmp_path, name: str, data: bytes, limits: Limits | None = None, **fmt):
    p = tmp_path / name
    p.write_bytes(data)
    return ingest_file(
        con, path=p, file_name=name, agency=agency(**fmt), dataset="pegawai",
        standard=load_standard(), archive_root=tmp_path / "archive",
        submitted_at=dt.datetime(2026, 1, 1), limits=limits,
    )  # fmt: skip


def rejects(con):
    return con.execute(
        "SELECT baris, kolom, aturan, alasan FROM raw.rejects ORDER BY ALL"
    ).fetchall()


def test_json_nested_100000_deep_quarantines_that_file_only(con, tmp_path):
    res = load(con, tmp_path, "deep.json", b"[" * 100_000 + b"]" * 100_000)
    assert res.status == "quarantined"
    assert "bersarang terlalu dalam" in res.reason
    good = load(con, tmp_path, "good.csv", f"{HEADER}\n{ROW}\n".encode())
    assert (good.status, good.rows_loaded) == ("loaded", 1)


def test_any_exception_while_reading_quarantines_the_file_with_a_reason(con, tmp_path, monkeypatch):
    from ingestion.readers import csv_reader

    def boom(*_a, **_k):
        raise KeyError("something no reader expected")

    monkeypatch.setattr(csv_reader, "_read_csv", boom)
    res = load(con, tmp_path, "f.csv", f"{HEADER}\n{ROW}\n".encode())
    assert res.status == "quarantined"
    assert res.reason.startswith("file tidak dapat diproses") and "KeyError" in res.reason
    (status,) = con.execute("SELECT status FROM raw.load_log").fetchone()
    assert status == "quarantined"


def test_file_over_the_size_limit_is_archived_and_quarantined_unread(con, tmp_path):
    limits = Limits(file_bytes=100)
    res = load(con, tmp_path, "big.csv", f"{HEADER}\n{ROW}\n".encode(), limits)
    assert res.status == "quarantined"
    assert "melebihi batas" in res.reason and "file_bytes" in res.reason
    assert list((tmp_path / "archive").rglob("*.csv"))  # nothing lost


def test_xlsx_that_unpacks_beyond_the_limit_is_quarantined_before_reading(con, tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    res = load(con, tmp_path, "bomb.xlsx", p.read_bytes(), Limits(uncompressed_bytes=2**20))
    assert res.status == "quarantined"
    assert "terurai" in res.reason and "uncompressed_bytes" in res.reason


def test_too_many_rows_quarantines_with_the_limit(con, tmp_path):
    res = load(con, tmp_path, "f.csv", f"{HEADER}\n{ROW}\n{ROW2}\n".encode(), Limits(rows=1))
    assert res.status == "quarantined" and "melebihi batas 1 baris" in res.reason


def test_a_10_mb_cell_rejects_its_row_and_keeps_the_others(con, tmp_path):
    long = "x" * 10_000_000
    bad = ROW2.replace("Umum", long)
    res = load(con, tmp_path, "f.csv", f"{HEADER}\n{ROW}\n{bad}\n".encode())
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 1, 1)
    ((baris, kolom, aturan, alasan),) = rejects(con)
    assert (baris, kolom, aturan) == (3, "unit_kerja", "SEL_TERLALU_PANJANG")
    assert "10000000 karakter" in alasan
    (kept,) = con.execute("SELECT max(length(data_asli)) FROM raw.rejects").fetchone()
    assert kept < 10_000  # the long cell is not copied whole into the rejects


@pytest.mark.parametrize("cut", [len(ROW2) - 3, 40])  # in the last cell, or mid-row
def test_last_line_without_newline_is_a_reject(con, tmp_path, cut):
    res = load(con, tmp_path, "f.csv", f"{HEADER}\n{ROW}\n{ROW2[:cut]}".encode())
    assert (res.rows_loaded, res.rows_rejected) == (1, 1)
    rows = con.execute("SELECT baris, aturan, alasan FROM raw.rejects").fetchall()
    assert rows[0][0] == 3 and "tidak diakhiri baris baru" in rows[0][2]


@pytest.mark.parametrize("column,value", [(2, "2099"), (5, "2099-01-01")])
def test_a_year_after_the_current_year_is_a_reject(con, tmp_path, column, value):
    cells = ROW.split(",")
    cells[column] = value
    res = load(con, tmp_path, "f.csv", f"{HEADER}\n{','.join(cells)}\n".encode())
    assert res.rows_rejected == 1
    assert "TAHUN_MASA_DEPAN" in [r[2] for r in rejects(con)]


def test_limits_file_is_checked():
    assert load_limits().cell_chars > 0
    with pytest.raises(ValueError):
        Limits(rows=0)


def test_disk_full_stops_the_run_and_says_disk_penuh_with_the_path(con, tmp_path, monkeypatch):
    import errno

    from ingestion import load
    from ingestion.ingest import DiskFull, ingest_agencies
    from orchestration.recovery import disk_full_message
    from tests.hand_province import hand_settings

    p = tmp_path / "landing" / "TEST" / "pegawai" / "f.csv"
    p.parent.mkdir(parents=True)
    p.write_text(f"{HEADER}\n{ROW}\n")

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "a" / "x.tmp"))

    monkeypatch.setattr(load, "archive_file", full)
    with pytest.raises(DiskFull, match="disk penuh") as e:
        ingest_agencies(con, [agency()], landing=tmp_path / "landing", archive=tmp_path / "a")
    assert str(tmp_path / "a" / "x.tmp") in str(e.value)
    import sqlite3

    s = hand_settings(tmp_path)
    try:
        raise RuntimeError("step failed") from sqlite3.OperationalError("disk I/O error")
    except RuntimeError as err:
        assert disk_full_message(err, s).startswith("disk penuh")
    assert disk_full_message(ValueError("other"), s) is None


def test_xlsx_formula_without_saved_value_rejects_its_row(tmp_path):
    import xlsxwriter

    from core.registry import FileFormat
    from ingestion.readers import read_file

    made = tmp_path / "made.xlsx"
    wb = xlsxwriter.Workbook(str(made))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["nip", "tahun"])
    ws.write_string(1, 0, "198609262015051001")
    ws.write_formula(1, 1, "=2020+5")  # no value computed
    ws.write_string(2, 0, "198701012015052002")
    ws.write_formula(2, 1, "=2020+5", None, 2025)  # a value saved, as Excel does
    wb.close()
    # a program that does not compute formulas stores none (<f> without <v>)
    p = tmp_path / "f.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(p, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>2020+5</f><v>0</v>", b"<f>2020+5</f>")
            out.writestr(item, data)
    raw = read_file(p, FileFormat())
    assert raw.table.column("__baris").to_pylist() == [3]
    ((broken),) = raw.broken_rows
    assert broken.baris == 2 and "rumus (=2020+5) tanpa nilai tersimpan" in broken.reason


def test_report_headline_is_the_latest_complete_year():
    from publication.report import headline_years

    assert headline_years([2024, 2025, 2026, 2099], this_year=2026) == [2024, 2025]
    assert headline_years([2026], this_year=2026) == [2026]  # nothing complete yet


def test_a_reader_process_that_dies_quarantines_its_file_only(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from ingestion import ingest
    from ingestion.readers import UnreadableFile

    def dies(prepared):
        if prepared == "bad":
            raise MemoryError
        return "checked"

    monkeypatch.setattr(ingest, "read_prepared", dies)
    with ThreadPoolExecutor(2) as pool:
        out = list(ingest._read_ahead(pool, ["good", "bad", "good"], window=2))
    assert [c for _, c in out][0::2] == ["checked", "checked"]
    assert isinstance(out[1][1], UnreadableFile) and "MemoryError" in str(out[1][1])

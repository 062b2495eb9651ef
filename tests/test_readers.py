import datetime as dt
import json

import pytest
import xlsxwriter

from core.registry import FileFormat
from ingestion.readers import UnreadableFile, read_file


def test_csv_semicolon_windows1252(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(
        "NIP;PENYELENGGARA;JP\n198609262015051001;Pusdiklat – Kemendagri;12,5\n".encode("cp1252")
    )
    raw = read_file(p, FileFormat(delimiter=";", encoding="cp1252"))
    assert raw.headers == ["NIP", "PENYELENGGARA", "JP"]
    row = raw.table.to_pylist()[0]
    assert row == {
        "c0": "198609262015051001",
        "c1": "Pusdiklat – Kemendagri",
        "c2": "12,5",
        "__baris": 2,
    }


def test_csv_declared_utf8_but_windows1252_is_unreadable(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("nip,penyelenggara\n1,Pusdiklat – Kemendagri\n".encode("cp1252"))
    with pytest.raises(UnreadableFile, match="encoding"):
        read_file(p, FileFormat())


def test_csv_keeps_leading_zeros_and_counts_broken_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("nip,nama\n001,A\n002,B,extra\n003,C\n")
    raw = read_file(p, FileFormat())
    assert [r["c0"] for r in raw.table.to_pylist()] == ["001", "003"]
    assert [r["__baris"] for r in raw.table.to_pylist()] == [2, 4]
    assert len(raw.broken_rows) == 1 and "3 kolom" in raw.broken_rows[0].reason
    assert raw.rows_read == 3


def test_xlsx_title_rows_and_float_nip(tmp_path):
    p = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Data")
    ws.write(0, 0, "LAPORAN PEGAWAI")
    ws.write_row(3, 0, ["NIP", "Tahun", "Tanggal"])
    ws.write_number(4, 0, 198609262015051001)
    ws.write_number(4, 1, 2025)
    ws.write_datetime(4, 2, dt.datetime(2025, 3, 1), wb.add_format({"num_format": "dd/mm/yyyy"}))
    ws.write_row(6, 0, ["198609262015051002", "2025", "01/03/2025"])  # row 6 left empty
    wb.close()
    raw = read_file(p, FileFormat(sheet="Data", header_row=4))
    rows = raw.table.to_pylist()
    assert raw.headers == ["NIP", "Tahun", "Tanggal"]
    assert rows[0] == {"c0": "1.98609262015051e+17", "c1": "2025", "c2": "2025-03-01", "__baris": 5}
    assert rows[1]["c0"] == "198609262015051002" and rows[1]["__baris"] == 7


def test_xlsx_missing_sheet_and_corrupt_file(tmp_path):
    p = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("Lain")
    wb.close()
    with pytest.raises(UnreadableFile, match="sheet 'Data' tidak ada"):
        read_file(p, FileFormat(sheet="Data"))
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(UnreadableFile, match="rusak"):
        read_file(bad, FileFormat())


@pytest.mark.parametrize("wrap", [False, True])
def test_json_array_or_data_object(tmp_path, wrap):
    rows = [{"nip": "198609262015051001", "jp": 2.5, "u1": None}, {"nip": 198609262015051002}, 7]
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"data": rows} if wrap else rows))
    raw = read_file(p, FileFormat())
    assert raw.headers == ["nip", "jp", "u1"]
    got = raw.table.to_pylist()
    assert got[0] == {"c0": "198609262015051001", "c1": "2.5", "c2": "", "__baris": 1}
    assert got[1]["c0"] == "198609262015051002"
    assert raw.broken_rows[0].baris == 3 and raw.rows_read == 3


def test_unknown_file_type(tmp_path):
    p = tmp_path / "a.pdf"
    p.write_bytes(b"%PDF")
    with pytest.raises(UnreadableFile, match="tidak didukung"):
        read_file(p, FileFormat())

"""XLSX files people open: the indicators (with a data dictionary sheet) and, per agency,
its rejected rows and findings to send back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import xlsxwriter

from core.domain import min_cell_size
from core.personal_data import Detector
from publication.dictionary import column_docs, labels, model_description
from publication.safe import mask_personal, neutralise

PCT_FORMAT = "0.00"


def _formats(wb):
    return {
        "header": wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        ),
        "pct": wb.add_format({"num_format": PCT_FORMAT}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "dec": wb.add_format({"num_format": "0.00"}),
        "text": wb.add_format({"text_wrap": False}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
    }


def _cell_format(column: str, fmts):
    if column.startswith("pct_") or column.endswith("_pct") or column == "ikm":
        return fmts["pct"]
    if column.startswith("jumlah_") or column in ("baris", "tahun"):
        return fmts["int"]
    if column == "rata_jp":
        return fmts["dec"]
    return fmts["text"]


def write_sheet(
    wb, fmts, name: str, columns: list[str], rows: list[tuple], widths: dict | None = None
) -> None:
    ws = wb.add_worksheet(name)
    lab = labels()
    for c, col in enumerate(columns):
        ws.write_string(0, c, lab.get(col, col), fmts["header"])
        ws.set_column(
            c,
            c,
            (widths or {}).get(col, max(12, min(40, len(lab.get(col, col)) + 2))),
            _cell_format(col, fmts),
        )
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue  # suppressed or empty: an empty cell
            if isinstance(value, str):
                ws.write_string(r, c, neutralise(value))
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float | Decimal):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, neutralise(str(value)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def write_indicator_workbook(path: Path, model: str, columns: list[str], rows: list[tuple]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    fmts = _formats(wb)
    write_sheet(wb, fmts, "Data", columns, rows)
    docs = column_docs(model)
    ws = wb.add_worksheet("Kamus Data")
    ws.write_string(0, 0, f"{model}: {model_description(model)}", fmts["title"])
    ws.write_row(2, 0, ["Kolom", "Judul di sheet Data", "Tipe", "Definisi"], fmts["header"])
    for r, col in enumerate(columns, start=3):
        d = docs.get(col, {"label": labels().get(col, col), "data_type": "", "description": ""})
        ws.write_row(r, 0, [col, d["label"], d["data_type"], d["description"]], fmts["wrap"])
    ws.write_string(
        len(columns) + 4,
        0,
        f"Sel kosong pada persentase: penyebut di bawah {min_cell_size()} orang "
        "(sel kecil disembunyikan).",
    )
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 110)
    ws.freeze_panes(3, 0)
    wb.close()


REJECT_COLUMNS = ["file_name", "baris", "kolom", "nilai", "aturan", "alasan"]
FINDING_COLUMNS = ["tahun", "aturan", "jumlah", "penjelasan"]
HOLD_COLUMNS = ["file_name", "dataset", "tahun", "aturan", "alasan"]
PERSONAL_DATA_COLUMNS = ["file_name", "baris", "dataset", "tahun", "kolom", "jenis", "aturan"]


def write_agency_findings(
    path: Path,
    kode: str,
    nama: str,
    rejects: list[tuple],
    findings: list[tuple],
    holds: list[tuple] = (),
    personal_data: list[tuple] = (),
    roster_names: tuple[str, ...] = (),
) -> None:
    """rejects: (file_name, baris, kolom, nilai, aturan, alasan); findings: (tahun, aturan,
    jumlah, penjelasan); holds: (file_name, dataset, tahun, aturan, alasan), the agency's
    submissions held by the submission review; personal_data: (file_name, baris, dataset,
    tahun, kolom, jenis, aturan), each NIP or name masked in its free text.
    Every text cell (values as sent, reasons that quote a file, file names) goes through the
    masking of the warehouse: NIPs and the names of the agency's rosters (`roster_names`)."""
    detector = Detector(roster_names)
    wb = xlsxwriter.Workbook(str(path))
    fmts = _formats(wb)

    def mask(rows):
        return [tuple(detector.mask(v) for v in row) for row in rows]

    rejects = mask((f, b, k, mask_personal(k, v, detector), a, r) for f, b, k, v, a, r in rejects)
    findings, holds, personal_data = mask(findings), mask(holds), mask(personal_data)
    write_sheet(
        wb,
        fmts,
        "Baris Ditolak",
        REJECT_COLUMNS,
        rejects,
        widths={"file_name": 40, "nilai": 24, "alasan": 90},
    )
    write_sheet(wb, fmts, "Temuan", FINDING_COLUMNS, findings, widths={"penjelasan": 110})
    if holds:
        write_sheet(wb, fmts, "Kiriman Ditahan", HOLD_COLUMNS, list(holds),
                    widths={"file_name": 40, "alasan": 110})  # fmt: skip
    if personal_data:
        write_sheet(wb, fmts, "Data Pribadi", PERSONAL_DATA_COLUMNS, personal_data,
                    widths={"file_name": 40, "aturan": 22})  # fmt: skip
    ws = wb.add_worksheet("Petunjuk")
    ws.write_string(0, 0, f"Hasil pemeriksaan data {nama} ({kode})", fmts["title"])
    notes = [
        "Sheet 'Baris Ditolak': baris yang tidak dimuat karena melanggar standar pengiriman data.",
        "Cari baris di file yang Anda kirim dengan kolom File dan Baris, perbaiki, lalu kirim ulang file lengkap.",
        "NIP dan nama disamarkan di file ini; nilai lain ditampilkan seperti yang dikirim.",
        "Sheet 'Temuan': data yang dimuat tetapi tidak konsisten dengan data lain (dihitung sesuai aturan).",
        "Sheet 'Kiriman Ditahan' (bila ada): kiriman yang dimuat tetapi belum dipakai karena jauh berbeda "
        "dari kiriman sebelumnya atau gagal pemeriksaan; data sebelumnya tetap dipakai. Kirim ulang "
        "file lengkap yang benar, atau minta BKD menerimanya.",
        "Sheet 'Data Pribadi' (bila ada): NIP atau nama pegawai yang tertulis di kolom teks bebas. "
        "Di data yang dipublikasikan diganti dengan [NIP] atau [NAMA]; file asli tetap di arsip. "
        "Hapus NIP dan nama dari kolom teks bebas pada kiriman berikutnya.",
    ]
    for i, n in enumerate(notes, start=2):
        ws.write_string(i, 0, n)
    ws.set_column(0, 0, 110)
    wb.close()

"""XLSX files people open: the indicators (with an Indonesian data dictionary sheet) and, per
agency, a summary of what to fix, its rejected rows and its findings, row by row, to send back.

Every sheet: Indonesian headers; years and counts as plain integers (format `0`: 2024, 1139),
measures with two decimals (`0.00`; Excel shows them with the reader's decimal comma); column
widths fitted to their content; printed landscape on A4, one page wide, the header row
repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import xlsxwriter
import yaml

from core.domain import WIB, min_cell_size
from core.numbers import is_year
from core.personal_data import Detector
from publication.dictionary import column_docs, labels, model_description
from publication.safe import mask_personal, neutralise

INT_FORMAT = "0"  # years and counts: 2024, 1139 (never 2.024)
DEC_FORMAT = "0.00"  # measures: 77.04 shown as 77,04 by an Indonesian Excel
WRAP_WIDTH = 60  # long text columns wrap at this width
MAX_WIDTH = 60
FIXES = Path(__file__).with_name("perbaikan.yaml")
# the file an API pull writes in the landing area (ingestion/api_client.py): the agency never
# saw it, so its rows are named by their key and the pull date, not by a row number
API_FILE = re.compile(r"(^|/)api_[a-z_]+_\d{8}T\d{6}\.json$")
# the Indonesian kind of a column, from its dbt data type (Kamus Data)
KIND = [
    (("int", "bigint", "hugeint", "smallint"), "bilangan bulat"),
    (("decimal", "double", "float", "numeric"), "angka, dua desimal"),
    (("varchar", "text", "string"), "teks"),
    (("bool",), "ya/tidak"),
    (("timestamp",), "tanggal dan waktu"),
    (("date",), "tanggal"),
]


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
        "int": wb.add_format({"num_format": INT_FORMAT, "valign": "top"}),
        "dec": wb.add_format({"num_format": DEC_FORMAT, "valign": "top"}),
        "text": wb.add_format({"valign": "top"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "bold": wb.add_format({"bold": True, "valign": "top"}),
    }


def _is_measure(column: str, values) -> bool:
    return any(isinstance(v, float | Decimal) for v in values)


def _shown(value) -> str:
    """How long a value looks in the sheet (for the column width)."""
    if isinstance(value, float | Decimal):
        return f"{float(value):.2f}"
    return "ya" if value is True else "tidak" if value is False else str(value)


def _fit(header: str, values, wrap: bool) -> float:
    """Column width (characters) that shows the longest value and the header's longest word."""
    longest = max([len(_shown(v)) for v in values if v is not None] + [0])
    word = max(len(w) for w in header.split()) if header.strip() else 0
    width = max(longest, word, min(len(header), 14)) + 2
    return min(width, WRAP_WIDTH if wrap else MAX_WIDTH)


def print_setup(ws, header_rows: int = 1) -> None:
    """Landscape A4, one page wide (as many pages down as needed), header rows repeated."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_rows - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RHalaman &P dari &N")


def write_sheet(
    wb,
    fmts,
    name: str,
    columns: list[str],
    rows: list[tuple],
    wrap: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
) -> None:
    """One table: a header row, then the rows. `wrap`: long text columns (wrapped)."""
    ws = wb.add_worksheet(name)
    lab = {**labels(), **(headers or {})}
    for c, col in enumerate(columns):
        values = [r[c] for r in rows]
        title = lab.get(col, col)
        ws.write_string(0, c, title, fmts["header"])
        if (
            is_year(col)
            or all(isinstance(v, int) for v in values if v is not None)
            and any(isinstance(v, int) and not isinstance(v, bool) for v in values)
        ):
            fmt = fmts["int"]
        elif _is_measure(col, values):
            fmt = fmts["dec"]
        else:
            fmt = fmts["wrap"] if col in wrap else fmts["text"]
        ws.set_column(c, c, _fit(title, values, col in wrap), fmt)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue  # suppressed or empty: an empty cell
            if isinstance(value, bool):
                ws.write_string(r, c, "ya" if value else "tidak")
            elif isinstance(value, str):
                ws.write_string(r, c, neutralise(value))
            elif isinstance(value, int | float | Decimal):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, neutralise(str(value)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    print_setup(ws)


def _kind(column: str, data_type: str) -> str:
    if is_year(column):
        return "tahun (bilangan bulat)"
    t = data_type.lower()
    return next((k for prefixes, k in KIND if t.startswith(prefixes)), "teks")


def write_indicator_workbook(path: Path, model: str, columns: list[str], rows: list[tuple]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    fmts = _formats(wb)
    write_sheet(wb, fmts, "Data", columns, rows)
    docs = column_docs(model)
    ws = wb.add_worksheet("Kamus Data")
    ws.write_string(0, 0, f"{model}: {model_description(model)}", fmts["title"])
    ws.write_row(2, 0, ["Kolom", "Judul di sheet Data", "Jenis isi", "Definisi"], fmts["header"])
    for r, col in enumerate(columns, start=3):
        d = docs.get(col, {"label": labels().get(col, col), "data_type": "", "deskripsi": ""})
        ws.write_row(
            r, 0, [col, d["label"], _kind(col, d["data_type"]), d["deskripsi"]], fmts["wrap"]
        )
    ws.write_string(
        len(columns) + 4,
        0,
        f"Sel kosong pada persentase: penyebut di bawah {min_cell_size()} orang "
        "(sel kecil disembunyikan). Tahun dan jumlah ditulis sebagai bilangan bulat; "
        "persentase, rata-rata dan IKM dengan dua desimal.",
    )
    ws.set_column(0, 0, max(len(c) for c in columns) + 2)
    ws.set_column(1, 1, max(len(labels().get(c, c)) for c in columns) + 2)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 90)
    ws.freeze_panes(3, 0)
    print_setup(ws, header_rows=3)
    wb.close()


@cache
def fixes() -> dict[str, dict]:
    """What the agency should do, per rule (publication/perbaikan.yaml)."""
    return yaml.safe_load(FIXES.read_text(encoding="utf-8"))


def what_to_fix(aturan: str, kolom: str | None = None) -> str:
    entry = fixes().get(aturan) or fixes()["_lain"]
    return entry["perbaikan"].format(kolom=kolom or "-")


@dataclass(frozen=True)
class Source:
    """Where a row is, as the agency can find it: a file and row, or (a pulled API record)
    its key and the pull date."""

    file_name: str
    submitted_at: dt.datetime | None

    @property
    def api(self) -> bool:
        return bool(API_FILE.search(self.file_name))

    def where(self, dataset: str | None) -> str:
        if not self.api:
            return self.file_name
        when = ""
        if self.submitted_at is not None:
            t = self.submitted_at.replace(tzinfo=dt.UTC).astimezone(WIB)
            when = f", ditarik {t:%d-%m-%Y %H:%M} WIB"
        return f"API {dataset or ''}{when}".replace("API ,", "API,")


def _nip_of(kolom: str | None, nilai, data_asli: str | None):
    """The NIP of a rejected row, as sent: the value itself for an NIP rule, else the
    original row's NIP column (whatever its header)."""
    if kolom == "nip":
        return nilai
    try:
        row = json.loads(data_asli or "{}")
    except ValueError:
        return None
    for key, value in row.items():
        k = key.strip().lower()
        if k.startswith("nip") and "penilai" not in k:
            return value
    return None


def _key(nip, tahun) -> str | None:
    parts = []
    if nip not in (None, ""):
        parts.append(f"NIP {mask_personal('nip', str(nip))}")
    if tahun not in (None, ""):
        parts.append(f"tahun {tahun}")
    return ", ".join(parts) or None


def _tahun_of(data_asli: str | None):
    try:
        row = json.loads(data_asli or "{}")
    except ValueError:
        return None
    return next((v for k, v in row.items() if k.strip().lower() == "tahun"), None)


REJECT_COLUMNS = [
    "file_name",
    "baris",
    "kunci",
    "kolom",
    "nilai",
    "aturan",
    "alasan",
    "perbaikan",
]
FINDING_COLUMNS = ["tahun", "aturan", "file_name", "baris", "kunci", "penjelasan", "perbaikan"]
HOLD_COLUMNS = ["file_name", "dataset", "tahun", "aturan", "alasan"]
PERSONAL_DATA_COLUMNS = [
    "file_name",
    "baris",
    "dataset",
    "tahun",
    "kolom",
    "jenis_data_pribadi",
    "aturan",
]
SUMMARY_COLUMNS = ["jenis", "aturan", "kolom", "jumlah", "perbaikan"]


def _reject_rows(rejects) -> list[tuple]:
    """rejects: (file_name, dataset, baris, kolom, nilai, aturan, alasan, data_asli,
    submitted_at)."""
    out = []
    for file_name, dataset, baris, kolom, nilai, aturan, alasan, asli, submitted in rejects:
        src = Source(file_name, submitted)
        nip = _nip_of(kolom, nilai, asli)
        key = _key(nip, _tahun_of(asli))
        out.append(
            (
                src.where(dataset),
                None if src.api else baris,
                key if (src.api or nip not in (None, "")) else None,
                kolom,
                mask_personal(kolom, nilai),
                aturan,
                mask_personal(None, alasan),
                what_to_fix(aturan, kolom),
            )
        )
    return out


def _finding_rows(findings, finding_rows) -> list[tuple]:
    """Every row behind a finding (finding_rows: (tahun, aturan, file_name, dataset, baris,
    nip, submitted_at)); a finding without rows (KURVA_DISTRIBUSI: the whole agency) is one
    line with its explanation."""
    explain = {(t, a): p for t, a, _, p in findings}
    out = []
    with_rows = set()
    for tahun, aturan, file_name, dataset, baris, nip, submitted in finding_rows:
        src = Source(file_name, submitted)
        with_rows.add((tahun, aturan))
        out.append(
            (
                tahun,
                aturan,
                src.where(dataset),
                None if src.api else baris,
                _key(nip, tahun),
                explain.get((tahun, aturan), ""),
                what_to_fix(aturan),
            )
        )
    for tahun, aturan, _, penjelasan in findings:
        if (tahun, aturan) not in with_rows:
            out.append((tahun, aturan, None, None, None, penjelasan, what_to_fix(aturan)))
    return sorted(out, key=lambda r: (r[0], r[1], r[2] or "", r[3] or 0))


def _summary(rejects, findings, holds) -> list[tuple]:
    """One line per cause: (jenis, aturan, kolom, jumlah, what to do)."""
    causes: dict[tuple, int] = {}
    for r in rejects:
        kind = "File tidak dapat dibaca" if r[5] == "FILE_DIKARANTINA" else "Baris ditolak"
        causes[(kind, r[5], r[3])] = causes.get((kind, r[5], r[3]), 0) + 1
    for _, aturan, jumlah, _ in findings:
        causes[("Temuan", aturan, None)] = causes.get(("Temuan", aturan, None), 0) + jumlah
    for h in holds:
        causes[("Kiriman ditahan", h[3], None)] = causes.get(("Kiriman ditahan", h[3], None), 0) + 1
    order = {"File tidak dapat dibaca": 0, "Baris ditolak": 1, "Kiriman ditahan": 2, "Temuan": 3}
    return [
        (kind, aturan, kolom, n, what_to_fix(aturan, kolom))
        for (kind, aturan, kolom), n in sorted(
            causes.items(), key=lambda kv: (order[kv[0][0]], -kv[1], kv[0][1])
        )
    ]


def write_agency_findings(
    path: Path,
    kode: str,
    nama: str,
    rejects: list[tuple],
    findings: list[tuple],
    holds: list[tuple] = (),
    finding_rows: list[tuple] = (),
    personal_data: list[tuple] = (),
    roster_names: tuple[str, ...] = (),
) -> None:
    """rejects: (file_name, dataset, baris, kolom, nilai, aturan, alasan, data_asli,
    submitted_at); findings: (tahun, aturan, jumlah, penjelasan); holds: (file_name, dataset,
    tahun, aturan, alasan), the agency's submissions held by the submission review;
    finding_rows: (tahun, aturan, file_name, dataset, baris, nip, submitted_at), the rows
    behind the findings; personal_data: (file_name, baris, dataset, tahun, kolom,
    jenis_data_pribadi, aturan), each NIP or name masked in the agency's free text.
    NIPs and names are masked: every text cell (values as sent, reasons that quote a file,
    file names) goes through the warehouse's masking (core/personal_data.py) with the names
    of the agency's rosters (`roster_names`)."""
    detector = Detector(roster_names)

    def mask(rows):
        return [tuple(detector.mask(v) for v in row) for row in rows]

    wb = xlsxwriter.Workbook(str(path))
    fmts = _formats(wb)
    summary = mask(_summary(rejects, findings, holds))
    ws = wb.add_worksheet("Ringkasan")
    ws.write_string(0, 0, f"Hasil pemeriksaan data {nama} ({kode})", fmts["title"])
    ws.write_string(
        1,
        0,
        "Satu baris per penyebab, dengan jumlahnya dan yang harus dilakukan. Rinciannya "
        "(file, baris, NIP disamarkan) ada di sheet 'Baris Ditolak' dan 'Temuan'.",
    )
    head = [labels().get(c, c) for c in SUMMARY_COLUMNS]
    ws.write_row(3, 0, head, fmts["header"])
    for r, line in enumerate(summary, start=4):
        for c, v in enumerate(line):
            if v is None:
                continue
            if isinstance(v, int):
                ws.write_number(r, c, v, fmts["int"])
            else:
                ws.write_string(r, c, neutralise(v), fmts["wrap"] if c == 4 else fmts["text"])
    if not summary:
        ws.write_string(2, 0, "Tidak ada baris ditolak, temuan atau kiriman ditahan.")
    for c, col in enumerate(SUMMARY_COLUMNS):
        values = [line[c] for line in summary]
        ws.set_column(c, c, _fit(head[c], values, col == "perbaikan"))
    ws.freeze_panes(4, 0)
    print_setup(ws, header_rows=4)
    write_sheet(
        wb,
        fmts,
        "Baris Ditolak",
        REJECT_COLUMNS,
        mask(_reject_rows(rejects)),
        wrap=("alasan", "perbaikan", "nilai"),
    )
    write_sheet(
        wb,
        fmts,
        "Temuan",
        FINDING_COLUMNS,
        mask(_finding_rows(findings, finding_rows)),
        wrap=("penjelasan", "perbaikan"),
    )
    if holds:
        write_sheet(wb, fmts, "Kiriman Ditahan", HOLD_COLUMNS, mask(holds), wrap=("alasan",))
    if personal_data:
        write_sheet(wb, fmts, "Data Pribadi", PERSONAL_DATA_COLUMNS, mask(personal_data))
    ws = wb.add_worksheet("Petunjuk")
    ws.write_string(0, 0, f"Hasil pemeriksaan data {nama} ({kode})", fmts["title"])
    notes = [
        "Sheet 'Ringkasan': setiap penyebab dalam satu baris, dengan jumlah dan yang harus dilakukan.",
        "Sheet 'Baris Ditolak': baris yang tidak dimuat karena melanggar standar pengiriman data.",
        "Cari baris di file yang Anda kirim dengan kolom File dan Baris, perbaiki, lalu kirim ulang file lengkap.",
        "Data yang ditarik dari API instansi tidak punya nomor baris: cari datanya dengan Kunci Data "
        "(NIP disamarkan dan tahun) dan tanggal penarikan, perbaiki di sistem instansi.",
        "NIP dan nama disamarkan di file ini; nilai lain ditampilkan seperti yang dikirim.",
        "Sheet 'Temuan': data yang dimuat tetapi tidak konsisten dengan data lain (dihitung sesuai "
        "aturan), baris demi baris.",
        "Sheet 'Kiriman Ditahan' (bila ada): kiriman yang dimuat tetapi belum dipakai karena jauh berbeda "
        "dari kiriman sebelumnya atau gagal pemeriksaan; data sebelumnya tetap dipakai. Kirim ulang "
        "file lengkap yang benar, atau minta BKD menerimanya.",
        "Sheet 'Data Pribadi' (bila ada): NIP atau nama pegawai yang tertulis di kolom teks bebas. "
        "Di data yang dipublikasikan diganti dengan [NIP] atau [NAMA]; file asli tetap di arsip. "
        "Hapus NIP dan nama dari kolom teks bebas pada kiriman berikutnya.",
        "Angka: tahun dan nomor baris ditulis sebagai bilangan bulat tanpa titik ribuan "
        "(2024; 1139); NIP selalu sebagai teks.",
    ]
    for i, n in enumerate(notes, start=2):
        ws.write_string(i, 0, n, fmts["wrap"])
    ws.set_column(0, 0, 110)
    print_setup(ws)
    wb.close()

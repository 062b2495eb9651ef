"""Write a demo province's landing area: every agency's files in its own registry format.

The demo exercises what real agencies send: an Excel export with title rows and NIPs
turned into floats, a semicolon CSV in Windows-1252 with dd/mm/yyyy dates and decimal
commas, Indonesian label variants, a JSON file, an agency served by an HTTP API, a revised
resubmission, a corrupt workbook, a timestamp in file names, and rows that break each rule.
Every agency also sends its quarterly performance dialogues and rewards: some hold all four
dialogues with everyone, one almost none, and one rewards employees rated Butuh Perbaikan.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from core.registry import Agency, FileFormat, Registry
from core.standard import load_standard
from demo import population as pop

YEARS = [2024, 2025]
SUBMITTED = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)


@dataclass
class DemoSummary:
    landing: Path
    api_dir: Path
    files: list[str] = field(default_factory=list)
    employees: int = 0


# quarters held per employee and year, by how the agency runs its dialogues
DIALOG_COVERAGE = {"dialog_full": 1.0, "dialog_none": 0.03}
DIALOG_DEFAULT = [0.92, 0.85, 0.7, 0.8]  # the other agencies, in turn


def _std_frames(
    registry: Registry,
    size: int,
    seed: int,
    nip_offset: int = 0,
    dialog_coverage: float | None = None,
) -> dict[str, pd.DataFrame]:
    people = pop.employees(registry, size, seed, nip_offset)
    roster = pop.rosters(people, YEARS, seed, registry.codes)
    appraisals = pop.appraisals(roster, seed)
    quirks = _quirks(registry)
    coverage = {}
    for i, kode in enumerate(registry.codes):
        kind = next((k for k in DIALOG_COVERAGE if kode in quirks[k]), None)
        coverage[kode] = DIALOG_COVERAGE[kind] if kind else DIALOG_DEFAULT[i % len(DIALOG_DEFAULT)]
        if dialog_coverage is not None:
            coverage[kode] = dialog_coverage
    return {
        "pegawai": roster,
        "penilaian": appraisals,
        "pelatihan": pop.trainings(roster, seed),
        "survei": pop.surveys(roster, seed),
        "dialog_kinerja": pop.dialogues(roster, seed, coverage),
        "penghargaan": pop.rewards(
            roster, appraisals, seed, misaligned=quirks["reward_misaligned"]
        ),
    }


def _bad_rows(dataset: str, df: pd.DataFrame, index: int) -> pd.DataFrame:
    """Rows that break each rule of the standard (rejects) and rows that are findings."""
    if df.empty:
        return df
    r = df.iloc[[0] * 3].copy()
    if dataset == "pegawai":
        r.iloc[0, r.columns.get_loc("nip")] = "19860926201505100"  # 17 digits
        r.iloc[1, r.columns.get_loc("status_kepegawaian")] = "Honorer"
        # finding, not reject: a PNS whose birth date disagrees with the NIP
        r.iloc[2, r.columns.get_loc("tanggal_lahir")] = pd.Timestamp("1950-01-01")
        r.iloc[2, r.columns.get_loc("status_kepegawaian")] = "PNS"
        r.iloc[2, r.columns.get_loc("golongan")] = "III/a"
        r.iloc[2, r.columns.get_loc("nip")] = f"197001012000031{index:03d}"  # born 1970-01-01
    elif dataset == "penilaian":
        r.iloc[0, r.columns.get_loc("rating_hasil_kerja")] = "LUAR_BIASA"
        r.iloc[1, r.columns.get_loc("nip_penilai")] = r.iloc[1]["nip"]
        # finding: a valid NIP that is not on the agency's roster
        r.iloc[2, r.columns.get_loc("nip")] = "199912312024011999"
    elif dataset == "pelatihan":
        r.iloc[0, r.columns.get_loc("jp")] = 250
        r.iloc[1, r.columns.get_loc("tanggal_selesai")] = r.iloc[1]["tanggal_mulai"] - pd.Timedelta(
            days=3
        )
        r.iloc[2, r.columns.get_loc("nama_pelatihan")] = ""
    elif dataset == "survei":
        r["u1"] = r["u1"].astype("object")
        r.iloc[0, r.columns.get_loc("u1")] = 5
        r.iloc[1, r.columns.get_loc("usia")] = 7
        # the third copy keeps the id of the first row: a duplicate id_responden
    elif dataset == "dialog_kinerja":
        r.iloc[0, r.columns.get_loc("tanggal_dialog")] = pd.Timestamp(
            f"{int(r.iloc[0]['tahun']) - 1}-12-30"
        )  # dated outside its year
        r.iloc[1, r.columns.get_loc("nip_atasan")] = r.iloc[1]["nip"]
        # finding: a valid NIP that is not on the agency's roster
        r.iloc[2, r.columns.get_loc("nip")] = "199912312024011999"
    elif dataset == "penghargaan":
        r.iloc[0, r.columns.get_loc("jenis_penghargaan")] = "Piala Bergilir"
        r.iloc[1, r.columns.get_loc("tanggal")] = pd.Timestamp(
            f"{int(r.iloc[1]['tahun']) + 1}-01-05"
        )
        r.iloc[2, r.columns.get_loc("nip")] = "199912312024011999"
    return r


def _as_text(df: pd.DataFrame, dataset: str, fmt: FileFormat) -> pd.DataFrame:
    cols = load_standard().datasets[dataset].column_names
    out = pd.DataFrame(index=df.index)
    for c in cols:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime(fmt.date_format)
        elif c == "jp" and fmt.decimal_comma:
            out[c] = s.map(lambda v: f"{v:g}".replace(".", ","))
        else:
            out[c] = s.astype("object").where(s.notna(), "").astype(str)
    inverse = {}
    for alias, std in fmt.header_aliases.items():
        inverse.setdefault(std, alias)
    return out.rename(columns=inverse)


def _write_csv(df: pd.DataFrame, path: Path, fmt: FileFormat) -> None:
    df.to_csv(path, sep=fmt.delimiter, index=False, encoding=fmt.encoding)


def _write_xlsx(
    df: pd.DataFrame, path: Path, fmt: FileFormat, kode: str, float_nip: np.ndarray
) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(fmt.sheet if isinstance(fmt.sheet, str) else "Sheet1")
    bold = wb.add_format({"bold": True})
    ws.write(0, 0, f"LAPORAN DATA KEPEGAWAIAN - {kode}", bold)
    ws.write(1, 0, "Dicetak dari SIMPEG daerah")
    header_row = fmt.header_row - 1
    ws.write_row(header_row, 0, list(df.columns), bold)
    nip_col = next((i for i, c in enumerate(df.columns) if c.lower() == "nip"), None)
    values = df.to_numpy()
    for i, row in enumerate(values):
        r = header_row + 1 + i
        ws.write_row(r, 0, list(row))
        if nip_col is not None and float_nip[i] and str(row[nip_col]).isdigit():
            ws.write_number(r, nip_col, float(row[nip_col]))  # what a spreadsheet does to an NIP
    wb.close()


def _label_variants(df: pd.DataFrame, dataset: str, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    if dataset == "penilaian":
        for c in ("rating_hasil_kerja", "rating_perilaku_kerja"):
            mask = rng.random(len(df)) < 0.5
            df.loc[mask, c] = df.loc[mask, c].map(
                {
                    "DI_ATAS_EKSPEKTASI": "Di Atas Ekspektasi",
                    "SESUAI_EKSPEKTASI": "sesuai",
                    "DI_BAWAH_EKSPEKTASI": "dibawah",
                }
            )
    if dataset == "dialog_kinerja":
        mask = rng.random(len(df)) < 0.5
        df["triwulan"] = df["triwulan"].astype("object")
        df.loc[mask, "triwulan"] = df.loc[mask, "triwulan"].map(
            {1: "TW I", 2: "TW II", 3: "TW III", 4: "TW IV"}
        )
    if dataset == "penghargaan":
        df["jenis_penghargaan"] = df["jenis_penghargaan"].replace(
            {"pegawai_teladan": "Pegawai Teladan", "tanda_kehormatan": "Satyalancana"}
        )
    if dataset == "pelatihan":
        df["kategori"] = df["kategori"].replace({"kepemimpinan": "PIM", "seminar": "Workshop"})
    if dataset == "pegawai":
        df["jenis_kelamin"] = df["jenis_kelamin"].map({"L": "Laki-laki", "P": "Perempuan"})
        df["status_kepegawaian"] = df["status_kepegawaian"].replace({"PPPK": "P3K"})
    return df


def _set_mtime(path: Path, when: dt.datetime) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))


def generate(
    registry: Registry,
    out: Path,
    size: int = 32000,
    seed: int = 7,
    *,
    clean: bool = True,
    nip_offset: int = 0,
    dialog_coverage: float | None = None,
) -> DemoSummary:
    """Write <out>/landing (files) and <out>/api (what the API agencies serve). With
    clean=False the landing area is added to (a population generated in parts).
    dialog_coverage: the share of quarters every agency holds a dialogue in (1.0: four per
    employee-year, as the benchmarks use); by default it varies by agency."""
    landing, api_dir = out / "landing", out / "api"
    for d in (landing, api_dir):
        if d.exists() and clean:
            shutil.rmtree(d)
        d.mkdir(parents=True, exist_ok=True)
    frames = _std_frames(registry, size, seed, nip_offset, dialog_coverage)
    summary = DemoSummary(landing, api_dir, employees=size)
    rng = np.random.default_rng(seed + 9)
    quirks = _quirks(registry)
    for i, agency in enumerate(registry.agencies):
        when = SUBMITTED + dt.timedelta(hours=i)
        for dataset, all_rows in frames.items():
            df = all_rows[all_rows["kode_instansi"] == agency.kode]
            df = pd.concat([df, _bad_rows(dataset, df, i)], ignore_index=True)
            if agency.kode in quirks["label_variants"]:
                df = _label_variants(df, dataset, rng)
            fmt = agency.file_format(dataset)
            if agency.delivery == "api":
                target = api_dir / agency.kode / f"{dataset}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                text = _as_text(df, dataset, fmt).to_dict(orient="records")
                target.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")
                continue
            folder = landing / agency.kode / dataset
            folder.mkdir(parents=True, exist_ok=True)
            stamp = when.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y%m%dT%H%M%S")
            written = _write_dataset(df, dataset, fmt, folder, agency, stamp, quirks, rng)
            for path in written:
                _set_mtime(path, when + dt.timedelta(minutes=10 if dataset != "pegawai" else 0))
                summary.files.append(str(path.relative_to(landing)))
            if agency.kode in quirks["revision"] and dataset == "penilaian":
                rev = df[df["tahun"] == YEARS[-1]].copy()
                flip = rng.random(len(rev)) < 0.2
                rev.loc[flip, "rating_hasil_kerja"] = "DI_ATAS_EKSPEKTASI"
                rev.loc[flip, "rating_perilaku_kerja"] = "DI_ATAS_EKSPEKTASI"
                rev.loc[flip, "predikat"] = "SANGAT_BAIK"
                path = folder / f"penilaian_{YEARS[-1]}_revisi.csv"
                _write_csv(_as_text(rev, dataset, fmt), path, fmt)
                _set_mtime(path, when + dt.timedelta(days=30))
                summary.files.append(str(path.relative_to(landing)))
            if agency.kode in quirks["corrupt"] and dataset == "pelatihan":
                path = folder / f"pelatihan_{YEARS[-1]}_susulan.xlsx"
                path.write_bytes(b"PK\x03\x04 this workbook was cut off during upload")
                _set_mtime(path, when + dt.timedelta(days=2))
                summary.files.append(str(path.relative_to(landing)))
    return summary


def _write_dataset(df, dataset, fmt, folder, agency: Agency, stamp, quirks, rng) -> list[Path]:
    text = _as_text(df, dataset, fmt)
    if fmt.sheet != 0 or fmt.header_row > 1:
        path = folder / f"{dataset}_{agency.kode.lower()}.xlsx"
        float_nip = rng.random(len(text)) < 0.02
        _write_xlsx(text, path, fmt, agency.kode, float_nip)
    elif agency.kode in quirks["json"]:
        path = folder / f"{dataset}.json"
        path.write_text(json.dumps({"data": text.to_dict(orient="records")}, ensure_ascii=False))
    elif fmt.filename_timestamp:
        path = folder / f"{dataset}_{stamp}.csv"
        _write_csv(text, path, fmt)
    else:
        path = folder / f"{dataset}_{'_'.join(map(str, YEARS))}.csv"
        _write_csv(text, path, fmt)
    return [path]


def _quirks(registry: Registry) -> dict[str, set[str]]:
    """Which agencies show which kind of mess. For the Gorontalo demo registry these are
    named agencies; for any other registry they rotate over the file-drop agencies."""
    named = {
        "label_variants": {"KAB-BONEBOLANGO"},
        "json": {"DINKES-PROV"},
        "revision": {"DISDIK-PROV"},
        "corrupt": {"KAB-POHUWATO"},
        "dialog_full": {"BKD-PROV", "INSPEKTORAT-PROV"},
        "dialog_none": {"KAB-GORUT"},
        "reward_misaligned": {"BAPPEDA-PROV"},
    }
    if all(any(c in registry.codes for c in v) for v in named.values()):
        return named
    plain = [a.kode for a in registry.agencies if a.delivery == "file"]
    return {k: set(plain[i::7]) for i, k in enumerate(named)}

"""Synthetic ASN population for a province: employees, rosters, appraisals, training, surveys,
performance dialogues and rewards.

Everything is vectorised with NumPy/pandas (no Python loop per row), so millions of
employees generate in seconds. Names come from pools drawn from Faker's id_ID locale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

from core.registry import Registry

RATINGS = np.array(["DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"])
# predikat matrix (rows hasil kerja, columns perilaku kerja), same order as RATINGS
MATRIX = np.array(
    [
        ["SANGAT_BAIK", "BAIK", "KURANG_MISCONDUCT"],
        ["BAIK", "BAIK", "KURANG_MISCONDUCT"],
        ["BUTUH_PERBAIKAN", "BUTUH_PERBAIKAN", "SANGAT_KURANG"],
    ]
)
GOL_PNS = np.array(
    [
        "I/a",
        "I/b",
        "I/c",
        "I/d",
        "II/a",
        "II/b",
        "II/c",
        "II/d",
        "III/a",
        "III/b",
        "III/c",
        "III/d",
        "IV/a",
        "IV/b",
        "IV/c",
        "IV/d",
        "IV/e",
    ]
)
GOL_PPPK = np.array(
    [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
        "XIV",
        "XV",
        "XVI",
        "XVII",
    ]
)
PENDIDIKAN = np.array(["SMA", "D3", "D4", "S1", "S2", "S3"])
JABATAN = np.array(["struktural", "fungsional", "pelaksana"])
UNITS = np.array(["Sekretariat", "Bidang Pelayanan", "Bidang Program", "UPTD", "Bidang Umum"])
TRAININGS = np.array(
    [
        "Pelatihan Dasar CPNS",
        "Pelatihan Kepemimpinan Pengawas",
        "Diklat Teknis Pengadaan",
        "Webinar Manajemen ASN",
        "Bimtek Penyusunan SKP",
        "Kursus Daring Literasi Digital",
        "Pelatihan Pelayanan Publik",
        "Coaching dan Mentoring",
    ]
)
PENYELENGGARA = np.array(
    ["BPSDM Provinsi Gorontalo", "LAN RI", "BKN", "Pusdiklat – Kemendagri", "ASN Unggul"]
)


def _dates(rng, start: str, end: str, n: int) -> np.ndarray:
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    return lo + rng.integers(0, (hi - lo).astype(int) + 1, n).astype("timedelta64[D]")


def _name_pool(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    first = np.array([fake.first_name() for _ in range(n)])
    last = np.array([fake.last_name() for _ in range(n)])
    return first, last


def employees(registry: Registry, size: int, seed: int, nip_offset: int = 0) -> pd.DataFrame:
    """One row per person: home agency in the first year, identity and NIP. Populations
    generated in several parts (one per province) pass distinct `nip_offset`s, which shift
    the NIP's 3-digit sequence number so that parts never share an NIP."""
    rng = np.random.default_rng(seed)
    codes = np.array(registry.codes)
    # regional governments are larger than single provincial OPD
    weight = np.array([3.0 if a.jenis == "kabupaten_kota" else 1.0 for a in registry.agencies])
    agency = codes[rng.choice(len(codes), size, p=weight / weight.sum())]
    birth = _dates(rng, "1966-01-01", "2001-12-31", size)
    gender = rng.choice(np.array([1, 2]), size)
    pns = rng.random(size) < 0.8
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    appoint_year = np.minimum(birth_year + rng.integers(20, 35, size), 2023)
    appoint_month = rng.integers(1, 13, size)
    bstr = pd.Series(birth).dt.strftime("%Y%m%d").to_numpy()
    middle = np.where(
        pns,
        pd.Series(appoint_year * 100 + appoint_month).astype(str).to_numpy(),
        pd.Series(np.maximum(appoint_year, 2019)).astype(str).to_numpy()
        + pd.Series(rng.integers(1, 100, size)).astype(str).str.zfill(2).to_numpy(),
    )
    prefix = pd.Series(bstr + middle + gender.astype(str))
    seq = prefix.groupby(prefix).cumcount() + 1 + nip_offset
    nip = (prefix + seq.astype(str).str.zfill(3)).to_numpy()
    first, last = _name_pool(seed)
    nama = first[rng.integers(0, len(first), size)] + " " + last[rng.integers(0, len(last), size)]
    return pd.DataFrame(
        {
            "nip": nip,
            "nama": nama,
            "kode_instansi": agency,
            "jenis_kelamin": np.where(gender == 1, "L", "P"),
            "tanggal_lahir": pd.to_datetime(birth),
            "status_kepegawaian": np.where(pns, "PNS", "PPPK"),
            "golongan": np.where(
                pns, GOL_PNS[rng.integers(0, 17, size)], GOL_PPPK[rng.integers(0, 17, size)]
            ),
            "jenis_jabatan": JABATAN[rng.integers(0, 3, size)],
            "pendidikan": PENDIDIKAN[rng.integers(0, len(PENDIDIKAN), size)],
            "unit_kerja": UNITS[rng.integers(0, len(UNITS), size)],
        }
    )


def rosters(people: pd.DataFrame, years: list[int], seed: int, codes: list[str]) -> pd.DataFrame:
    """pegawai rows per agency and year; about 1% of people transfer in the last year and
    then appear on two rosters (the old and the new agency)."""
    rng = np.random.default_rng(seed + 1)
    frames = []
    for i, year in enumerate(years):
        present = rng.random(len(people)) < (0.97 if i < len(years) - 1 else 0.98)
        df = people[present].copy()
        df["tahun"] = year
        df["hukuman_disiplin"] = rng.choice(
            np.array(["tidak_ada", "ringan", "sedang", "berat"]),
            len(df),
            p=[0.95, 0.03, 0.015, 0.005],
        )
        frames.append(df)
        if i == len(years) - 1 and len(codes) > 1:
            movers = df.sample(frac=0.01, random_state=seed).copy()
            idx = np.array([codes.index(c) for c in movers["kode_instansi"]])
            # to a later agency in the registry, whose roster is submitted later
            movers = movers[idx < len(codes) - 1]
            idx = idx[idx < len(codes) - 1]
            movers["kode_instansi"] = [codes[j + 1] for j in idx]
            frames.append(movers)
    return pd.concat(frames, ignore_index=True)


def appraisals(roster: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    df = roster[rng.random(len(roster)) < 0.95][["nip", "kode_instansi", "tahun"]].copy()
    n = len(df)
    h = rng.choice(3, n, p=[0.25, 0.65, 0.10])
    p = rng.choice(3, n, p=[0.30, 0.62, 0.08])
    df["rating_hasil_kerja"] = RATINGS[h]
    df["rating_perilaku_kerja"] = RATINGS[p]
    predikat = MATRIX[h, p].astype(object)
    wrong = rng.random(n) < 0.02  # the agency's own predikat disagrees with the ratings
    predikat[wrong] = "SANGAT_BAIK"
    predikat[rng.random(n) < 0.1] = ""  # optional column left empty
    df["predikat"] = predikat
    # appraiser: another employee of the same agency and year
    df["nip_penilai"] = df.groupby(["kode_instansi", "tahun"])["nip"].transform(
        lambda s: np.roll(s.to_numpy(), 1)
    )
    df["tanggal_penilaian"] = pd.to_datetime(df["tahun"].astype(str) + "-12-20") + pd.to_timedelta(
        rng.integers(0, 30, n), unit="D"
    )
    return df


def trainings(roster: pd.DataFrame, seed: int, per_year: float = 3.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 3)
    counts = rng.poisson(per_year, len(roster))
    base = roster.loc[roster.index.repeat(counts), ["nip", "kode_instansi", "tahun"]].reset_index(
        drop=True
    )
    n = len(base)
    start = pd.to_datetime(base["tahun"].astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 350, n), unit="D"
    )
    length = rng.integers(0, 5, n)
    base["tanggal_mulai"] = start
    base["tanggal_selesai"] = start + pd.to_timedelta(length, unit="D")
    # a few trainings cross New Year: started in late December of the year before
    cross = rng.random(n) < 0.01
    base.loc[cross, "tanggal_mulai"] = pd.to_datetime(
        (base.loc[cross, "tahun"] - 1).astype(str) + "-12-28"
    )
    base.loc[cross, "tanggal_selesai"] = pd.to_datetime(
        base.loc[cross, "tahun"].astype(str) + "-01-03"
    )
    base["nama_pelatihan"] = TRAININGS[rng.integers(0, len(TRAININGS), n)]
    base["jenis_pelatihan"] = np.where(rng.random(n) < 0.5, "klasikal", "nonklasikal")
    base["jp"] = rng.choice(np.array([2, 3.5, 4, 8, 10, 16, 20, 24, 32]), n)
    base["penyelenggara"] = PENYELENGGARA[rng.integers(0, len(PENYELENGGARA), n)]
    base["kategori"] = training_kategori(n, np.random.default_rng(seed + 7))
    return base


def surveys(roster: pd.DataFrame, seed: int, per_employee: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 4)
    per_agency = roster.groupby(["kode_instansi", "tahun"]).size().reset_index(name="n")
    per_agency["k"] = np.maximum(5, (per_agency["n"] * per_employee).round().astype(int))
    base = per_agency.loc[per_agency.index.repeat(per_agency["k"]), ["kode_instansi", "tahun"]]
    base = base.reset_index(drop=True)
    n = len(base)
    base["id_responden"] = (
        "R"
        + base["tahun"].astype(str)
        + "-"
        + (base.groupby("kode_instansi").cumcount() + 1).astype(str).str.zfill(6)
    )
    base["unit_layanan"] = UNITS[rng.integers(0, len(UNITS), n)]
    base["tanggal_survei"] = pd.to_datetime(base["tahun"].astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 365, n), unit="D"
    )
    base["jenis_kelamin"] = np.where(rng.random(n) < 0.5, "L", "P")
    base["usia"] = rng.integers(17, 70, n)
    base["pendidikan"] = PENDIDIKAN[rng.integers(0, len(PENDIDIKAN), n)]
    base["pekerjaan"] = rng.choice(
        np.array(["PNS", "Swasta", "Wiraswasta", "Pelajar", "Lainnya"]), n
    )
    quality = rng.normal(3.1, 0.3, (n, 1))  # each agency-year is a little different
    for i in range(1, 10):
        score = np.clip(np.rint(quality[:, 0] + rng.normal(0, 0.6, n)), 1, 4).astype(int)
        col = pd.Series(score, dtype="Int64")
        col[rng.random(n) < 0.02] = pd.NA  # element left unanswered
        base[f"u{i}"] = col
    base["saran"] = np.where(rng.random(n) < 0.05, "Pelayanan sudah baik, pertahankan", "")
    return base


KATEGORI_PELATIHAN = np.array(["teknis", "", "fungsional", "kepemimpinan", "seminar"])
CATATAN = np.array(
    [
        "Target triwulan tercapai, pertahankan",
        "Perlu percepatan realisasi kegiatan",
        "Umpan balik: perbaiki ketepatan waktu laporan",
        "Rencana aksi disepakati bersama atasan",
        "",
        "",
    ]
)
JENIS_PENGHARGAAN = np.array(
    [
        "tanda_kehormatan",
        "pegawai_teladan",
        "kenaikan_pangkat_istimewa",
        "pengembangan_diri",
        "lainnya",
    ]
)


def training_kategori(n: int, rng: np.random.Generator) -> np.ndarray:
    """kategori of n trainings: mostly teknis (some left empty, which means teknis)."""
    return KATEGORI_PELATIHAN[rng.choice(5, n, p=[0.45, 0.15, 0.2, 0.08, 0.12])]


def dialogues(
    roster: pd.DataFrame, seed: int, coverage: dict[str, float], per_employee: float = 4.0
) -> pd.DataFrame:
    """dialog_kinerja rows: per roster row (agency, year) each quarter is held with the
    agency's `coverage` (1.0: every employee every quarter), a little less late in the year;
    `per_employee` (at most 4) scales the quarters held on average."""
    rng = np.random.default_rng(seed + 5)
    base = roster[["nip", "kode_instansi", "tahun"]].reset_index(drop=True)
    quarters = np.tile(np.arange(1, 5), len(base))
    df = base.loc[base.index.repeat(4)].reset_index(drop=True)
    df["triwulan"] = quarters
    cov = df["kode_instansi"].map(coverage).fillna(0.85).to_numpy() * min(per_employee, 4.0) / 4
    decline = np.where(cov >= 1.0, 1.0, np.array([1.0, 0.97, 0.93, 0.85])[quarters - 1])
    df = df[rng.random(len(df)) < cov * decline].reset_index(drop=True)
    n = len(df)
    month = (df["triwulan"].to_numpy() - 1) * 3 + rng.integers(1, 4, n)
    day = rng.integers(1, 29, n)
    df["tanggal_dialog"] = pd.to_datetime(
        pd.DataFrame({"year": df["tahun"], "month": month, "day": day})
    )
    # supervisor: another employee of the same agency, year and quarter
    df["nip_atasan"] = df.groupby(["kode_instansi", "tahun", "triwulan"])["nip"].transform(
        lambda s: np.roll(s.to_numpy(), 1)
    )
    df["catatan"] = CATATAN[rng.integers(0, len(CATATAN), n)]
    return df


def rewards(
    roster: pd.DataFrame,
    appraised: pd.DataFrame,
    seed: int,
    per_employee: float = 0.05,
    misaligned: set[str] = frozenset(),
) -> pd.DataFrame:
    """penghargaan rows, about `per_employee` per roster row, going to those who perform
    (Sangat Baik most often); never to a poor performer or someone with a sedang/berat
    penalty, except in the agencies of `misaligned`, which reward two Butuh Perbaikan
    employees a year."""
    rng = np.random.default_rng(seed + 6)
    df = roster[["nip", "kode_instansi", "tahun", "hukuman_disiplin"]].merge(
        appraised[["nip", "kode_instansi", "tahun", "rating_hasil_kerja", "rating_perilaku_kerja"]],
        on=["nip", "kode_instansi", "tahun"],
        how="left",
    )
    h = pd.Series(RATINGS).reset_index().set_index(0)["index"]
    hi = df["rating_hasil_kerja"].map(h)
    pi = df["rating_perilaku_kerja"].map(h)
    ok = hi.notna() & pi.notna()
    predikat = pd.Series("", index=df.index, dtype=object)
    predikat[ok] = MATRIX[hi[ok].astype(int), pi[ok].astype(int)]
    weight = predikat.map({"SANGAT_BAIK": 3.0, "BAIK": 0.8, "": 0.3}).fillna(0.0)
    weight[df["hukuman_disiplin"].isin(["sedang", "berat"])] = 0.0
    p = (weight * per_employee * len(df) / max(weight.sum(), 1.0)).clip(upper=1.0)
    chosen = df[rng.random(len(df)) < p]
    bad = df[df["kode_instansi"].isin(misaligned) & (predikat == "BUTUH_PERBAIKAN")]
    bad = bad.groupby(["kode_instansi", "tahun"]).head(2)
    out = pd.concat([chosen, bad], ignore_index=True)[["nip", "kode_instansi", "tahun"]]
    n = len(out)
    out["jenis_penghargaan"] = JENIS_PENGHARGAAN[rng.choice(5, n, p=[0.1, 0.35, 0.05, 0.3, 0.2])]
    out["tanggal"] = pd.to_datetime(out["tahun"].astype(str) + "-08-17") + pd.to_timedelta(
        rng.integers(0, 120, n), unit="D"
    )
    out["keterangan"] = np.where(rng.random(n) < 0.3, "Penghargaan tingkat provinsi", "")
    return out

"""The domain constants every stage shares, each read from its one home.

- predikat codes and names: dbt seed `predikat` (best first);
- IKM mutu bands: dbt seed `ikm_mutu`;
- IKM elements (u1..u9): dbt seed `ikm_unsur`;
- the small-cell size: var `min_cell_size` in dbt_project.yml;
- the datasets: the standard (core/standard.yaml, `core.standard.DATASETS`);
- the bureau's time zone (WIB).

Python code that shows or checks these (the report, the workbooks, the GX suites) reads them
here; the dbt models read the same seeds and vars. Changing one is a change in one file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from core.paths import DBT_PROJECT_DIR, SEEDS_DIR

# Waktu Indonesia Barat: the bureau's clock (schedule, submission times in file names, report)
TIME_ZONE_NAME = "Asia/Jakarta"
WIB = ZoneInfo(TIME_ZONE_NAME)


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Predikat:
    code: str  # e.g. SANGAT_BAIK
    name: str  # e.g. Sangat Baik

    @property
    def pct_column(self) -> str:
        """Its share in the published indicators, e.g. pct_sangat_baik."""
        return f"pct_{self.code.lower()}"


@cache
def predikat() -> tuple[Predikat, ...]:
    """The five predikat of an employee, best first (seed `predikat`)."""
    rows = sorted(_seed("predikat"), key=lambda r: int(r["urutan"]))
    return tuple(Predikat(r["predikat"], r["nama_predikat"]) for r in rows)


@dataclass(frozen=True)
class MutuBand:
    mutu: str  # A, B, C, D
    ikm_bawah: Decimal
    ikm_atas: Decimal
    kinerja_unit: str  # e.g. Sangat Baik


@cache
def ikm_bands() -> tuple[MutuBand, ...]:
    """The IKM mutu bands, lowest first (seed `ikm_mutu`); an IKM rounded to two decimals
    falls in exactly one."""
    rows = sorted(_seed("ikm_mutu"), key=lambda r: Decimal(r["ikm_bawah"]))
    return tuple(
        MutuBand(r["mutu"], Decimal(r["ikm_bawah"]), Decimal(r["ikm_atas"]), r["kinerja_unit"])
        for r in rows
    )


@dataclass(frozen=True)
class IpAsnKategori:
    code: str  # e.g. SANGAT_TINGGI
    name: str  # e.g. Sangat Tinggi
    skor_bawah: int
    skor_atas: int

    @property
    def pct_column(self) -> str:
        """Its share in the published indicators, e.g. pct_ip_sangat_tinggi."""
        return f"pct_ip_{self.code.lower()}"


@cache
def ip_asn_kategori() -> tuple[IpAsnKategori, ...]:
    """The five IP ASN kategori, best first (seed `ip_asn_kategori`)."""
    rows = sorted(_seed("ip_asn_kategori"), key=lambda r: int(r["urutan"]))
    return tuple(
        IpAsnKategori(r["kategori"], r["nama_kategori"], int(r["skor_bawah"]), int(r["skor_atas"]))
        for r in rows
    )


@cache
def ikm_elements() -> tuple[str, ...]:
    """The survey's element columns u1..u9 (seed `ikm_unsur`)."""
    return tuple(r["unsur"] for r in sorted(_seed("ikm_unsur"), key=lambda r: int(r["urutan"])))


def _dbt_vars(path: Path = DBT_PROJECT_DIR / "dbt_project.yml") -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["vars"]


@cache
def min_cell_size() -> int:
    """A percentage or mean over fewer people than this is published empty."""
    return int(_dbt_vars()["min_cell_size"])


@cache
def triwulan_per_tahun() -> int:
    """Quarters of a year with a dialogue that make an employee "dialog lengkap" (dbt var)."""
    return int(_dbt_vars()["triwulan_per_tahun"])


@cache
def min_jp_pns() -> int:
    """Hours (JP) of competence development a PNS must reach in a year."""
    return int(_dbt_vars()["min_jp_pns"])

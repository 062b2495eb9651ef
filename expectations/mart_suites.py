"""Suites for the marts before publication, and the derived columns they need."""

from __future__ import annotations

import re

import great_expectations.expectations as gxe
import pandas as pd

from core.domain import ikm_bands, ip_asn_kategori, predikat, triwulan_per_tahun

# the five predikat shares, best first (seed `predikat`)
PREDIKAT_PCT = [p.pct_column for p in predikat()]
# the five IP ASN kategori shares, best first (seed `ip_asn_kategori`)
IP_ASN_PCT = [k.pct_column for k in ip_asn_kategori()]
PCT_COLUMNS = [
    "cakupan_penilaian_pct",
    *PREDIKAT_PCT,
    "pct_pns_memenuhi_20jp",
    *IP_ASN_PCT,
    "pct_dialog_lengkap",
    "pct_penghargaan_selaras",
]
PERSONAL_COLUMNS = re.compile(r"^(nip|nip_.*|.*_nip|nama|nama_pegawai|nama_lengkap)$")


def _meta(rule: str, cfg: dict) -> dict:
    return {"rule": rule, "severity": cfg["marts"]["severity"][rule]}


def mutu_for(ikm: float | None, bands: pd.DataFrame) -> str | None:
    if ikm is None or pd.isna(ikm):
        return None
    value = round(float(ikm), 2)
    for _, b in bands.iterrows():
        if float(b["ikm_bawah"]) <= value <= float(b["ikm_atas"]):
            return str(b["mutu"])
    return None


def with_derived_columns(
    df: pd.DataFrame, bands: pd.DataFrame, previous: pd.DataFrame | None, key: str
) -> pd.DataFrame:
    """Add what the suite checks but the mart does not hold: the sum of the five predikat
    shares (NULL when suppressed), the mutu the IKM implies, whether the row has data, and the
    headcount change since the last publication."""
    out = df.copy()
    for c in PCT_COLUMNS + ["ikm", "rata_ip_asn", "rata_triwulan_dialog"]:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    shares = out[PREDIKAT_PCT]
    out["jumlah_pct_predikat"] = shares.sum(axis=1).where(shares.notna().all(axis=1))
    ip_shares = out[IP_ASN_PCT]
    out["jumlah_pct_ip_asn"] = ip_shares.sum(axis=1).where(ip_shares.notna().all(axis=1))
    out["mutu_dari_ikm"] = [mutu_for(v, bands) for v in out["ikm"]]
    out["ada_data"] = out["jumlah_pegawai"] > 0
    out["perubahan_pegawai"] = None
    if previous is not None and not previous.empty:
        prev = previous.set_index([key, "tahun"])["jumlah_pegawai"]
        keys = list(zip(out[key], out["tahun"], strict=True))
        before = pd.Series([prev.get(k) for k in keys], index=out.index, dtype="float64")
        change = (out["jumlah_pegawai"].astype("float64") - before) / before.where(before > 0)
        out["perubahan_pegawai"] = change.abs()
    out["perubahan_pegawai"] = pd.to_numeric(out["perubahan_pegawai"], errors="coerce").astype(
        "float64"
    )
    return out


def indikator_expectations(cfg: dict) -> list:
    tol = cfg["marts"]["predikat_sum_tolerance"]
    out = [
        gxe.ExpectColumnValuesToBeBetween(
            column=c, min_value=0, max_value=100, meta=_meta("pct_range", cfg)
        )
        for c in PCT_COLUMNS
    ]
    out += [
        gxe.ExpectColumnValuesToBeBetween(
            column="cakupan_penilaian_pct", max_value=100, meta=_meta("cakupan_max", cfg)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="jumlah_pct_predikat",
            min_value=100 - tol,
            max_value=100 + tol,
            meta=_meta("predikat_sum", cfg),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="jumlah_pct_ip_asn",
            min_value=100 - tol,
            max_value=100 + tol,
            meta=_meta("ip_asn_sum", cfg),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rata_ip_asn", min_value=0, max_value=100, meta=_meta("ip_asn_range", cfg)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rata_triwulan_dialog",
            min_value=0,
            max_value=triwulan_per_tahun(),
            meta=_meta("triwulan_range", cfg),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="ikm",
            min_value=float(ikm_bands()[0].ikm_bawah),
            max_value=float(ikm_bands()[-1].ikm_atas),
            meta=_meta("ikm_range", cfg),
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="mutu_ikm",
            column_B="mutu_dari_ikm",
            ignore_row_if="both_values_are_missing",
            meta=_meta("mutu_consistent", cfg),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="ada_data", value_set=[True], meta=_meta("agency_missing", cfg)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="perubahan_pegawai",
            max_value=cfg["marts"]["headcount_change_max"],
            meta=_meta("headcount_change", cfg),
        ),
    ]
    return out

"""Synthetic agency registries for benchmark sizes, in the same mix of formats as the demo.

A province: every kabupaten/kota of the province in the region seed, plus provincial OPD.
The nation: 38 provinces, each with one provincial agency and its kabupaten/kota. The
product's region seed holds every province but the kabupaten/kota of only a few, so the
national size writes its own region seed (`national_wilayah`): the real province codes and,
where the seed lacks them, kabupaten/kota with synthetic codes and names, in about the
real number per province (514 in all).
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from core.paths import PROJECT_ROOT
from core.registry import load_wilayah

DEMO = yaml.safe_load((PROJECT_ROOT / "config" / "agencies.yaml").read_text())
TEMPLATES = {a["kode"]: a for a in DEMO["agencies"]}
# kabupaten/kota per province (Kemendagri 2022), used where the seed has none
KABKOTA_PER_PROVINSI = {
    "11": 23, "12": 33, "13": 19, "14": 12, "15": 11, "16": 17, "17": 10, "18": 15, "19": 7,
    "21": 7, "31": 6, "32": 27, "33": 35, "34": 5, "35": 38, "36": 8, "51": 9, "52": 10,
    "53": 22, "61": 14, "62": 14, "63": 13, "64": 10, "65": 5, "71": 15, "72": 13, "73": 24,
    "74": 17, "75": 6, "76": 6, "81": 11, "82": 10, "91": 9, "92": 7, "93": 4, "94": 8, "95": 8,
    "96": 6,
}  # fmt: skip


def _region_entry(kw: str, nama: str) -> dict:
    kind = "KAB" if int(kw.split(".")[1]) < 70 else "KOTA"
    return {"kode": f"{kind}-{kw.replace('.', '')}", "nama": f"BKPSDM {nama}", "kode_wilayah": kw}


def _with_formats(entries: list[dict], api_port: int) -> list[dict]:
    """Formats rotate: standard CSV, Excel with title rows, semicolon CP-1252, timestamped
    names; the last agency is served by an HTTP API."""
    rotation = [None, "KAB-GORONTALO", None, "KAB-BOALEMO", None, "INSPEKTORAT-PROV"]
    for i, e in enumerate(entries[:-1]):
        template = rotation[i % len(rotation)]
        if template:
            e["format"] = TEMPLATES[template]["format"]
    last = entries[-1]
    last["delivery"] = "api"
    last["api"] = {
        **TEMPLATES["KOTA-GORONTALO"]["api"],
        "base_url": f"http://127.0.0.1:{api_port}/api/v1",
        "token_env": "KINERJA_TOKEN_BENCH",
        "page_size": 5000,
    }
    return entries


def _write(doc: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def synthetic_registry(kode_provinsi: str, agencies: int, path: Path, api_port: int) -> Path:
    """All kabupaten/kota of the province from the seed, plus provincial OPD up to `agencies`."""
    wilayah = load_wilayah()
    regions = sorted(k for k in wilayah if k.startswith(kode_provinsi + "."))
    entries = [_region_entry(kw, wilayah[kw]) for kw in regions]
    for i in range(max(agencies - len(regions), 0)):
        entries.append(
            {
                "kode": f"OPD-{kode_provinsi}-{i + 1:03d}",
                "nama": f"Dinas {i + 1} {wilayah[kode_provinsi]}",
                "kode_wilayah": kode_provinsi,
            }
        )
    doc = {
        "provinsi": {"kode_wilayah": kode_provinsi, "nama": wilayah[kode_provinsi]},
        "common": DEMO["common"],
        "agencies": _with_formats(entries, api_port),
    }
    return _write(doc, path)


def national_wilayah(path: Path) -> Path:
    """The product's region seed completed with synthetic kabupaten/kota (codes 01.. for
    kabupaten, 71.. for a fifth as kota) up to each province's number of kabupaten/kota."""
    wilayah = load_wilayah()
    rows = [
        {
            "kode_wilayah": k,
            "nama_wilayah": v,
            "kode_provinsi": k.split(".")[0],
            "jenis_wilayah": "provinsi"
            if "." not in k
            else ("kota" if int(k[3:]) >= 70 else "kabupaten"),
        }
        for k, v in wilayah.items()
    ]
    for prov, n in KABKOTA_PER_PROVINSI.items():
        have = {k for k in wilayah if k.startswith(prov + ".")}
        n_kota = n // 5
        codes = [f"{prov}.{i:02d}" for i in range(1, n - n_kota + 1)]
        codes += [f"{prov}.{71 + i:02d}" for i in range(n_kota)]
        for kw in [c for c in codes if c not in have][: max(n - len(have), 0)]:
            kota = int(kw[3:]) >= 70
            rows.append(
                {
                    "kode_wilayah": kw,
                    "nama_wilayah": f"{'Kota' if kota else 'Kab.'} Sintetis {kw}",
                    "kode_provinsi": prov,
                    "jenis_wilayah": "kota" if kota else "kabupaten",
                }
            )
    rows.sort(key=lambda r: r["kode_wilayah"])
    with path.open("w", newline="", encoding="utf-8") as f:
        fields = ["kode_wilayah", "nama_wilayah", "jenis_wilayah", "kode_provinsi"]
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def national_registry(wilayah_csv: Path, path: Path, api_port: int) -> Path:
    """One provincial agency per province and one agency per kabupaten/kota (552 in all)."""
    wilayah = load_wilayah(wilayah_csv)
    entries = []
    for prov in sorted(k for k in wilayah if "." not in k):
        entries.append(
            {"kode": f"PEMPROV-{prov}", "nama": f"BKD {wilayah[prov]}", "kode_wilayah": prov}
        )
        entries += [
            _region_entry(kw, wilayah[kw]) for kw in sorted(wilayah) if kw.startswith(prov + ".")
        ]
    doc = {
        "cakupan": "nasional",
        "common": DEMO["common"],
        "agencies": _with_formats(entries, api_port),
    }
    return _write(doc, path)

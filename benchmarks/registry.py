"""Synthetic agency registries for benchmark sizes, in the same mix of formats as the demo."""

from __future__ import annotations

from pathlib import Path

import yaml

from ingestion.registry import load_wilayah
from ingestion.settings import PROJECT_ROOT

DEMO = yaml.safe_load((PROJECT_ROOT / "config" / "agencies.yaml").read_text())
TEMPLATES = {a["kode"]: a for a in DEMO["agencies"]}


def synthetic_registry(kode_provinsi: str, agencies: int, path: Path, api_port: int) -> Path:
    """All kabupaten/kota of the province from the seed, plus provincial OPD up to `agencies`.
    Formats rotate: standard CSV, Excel with title rows, semicolon CP-1252, timestamped names;
    the last kota is served by an HTTP API."""
    wilayah = load_wilayah()
    regions = sorted(k for k in wilayah if k.startswith(kode_provinsi + "."))
    entries = []
    for kw in regions:
        kind = "KAB" if int(kw.split(".")[1]) < 70 else "KOTA"
        entries.append(
            {
                "kode": f"{kind}-{kw.replace('.', '')}",
                "nama": f"BKPSDM {wilayah[kw]}",
                "kode_wilayah": kw,
            }
        )
    for i in range(max(agencies - len(regions), 0)):
        entries.append(
            {
                "kode": f"OPD-{kode_provinsi}-{i + 1:03d}",
                "nama": f"Dinas {i + 1} {wilayah[kode_provinsi]}",
                "kode_wilayah": kode_provinsi,
            }
        )
    rotation = [None, "KAB-GORONTALO", None, "KAB-BOALEMO", None, "INSPEKTORAT-PROV"]
    for i, e in enumerate(entries[:-1]):
        template = rotation[i % len(rotation)]
        if template:
            e["format"] = TEMPLATES[template]["format"]
    last = entries[-1]
    last["delivery"] = "api"
    last["api"] = {**TEMPLATES["KOTA-GORONTALO"]["api"], "base_url": f"http://127.0.0.1:{api_port}/api/v1",
                   "token_env": "KINERJA_TOKEN_BENCH", "page_size": 5000}  # fmt: skip
    doc = {"provinsi": {"kode_wilayah": kode_provinsi, "nama": wilayah[kode_provinsi]},
           "common": DEMO["common"], "agencies": entries}  # fmt: skip
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path

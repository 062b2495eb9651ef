"""The agency registry: who sends data, how, and how each deviates from the standard.

Loaded and fully validated up front, so a typo in the YAML is a clear error at load time
(naming the agency and the key) rather than a crash half-way through a nightly run.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.standard import DATASETS, load_standard

WILAYAH_SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "wilayah.csv"

AGENCY_KEYS = {
    "kode", "nama", "kode_wilayah", "jenis", "delivery", "format", "datasets", "api",
    "predikat_organisasi",
}  # fmt: skip
FORMAT_KEYS = {
    "delimiter", "encoding", "date_format", "decimal_comma", "sheet", "header_row",
    "header_aliases", "value_aliases", "filename_timestamp",
}  # fmt: skip
API_KEYS = {"base_url", "token_env", "page_size", "timeout_seconds", "max_retries", "paths"}
JENIS = {"opd_provinsi", "kabupaten_kota"}
DELIVERY = {"file", "api"}
PREDIKAT_ORGANISASI = {"ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"}
KODE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
WILAYAH_RE = re.compile(r"^\d{2}(\.\d{2})?$")


class RegistryError(ValueError):
    """The registry file is wrong; the message names the file, the agency and the key."""


@dataclass(frozen=True)
class FileFormat:
    """How one agency's files for one dataset deviate from the standard."""

    delimiter: str = ","
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    sheet: str | int = 0
    header_row: int = 1
    header_aliases: dict[str, str] = field(default_factory=dict)
    value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    filename_timestamp: dict[str, str] | None = None


@dataclass(frozen=True)
class ApiSource:
    base_url: str
    token_env: str | None = None
    page_size: int = 500
    timeout_seconds: float = 30.0
    max_retries: int = 3
    paths: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Agency:
    kode: str
    nama: str
    kode_wilayah: str
    jenis: str
    delivery: str = "file"
    formats: dict[str, FileFormat] = field(default_factory=dict)
    api: ApiSource | None = None
    predikat_organisasi: dict[int, str] = field(default_factory=dict)

    def file_format(self, dataset: str) -> FileFormat:
        return self.formats.get(dataset, FileFormat())


@dataclass(frozen=True)
class Registry:
    """A provincial BKD's agencies (kode_provinsi set), or a national registry (cakupan:
    nasional) whose agencies may sit in any province; kode_provinsi is then None."""

    kode_provinsi: str | None
    nama_provinsi: str
    agencies: tuple[Agency, ...]
    path: Path

    @property
    def codes(self) -> list[str]:
        return [a.kode for a in self.agencies]

    def agency(self, kode: str) -> Agency:
        for a in self.agencies:
            if a.kode == kode:
                return a
        raise KeyError(f"agency {kode!r} is not in the registry {self.path}")


def load_wilayah(path: Path = WILAYAH_SEED) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {row["kode_wilayah"]: row["nama_wilayah"] for row in csv.DictReader(f)}


def _fail(path: Path, where: str, msg: str) -> RegistryError:
    return RegistryError(f"{path}: {where}: {msg}")


def _check_keys(path: Path, where: str, given: dict, allowed: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _parse_format(path: Path, where: str, layers: list[dict[str, Any]]) -> FileFormat:
    """Merge format layers (bureau-wide `common`, agency `format`, dataset) in that order;
    alias tables merge key by key, so a later layer adds to an earlier one."""
    merged: dict[str, Any] = {}
    aliases: dict[str, dict[str, str]] = {}
    headers: dict[str, str] = {}
    for layer in layers:
        if not isinstance(layer, dict):
            raise _fail(path, where, "must be a mapping")
        _check_keys(path, where, layer, FORMAT_KEYS)
        merged.update(layer)
        for col, mapping in (layer.get("value_aliases") or {}).items():
            aliases.setdefault(col, {}).update({str(k): str(v) for k, v in mapping.items()})
        headers.update({str(k): str(v) for k, v in (layer.get("header_aliases") or {}).items()})
    merged["value_aliases"] = aliases
    merged["header_aliases"] = headers
    if len(merged.get("delimiter", ",")) != 1:
        raise _fail(path, where, f"delimiter must be one character, got {merged['delimiter']!r}")
    enc = merged.get("encoding", "utf-8")
    try:
        "".encode(enc)
    except LookupError as e:
        raise _fail(path, where, f"unknown encoding {enc!r}") from e
    if int(merged.get("header_row", 1)) < 1:
        raise _fail(path, where, "header_row starts at 1")
    ts = merged.get("filename_timestamp")
    if ts is not None and (set(ts) != {"regex", "format"}):
        raise _fail(path, where, "filename_timestamp needs exactly 'regex' and 'format'")
    return FileFormat(**merged)


def load_registry(path: str | Path, wilayah_seed: Path = WILAYAH_SEED) -> Registry:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise RegistryError(f"registry file not found: {path}") from e
    except yaml.YAMLError as e:
        raise RegistryError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: must be a mapping with 'provinsi' and 'agencies'")
    _check_keys(path, "top level", raw, {"provinsi", "cakupan", "common", "agencies"})
    wilayah = load_wilayah(wilayah_seed)
    national = raw.get("cakupan") == "nasional"
    if raw.get("cakupan") not in (None, "provinsi", "nasional"):
        raise _fail(path, "cakupan", "must be 'provinsi' (the default) or 'nasional'")
    if national and raw.get("provinsi"):
        raise _fail(path, "provinsi", "a national registry (cakupan: nasional) has no province")
    prov = raw.get("provinsi") or {}
    kode_prov = None if national else str(prov.get("kode_wilayah", ""))
    if not national and (kode_prov not in wilayah or "." in kode_prov):
        raise _fail(path, "provinsi", f"kode_wilayah {kode_prov!r} is not a province code")
    common = raw.get("common") or {}
    _check_keys(path, "common", common, FORMAT_KEYS)
    standard = load_standard()
    agencies, seen = [], set()
    for i, a in enumerate(raw.get("agencies") or []):
        where = f"agency #{i + 1} ({a.get('kode', '?') if isinstance(a, dict) else '?'})"
        if not isinstance(a, dict):
            raise _fail(path, where, "must be a mapping")
        _check_keys(path, where, a, AGENCY_KEYS)
        for req in ("kode", "nama", "kode_wilayah"):
            if not a.get(req):
                raise _fail(path, where, f"missing required key {req!r}")
        kode = str(a["kode"])
        if not KODE_RE.match(kode):
            raise _fail(path, where, "kode may hold only letters, digits, '-' and '_'")
        if kode in seen:
            raise _fail(path, where, f"duplicate kode {kode!r}")
        seen.add(kode)
        kw = str(a["kode_wilayah"])
        if not WILAYAH_RE.match(kw) or kw not in wilayah:
            raise _fail(path, where, f"kode_wilayah {kw!r} is not a known region code")
        if not national and kw.split(".")[0] != kode_prov:
            raise _fail(path, where, f"kode_wilayah {kw!r} is outside province {kode_prov}")
        province_level = "." not in kw
        jenis = a.get("jenis", "opd_provinsi" if province_level else "kabupaten_kota")
        if jenis not in JENIS:
            raise _fail(path, where, f"jenis must be one of {sorted(JENIS)}")
        if (jenis == "opd_provinsi") != province_level:
            raise _fail(path, where, f"jenis {jenis!r} does not fit kode_wilayah {kw!r}")
        delivery = a.get("delivery", "file")
        if delivery not in DELIVERY:
            raise _fail(path, where, f"delivery must be one of {sorted(DELIVERY)}")
        _check_keys(path, f"{where}.format", a.get("format") or {}, FORMAT_KEYS)
        ds_specs = a.get("datasets") or {}
        unknown_ds = set(ds_specs) - set(DATASETS)
        if unknown_ds:
            raise _fail(path, where, f"unknown dataset(s) {sorted(unknown_ds)}")
        formats = {}
        for ds in DATASETS:
            fmt = _parse_format(
                path,
                f"{where}.datasets.{ds}",
                [common, a.get("format") or {}, ds_specs.get(ds) or {}],
            )
            # agency-wide aliases may name columns of any dataset
            cols = {c for d in standard.datasets.values() for c in d.column_names}
            bad = sorted(set(fmt.header_aliases.values()) - cols)
            if bad:
                raise _fail(path, f"{where}.datasets.{ds}", f"header_aliases map to unknown {bad}")
            formats[ds] = fmt
        api = None
        if delivery == "api":
            spec = a.get("api") or {}
            _check_keys(path, f"{where}.api", spec, API_KEYS)
            if not spec.get("base_url"):
                raise _fail(path, f"{where}.api", "base_url is required for delivery: api")
            api = ApiSource(**spec)
        elif a.get("api"):
            raise _fail(path, where, "has 'api' but delivery is not 'api'")
        po = {int(k): str(v) for k, v in (a.get("predikat_organisasi") or {}).items()}
        bad_po = sorted(set(po.values()) - PREDIKAT_ORGANISASI)
        if bad_po:
            raise _fail(
                path, where, f"predikat_organisasi {bad_po} not in {sorted(PREDIKAT_ORGANISASI)}"
            )
        agencies.append(Agency(kode, str(a["nama"]), kw, jenis, delivery, formats, api, po))
    if not agencies:
        raise RegistryError(f"{path}: no agencies")
    nama = "Nasional" if national else str(prov.get("nama", wilayah[kode_prov]))
    return Registry(kode_prov, nama, tuple(agencies), path)

"""The agency registry: who sends data, how, and how each deviates from the standard.

Loaded and fully validated up front, so a typo in the YAML is a clear error at load time
(naming the file, the agency and the key) rather than a crash half-way through a nightly run.

The file's schema is a set of pydantic models (`RegistryFile` and below). What the rest of
the code uses are the frozen dataclasses `Registry`, `Agency`, `FileFormat` and `ApiSource`,
built from a validated file with the format layers already merged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.numbers import angka
from core.paths import SEEDS_DIR
from core.plain_errors import ConfigError, plain_errors, yaml_problem
from core.standard import DATASETS, load_standard

WILAYAH_SEED = SEEDS_DIR / "wilayah.csv"
WILAYAH_RE = re.compile(r"^\d{2}(\.\d{2})?$")
# Kemendagri: a kabupaten is PP.01-PP.69, a kota PP.71-PP.99 (domain-rules.md)
KABUPATEN_KOTA_RE = re.compile(r"^(\d{2})\.(0[1-9]|[1-6]\d|7[1-9]|[89]\d)$")
# how a registered kabupaten/kota code that the region seed lacks is published until the seed
# has it; the same words as the dbt macro nama_wilayah_sementara (dbt_project/macros)
NAMA_SEMENTARA = "{jenis} {kode} (nama belum ada di data wilayah)"
# a warning lists this many new codes; `kinerja status` lists them all
PERINGATAN_KODE = 10
Jenis = Literal["opd_provinsi", "kabupaten_kota"]
PredikatOrganisasi = Literal["ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"]


class RegistryError(ConfigError):
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
    # submission deadlines (`tenggat`): dataset -> (month, day) in the year after the data's
    # year (a year's roster is due by that day of the next year); `kinerja status` compares
    tenggat: dict[str, tuple[int, int]] = field(default_factory=dict)
    # kabupaten/kota codes of known provinces that the region seed lacks (a new regency, by
    # pemekaran, before the seed catches up): code -> the agencies registered there. They are
    # processed and published under a provisional name (nama_wilayah_sementara); the warning
    # (peringatan_wilayah) is shown by `kinerja refresh`/`ingest`, `kinerja status` and the
    # raw_registry asset of every run.
    wilayah_baru: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def deadline(self, dataset: str, tahun: int) -> dt.date | None:
        """The day by which `dataset` for `tahun` is due (None: no deadline set)."""
        md = self.tenggat.get(dataset)
        return dt.date(tahun + 1, *md) if md else None

    @property
    def codes(self) -> list[str]:
        return [a.kode for a in self.agencies]

    def agency(self, kode: str) -> Agency:
        for a in self.agencies:
            if a.kode == kode:
                return a
        raise KeyError(f"instansi {kode!r} tidak ada di registri {self.path}")


def load_wilayah(path: Path = WILAYAH_SEED) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {row["kode_wilayah"]: row["nama_wilayah"] for row in csv.DictReader(f)}


def nama_wilayah_sementara(kode: str) -> str:
    """The published name of a kabupaten/kota code the region seed lacks: it says so."""
    jenis = "Kota" if int(kode.split(".")[1]) >= 71 else "Kab."
    return NAMA_SEMENTARA.format(jenis=jenis, kode=kode)


def peringatan_wilayah(
    baru: dict[str, tuple[str, ...]] | dict[str, list[str]], batas: int | None = PERINGATAN_KODE
) -> list[str]:
    """The warning, in Indonesian, about registered kabupaten/kota codes the region seed lacks
    (`Registry.wilayah_baru`: code -> agencies; no lines when there are none): a first line,
    then one line per code (at most `batas`; None: all)."""
    if not baru:
        return []
    n_instansi = sum(len(v) for v in baru.values())
    lines = [
        f"PERINGATAN: {angka(len(baru))} kode kabupaten/kota di registri ({angka(n_instansi)} "
        f"instansi) belum ada di data wilayah ({WILAYAH_SEED.name}). Datanya tetap diproses dan "
        "diterbitkan dengan nama sementara sampai kode itu ditambahkan ke data wilayah "
        "(dbt_project/seeds/README.md); periksa juga apakah kodenya di registri benar:"
    ]
    shown = sorted(baru) if batas is None else sorted(baru)[:batas]
    lines += [f'- {k} "{nama_wilayah_sementara(k)}": {", ".join(baru[k])}' for k in shown]
    if len(shown) < len(baru):
        lines.append(
            f"- ... dan {angka(len(baru) - len(shown))} kode lainnya (daftar lengkap: kinerja status)"
        )
    return lines


# --- the file's schema ---------------------------------------------------------------------


def _scalar_as_text(v: Any) -> Any:
    """YAML reads `2024`, `1.5`, `yes` or a date as numbers, booleans, dates: labels are text."""
    return str(v) if isinstance(v, bool | int | float | dt.date) else v


Text = Annotated[str, BeforeValidator(_scalar_as_text)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FilenameTimestamp(_Schema):
    regex: str  # with one group: the timestamp in the file name
    format: str  # strftime


class FormatLayer(_Schema):
    """One layer of format settings; every key optional (unset keys come from earlier layers)."""

    delimiter: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    decimal_comma: bool | None = None
    sheet: str | int | None = None
    header_row: int | None = Field(None, ge=1)
    header_aliases: dict[Text, Text] = {}
    value_aliases: dict[Text, dict[Text, Text]] = {}
    filename_timestamp: FilenameTimestamp | None = None

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, v: str | None) -> str | None:
        if v is not None and len(v) != 1:
            raise ValueError(f"harus satu karakter, bukan {v!r}")
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"pengodean (encoding) tidak dikenal: {v!r}") from None
        return v

    @field_validator("header_aliases")
    @classmethod
    def _standard_columns(cls, v: dict[str, str]) -> dict[str, str]:
        # agency-wide aliases may name columns of any dataset
        columns = {c for d in load_standard().datasets.values() for c in d.column_names}
        bad = sorted(set(v.values()) - columns)
        if bad:
            raise ValueError(f"memetakan ke kolom yang tidak dikenal {bad}: bukan kolom standar")
        return v


class ApiSpec(_Schema):
    base_url: str = Field(min_length=1)
    token_env: str | None = None
    page_size: int = Field(500, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)
    max_retries: int = Field(3, ge=0)
    paths: dict[str, str] = {}


class AgencyEntry(_Schema):
    kode: Text
    nama: Text = Field(min_length=1)
    kode_wilayah: Text
    jenis: Jenis | None = None  # default: from the level of kode_wilayah
    delivery: Literal["file", "api"] = "file"
    format: FormatLayer = FormatLayer()
    datasets: dict[str, FormatLayer] = {}
    api: ApiSpec | None = None
    predikat_organisasi: dict[int, PredikatOrganisasi] = {}  # by year

    @field_validator("kode")
    @classmethod
    def _kode_chars(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", v):
            raise ValueError(f"kode hanya boleh berisi huruf, angka, '-' dan '_', bukan {v!r}")
        return v

    @field_validator("kode_wilayah")
    @classmethod
    def _known_region(cls, v: str, info: ValidationInfo) -> str:
        """A province of the region seed, or a kabupaten/kota code (PP.01-PP.69, PP.71-PP.99)
        of one. A kabupaten/kota code the seed lacks is accepted (a new regency is created by
        law before any seed has it): Registry.wilayah_baru."""
        wilayah = (info.context or {}).get("wilayah")
        if not WILAYAH_RE.match(v) or ("." in v and not KABUPATEN_KOTA_RE.match(v)):
            raise ValueError(
                f"{v!r} bukan kode wilayah: provinsi 2 angka (75), kabupaten PP.01-PP.69, "
                "kota PP.71-PP.99 (75.01, 75.71)"
            )
        if wilayah is not None and v.split(".")[0] not in wilayah:
            raise ValueError(f"{v!r} bukan kode wilayah yang dikenal: tidak ada provinsi {v[:2]}")
        return v

    @field_validator("datasets")
    @classmethod
    def _standard_datasets(cls, v: dict[str, FormatLayer]) -> dict[str, FormatLayer]:
        unknown = sorted(set(v) - set(DATASETS))
        if unknown:
            raise ValueError(f"dataset tidak dikenal {unknown}; dataset standar: {list(DATASETS)}")
        return v

    @model_validator(mode="after")
    def _jenis_and_delivery(self) -> AgencyEntry:
        province_level = "." not in self.kode_wilayah
        if self.jenis is None:
            self.jenis = "opd_provinsi" if province_level else "kabupaten_kota"
        if (self.jenis == "opd_provinsi") != province_level:
            raise ValueError(
                f"jenis {self.jenis!r} tidak sesuai dengan kode_wilayah {self.kode_wilayah!r}"
            )
        if self.delivery == "api" and self.api is None:
            raise ValueError("api.base_url wajib diisi untuk delivery: api")
        if self.delivery != "api" and self.api is not None:
            raise ValueError("ada 'api' padahal delivery bukan 'api'")
        return self


class ProvinceEntry(_Schema):
    kode_wilayah: Text
    nama: str | None = None  # default: the name in the region seed

    @field_validator("kode_wilayah")
    @classmethod
    def _province_code(cls, v: str, info: ValidationInfo) -> str:
        wilayah = (info.context or {}).get("wilayah")
        if "." in v or not WILAYAH_RE.match(v) or (wilayah is not None and v not in wilayah):
            raise ValueError(f"{v!r} bukan kode provinsi")
        return v


class RegistryFile(_Schema):
    """config/agencies.yaml as written."""

    cakupan: Literal["provinsi", "nasional"] = "provinsi"
    provinsi: ProvinceEntry | None = Field(None, validate_default=True)
    common: FormatLayer = FormatLayer()  # bureau-wide, under every agency's own format
    # dataset -> "MM-DD": a year's submission is due by that day of the following year
    tenggat: dict[str, str] = {}
    agencies: list[AgencyEntry] = Field([], validate_default=True)

    @field_validator("tenggat")
    @classmethod
    def _deadlines(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(DATASETS))
        if unknown:
            raise ValueError(f"dataset tidak dikenal {unknown}; dataset standar: {list(DATASETS)}")
        for ds, md in v.items():
            try:
                dt.datetime.strptime(f"2000-{md}", "%Y-%m-%d")
            except ValueError:
                raise ValueError(
                    f"{ds}: {md!r} bukan tanggal berbentuk MM-DD (bulan-hari)"
                ) from None
        return v

    @field_validator("provinsi")
    @classmethod
    def _province_fits_cakupan(cls, v: ProvinceEntry | None, info: ValidationInfo):
        national = info.data.get("cakupan") == "nasional"
        if national and v is not None:
            raise ValueError("registri nasional (cakupan: nasional) tidak punya provinsi")
        if not national and v is None:
            raise ValueError("wajib diisi (atau tulis cakupan: nasional untuk registri nasional)")
        return v

    @field_validator("agencies")
    @classmethod
    def _some_agencies(cls, v: list[AgencyEntry]) -> list[AgencyEntry]:
        if not v:
            raise ValueError("registri tidak berisi satu instansi pun")
        return v


# --- where an error is -------------------------------------------------------------------


def _agency_name(raw: Any, i: int) -> str:
    entries = raw.get("agencies") if isinstance(raw, dict) else None
    entry = entries[i] if isinstance(entries, list) and i < len(entries) else None
    kode = entry.get("kode") if isinstance(entry, dict) else None
    return f"instansi #{i + 1} ({kode if kode is not None else '?'})"


def _where(raw: Any, loc: tuple) -> str:
    """('agencies', 2, 'format', 'delimeter') -> 'instansi #3 (KAB-X).format.delimeter'."""
    if len(loc) >= 2 and loc[0] == "agencies" and isinstance(loc[1], int):
        return _agency_name(raw, loc[1]) + "".join(f".{p}" for p in loc[2:])
    return ".".join(map(str, loc)) or "tingkat teratas"


# --- loading -------------------------------------------------------------------------------


def _file_format(layers: list[FormatLayer]) -> FileFormat:
    """Merge format layers (bureau-wide `common`, agency `format`, dataset) in that order;
    alias tables merge key by key, so a later layer adds to an earlier one."""
    merged: dict[str, Any] = {}
    headers: dict[str, str] = {}
    aliases: dict[str, dict[str, str]] = {}
    for layer in layers:
        given = layer.model_dump(exclude_unset=True, exclude={"header_aliases", "value_aliases"})
        merged.update(given)
        headers.update(layer.header_aliases)
        for col, mapping in layer.value_aliases.items():
            aliases.setdefault(col, {}).update(mapping)
    return FileFormat(**merged, header_aliases=headers, value_aliases=aliases)


def _agency(entry: AgencyEntry, common: FormatLayer) -> Agency:
    formats = {
        ds: _file_format([common, entry.format, entry.datasets.get(ds, FormatLayer())])
        for ds in DATASETS
    }
    api = ApiSource(**entry.api.model_dump()) if entry.api else None
    fields = entry.model_dump(exclude={"format", "datasets", "api"})
    return Agency(**fields, formats=formats, api=api)


def load_registry(path: str | Path, wilayah_seed: Path = WILAYAH_SEED) -> Registry:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise RegistryError(f"berkas registri tidak ditemukan: {path}") from e
    except yaml.YAMLError as e:
        raise RegistryError(f"{path}: {yaml_problem(e)}") from e
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: harus pemetaan dengan 'provinsi' dan 'agencies'")
    wilayah = load_wilayah(wilayah_seed)
    try:
        doc = RegistryFile.model_validate(raw, context={"wilayah": wilayah})
    except ValidationError as e:
        lines = plain_errors(e, RegistryFile, lambda loc: _where(raw, loc))
        raise RegistryError("\n".join(f"{path}: {line}" for line in lines)) from None
    # what needs the whole file: the province of each agency, unique codes
    kode_prov = doc.provinsi.kode_wilayah if doc.provinsi else None
    problems, seen = [], {}
    for i, a in enumerate(doc.agencies):
        if kode_prov and a.kode_wilayah.split(".")[0] != kode_prov:
            msg = f"{a.kode_wilayah!r} di luar provinsi {kode_prov}"
            problems.append(f"{_agency_name(raw, i)}.kode_wilayah: {msg}")
        if a.kode in seen:
            msg = f"kode {a.kode!r} sudah dipakai instansi #{seen[a.kode] + 1}"
            problems.append(f"{_agency_name(raw, i)}.kode: {msg}")
        seen.setdefault(a.kode, i)
    if problems:
        raise RegistryError("\n".join(f"{path}: {p}" for p in problems))
    agencies = tuple(_agency(a, doc.common) for a in doc.agencies)
    tenggat = {ds: (int(md[:2]), int(md[3:])) for ds, md in doc.tenggat.items()}
    baru: dict[str, list[str]] = {}
    for a in agencies:
        if a.kode_wilayah not in wilayah:
            baru.setdefault(a.kode_wilayah, []).append(a.kode)
    wilayah_baru = {k: tuple(v) for k, v in sorted(baru.items())}
    if doc.provinsi is None:
        registry = Registry(None, "Nasional", agencies, path, tenggat, wilayah_baru)
    else:
        nama = doc.provinsi.nama or wilayah[doc.provinsi.kode_wilayah]
        registry = Registry(doc.provinsi.kode_wilayah, nama, agencies, path, tenggat, wilayah_baru)
    return registry

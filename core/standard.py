"""The submission standard (../shared/submission-standard.md) as data: core/standard.yaml.

The datasets, their columns, types, allowed codes and ranges, and the rules across columns.
Every list of datasets in the project comes from here (`DATASETS`), so a new dataset is added
in standard.yaml (and its dbt staging model), not in code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.paths import STANDARD_FILE
from core.plain_errors import ConfigError, plain_errors, yaml_problem

ColumnType = Literal["nip", "text", "code", "integer", "number", "date", "golongan"]
CrossColumnRule = Literal[
    "golongan_sesuai_status",
    "penilai_bukan_pegawai",
    "selesai_tidak_sebelum_mulai",
    "id_responden_unik",
    "atasan_bukan_pegawai",
    "tanggal_dialog_dalam_tahun",
    "tanggal_penghargaan_dalam_tahun",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Column(_Frozen):
    name: str
    type: ColumnType
    required: bool = False  # the value must be present (and the column in the file)
    in_file: bool = False  # the column must be in the file, even if its values may be empty
    values: tuple[str, ...] = ()  # allowed codes
    min: int | float | None = None
    max: int | float | None = None
    min_exclusive: int | float | None = None
    free_text: bool = True  # a text column is free text unless it says not (a name, an ID)

    @property
    def is_free_text(self) -> bool:
        """Searched for personal data (core/personal_data.py): every text column that is not
        marked `free_text: false`; codes, NIPs, numbers and dates are not free text."""
        return self.type == "text" and self.free_text

    @model_validator(mode="before")
    @classmethod
    def _in_file_defaults_to_required(cls, data: dict) -> dict:
        if isinstance(data, dict) and "in_file" not in data:
            data = {**data, "in_file": bool(data.get("required", False))}
        return data


class Dataset(_Frozen):
    name: str
    description: str
    columns: tuple[Column, ...]
    cross_column_rules: tuple[CrossColumnRule, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def columns_required_in_file(self) -> list[str]:
        return [c.name for c in self.columns if c.required or c.in_file]

    @property
    def free_text_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_free_text]


class NipSpec(_Frozen):
    digits: int = Field(ge=2)
    separators: str
    max_separators: int = Field(ge=0)
    token: str
    rule: str


class NameSpec(_Frozen):
    max_words: int = Field(ge=1)
    token: str
    rule: str


class PersonalDataSpec(_Frozen):
    """What counts as personal data in free text (core/personal_data.py)."""

    nip: NipSpec
    nama: NameSpec


class Standard(_Frozen):
    datasets: dict[str, Dataset]
    golongan: dict[str, tuple[str, ...]] = Field(description="allowed golongan per status")
    personal_data: PersonalDataSpec

    @model_validator(mode="before")
    @classmethod
    def _names_from_keys(cls, data: dict) -> dict:
        """In the YAML, datasets and columns are mappings keyed by name."""
        datasets = {}
        for name, spec in (data.get("datasets") or {}).items():
            spec = dict(spec or {})
            cols = spec.get("columns") or {}
            spec["columns"] = [{"name": c, **(v or {})} for c, v in cols.items()]
            datasets[name] = {"name": name, **spec}
        return {**data, "datasets": datasets}


class StandardError(ConfigError):
    """standard.yaml is wrong; the message names the dataset, the column and the key."""


@cache
def load_standard(path: Path = STANDARD_FILE) -> Standard:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise StandardError(f"{path}: {yaml_problem(e)}") from e
    if not isinstance(raw, dict):
        raise StandardError(
            f"{path}: harus pemetaan dengan 'datasets', 'golongan' dan 'personal_data'"
        )
    try:
        return Standard.model_validate(raw)
    except ValidationError as e:
        lines = plain_errors(e, Standard, lambda loc: _where(raw, loc))
        raise StandardError("\n".join(f"{path}: {line}" for line in lines)) from None


def _where(raw: dict, loc: tuple) -> str:
    """('datasets', 'survei', 'columns', 3, 'type') -> 'datasets.survei.columns.u1.type'."""
    parts = list(loc)
    if len(parts) > 3 and parts[0] == "datasets" and parts[2] == "columns":
        names = list(((raw.get("datasets") or {}).get(parts[1]) or {}).get("columns") or {})
        if isinstance(parts[3], int) and parts[3] < len(names):
            parts[3] = names[parts[3]]
    return ".".join(map(str, parts)) or "tingkat teratas"


# the datasets of the standard, in the standard's order
DATASETS: tuple[str, ...] = tuple(load_standard().datasets)

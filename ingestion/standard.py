"""The submission standard, loaded from standard.yaml: datasets, their columns and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

STANDARD_FILE = Path(__file__).with_name("standard.yaml")
DATASETS = ("pegawai", "penilaian", "pelatihan", "survei")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    in_file: bool = False
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[Column, ...]
    cross_column_rules: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def columns_required_in_file(self) -> list[str]:
        return [c.name for c in self.columns if c.required or c.in_file]


@dataclass(frozen=True)
class Standard:
    datasets: dict[str, Dataset]
    golongan: dict[str, tuple[str, ...]]


@cache
def load_standard(path: Path = STANDARD_FILE) -> Standard:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    datasets = {}
    for name, spec in raw["datasets"].items():
        cols = []
        for col_name, c in spec["columns"].items():
            cols.append(
                Column(
                    name=col_name,
                    type=c["type"],
                    required=bool(c.get("required", False)),
                    in_file=bool(c.get("in_file", c.get("required", False))),
                    values=tuple(c.get("values", ())),
                    min=c.get("min"),
                    max=c.get("max"),
                    min_exclusive=c.get("min_exclusive"),
                )
            )
        datasets[name] = Dataset(
            name=name,
            columns=tuple(cols),
            cross_column_rules=tuple(raw.get("cross_column_rules", {}).get(name, ())),
        )
    golongan = {k: tuple(v) for k, v in raw["golongan"].items()}
    return Standard(datasets=datasets, golongan=golongan)

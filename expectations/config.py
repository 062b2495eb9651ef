"""Thresholds and severities of the quality gates (expectations/config.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.plain_errors import ConfigError, plain_errors, yaml_problem
from core.standard import DATASETS

CONFIG_FILE = Path(__file__).with_name("config.yaml")
# block: publication stops in that run; warn: reported, publication goes on
Severity = Literal["block", "warn"]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RawGates(_Schema):
    rejected_share_max: float = Field(gt=0, le=1)
    severity: dict[str, Severity]  # by rule


class MartGates(_Schema):
    predikat_sum_tolerance: float = Field(ge=0)
    headcount_change_max: float = Field(gt=0)
    severity: dict[str, Severity]  # by rule


class IndicatorChange(_Schema):
    max_change: float = Field(gt=0)  # in the indicator's own unit
    datasets: list[str] = Field(min_length=1)  # the submissions held when it moves more

    @field_validator("datasets")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(DATASETS))
        if unknown:
            raise ValueError(f"dataset tidak dikenal {unknown}; dataset standar: {list(DATASETS)}")
        return value


class SubmissionChecks(_Schema):
    drop_share_max: float = Field(gt=0, lt=1)
    drop_min_rows_before: int = Field(ge=0)
    indicator_change_max: dict[str, IndicatorChange]


class GateConfig(_Schema):
    """config.yaml as written."""

    raw: RawGates
    marts: MartGates
    submissions: SubmissionChecks
    # check name -> what it protects, one Indonesian sentence (the Dagster check's description)
    deskripsi: dict[str, str]


class GateConfigError(ConfigError):
    """config.yaml is wrong; the message names the file and the key."""


@cache
def load_gate_config(path: Path = CONFIG_FILE) -> dict:
    """The validated config as a plain dict (cfg["raw"]["severity"][rule], ...)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise GateConfigError(f"{path}: {yaml_problem(e)}") from e
    try:
        return GateConfig.model_validate(raw).model_dump()
    except ValidationError as e:
        lines = plain_errors(e, GateConfig)
        raise GateConfigError("\n".join(f"{path}: {line}" for line in lines)) from None

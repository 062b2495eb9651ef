"""Resource limits of ingestion, from config/limits.yaml (typed; errors in plain words)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.paths import CONFIG_DIR
from core.plain_errors import ConfigError, plain_errors, yaml_problem

LIMITS_FILE = CONFIG_DIR / "limits.yaml"


class Limits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file_bytes: int = Field(200 * 2**20, gt=0)
    uncompressed_bytes: int = Field(2**30, gt=0)
    rows: int = Field(2_000_000, gt=0)
    cell_chars: int = Field(10_000, gt=0)
    json_depth: int = Field(64, ge=3)
    api_pages: int = Field(1000, gt=0)
    api_bytes: int = Field(200 * 2**20, gt=0)
    settle_seconds: float = Field(60, ge=0)


@cache
def load_limits(path: Path = LIMITS_FILE) -> Limits:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: {yaml_problem(e)}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: harus pemetaan (kunci: nilai)")
    try:
        return Limits(**raw)
    except ValidationError as e:
        lines = plain_errors(e, Limits)
        raise ConfigError("\n".join(f"{path}: {line}" for line in lines)) from None

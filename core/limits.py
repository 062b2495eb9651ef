"""Resource limits of ingestion, from config/limits.yaml (typed; errors in plain words)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.paths import CONFIG_DIR
from core.plain_errors import plain_errors

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
        return Limits(**(yaml.safe_load(path.read_text(encoding="utf-8")) or {}))
    except ValidationError as e:
        raise ValueError(f"{path}: " + "; ".join(plain_errors(e, Limits))) from e

"""Thresholds and severities of the quality gates (expectations/config.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

CONFIG_FILE = Path(__file__).with_name("config.yaml")
SEVERITIES = {"block", "warn"}


@cache
def load_gate_config(path: Path = CONFIG_FILE) -> dict:
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    for part in ("raw", "marts"):
        bad = {k: v for k, v in cfg[part]["severity"].items() if v not in SEVERITIES}
        if bad:
            raise ValueError(f"{path}: {part}.severity values must be block or warn: {bad}")
    return cfg

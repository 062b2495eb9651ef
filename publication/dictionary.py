"""The data dictionary of the published tables, from the dbt docs (manifest.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import yaml

from core.paths import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
LABELS = Path(__file__).with_name("labels.yaml")


@cache
def labels() -> dict[str, str]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))


def column_docs(model: str, manifest: Path = MANIFEST) -> dict[str, dict]:
    """{column: {"label", "description", "data_type"}} for a dbt model, in model order."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    node = next(
        n for n in nodes.values() if n["resource_type"] == "model" and _relation(n) == model
    )
    return {
        name: {
            "label": labels().get(name, name),
            "description": col.get("description", ""),
            "data_type": col.get("data_type") or "",
        }
        for name, col in node["columns"].items()
    }


def model_description(model: str, manifest: Path = MANIFEST) -> str:
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    return next(
        n["description"]
        for n in nodes.values()
        if n["resource_type"] == "model" and _relation(n) == model
    )


def _relation(node: dict) -> str:
    """A model's relation name: its alias (fct_temuan is published as temuan)."""
    return node.get("alias") or node["name"]

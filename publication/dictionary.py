"""The data dictionary of the published tables, from the dbt docs (manifest.json).

Every published column has its Indonesian definition once, in the dbt YAML beside its model:
`config: {meta: {deskripsi: "..."}}` (the model too). The dbt docs show it (a column's
details) and the workbooks' `Kamus Data` sheet reads it from here."""

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


def deskripsi(node_or_column: dict) -> str:
    """The Indonesian definition (`meta.deskripsi`, under `config:` or directly)."""
    meta = {
        **(node_or_column.get("meta") or {}),
        **(node_or_column.get("config") or {}).get("meta", {}),
    }
    return " ".join(str(meta.get("deskripsi") or "").split())


def _node(model: str, manifest: Path) -> dict:
    stat = manifest.stat()
    return _models(manifest, stat.st_mtime_ns, stat.st_size)[model]


@cache
def _models(manifest: Path, _mtime_ns: int, _size: int) -> dict[str, dict]:
    """The manifest's models by relation name, read once per version of the file (it is
    several MB: every published table and workbook asks for its columns)."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    return {_relation(n): n for n in nodes.values() if n["resource_type"] == "model"}


def column_docs(model: str, manifest: Path = MANIFEST) -> dict[str, dict]:
    """{column: {"label", "deskripsi", "description", "data_type"}} for a dbt model, in model
    order (`description`: the developers' English one)."""
    return {
        name: {
            "label": labels().get(name, name),
            "deskripsi": deskripsi(col),
            "description": col.get("description", ""),
            "data_type": col.get("data_type") or "",
        }
        for name, col in _node(model, manifest)["columns"].items()
    }


def model_description(model: str, manifest: Path = MANIFEST) -> str:
    """The model's Indonesian description (meta.deskripsi)."""
    return deskripsi(_node(model, manifest))


def _relation(node: dict) -> str:
    """A model's relation name: its alias (fct_temuan is published as temuan)."""
    return node.get("alias") or node["name"]

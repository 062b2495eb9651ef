"""Configuration is read once (core.settings) and reaches Dagster through resources."""

import re

import pytest
from dagster import EnvVar

from core.paths import PROJECT_ROOT
from core.registry import load_registry
from core.settings import VARIABLES, Settings
from orchestration.resources import AgencyApiResource, AlertWebhookResource


def test_paths_follow_the_home_unless_set(tmp_path):
    s = Settings.from_env({"KINERJA_HOME": str(tmp_path), "KINERJA_ARCHIVE": "/srv/arsip"})
    assert (
        s.landing == tmp_path / "landing" and s.warehouse == tmp_path / "warehouse" / "kerja.duckdb"
    )
    assert s.archive.as_posix() == "/srv/arsip" and s.instance_home == tmp_path / "dagster_home"
    assert s.dagster_storage == "sqlite" and s.duckdb_memory_limit == "4GB"
    s = Settings.from_env({"KINERJA_HOME": str(tmp_path), "KINERJA_READ_WORKERS": "3",
                           "DAGSTER_HOME": "/srv/dagster", "KINERJA_DUCKDB_MEMORY_LIMIT": "2GB"})  # fmt: skip
    assert (s.read_workers, s.instance_home.as_posix(), s.duckdb_memory_limit) == (
        3, "/srv/dagster", "2GB",
    )  # fmt: skip


def test_a_wrong_storage_name_is_refused_in_plain_words(tmp_path):
    with pytest.raises(
        ValueError, match="KINERJA_DAGSTER_STORAGE harus sqlite atau postgres, bukan 'mysql'"
    ):
        Settings.from_env({"KINERJA_HOME": str(tmp_path), "KINERJA_DAGSTER_STORAGE": "mysql"})


def test_every_variable_is_in_the_readme_table():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment variables)")[1].split("\n## ")[0]
    documented = re.findall(r"^\| `([A-Z_<>]+)` \|", section, flags=re.M)
    assert sorted(documented) == sorted(VARIABLES)


def test_optional_secrets_are_bound_only_when_set(tmp_path):
    registry = load_registry(PROJECT_ROOT / "config" / "agencies.yaml")
    unset = Settings.from_env({"KINERJA_HOME": str(tmp_path)})
    assert AgencyApiResource.from_registry(registry, unset).tokens == {}
    assert AlertWebhookResource.from_settings(unset).url is None
    set_ = Settings.from_env({"KINERJA_HOME": str(tmp_path), "KINERJA_ALERT_WEBHOOK": "http://x",
                              "KINERJA_TOKEN_KOTA_GORONTALO": "t"})  # fmt: skip
    tokens = AgencyApiResource.from_registry(registry, set_).tokens
    assert tokens == {"KOTA-GORONTALO": EnvVar("KINERJA_TOKEN_KOTA_GORONTALO")}
    assert AlertWebhookResource.from_settings(set_).url == EnvVar("KINERJA_ALERT_WEBHOOK")

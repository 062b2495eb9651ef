"""Which dbt nodes an incremental build runs (orchestration/build_selection.py): the models
that depend on a raw input that changed since the last successful build, and no other."""

import json

import duckdb
import pytest

from orchestration.assets.warehouse import dbt_project, ensure_manifest
from orchestration.build_selection import (
    changed_units,
    datasets_of,
    input_fingerprints,
    node_units,
    selection,
    unselected_models,
)


@pytest.fixture(scope="module")
def manifest():
    return json.loads(ensure_manifest(dbt_project()).read_text(encoding="utf-8"))


def test_one_resent_dataset_selects_its_chain_and_leaves_the_others(manifest):
    chosen = set(selection(manifest, {"penilaian"}))
    for name in ("stg_raw__penilaian", "int_penilaian_berlaku", "int_ip_asn", "fct_penilaian",
                 "fct_pegawai_tahun", "int_indikator_basis", "fct_indikator_wilayah",
                 "fct_temuan", "fct_mutu_data_instansi", "stg_raw__file_years",
                 "stg_raw__load_log", "source:raw.penilaian", "source:raw.load_log"):  # fmt: skip
        assert name in chosen, name
    # the reward's selaras comes from the appraisal's predikat
    assert "int_penghargaan_berlaku" in chosen
    for name in ("stg_raw__pelatihan", "int_pelatihan_berlaku", "fct_pelatihan", "fct_survei",
                 "stg_raw__survei", "int_pegawai_tahun", "dim_pegawai", "fct_dialog_kinerja",
                 "source:raw.pelatihan"):  # fmt: skip
        assert name not in chosen, name
    left = unselected_models(manifest, chosen)
    assert "model.kinerja.fct_pelatihan" in left
    assert all(uid not in left for uid in ("model.kinerja.fct_penilaian",))
    # seeds are never rebuilt by a selection: a changed seed is a changed rules fingerprint
    assert {uid for uid in left if uid.startswith("seed.")} == {
        uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "seed"
    }


def test_a_new_roster_reaches_every_model(manifest):
    # every staging model masks the roster's names in free text
    chosen = set(selection(manifest, {"pegawai"}))
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    independent = {"dim_wilayah", "dim_instansi", "stg_raw__instansi",
                   "stg_raw__predikat_organisasi"}  # fmt: skip
    assert models - chosen == independent


def test_the_load_log_counts_as_every_dataset_except_for_incremental_models(manifest):
    units = node_units(manifest)
    every = frozenset(datasets_of(manifest))
    assert units["model.kinerja.stg_raw__load_log"] == every
    assert units["model.kinerja.fct_mutu_data_instansi"] >= every
    # an incremental model reads the load log only for what changed in its own datasets
    assert units["model.kinerja.int_pelatihan_berlaku"] == {"pegawai", "pelatihan"}
    assert units["model.kinerja.stg_raw__survei"] == {"pegawai", "survei"}
    assert selection(manifest, set()) == []


def test_fingerprints_follow_each_dataset_and_holds(manifest):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    for d in datasets_of(manifest):
        con.execute(f"CREATE TABLE raw.{d} (file_sha256 VARCHAR, kode_instansi VARCHAR)")
    con.execute(
        "CREATE TABLE raw.load_log (file_sha256 VARCHAR, kode_instansi VARCHAR, dataset VARCHAR, "
        "submitted_at TIMESTAMP, status VARCHAR)"
    )
    con.execute(
        "CREATE TABLE raw.penahanan (file_sha256 VARCHAR, dataset VARCHAR, tahun INTEGER, "
        "diterima_pada TIMESTAMP)"
    )
    con.execute("CREATE TABLE raw.instansi (kode_instansi VARCHAR)")
    before = input_fingerprints(con, manifest)
    assert changed_units(before, before) == set()
    con.execute("INSERT INTO raw.load_log VALUES ('a', 'X', 'survei', '2026-01-01', 'quarantined')")
    after = input_fingerprints(con, manifest)
    assert changed_units(after, before) == {"survei"}
    # an earlier revision sent again moves its submission time: that dataset changed
    con.execute("UPDATE raw.load_log SET submitted_at = '2026-02-01'")
    assert changed_units(input_fingerprints(con, manifest), after) == {"survei"}
    # a hold, or its acceptance
    now = input_fingerprints(con, manifest)
    con.execute("INSERT INTO raw.penahanan VALUES ('b', 'pelatihan', 2025, NULL)")
    held = input_fingerprints(con, manifest)
    assert changed_units(held, now) == {"pelatihan"}
    con.execute("UPDATE raw.penahanan SET diterima_pada = '2026-03-01'")
    assert changed_units(input_fingerprints(con, manifest), held) == {"pelatihan"}
    con.execute("INSERT INTO raw.instansi VALUES ('X')")
    assert "instansi" in changed_units(input_fingerprints(con, manifest), held)
    # a raw table whose columns changed: its models run again (and fail if they no longer fit)
    now = input_fingerprints(con, manifest)
    con.execute("ALTER TABLE raw.pelatihan RENAME COLUMN kode_instansi TO kode")
    assert changed_units(input_fingerprints(con, manifest), now) == {"pelatihan"}
    con.execute("ALTER TABLE raw.load_log ADD COLUMN catatan VARCHAR")
    assert changed_units(input_fingerprints(con, manifest), now) == set(datasets_of(manifest))

"""A new regency (pemekaran) registered before the region seed has its code: the nightly run
goes on, the region is published under a provisional name that says so, with the figures its
agency's data gives, and the operator is warned (run summary, `kinerja status`)."""

import contextlib
import csv
import io

import duckdb
import pytest
import yaml
from dagster import AssetKey, DagsterInstance
from rich.console import Console

from core.registry import load_registry, nama_wilayah_sementara
from orchestration.cli import main
from orchestration.status import collect, render
from tests.conftest import cli_env, copy_province, pseudonym_key_set

pytestmark = pytest.mark.slow  # a nightly run (a full refresh: the registry changed)

NEW = "75.06"  # Gorontalo has 75.01-75.05 and 75.71: a well-formed code the seed lacks
PROVISIONAL = "Kab. 75.06 (nama belum ada di data wilayah)"


def _indikator(con) -> dict[str, dict]:
    cur = con.execute("SELECT * FROM marts.indikator_wilayah WHERE tahun = 2025")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


@pytest.fixture(scope="module")
def moved(hand_built, tmp_path_factory):
    """The hand province with KAB-2 registered in the new regency 75.06 instead of 75.02,
    refreshed by the operator's `kinerja refresh`; with the published figures from before the
    move, the command's exit code, output and Dagster home."""
    tmp = tmp_path_factory.mktemp("wilayah_baru")
    s = copy_province(hand_built[0], tmp / "home")
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        before = _indikator(con)
    doc = yaml.safe_load(s.registry.read_text(encoding="utf-8"))
    [kab2] = [a for a in doc["agencies"] if a["kode"] == "KAB-2"]
    kab2["kode_wilayah"] = NEW
    s.registry.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, pseudonym_key_set():
        for name, value in cli_env(s, tmp / "dagster").items():
            mp.setenv(name, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["refresh"])
    return s, before, (code, out.getvalue(), err.getvalue()), tmp / "dagster"


def test_the_run_goes_on_publishes_and_warns(moved):
    s, _, (code, out, err), dagster_home = moved
    # exit code 0: every step ran, no check blocked, published
    assert code == 0, out + err
    assert f"TERBIT: {s.published / 'runs'}" in out
    # the operator is warned before the run (stderr) and in the run's summary (stdout)
    warning = [
        "PERINGATAN: 1 kode kabupaten/kota di registri (1 instansi) belum ada di data wilayah",
        f'- {NEW} "{PROVISIONAL}": KAB-2',
    ]
    for text in (out, err):
        assert all(w in text for w in warning), text
    # the run's registry step records it (Dagster UI, alerts)
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        [mat] = instance.fetch_materializations(AssetKey(["raw", "instansi"]), limit=1).records
    meta = mat.asset_materialization.metadata
    assert meta["wilayah_belum_dikenal"].value == {NEW: ["KAB-2"]}


def test_the_new_region_is_published_with_its_agencys_figures(moved):
    s, before, *_ = moved
    assert nama_wilayah_sementara(NEW) == PROVISIONAL  # the dbt macro writes the same words
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        after = _indikator(con)
        dim = con.execute(
            "SELECT * FROM marts.dim_wilayah WHERE kode_wilayah IN ('75.02', ?) ORDER BY 1", [NEW]
        ).fetchall()
        n_regions = con.execute("SELECT count(*) FROM marts.dim_wilayah").fetchone()[0]
        instansi = con.execute(
            "SELECT kode_wilayah, nama_wilayah, kode_provinsi FROM marts.dim_instansi "
            "WHERE kode_instansi = 'KAB-2'"
        ).fetchone()
        per_agency = con.execute(
            "SELECT DISTINCT kode_wilayah FROM marts.indikator_instansi WHERE kode_instansi = 'KAB-2'"
        ).fetchall()
    # KAB-2's figures move from 75.02 to the new region unchanged; the rest does not move
    assert set(after) == {"75", "75.01", NEW}
    assert after[NEW] == {**before["75.02"], "kode_wilayah": NEW, "nama_wilayah": PROVISIONAL}
    assert after["75"] == before["75"] and after["75.01"] == before["75.01"]
    # the region list: the seed's 552 regions (75.02 among them) and the provisional one
    assert dim == [
        ("75.02", "Kab. Boalemo", "kabupaten", "75"),
        (NEW, PROVISIONAL, "kabupaten", "75"),
    ]
    assert n_regions == 553
    assert instansi == (NEW, PROVISIONAL, "75")
    assert per_agency == [(NEW,)]
    # what people read
    with (s.published / "latest" / "indikator_wilayah.csv").open(encoding="utf-8") as f:
        published = {(r["kode_wilayah"], r["nama_wilayah"]) for r in csv.DictReader(f)}
    assert (NEW, PROVISIONAL) in published
    assert not any(kode == "75.02" for kode, _ in published)


def test_status_names_the_new_region_and_its_agency(moved):
    s, *_ = moved
    registry = load_registry(s.registry)
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        status = collect(con, s, registry)
    assert status["wilayah_belum_dikenal"] == [
        {"kode_wilayah": NEW, "nama_sementara": PROVISIONAL, "instansi": ["KAB-2"]}
    ]
    out = io.StringIO()
    render(status, Console(file=out, width=200, highlight=False))
    text = out.getvalue()
    assert "PERINGATAN: 1 kode kabupaten/kota di registri (1 instansi) belum ada" in text
    assert f'- {NEW} "{PROVISIONAL}": KAB-2' in text

"""Each GX suite fails on a known-bad fixture and passes on a clean one."""

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from core.standard import load_standard
from expectations.config import load_gate_config
from expectations.gates import NIP_COUNTS, marts_gate, personal_data_gate, raw_gate
from expectations.runner import GateContext
from tests.conftest import agency
from tests.ingesting import ingest_file

CFG = load_gate_config()


@pytest.fixture(scope="module")
def gx(tmp_path_factory):
    return GateContext(tmp_path_factory.mktemp("gx"))


def load_csv(con, tmp_path, dataset, text, run_id="run-1", name="f.csv"):
    p = tmp_path / name
    p.write_text(text)
    return ingest_file(
        con, path=p, file_name=name, agency=agency("KAB-X"), dataset=dataset, standard=load_standard(),
        archive_root=tmp_path / "a", submitted_at=dt.datetime(2026, 1, 1), run_id=run_id,
    )  # fmt: skip


H = "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,jenis_jabatan,pendidikan,hukuman_disiplin"
ROW = "198609262015051001,Budi,2025,Umum,L,1986-09-26,PNS,III/a,pelaksana,S1,tidak_ada"


def test_raw_suite_passes_on_clean_batch(con, tmp_path, gx):
    load_csv(con, tmp_path, "pegawai", f"{H}\n{ROW}\n")
    out = raw_gate(con, "run-1", load_standard(), CFG, gx)
    assert out["pegawai"].rows == 1 and out["pegawai"].failures == []
    assert out["files"].failures == []


def test_raw_suite_blocks_a_bad_nip_that_got_into_raw(con, tmp_path, gx):
    load_csv(con, tmp_path, "pegawai", f"{H}\n{ROW}\n")
    # defence in depth: a row that bypassed ingestion's rules (e.g. a manual fix in the DB)
    con.execute("UPDATE raw.pegawai SET nip = '1.98609E+17', status_kepegawaian = 'Honorer'")
    out = raw_gate(con, "run-1", load_standard(), CFG, gx)
    rules = {(f.rule, f.column, f.severity) for f in out["pegawai"].failures}
    assert ("nip_format", "nip", "block") in rules
    assert ("allowed_codes", "status_kepegawaian", "block") in rules
    assert out["pegawai"].failures[0].examples == ["KAB-X"]


def test_raw_files_warn_on_high_rejected_share_naming_the_agency(con, tmp_path, gx):
    bad = ROW.replace(",L,", ",X,")
    load_csv(con, tmp_path, "pegawai", f"{H}\n{ROW}\n{bad}\n")
    out = raw_gate(con, "run-1", load_standard(), CFG, gx)
    (f,) = out["files"].failures
    assert (f.rule, f.severity) == ("rejected_share", "warn")
    assert f.examples == ["KAB-X: f.csv"]
    assert out["files"].blocking == []


def test_raw_gate_checks_only_this_runs_files(con, tmp_path, gx):
    load_csv(con, tmp_path, "pegawai", f"{H}\n{ROW}\n", run_id="old")
    assert raw_gate(con, "new", load_standard(), CFG, gx) == {}


def indikator_row(**overrides):
    row = dict(
        kode_wilayah="75.01", nama_wilayah="Kab. Gorontalo", tahun=2025, jumlah_pegawai=10,
        jumlah_dinilai=10, cakupan_penilaian_pct=100.0, pct_sangat_baik=10.0, pct_baik=70.0,
        pct_butuh_perbaikan=10.0, pct_kurang_misconduct=5.0, pct_sangat_kurang=5.0, rata_jp=20.0,
        pct_pns_memenuhi_20jp=50.0, jumlah_responden=10, ikm=76.60, mutu_ikm="C",
        jumlah_pns_ip_asn=8, rata_ip_asn=72.5, pct_ip_sangat_tinggi=12.5, pct_ip_tinggi=12.5,
        pct_ip_sedang=37.5, pct_ip_rendah=25.0, pct_ip_sangat_rendah=12.5, pct_dialog_lengkap=40.0,
        rata_triwulan_dialog=2.6, jumlah_penerima_penghargaan=5, pct_penghargaan_selaras=80.0,
    )  # fmt: skip
    row.update(overrides)
    return row


def marts_db(tmp_path, wilayah_rows, name="w.duckdb"):
    con = duckdb.connect(str(tmp_path / name))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA ref")
    con.execute(
        "CREATE TABLE ref.ikm_mutu AS SELECT * FROM (VALUES ('D', 25.00, 64.99), ('C', 65.00, 76.60), "
        "('B', 76.61, 88.30), ('A', 88.31, 100.00)) t(mutu, ikm_bawah, ikm_atas)"
    )
    wil = pd.DataFrame(wilayah_rows)
    ins = wil.rename(columns={"kode_wilayah": "kode_instansi", "nama_wilayah": "nama_instansi"})
    con.register("wil", wil)
    con.register("ins", ins)
    con.execute("CREATE TABLE marts.indikator_wilayah AS SELECT * FROM wil")
    con.execute("CREATE TABLE marts.indikator_instansi AS SELECT * FROM ins")
    return con


def test_marts_suite_passes_on_clean_marts(tmp_path, gx):
    con = marts_db(
        tmp_path, [indikator_row(), indikator_row(kode_wilayah="75", ikm=88.31, mutu_ikm="A")]
    )
    out = marts_gate(con, None, CFG, gx)
    assert all(o.failures == [] for o in out.values()), {
        k: [f.describe() for f in o.failures] for k, o in out.items()
    }


@pytest.mark.parametrize(
    "bad, rule",
    [
        (dict(pct_baik=150.0, pct_sangat_baik=-60.0), "pct_range"),
        (dict(pct_baik=60.0), "predikat_sum"),
        (dict(ikm=20.0, mutu_ikm="D"), "ikm_range"),
        (dict(ikm=76.61, mutu_ikm="C"), "mutu_consistent"),
        (dict(cakupan_penilaian_pct=100.5), "cakupan_max"),
        (dict(pct_ip_sedang=47.5), "ip_asn_sum"),
        (dict(rata_ip_asn=100.01), "ip_asn_range"),
        (dict(rata_triwulan_dialog=4.2), "triwulan_range"),
        (dict(pct_dialog_lengkap=101.0), "pct_range"),
        (dict(pct_penghargaan_selaras=-1.0), "pct_range"),
    ],
)
def test_marts_suite_blocks_a_broken_row(tmp_path, gx, bad, rule):
    con = marts_db(tmp_path, [indikator_row(), indikator_row(kode_wilayah="75.02", **bad)])
    out = marts_gate(con, None, CFG, gx)
    found = [f for f in out["indikator_wilayah"].blocking if f.rule == rule]
    assert found and found[0].examples == ["75.02"]


def test_suppressed_ip_asn_shares_are_not_summed(tmp_path, gx):
    empty = {c: None for c in ("rata_ip_asn", "pct_ip_sangat_tinggi", "pct_ip_tinggi",
                               "pct_ip_sedang", "pct_ip_rendah", "pct_ip_sangat_rendah")}  # fmt: skip
    con = marts_db(tmp_path, [indikator_row(), indikator_row(kode_wilayah="75.02", **empty)])
    out = marts_gate(con, None, CFG, gx)
    assert out["indikator_wilayah"].blocking == []


def test_an_nip_in_a_published_text_column_blocks_naming_table_and_column(tmp_path, gx):
    bad = indikator_row(kode_wilayah="75.02", nama_wilayah="198609262015051001")
    con = marts_db(tmp_path, [indikator_row(), bad])
    out = marts_gate(con, None, CFG, gx)
    found = [f for f in out["tanpa_data_pribadi"].blocking if f.rule == "no_personal_data"]
    assert found and "indikator_wilayah.nama_wilayah" in found[0].examples
    # scanned once: the indicator suite does not repeat the personal-data scan
    assert not [f for f in out["indikator_wilayah"].failures if f.rule == "no_personal_data"]


def test_marts_suite_warns_on_missing_agency_and_headcount_jump(tmp_path, gx):
    prev = marts_db(tmp_path, [indikator_row(jumlah_pegawai=100)], name="prev.duckdb")
    prev.close()
    con = marts_db(tmp_path, [indikator_row(jumlah_pegawai=150), indikator_row(kode_wilayah="75.02", jumlah_pegawai=0,
                   jumlah_dinilai=0, cakupan_penilaian_pct=None, **{p: None for p in (
                       "pct_sangat_baik", "pct_baik", "pct_butuh_perbaikan", "pct_kurang_misconduct",
                       "pct_sangat_kurang")})])  # fmt: skip
    out = marts_gate(con, tmp_path / "prev.duckdb", CFG, gx)
    warn = {(f.rule, tuple(f.examples)) for f in out["indikator_wilayah"].warnings}
    assert ("agency_missing", ("75.02",)) in warn
    assert ("headcount_change", ("75.01",)) in warn
    assert out["indikator_wilayah"].blocking == []


def test_personal_data_gate(tmp_path, gx):
    con = duckdb.connect(str(tmp_path / "p.duckdb"))
    con.execute("CREATE SCHEMA marts")
    key = "e3b0c44298fc1c14" + "198511232019772001" + "a" * 30  # a digest is no NIP
    con.execute(f"CREATE TABLE marts.ok AS SELECT '{key}' AS pegawai_key, 2025 AS tahun")
    assert personal_data_gate(con, CFG, gx).failures == []
    con.execute("CREATE TABLE marts.bad AS SELECT '198609262015051001' AS nip, 'Budi' AS nama")
    failures = personal_data_gate(con, CFG, gx).failures
    assert {f.severity for f in failures} == {"block"}
    assert set(failures[0].examples) | set(failures[-1].examples) >= {"bad.nip"}
    # an NIP inside free text, split as people write it, is found too
    con.execute("DROP TABLE marts.bad")
    con.execute(
        "CREATE TABLE marts.teks AS SELECT 'Narasumber NIP.19860926 201505 1 001' AS penyelenggara"
    )
    (failure,) = personal_data_gate(con, CFG, gx).failures
    assert failure.examples == ["teks.penyelenggara"] and failure.severity == "block"
    # the counts are kept per mart with the fingerprint of its text (nilai_mirip_nip.json):
    # a value changed in place, the row count the same, is counted again
    con.execute("UPDATE marts.teks SET penyelenggara = 'BPSDM'")
    assert personal_data_gate(con, CFG, gx).failures == []
    con.execute("UPDATE marts.teks SET penyelenggara = 'oleh 198609262015051001'")
    (failure,) = personal_data_gate(con, CFG, gx).failures
    assert failure.examples == ["teks.penyelenggara"]
    memo = json.loads((gx.root / NIP_COUNTS).read_text())["tables"]
    assert (
        memo["teks"]["counts"] == {"penyelenggara": 1} and memo["ok"]["counts"]["pegawai_key"] == 0
    )

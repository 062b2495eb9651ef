"""End-to-end ingest of the demo province through Dagster into a temporary DuckDB file."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import DagsterInstance
from python_calamine import CalamineWorkbook

from core.registry import load_registry
from core.standard import DATASETS
from orchestration.definitions import INGEST_JOB, build_defs
from orchestration.run import run_job
from tests.conftest import DEMO_TOKEN

TABLES = [*DATASETS, "rejects"]


def hashes(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def rows_in(path, fmt) -> int:
    """Data rows in an agency file, counted independently of the ingestion code."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding=fmt.encoding))
        return len(doc["data"] if isinstance(doc, dict) else doc)
    if path.suffix == ".xlsx":
        cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(fmt.sheet).to_python()
        return sum(1 for r in cells[fmt.header_row :] if any(str(c).strip() for c in r))
    return len(pd.read_csv(path, sep=fmt.delimiter, encoding=fmt.encoding, dtype=str))


def table_counts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in TABLES}
        counts["load_log"] = con.execute("SELECT count(*) FROM raw.load_log").fetchone()[0]
    return counts


@pytest.fixture(scope="module")
def ingested(demo_province):
    s = demo_province
    before = hashes(s.landing)
    defs = build_defs(s)
    registry = load_registry(s.registry)
    with DagsterInstance.ephemeral() as instance:
        result = run_job(defs, INGEST_JOB, registry.codes, instance)
    assert result.success
    return s, registry, before


def test_every_agency_loaded_and_read_equals_loaded_plus_rejected(ingested):
    s, registry, _ = ingested
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        log = con.execute(
            "SELECT kode_instansi, file_name, status, rows_read, rows_loaded, rows_rejected FROM raw.load_log"
        ).fetchall()
    by_agency = {}
    for kode, name, status, read, loaded, rejected in log:
        assert read == loaded + rejected
        by_agency.setdefault(kode, []).append((name, status, read))
    assert sorted(by_agency) == sorted(registry.codes)
    for kode, files in by_agency.items():
        agency = registry.agency(kode)
        for name, status, read in files:
            if status == "loaded":
                dataset = name.split("/")[1]
                assert read == rows_in(s.landing / name, agency.file_format(dataset)), name


def test_rejects_with_reasons(ingested):
    s, registry, _ = ingested
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        per_agency = dict(
            con.execute(
                "SELECT kode_instansi, count(DISTINCT (file_sha256, baris)) FROM raw.rejects GROUP BY 1"
            ).fetchall()
        )
        floats = con.execute(
            "SELECT count(*), min(alasan) FROM raw.rejects WHERE aturan = 'NIP_JADI_ANGKA' AND kode_instansi = 'KAB-GORONTALO'"
        ).fetchone()
        reasons = con.execute(
            "SELECT count(*) FROM raw.rejects WHERE alasan IS NULL OR baris IS NULL"
        ).fetchone()[0]
    # each agency's files carry 14 rows that break a rule (2 pegawai, 2 penilaian, 3 pelatihan,
    # 3 survei, 2 dialog_kinerja: dated outside its year, supervisor = employee; 2 penghargaan:
    # unknown kind, dated outside its year)
    for kode in registry.codes:
        if kode != "KAB-GORONTALO":
            assert per_agency[kode] == 14, kode
    # the Excel export also has NIPs that the spreadsheet turned into floats
    assert per_agency["KAB-GORONTALO"] > 10
    assert floats[0] > 0 and "tersimpan sebagai angka" in floats[1]
    assert reasons == 0


def test_corrupt_workbook_is_quarantined_and_others_go_on(ingested):
    s, *_ = ingested
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        q = con.execute(
            "SELECT file_name, reason FROM raw.load_log WHERE status = 'quarantined'"
        ).fetchall()
        pohuwato = con.execute(
            "SELECT count(*) FROM raw.pelatihan WHERE kode_instansi = 'KAB-POHUWATO'"
        ).fetchone()[0]
    assert len(q) == 1
    assert q[0][0] == "KAB-POHUWATO/pelatihan/pelatihan_2025_susulan.xlsx" and "rusak" in q[0][1]
    assert pohuwato > 0


def test_api_agency_pulled_and_revision_kept_beside_original(ingested):
    s, *_ = ingested
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        api = con.execute(
            "SELECT count(*) FROM raw.load_log WHERE kode_instansi = 'KOTA-GORONTALO'"
        ).fetchone()[0]
        disdik = con.execute(
            "SELECT count(*) FROM raw.load_log WHERE kode_instansi = 'DISDIK-PROV' AND dataset = 'penilaian'"
        ).fetchone()[0]
    assert api == len(DATASETS) and disdik == 2  # one pull per dataset of the standard


def test_second_run_loads_nothing_and_landing_is_untouched(ingested):
    s, registry, before = ingested
    counts = table_counts(s.warehouse)
    after_first = hashes(s.landing)
    # the originals are unchanged; the only new files are the API pulls
    assert {k: v for k, v in after_first.items() if k in before} == before
    assert all(k.startswith("KOTA-GORONTALO/") for k in set(after_first) - set(before))
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(s), INGEST_JOB, registry.codes, instance).success
    assert table_counts(s.warehouse) == counts
    assert hashes(s.landing) == after_first
    # every original is in the archive, byte for byte
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        for name, archive_path in con.execute(
            "SELECT file_name, archive_path FROM raw.load_log"
        ).fetchall():
            assert Path(archive_path).read_bytes() == (s.landing / name).read_bytes()


def test_one_agency_alone(ingested, tmp_path):
    s, registry, _ = ingested
    from dataclasses import replace

    alone = replace(s, warehouse=tmp_path / "alone.duckdb", archive=tmp_path / "archive")
    with DagsterInstance.ephemeral() as instance:
        assert run_job(build_defs(alone), INGEST_JOB, ["KAB-BOALEMO"], instance).success
    with duckdb.connect(str(alone.warehouse), read_only=True) as con:
        agencies = con.execute("SELECT DISTINCT kode_instansi FROM raw.load_log").fetchall()
    assert agencies == [("KAB-BOALEMO",)]


KILL_SCRIPT = """
import sys, duckdb
from pathlib import Path
from tests.ingesting import ingest_agency
from core.registry import load_registry
reg = load_registry(sys.argv[1])
con = duckdb.connect(sys.argv[2])
for a in reg.agencies:
    if a.delivery == "file":
        ingest_agency(con, a, landing=Path(sys.argv[3]), archive=Path(sys.argv[4]), workers=2)
con.close()
"""


def snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        out = {t: con.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall() for t in TABLES}
        out["load_log"] = con.execute(
            "SELECT file_sha256, kode_instansi, dataset, status, rows_read, rows_loaded, rows_rejected "
            "FROM raw.load_log ORDER BY ALL"
        ).fetchall()
    return out


def ingest_in_subprocess(s, db, archive, kill=None):
    """KILL_SCRIPT on every file agency; SIGKILLed after `kill` seconds when given."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    args = [
        sys.executable,
        "-c",
        KILL_SCRIPT,
        str(s.registry),
        str(db),
        str(s.landing),
        str(archive),
    ]
    p = subprocess.Popen(args, env=env)
    if kill:
        time.sleep(kill)
        p.send_signal(signal.SIGKILL)
    assert p.wait(timeout=300) in (0, -signal.SIGKILL)


@pytest.fixture(scope="module")
def clean_run(demo_province, tmp_path_factory):
    """One uninterrupted run (its warehouse and archive), the reference of the killed runs."""
    root = tmp_path_factory.mktemp("clean")
    ingest_in_subprocess(demo_province, root / "clean.duckdb", root / "a")
    return snapshot(root / "clean.duckdb"), root / "a"


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.8, 2.0])
def test_killed_run_then_rerun_equals_clean_run(demo_province, clean_run, tmp_path, kill_after):
    s = demo_province
    clean, clean_archive = clean_run
    # as after a clean run into the same archive: the originals are already there
    shutil.copytree(clean_archive, tmp_path / "a")
    ingest_in_subprocess(s, tmp_path / "killed.duckdb", tmp_path / "a", kill=kill_after)
    ingest_in_subprocess(s, tmp_path / "killed.duckdb", tmp_path / "a")
    assert snapshot(tmp_path / "killed.duckdb") == clean


def ingest_demo(demo_province, registry, where: Path, log_order: str, **kw) -> dict:
    """Ingest the demo province into a new warehouse under `where`: every raw table's rows,
    and the load log's figures (ordered by `log_order`)."""
    import ingestion.ingest as ingest_mod

    where.mkdir()
    with duckdb.connect(str(where / "w.duckdb")) as con:
        outcomes = ingest_mod.ingest_agencies(
            con, registry.agencies, landing=demo_province.landing, archive=where / "archive",
            api_tokens={"KOTA-GORONTALO": DEMO_TOKEN}, **kw,
        )  # fmt: skip
        assert not any(o.error for o in outcomes.values())
        dump = {t: con.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall() for t in TABLES}
        dump["load_log"] = con.execute(
            "SELECT file_sha256, kode_instansi, dataset, file_name, status, rows_read, "
            f"rows_loaded, rows_rejected, reason FROM raw.load_log ORDER BY {log_order}"
        ).fetchall()
        return dump


@pytest.mark.slow
def test_files_read_in_worker_processes_load_exactly_as_read_in_one(
    demo_province, tmp_path, monkeypatch
):
    """The pool of reader processes changes speed only: the same raw rows, rejects and
    load log, in the same order, as reading every file in the loading process."""
    import ingestion.ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "POOL_MIN_BYTES", 0)
    registry = load_registry(demo_province.registry)
    dumps = [
        ingest_demo(demo_province, registry, tmp_path / f"w{workers}", "loaded_at", workers=workers)
        for workers in (1, 2)
    ]
    assert dumps[0]["load_log"] and any(r[4] == "quarantined" for r in dumps[0]["load_log"])
    for t in dumps[0]:
        assert dumps[0][t] == dumps[1][t], t


@pytest.mark.slow
def test_set_based_batches_load_exactly_what_each_file_alone_loads(
    demo_province, tmp_path, monkeypatch
):
    """Checking many files in one query (ingestion/batch.py) changes speed only: the same
    raw rows, rejects (with each row as sent) and per-file figures as checking and writing
    every file alone, whether the batches are large or cut every few rows (mid-agency)."""
    import ingestion.ingest as ingest_mod

    registry = load_registry(demo_province.registry)

    def no_batches(con, batch, **kw):  # the file-by-file path a failed batch falls back to
        raise duckdb.Error("batch disabled")

    def run(name):
        return ingest_demo(demo_province, registry, tmp_path / name, "ALL")

    written = []
    real = ingest_mod.load_batch

    def counted(con, batch, **kw):
        results = real(con, batch, **kw)
        written.append(len(results))
        return results

    monkeypatch.setattr(ingest_mod, "load_batch", counted)
    batched = run("batched")
    # the batches really ran: fewer writes than files, every file of a batch written by it
    n_batches, n_files = len(written), sum(written)
    assert n_files == sum(r[4] == "loaded" for r in batched["load_log"])
    assert n_batches < n_files
    monkeypatch.setattr(ingest_mod, "BATCH_ROWS", 7)
    small = run("small")
    assert len(written) - n_batches > n_batches  # cut into more batches
    monkeypatch.setattr(ingest_mod, "load_batch", no_batches)
    alone = run("alone")
    assert alone["rejects"] and any(r[4] == "quarantined" for r in alone["load_log"])
    assert any(r[9] for r in alone["rejects"])  # data_asli: the row as sent
    for t in alone:
        assert batched[t] == alone[t], t
        assert small[t] == alone[t], t


def test_one_file_uploaded_under_two_names_is_loaded_once(tmp_path):
    """The same bytes twice in one run (a re-upload under another name): the second is
    skipped, not a second copy of every row (nor a failed run)."""
    from ingestion.ingest import ingest_agencies
    from tests.conftest import agency

    a = agency("DUP")
    folder = tmp_path / "landing" / "DUP" / "pegawai"
    folder.mkdir(parents=True)
    text = "nip,nama,tahun\n198609262015051001,Ani,2025\n"
    (folder / "pegawai.csv").write_text(text)
    (folder / "pegawai_lagi.csv").write_text(text)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        out = ingest_agencies(con, [a], landing=tmp_path / "landing", archive=tmp_path / "arsip")
        first, second = out["DUP"].results
        # not loaded twice; written after the first, it is the later submission of the two
        # bytes (an earlier revision re-sent counts with its new time: raw.kirim_ulang)
        assert second.status in ("skipped", "resubmitted")
        assert second.file_sha256 == first.file_sha256
        assert con.execute("SELECT count(*) FROM raw.load_log").fetchone()[0] == 1

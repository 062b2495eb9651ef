"""The landing area: symlinks out of it are refused and reported, what is not ingested is
listed with its reason (raw.diabaikan), a file still being written waits for the next run."""

from __future__ import annotations

import contextlib
import os
import threading
import time

from ingestion.ingest import ingest_agencies
from tests.conftest import agency

HEADER = (
    "nip,nama,tahun,unit_kerja,jenis_kelamin,tanggal_lahir,status_kepegawaian,golongan,"
    "jenis_jabatan,pendidikan,hukuman_disiplin"
)
ROW = "198609262015051001,Pegawai A,2025,Umum,L,1986-09-26,PNS,III/a,pelaksana,S1,tidak_ada"


def put(path, text=f"{HEADER}\n{ROW}\n", age=3600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def ignored(con):
    return dict(con.execute("SELECT path, alasan FROM raw.diabaikan").fetchall())


def test_symlinks_out_of_the_landing_area_are_refused_and_reported(con, tmp_path):
    landing, secret = tmp_path / "landing", tmp_path / "secret"
    put(secret / "passwd.csv", "root:x:0:0:root:/root:/bin/bash\n")
    put(secret / "data" / "f.csv")
    folder = landing / "TEST" / "pegawai"
    put(folder / "ok.csv")
    (folder / "passwd.csv").symlink_to(secret / "passwd.csv")
    (landing / "TEST" / "penilaian").symlink_to(secret / "data")
    out = ingest_agencies(con, [agency()], landing=landing, archive=tmp_path / "a")["TEST"]
    assert [r.file_name for r in out.results] == ["TEST/pegawai/ok.csv"]
    seen = ignored(con)
    assert "luar area landing" in seen["TEST/pegawai/passwd.csv"]
    assert "luar area landing" in seen["TEST/penilaian"]
    (n,) = con.execute("SELECT count(*) FROM raw.load_log").fetchone()
    assert n == 1
    assert not any("root:x" in str(r) for r in con.execute("SELECT * FROM raw.load_log").fetchall())


def test_a_symlink_inside_the_landing_area_is_followed(con, tmp_path):
    landing = tmp_path / "landing"
    real = put(landing / "TEST" / "pegawai" / "a.csv")
    (landing / "TEST" / "pegawai" / "b.csv").symlink_to(real)
    out = ingest_agencies(con, [agency()], landing=landing, archive=tmp_path / "a")["TEST"]
    assert sorted(r.status for r in out.results) == ["loaded", "skipped"]


@contextlib.contextmanager
def still_written(path, seconds: float):
    """A copy in progress: the file's modification time moves for `seconds`."""
    stop = threading.Event()

    def touch():
        end = time.time() + seconds
        while not stop.is_set() and time.time() < end:
            os.utime(path)
            time.sleep(0.2)

    t = threading.Thread(target=touch)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


def test_a_file_copied_in_just_before_the_run_is_waited_for_and_read(con, tmp_path):
    """The run waits (at most settle_seconds) for a file that stopped changing just now,
    rather than leaving it for the next night."""
    landing = tmp_path / "landing"
    put(landing / "TEST" / "pegawai" / "baru.csv", age=0)
    start = time.monotonic()
    out = ingest_agencies(con, [agency()], landing=landing, archive=tmp_path / "a",
                          settle_seconds=1.0)["TEST"]  # fmt: skip
    assert [r.status for r in out.results] == ["loaded"]
    assert time.monotonic() - start >= 0.9  # it did wait for the file to settle
    assert not ignored(con)


def test_what_is_not_ingested_is_listed_with_its_reason(con, tmp_path):
    landing = tmp_path / "landing"
    put(landing / "TEST" / "pegawai" / "ok.csv")
    put(landing / "TEST" / "pegawai" / ".hidden.csv")
    put(landing / "TEST" / "pegawai" / "sub" / "x.csv")
    put(landing / "TEST" / "pegawaii" / "typo.csv")
    put(landing / "KAB-UNKNOWN" / "pegawai" / "x.csv")
    put(landing / "TEST" / "pegawai" / "copying.csv", age=0)
    with still_written(landing / "TEST" / "pegawai" / "copying.csv", seconds=3):
        out = ingest_agencies(
            con, [agency()], landing=landing, archive=tmp_path / "a", registered=["TEST"],
            settle_seconds=1.5,
        )["TEST"]  # fmt: skip
    assert [r.file_name for r in out.results] == ["TEST/pegawai/ok.csv"]
    seen = ignored(con)
    assert "tersembunyi" in seen["TEST/pegawai/.hidden.csv"]
    assert "subfolder" in seen["TEST/pegawai/sub"]
    assert "dataset yang tidak dikenal" in seen["TEST/pegawaii"]
    assert "tidak terdaftar" in seen["KAB-UNKNOWN"]
    assert "berikutnya" in seen["TEST/pegawai/copying.csv"]
    # the next run, once the copy is done, takes it; the list is the last run's
    t = time.time() - 120
    os.utime(landing / "TEST" / "pegawai" / "copying.csv", (t, t))
    out = ingest_agencies(
        con, [agency()], landing=landing, archive=tmp_path / "a", registered=["TEST"],
        settle_seconds=1.5,
    )["TEST"]  # fmt: skip
    # the same bytes as ok.csv, submitted later: counted as the latest, not loaded twice
    assert sorted(r.status for r in out.results) == ["resubmitted", "skipped"]
    assert "TEST/pegawai/copying.csv" not in ignored(con)


def test_pipeline_files_are_not_readable_by_other_users(con, tmp_path):
    """umask 027 (set by every entry point): archive and warehouse files are owner and
    group only."""
    from core.duck import connect_writer
    from core.settings import UMASK, restrict_permissions

    before = os.umask(0o022)
    try:
        restrict_permissions()
        assert os.umask(UMASK) == UMASK
        landing = tmp_path / "landing"
        put(landing / "TEST" / "pegawai" / "ok.csv")
        db = tmp_path / "warehouse" / "kerja.duckdb"
        with connect_writer(db, "1GB") as c:
            from core.standard import load_standard
            from ingestion.schema import ensure_raw_schema

            ensure_raw_schema(c, load_standard())
            ingest_agencies(c, [agency()], landing=landing, archive=tmp_path / "a")
        created = [db, *(tmp_path / "a").rglob("*")]
        modes = {p.name: oct(p.stat().st_mode) for p in created}
        assert created and all(p.stat().st_mode & 0o007 == 0 for p in created), modes
    finally:
        os.umask(before)


def test_an_earlier_revision_sent_again_counts_with_its_new_time(con, tmp_path):
    """v1, then v2, then v1's bytes again as revisi3: not loaded twice, but the load log's
    submission time (what the submission rule reads) is the re-send's, and it is logged."""
    landing = tmp_path / "landing" / "TEST" / "pegawai"
    v1 = f"{HEADER}\n{ROW}\n"
    v2 = f"{HEADER}\n{ROW.replace('Pegawai A', 'Pegawai A2')}\n"
    put(landing / "v1.csv", v1, age=3000)
    put(landing / "v2.csv", v2, age=2000)
    lines = []
    kw = {"landing": tmp_path / "landing", "archive": tmp_path / "a", "log": lines.append}
    ingest_agencies(con, [agency()], **kw)
    put(landing / "revisi3.csv", v1, age=1000)
    out = ingest_agencies(con, [agency()], **kw)["TEST"]
    assert "resubmitted" in [r.status for r in out.results]
    latest = con.execute(
        "SELECT file_name FROM raw.load_log ORDER BY submitted_at DESC LIMIT 1"
    ).fetchone()[0]
    assert latest == "TEST/pegawai/v1.csv"  # v1's bytes are the latest submission again
    (n,) = con.execute("SELECT count(*) FROM raw.kirim_ulang").fetchone()
    assert n == 1
    assert any("revisi3.csv" in line and "kiriman terbaru" in line for line in lines)
    # the next run changes nothing more
    ingest_agencies(con, [agency()], **kw)
    assert con.execute("SELECT count(*) FROM raw.kirim_ulang").fetchone()[0] == 1

"""Whatever the input, normalisation never loses a row: read = loaded + rejected, and every
row number read is either in the raw table or in the rejects."""

import csv
import datetime as dt
import io

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.standard import load_standard
from ingestion.schema import ensure_raw_schema
from tests.conftest import agency
from tests.ingesting import ingest_file

COLUMNS = load_standard().datasets["pelatihan"].column_names
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["198609262015051001", "1.98609E+17", "2025-01-02", "klasikal", "12", "-1", "", "201"]),
)  # fmt: skip
rows = st.lists(st.lists(cell, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=25)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows)
def test_read_equals_loaded_plus_rejected(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("prop")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(rows)
    path = tmp / "p.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    con = duckdb.connect(str(tmp / "w.duckdb"))
    ensure_raw_schema(con, load_standard())
    res = ingest_file(
        con, path=path, file_name="p.csv", agency=agency(), dataset="pelatihan",
        standard=load_standard(), archive_root=tmp / "a", submitted_at=dt.datetime(2026, 1, 1),
    )  # fmt: skip
    assert res.status == "loaded", res.reason
    assert res.rows_read == res.rows_loaded + res.rows_rejected
    loaded = {r[0] for r in con.execute("SELECT baris FROM raw.pelatihan").fetchall()}
    rejected = {r[0] for r in con.execute("SELECT DISTINCT baris FROM raw.rejects").fetchall()}
    assert not loaded & rejected
    assert len(loaded) + len(rejected) == res.rows_read
    con.close()

"""DDL of the raw layer that ingestion writes (schema `raw`), derived from the standard."""

from __future__ import annotations

import duckdb

from core.sql import SQL_TYPES, ident
from core.standard import Standard

LOAD_LOG_DDL = """
CREATE TABLE IF NOT EXISTS raw.load_log (
    file_sha256   VARCHAR NOT NULL,
    kode_instansi VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,   -- path inside the landing area as the agency sent it
    archive_path  VARCHAR NOT NULL,   -- the unchanged original, content-addressed
    size_bytes    BIGINT  NOT NULL,
    submitted_at  TIMESTAMP NOT NULL, -- UTC; file mtime or the timestamp in its name
    loaded_at     TIMESTAMP NOT NULL, -- UTC
    status        VARCHAR NOT NULL,   -- 'loaded' or 'quarantined'
    rows_read     BIGINT  NOT NULL,
    rows_loaded   BIGINT  NOT NULL,
    rows_rejected BIGINT  NOT NULL,
    reason        VARCHAR,            -- why a file was quarantined
    run_id        VARCHAR,
    PRIMARY KEY (file_sha256, kode_instansi, dataset),
    CHECK (rows_read = rows_loaded + rows_rejected)
)
"""

REJECTS_DDL = """
CREATE TABLE IF NOT EXISTS raw.rejects (
    file_sha256   VARCHAR NOT NULL,
    kode_instansi VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    baris         BIGINT,             -- row number as the agency sees it in its file
    kolom         VARCHAR,            -- standard column that breaks the rule
    nilai         VARCHAR,            -- the value as sent
    aturan        VARCHAR NOT NULL,   -- rule code
    alasan        VARCHAR NOT NULL,   -- reason in plain Indonesian
    data_asli     VARCHAR             -- the whole row as sent (JSON, agency's own headers)
)
"""


# Submissions held instead of applied (expectations/submission_review.py): one row per file
# and year held; the earlier submission keeps counting until the operator accepts it
# (`kinerja terima`, which fills diterima_*). dbt's submission rule skips a held file-year
# that is not accepted (macros/latest_submission.sql).
HOLDS_DDL = """
CREATE TABLE IF NOT EXISTS raw.penahanan (
    file_sha256   VARCHAR NOT NULL,
    kode_instansi VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    tahun         INTEGER NOT NULL,
    file_name     VARCHAR NOT NULL,
    aturan        VARCHAR NOT NULL,   -- rule code (TURUN_DRASTIS, INDIKATOR_BERUBAH, GERBANG_MUTU; DITARIK: withdrawn)
    alasan        VARCHAR NOT NULL,   -- the reason in plain Indonesian, figures before and after
    sebelum       DOUBLE,             -- the figure of the submission it would replace / last publication
    sesudah       DOUBLE,             -- the same figure of the held submission
    ditahan_pada  TIMESTAMP NOT NULL, -- UTC
    run_id        VARCHAR,
    diterima_pada TIMESTAMP,          -- UTC, when the operator accepted it
    diterima_oleh VARCHAR,
    PRIMARY KEY (file_sha256, kode_instansi, dataset, tahun)
)
"""


# What the landing area holds that was not ingested, as of each agency's last run: symlinks
# pointing outside the landing area, subfolders, hidden files, files still being written,
# folders of unregistered agencies or unknown datasets (ingestion/landing.py). Shown in the
# run summary and `kinerja status`.
IGNORED_DDL = """
CREATE TABLE IF NOT EXISTS raw.diabaikan (
    kode_instansi VARCHAR NOT NULL,   -- the agency folder ('' for the landing area itself)
    path          VARCHAR NOT NULL,   -- inside the landing area
    alasan        VARCHAR NOT NULL,   -- why it was not ingested, in Indonesian
    dilihat_pada  TIMESTAMP NOT NULL, -- UTC
    run_id        VARCHAR
)
"""


# Identical bytes sent again as a later submission (an earlier revision re-sent): not loaded
# twice, but the standard says the latest submission counts, so the load log's submitted_at
# (and loaded_at, so the next build reworks the pair) move to the re-send; each re-send is
# recorded here with the time it replaced.
RESENT_DDL = """
CREATE TABLE IF NOT EXISTS raw.kirim_ulang (
    file_sha256   VARCHAR NOT NULL,
    kode_instansi VARCHAR NOT NULL,
    dataset       VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,   -- the re-sent file's name in the landing area
    sebelumnya    TIMESTAMP NOT NULL, -- UTC: the submission time it had
    submitted_at  TIMESTAMP NOT NULL, -- UTC: the re-send's submission time, now counting
    dicatat_pada  TIMESTAMP NOT NULL, -- UTC
    run_id        VARCHAR
)
"""


def raw_table_ddl(standard: Standard, dataset: str) -> str:
    cols = ",\n    ".join(
        f"{ident(c.name)} {SQL_TYPES[c.type]}" for c in standard.datasets[dataset].columns
    )
    return f"""
CREATE TABLE IF NOT EXISTS raw.{dataset} (
    file_sha256   VARCHAR NOT NULL,
    kode_instansi VARCHAR NOT NULL,
    baris         BIGINT  NOT NULL,
    {cols}
)
"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, standard: Standard) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(LOAD_LOG_DDL)
    con.execute(REJECTS_DDL)
    con.execute(HOLDS_DDL)
    con.execute(IGNORED_DDL)
    con.execute(RESENT_DDL)
    for ds in standard.datasets:
        con.execute(raw_table_ddl(standard, ds))
        # a column added to the standard later (e.g. pelatihan.kategori) joins an existing
        # warehouse's raw table, empty for the rows loaded before it
        for c in standard.datasets[ds].columns:
            con.execute(
                f"ALTER TABLE raw.{ds} ADD COLUMN IF NOT EXISTS {ident(c.name)} {SQL_TYPES[c.type]}"
            )

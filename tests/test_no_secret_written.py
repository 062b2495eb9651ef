"""The pseudonym key (KINERJA_PSEUDONYM_KEY) reaches dbt at run time, on its DuckDB
connection (dbt_project/profiles.yml, orchestration/dbt_plugin.py), so a nightly run writes
it nowhere: not in dbt's compiled SQL, artifacts, parse state or logs, not in the Dagster
storage (event log, run config, compute logs), the GX project, the releases or the
warehouse. The operator's `kinerja refresh` runs once with a distinctive key, then every file
under the folders the run writes is searched for it."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from core.paths import DBT_PROJECT_DIR
from orchestration.cli import main
from tests.conftest import cli_env, copy_province

# distinctive, so that a hit can only be the key; differs from the hand province's key, so
# the refresh is a full one (every mart rebuilt with this key)
KEY = "Kunci-Rahasia-q7Zx93LmTw"


def _leaks_in_bytes(data: bytes, needles: list[bytes]) -> bool:
    return any(n in data for n in needles)


def _leaks_in_duckdb(path: Path, key: str) -> list[str]:
    """Strings of a DuckDB file are stored compressed (FSST, dictionary), so a byte search
    can miss them: every text column of every table and the SQL of every view, macro and
    table are searched as well."""
    hits = []
    with duckdb.connect(str(path), read_only=True) as con:
        for kind, name, sql in con.execute(
            "SELECT 'view', schema_name || '.' || view_name, sql FROM duckdb_views() "
            "WHERE NOT internal UNION ALL "
            "SELECT 'table', schema_name || '.' || table_name, sql FROM duckdb_tables() "
            "UNION ALL SELECT 'macro', schema_name || '.' || function_name, "
            "coalesce(macro_definition, '') FROM duckdb_functions() WHERE NOT internal"
        ).fetchall():
            if sql and key in sql:
                hits.append(f"{kind} {name}")
        text_columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in text_columns:
            found = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)', [key]
            ).fetchone()[0]
            if found:
                hits.append(f"{schema}.{table}.{column}")
    return hits


def _leaks_in_parquet(data: bytes, key: str) -> bool:
    table = pq.read_table(io.BytesIO(data))
    return any(
        key in str(v) for column in table.columns for v in column.to_pylist() if v is not None
    )


def find_key(roots: list[Path], key: str) -> tuple[list[str], int]:
    """The files under `roots` that hold the key (raw bytes, UTF-8 or UTF-16; inside ZIP
    members such as XLSX; in Parquet and DuckDB after decompression), and how many files
    were searched."""
    needles = [key.encode(), key.encode("utf-16-le"), key.encode("utf-16-be")]
    hits, searched = [], 0
    files = sorted(
        Path(folder, name)
        for root in roots
        for folder, _, names in os.walk(root)  # a folder that goes away meanwhile is skipped
        for name in names
    )
    for path in (p for p in files if p.is_file() and not p.is_symlink()):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a temporary file that went away meanwhile
            continue
        searched += 1
        if _leaks_in_bytes(data, needles):
            hits.append(str(path))
        elif zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if any(_leaks_in_bytes(z.read(m), needles) for m in z.namelist()):
                    hits.append(f"{path} (zip member)")
        elif data[:4] == b"PAR1" and _leaks_in_parquet(data, key):
            hits.append(f"{path} (parquet)")
        elif path.suffix == ".duckdb":
            hits += [f"{path}: {where}" for where in _leaks_in_duckdb(path, key)]
    return hits, searched


@pytest.mark.parametrize("key", [None, "", "7-chars"])
def test_without_a_key_of_8_characters_dbt_cannot_connect(monkeypatch, key):
    from orchestration.dbt_plugin import Plugin

    if key is None:
        monkeypatch.delenv("KINERJA_PSEUDONYM_KEY", raising=False)
    else:
        monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", key)
    # dbt-duckdb builds the plugins of the profile when it opens the first connection, and
    # reports a RuntimeError there as dbt's connection error, with its message
    with pytest.raises(
        RuntimeError, match=r"Kunci pseudonim \(KINERJA_PSEUDONYM_KEY\) belum ada"
    ) as e:
        Plugin.create("orchestration.dbt_plugin")
    assert "7-chars" not in str(e.value)


def test_the_plugin_puts_the_key_on_the_connection_and_each_cursor(monkeypatch):
    from orchestration.dbt_plugin import VARIABLE, Plugin

    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", KEY)
    plugin = Plugin.create("orchestration.dbt_plugin")
    with duckdb.connect() as con:
        plugin.configure_connection(con)
        cursor = con.cursor()  # a DuckDB variable belongs to one connection: not inherited
        assert cursor.execute(f"SELECT getvariable('{VARIABLE}')").fetchone() == (None,)
        plugin.configure_cursor(cursor)
        for c in (con, cursor):
            assert c.execute(f"SELECT getvariable('{VARIABLE}')").fetchone() == (KEY,)


@pytest.mark.slow
def test_the_pseudonym_key_is_in_no_file_a_nightly_run_writes(
    hand_built, tmp_path, monkeypatch, capfd
):
    s = copy_province(hand_built[0], tmp_path / "home")
    dagster_home = tmp_path / "dagster"
    for name, value in cli_env(s, dagster_home).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", KEY)
    assert main(["refresh", "-v"]) == 0  # -v: every log line of Dagster and dbt is searched
    out, err = capfd.readouterr()
    assert "full refresh" in out + err  # a new key: every mart was rebuilt with it
    assert KEY not in out + err  # the console (Dagster's and dbt's log lines)

    # the marts were pseudonymised with this key (the run did use it)
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        nip = con.execute("SELECT min(nip) FROM staging.stg_raw__pegawai").fetchone()[0]
        expected = con.execute("SELECT sha256(? || ':' || ?)", [KEY, nip]).fetchone()[0]
        keys = {k for (k,) in con.execute("SELECT pegawai_key FROM marts.dim_pegawai").fetchall()}
    assert expected in keys

    dbt_target = s.warehouse.parent / "dbt_target"
    assert (dbt_target / "run_results.json").exists()
    assert any((dbt_target / "compiled").rglob("dim_pegawai.sql"))
    assert any(dagster_home.rglob("*.db"))  # the instance's SQLite storage
    # the home holds the warehouse, its dbt target folder, the GX project and the releases
    roots = [s.home, dagster_home, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]
    hits, searched = find_key([r for r in roots if r.exists()], KEY)
    assert searched > 100
    assert not hits, "the key was written to:\n" + "\n".join(hits)

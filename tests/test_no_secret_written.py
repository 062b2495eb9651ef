"""The pseudonym key (KINERJA_PSEUDONYM_KEY) reaches dbt at run time, on its DuckDB
connection (dbt_project/profiles.yml, orchestration/dbt_plugin.py), so a nightly run writes
it nowhere: not in dbt's compiled SQL, artifacts, parse state or logs, not in the Dagster
storage (event log, run config, compute logs), the GX project, the releases or the
warehouse. The search of every file the runs wrote (tests/secret_search.py) runs in the
crash test (tests/test_crash_recovery.py), whose `kinerja refresh` runs (three killed, one
whole) use a distinctive key; here: dbt refuses a missing key, the plugin sets it, and the
search finds a key wherever it is written."""

from __future__ import annotations

import zipfile

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.secret_search import KEY, find_key


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


# the key is written into the SET statement as a quoted literal: quotes, backslashes and
# dollar signs in it arrive as they are
@pytest.mark.parametrize("key", [KEY, "it's a 'key' \\ with $$ and ''"])
def test_the_plugin_puts_the_key_on_the_connection_and_each_cursor(monkeypatch, key):
    from orchestration.dbt_plugin import VARIABLE, Plugin

    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", key)
    plugin = Plugin.create("orchestration.dbt_plugin")
    with duckdb.connect() as con:
        plugin.configure_connection(con)
        cursor = con.cursor()  # a DuckDB variable belongs to one connection: not inherited
        assert cursor.execute(f"SELECT getvariable('{VARIABLE}')").fetchone() == (None,)
        plugin.configure_cursor(cursor)
        for c in (con, cursor):
            assert c.execute(f"SELECT getvariable('{VARIABLE}')").fetchone() == (key,)


def test_the_search_finds_the_key_in_every_kind_of_file(tmp_path):
    """The search the crash test relies on can fail: a key written as text, as UTF-16, in a
    ZIP member, in a Parquet column and in a DuckDB table (stored compressed) is found."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "log.txt").write_text(f"connect key={KEY}\n")
    (tmp_path / "a" / "b" / "utf16.txt").write_bytes(KEY.encode("utf-16-le"))
    with zipfile.ZipFile(tmp_path / "book.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", f"<si><t>{KEY}</t></si>" * 50)
    # compressed, without statistics (which hold min and max in plain): no byte match
    pq.write_table(pa.table({"v": [f"{i}{KEY}" for i in range(2000)]}), tmp_path / "t.parquet",
                   compression="gzip", write_statistics=False)  # fmt: skip
    assert KEY.encode() not in (tmp_path / "t.parquet").read_bytes()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE TABLE t AS SELECT ? || range AS v FROM range(100000)", [KEY])
    (tmp_path / "clean.txt").write_text("nothing here\n")
    hits, searched = find_key([tmp_path], KEY)
    assert searched == 6
    assert [h.split(str(tmp_path))[1] for h in sorted(hits)] == [
        "/a/b/utf16.txt", "/a/log.txt", "/book.xlsx (zip member)", "/t.parquet (parquet)",
        "/w.duckdb: main.t.v",
    ]  # fmt: skip
    assert find_key([tmp_path], "Kunci-Lain-00000000") == ([], 6)

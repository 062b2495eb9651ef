"""A dbt-duckdb plugin (dbt_project/profiles.yml, `plugins:`) that gives dbt's DuckDB
connections the pseudonym key at run time, as the DuckDB variable `kinerja_pseudonym_key`
(read in SQL with `getvariable`, macros/pseudonym.sql).

The key is set by this plugin, with `SET VARIABLE` on the connection itself: it is in no SQL
that dbt renders, so in no compiled SQL, dbt artifact (manifest, run results, parse state) or
dbt log, and a DuckDB variable lives only as long as the connection (it is not stored in the
database file). The statement carries the key as a quoted literal, not as a bound parameter:
DuckDB's Python client imports pandas to convert a parameter (0.45 s of every dbt start-up,
for one string), and a statement executed here goes to DuckDB alone (dbt neither sees nor
logs it). A `env_var()` in the macro, as before, put the key into all of these.

dbt imports this module where it runs (in the run's process, orchestration/dbt_in_process.py;
in its own process when run by hand); the plugin reads the key from the environment there
(core.settings.pseudonym_key). Without a key of at
least 8 characters dbt cannot connect, so a build fails before any model runs, with the
reason. dbt-duckdb calls `configure_connection` on the database's connection and
`configure_cursor` on each cursor dbt runs SQL on; a DuckDB variable belongs to one
connection (a cursor does not see its parent's), hence both (checked against dbt-duckdb 1.11).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from core.settings import MissingSecret, pseudonym_key
from core.sql import lit

VARIABLE = "kinerja_pseudonym_key"


def put_key(con, key: str) -> None:
    """The pseudonym key on a DuckDB connection (never in SQL that dbt renders or logs); also
    for code that runs dbt's compiled SQL itself (benchmarks/lower_bound.py)."""
    con.execute(f"SET VARIABLE {VARIABLE} = {lit(key)}")


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:  # noqa: ARG002
        try:
            self._key = pseudonym_key()
        except MissingSecret as e:
            # dbt-duckdb reports a RuntimeError raised while connecting as dbt's "could not
            # connect" error, with this message
            raise RuntimeError(str(e)) from None

    def configure_connection(self, conn) -> None:
        put_key(conn, self._key)

    def configure_cursor(self, cursor) -> None:
        put_key(cursor, self._key)

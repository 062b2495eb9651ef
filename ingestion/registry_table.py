"""Write the agency registry into the warehouse (raw.instansi, raw.predikat_organisasi),
so dbt joins agencies to regions from the same YAML the ingestion reads."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from core.registry import Registry


def write_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    agencies = pa.table(
        {
            "kode_instansi": [a.kode for a in registry.agencies],
            "nama_instansi": [a.nama for a in registry.agencies],
            "kode_wilayah": [a.kode_wilayah for a in registry.agencies],
            "jenis_instansi": [a.jenis for a in registry.agencies],
            "cara_kirim": [a.delivery for a in registry.agencies],
        }
    )
    po = [
        (a.kode, y, p) for a in registry.agencies for y, p in sorted(a.predikat_organisasi.items())
    ]
    predikat = pa.table(
        {
            "kode_instansi": pa.array([r[0] for r in po], pa.string()),
            "tahun": pa.array([r[1] for r in po], pa.int64()),
            "predikat_organisasi": pa.array([r[2] for r in po], pa.string()),
        }
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("_registry_instansi", agencies)
    con.register("_registry_predikat", predikat)
    con.execute("BEGIN")
    con.execute("CREATE OR REPLACE TABLE raw.instansi AS SELECT * FROM _registry_instansi")
    con.execute(
        "CREATE OR REPLACE TABLE raw.predikat_organisasi AS SELECT * FROM _registry_predikat"
    )
    con.execute("COMMIT")
    con.unregister("_registry_instansi")
    con.unregister("_registry_predikat")
    return len(registry.agencies)

"""Read a DuckDB query into the plain pandas frame the suites expect."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa


def read_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame:
    """Text as Python str objects (None for NULL), dates as datetime.date, numbers as NumPy
    dtypes: the types GX 1.x understands on pandas (it does not know pandas' StringDtype)."""
    result = con.execute(sql, params or [])
    table = result.arrow()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    df = table.to_pandas(date_as_object=True)
    for name, field in zip(table.column_names, table.schema, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            col = df[name].astype(object)
            df[name] = col.where(col.notna(), None)
    return df

"""Great Expectations 1.x quality gates, defined in code: raw batches and marts.

Suites run on pandas DataFrames read from DuckDB (GX cannot validate DuckDB through
SQLAlchemy, GX issue 11579). Each expectation carries the rule name and its severity
(block or warn, from config.yaml) in its meta.
"""

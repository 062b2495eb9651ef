"""What every stage may import: settings, paths, DuckDB connections, hashing, SQL quoting, the
submission standard, the agency registry and the domain constants.

`core` imports no stage (ingestion, expectations, publication, orchestration); the stages
import `core` and never each other's internals (checked by `lint-imports`, see pyproject.toml).
"""

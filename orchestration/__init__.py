"""The Dagster code location: agency files -> raw -> dbt models -> quality gates -> publication."""

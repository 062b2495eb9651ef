"""The Dagster code location: agency files -> raw -> dbt models -> quality gates -> publication."""

from core.settings import switch_off_telemetry

# before dbt or GX is imported by any module of the code location
switch_off_telemetry()

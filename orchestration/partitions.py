"""Agency partitions, one per registered agency."""

from __future__ import annotations

from dagster import StaticPartitionsDefinition

from core.registry import Registry


def agency_partitions(registry: Registry) -> StaticPartitionsDefinition:
    return StaticPartitionsDefinition(registry.codes)

"""expectations/gx_fast_paths.py: GX's validations give the same outcomes with the fast paths
as with GX's own code, on passing and failing data, and every metric id is the same."""

from __future__ import annotations

import copy
import datetime as dt
import enum
import json
import math

import great_expectations as gx_package
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
import pytest

from core.paths import PROJECT_ROOT
from core.standard import load_standard
from expectations import gx_fast_paths
from expectations.config import load_gate_config
from expectations.gates import marts_gate, raw_gate
from expectations.runner import GateContext
from tests.test_quality_gates import ROW, H, indikator_row, load_csv, marts_db

CFG = load_gate_config()


class Kind(enum.Enum):
    A = "a"


SAMPLES = [
    "x",
    1,
    True,
    None,
    2.5,
    -0.0,
    math.inf,
    math.nan,
    [],
    {},
    (),
    {"column": "nip", "batch_id": "abc", "min_value": 0, "max_value": 0, "strict_min": False},
    {"value_set": ("A", "B"), "nested": {"k": [1, 2.0, None, {"z": math.nan}]}},
    {"n": np.int64(3)},
    {"f": np.float64(1.5)},
    {"e": Kind.A},
    {"d": dt.date(2025, 1, 31)},
    {1: "int key"},
    {None: 1},
    {True: 1},
    {1: "a", "b": 2},
    [[[[[[[[[[{"deep": [1, 2.5, None]}]]]]]]]]]],
    {"s": {1, 2}},
    {"t": pd.Timestamp("2025-01-01")},
    np.array([1, 2]),
]


def test_installed_on_the_gx_version_the_project_locks():
    locked = [
        line.split("==")[1].strip()
        for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
        if line.lower().startswith("great_expectations==")
    ]
    assert locked == [gx_fast_paths.TESTED_VERSION] == [gx_package.__version__]
    assert gx_fast_paths.install()
    # the success path reads the domain keys itself: no expectation may have its own methods
    from great_expectations.expectations.expectation import Expectation

    kinds = [k for k in vars(gxe).values() if isinstance(k, type) and issubclass(k, Expectation)]
    assert len(kinds) > 40
    assert not [
        k.__name__
        for kind in kinds
        for k in kind.__mro__
        if k is not Expectation
        and ("_get_domain_kwargs" in vars(k) or "_get_success_kwargs" in vars(k))
    ]


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_a_value_is_dumped_as_gx_would_convert_it(value):
    gx_fast_paths.install()
    original = gx_fast_paths._ORIGINAL["convert_to_json_serializable"]
    fast = gx_fast_paths._to_json_serializable(copy.deepcopy(value))
    slow = original(copy.deepcopy(value))
    assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)


@pytest.mark.parametrize(
    "expectation",
    [
        gxe.ExpectColumnValuesToBeBetween(
            column="a",
            min_value=1,
            strict_max=True,
            mostly=0.5,
            row_condition="a>0",
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeInSet(column="a", value_set=["x", "y"], result_format="COMPLETE"),
        gxe.ExpectColumnValuesToBeInSet(column="a", value_set={"$PARAMETER": "vs"}),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="a", column_B="b", ignore_row_if="either_value_is_missing"
        ),
        gxe.ExpectTableRowCountToBeBetween(min_value=0, max_value=None),
        gxe.ExpectColumnValuesToMatchRegex(column="a", regex=r"^\d+$", meta={"m": 1}),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_expectations_kwargs_are_gxs_own(expectation):
    """The kwargs paths give what GX's own methods give, key order included, also with
    kwargs the project's suites do not use (mostly, row_condition, a suite parameter)."""
    gx_fast_paths.install()
    own = gx_fast_paths._ORIGINAL
    for name in ("_get_domain_kwargs", "_get_success_kwargs"):
        fast = getattr(expectation, name)()
        assert list(fast.items()) == list(own[name](expectation).items()), name


def outcomes(raw_con, marts_con, tmp_path, name):
    gx = GateContext(tmp_path / name)
    raw = raw_gate(raw_con, "run-1", load_standard(), CFG, gx)
    return raw, marts_gate(marts_con, None, CFG, gx)


def test_gates_find_the_same_with_and_without_the_fast_paths(con, tmp_path, monkeypatch):
    # raw rows and marts rows breaking rules, beside clean ones
    load_csv(con, tmp_path, "pegawai", f"{H}\n{ROW}\n{ROW.replace('Budi', 'Ani')}\n")
    con.execute(
        "UPDATE raw.pegawai SET nip = '1.98609E+17', status_kepegawaian = 'Honorer' "
        "WHERE nama = 'Ani'"
    )
    marts = marts_db(
        tmp_path,
        [
            indikator_row(),
            indikator_row(kode_wilayah="75.02", pct_baik=60.0, ikm=76.61, mutu_ikm="C"),
        ],
    )

    # every metric id computed with the fast path is the one GX's conversion gives
    gx_fast_paths.install()
    original = gx_fast_paths._ORIGINAL["convert_to_json_serializable"]
    fast_calls, differ = [0], []

    def compared(data, *args, **kwargs):
        fast_calls[0] += gx_fast_paths.plain_json(data)
        fast = gx_fast_paths._to_json_serializable(data, *args, **kwargs)
        slow = original(copy.deepcopy(data), *args, **kwargs)
        if json.dumps(fast, sort_keys=True) != json.dumps(slow, sort_keys=True):
            differ.append(data)
        return fast

    import great_expectations.core.id_dict as id_dict

    monkeypatch.setattr(id_dict, "convert_to_json_serializable", compared)
    with_paths = outcomes(con, marts, tmp_path, "fast")
    monkeypatch.undo()
    assert fast_calls[0] > 100 and differ == []

    gx_fast_paths.uninstall()
    monkeypatch.setattr(gx_fast_paths, "install", lambda: False)  # GateContext would reinstall
    try:
        without = outcomes(con, marts, tmp_path, "gx_own")
        assert id_dict.convert_to_json_serializable is original  # GX's own code ran
    finally:
        monkeypatch.undo()
        gx_fast_paths.install()
    assert with_paths == without
    raw, marts_out = with_paths
    assert {f.rule for f in raw["pegawai"].blocking} >= {"nip_format", "allowed_codes"}
    assert {f.rule for f in marts_out["indikator_wilayah"].blocking} >= {
        "predikat_sum",
        "mutu_consistent",
    }

"""expectations/config.yaml is validated on load: a wrong value names the file and the key."""

import pytest
import yaml

from expectations.config import CONFIG_FILE, GateConfigError, load_gate_config


def _write(tmp_path, edit) -> object:
    doc = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_the_shipped_config_loads_as_the_dict_callers_index():
    cfg = load_gate_config()
    assert cfg == yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    assert cfg["raw"]["severity"]["types"] in ("block", "warn")
    assert 0 < cfg["raw"]["rejected_share_max"] <= 1


def test_a_wrong_severity_names_the_file_and_the_rule(tmp_path):
    path = _write(tmp_path, lambda d: d["raw"]["severity"].update(types="blok"))
    with pytest.raises(GateConfigError) as e:
        load_gate_config(path)
    assert str(e.value) == f"{path}: raw.severity.types: harus 'block' atau 'warn', bukan 'blok'"


def test_an_unknown_key_names_the_file_and_the_key(tmp_path):
    path = _write(tmp_path, lambda d: d["marts"].update(predikat_sum_tolerence=0.05))
    with pytest.raises(GateConfigError) as e:
        load_gate_config(path)
    assert str(e.value) == (
        f"{path}: marts.predikat_sum_tolerence: kunci tidak dikenal (maksudnya "
        "'predikat_sum_tolerance'?); yang boleh: ['headcount_change_max', 'predikat_sum_tolerance', "
        "'severity']"
    )


def test_a_share_must_lie_in_0_to_1(tmp_path):
    path = _write(tmp_path, lambda d: d["raw"].update(rejected_share_max=5))
    with pytest.raises(GateConfigError) as e:
        load_gate_config(path)
    assert str(e.value) == f"{path}: raw.rejected_share_max: tidak boleh lebih dari 1, bukan 5"


def test_a_held_dataset_must_be_in_the_standard(tmp_path):
    path = _write(
        tmp_path,
        lambda d: d["submissions"]["indicator_change_max"]["rata_jp"].update(datasets=["latihan"]),
    )
    with pytest.raises(GateConfigError) as e:
        load_gate_config(path)
    assert str(e.value) == (
        f"{path}: submissions.indicator_change_max.rata_jp.datasets: dataset tidak dikenal "
        "['latihan']; dataset standar: ['pegawai', 'penilaian', 'pelatihan', 'survei', "
        "'dialog_kinerja', 'penghargaan']"
    )

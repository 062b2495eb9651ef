"""The standard is data (core/standard.yaml), checked when it is loaded."""

import pytest

from core.paths import STANDARD_FILE
from core.standard import DATASETS, StandardError, load_standard


def test_the_datasets_come_from_the_standard():
    standard = load_standard()
    assert DATASETS == tuple(standard.datasets) == (
        "pegawai", "penilaian", "pelatihan", "survei", "dialog_kinerja", "penghargaan",
    )  # fmt: skip
    survei = standard.datasets["survei"]
    assert survei.cross_column_rules == ("id_responden_unik",)
    assert survei.columns_required_in_file[:2] == ["id_responden", "tanggal_survei"]


def test_a_typo_in_the_standard_names_dataset_column_and_key(tmp_path):
    text = STANDARD_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "standard.yaml"
    broken.write_text(text.replace("u3: {type: integer", "u3: {type: integr"), encoding="utf-8")
    with pytest.raises(StandardError) as e:
        load_standard(broken)
    assert str(e.value) == (
        f"{broken}: datasets.survei.columns.u3.type: harus 'nip', 'text', 'code', "
        "'integer', 'number', 'date' atau 'golongan', bukan 'integr'"
    )

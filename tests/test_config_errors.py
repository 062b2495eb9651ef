"""The YAML files people edit (registry, standard, gate config, limits): a mistake is an
Indonesian sentence naming the file and the key, numbers written the Indonesian way."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.limits import load_limits
from core.paths import PROJECT_ROOT, STANDARD_FILE
from core.plain_errors import ConfigError, plain_errors
from core.registry import RegistryError, load_registry
from core.standard import StandardError, load_standard
from expectations.config import CONFIG_FILE, GateConfigError, load_gate_config

REGISTRY = PROJECT_ROOT / "config" / "agencies.yaml"


def test_every_config_error_is_a_config_error():
    for error in (RegistryError, StandardError, GateConfigError):
        assert issubclass(error, ConfigError) and issubclass(error, ValueError)


def test_limits_mistakes_name_file_and_key_with_indonesian_numbers(tmp_path):
    path = tmp_path / "limits.yaml"
    path.write_text("rows: 0\nsettle_seconds: -0.5\ncel_chars: 100\nfile_bytes: dua\n")
    with pytest.raises(ConfigError) as e:
        load_limits(path)
    assert str(e.value).splitlines() == [
        f"{path}: file_bytes: harus bilangan bulat, bukan 'dua'",
        f"{path}: rows: harus lebih besar dari 0, bukan 0",
        f"{path}: settle_seconds: tidak boleh kurang dari 0, bukan -0,5",
        f"{path}: cel_chars: kunci tidak dikenal (maksudnya 'cell_chars'?); yang boleh: "
        "['api_bytes', 'api_pages', 'cell_chars', 'file_bytes', 'json_depth', 'rows', "
        "'settle_seconds', 'uncompressed_bytes']",
    ]


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('    kode_wilayah: "75.01"', '\tkode_wilayah: "75.01"',
         "ada karakter tab: indentasi YAML harus dengan spasi"),
        ("    nama: ", "    nama: Badan: ",
         "tanda ':' tidak boleh di sini (periksa indentasinya, atau beri tanda kutip pada nilai "
         "yang memuat ': ')"),
    ],
)  # fmt: skip
def test_a_registry_that_is_not_yaml_says_where_and_why(tmp_path, old, new, message):
    text = REGISTRY.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    bad = tmp_path / "agencies.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RegistryError) as e:
        load_registry(bad)
    assert str(e.value).startswith(f"{bad}: bukan YAML yang sah di baris {line}, kolom ")
    assert str(e.value).endswith(f": {message}")


def test_files_that_are_not_mappings_or_not_there(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert str(e.value) == f"{path}: harus pemetaan dengan 'provinsi' dan 'agencies'"
    with pytest.raises(StandardError) as e:
        load_standard(path)
    assert str(e.value) == (
        f"{path}: harus pemetaan dengan 'datasets', 'golongan' dan 'personal_data'"
    )
    with pytest.raises(GateConfigError) as e:
        load_gate_config(path)
    assert (
        str(e.value) == f"{path}: tingkat teratas: harus pemetaan (kunci: nilai), bukan ['a', 'b']"
    )
    with pytest.raises(ConfigError) as e:
        load_limits(path)
    assert str(e.value) == f"{path}: harus pemetaan (kunci: nilai)"
    with pytest.raises(RegistryError) as e:
        load_registry(tmp_path / "tidak-ada.yaml")
    assert str(e.value) == f"berkas registri tidak ditemukan: {tmp_path / 'tidak-ada.yaml'}"


def test_broken_yaml_in_the_standard_and_the_gate_config(tmp_path):
    broken = tmp_path / "standard.yaml"
    broken.write_text(STANDARD_FILE.read_text(encoding="utf-8") + "\n  x: [1, 2\n")
    with pytest.raises(StandardError, match=r": bukan YAML yang sah di baris \d+, kolom \d+: "):
        load_standard(broken)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_FILE.read_text(encoding="utf-8").replace("raw:", "raw:\n\t", 1))
    with pytest.raises(GateConfigError) as e:
        load_gate_config(config)
    assert str(e.value).startswith(f"{config}: bukan YAML yang sah di baris ")


class _Bounds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(0.5, gt=0.05, le=1)
    name: str = Field("x", min_length=1)
    names: list[str] = Field(["x"], min_length=2)
    code: str = Field("a", pattern="^[a-z]$")
    big: int = Field(1, lt=1_000_000)
    when: int = 0
    flags: dict[int, bool] = {}


@pytest.mark.parametrize(
    "value, message",
    [
        ({"share": 0.01}, "share: harus lebih besar dari 0,05, bukan 0,01"),
        ({"share": 1.5}, "share: tidak boleh lebih dari 1, bukan 1,5"),
        ({"name": ""}, "name: tidak boleh kosong"),
        ({"names": ["a"]}, "names: harus berisi paling sedikit 2 butir, bukan ['a']"),
        ({"code": "AB"}, "code: harus cocok dengan pola '^[a-z]$', bukan 'AB'"),
        ({"big": 2_000_000}, "big: harus lebih kecil dari 1.000.000, bukan 2.000.000"),
        ({"when": [1]}, "when: harus bilangan bulat, bukan [1]"),
        ({"flags": {"x": True}}, "flags.x: kunci harus bilangan bulat, bukan 'x'"),
        ({"flags": {1: "mungkin"}}, "flags.1: harus true atau false, bukan 'mungkin'"),
    ],
)
def test_plain_messages_of_bounds_and_types(value, message):
    with pytest.raises(ValidationError) as e:
        _Bounds(**value)
    assert plain_errors(e.value, _Bounds) == [message]

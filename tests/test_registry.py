import pytest
import yaml

from core.paths import PROJECT_ROOT
from core.registry import RegistryError, load_registry

REGISTRY = PROJECT_ROOT / "config" / "agencies.yaml"


def _write(tmp_path, doc) -> str:
    p = tmp_path / "agencies.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_demo_registry_loads_with_twelve_agencies():
    reg = load_registry(REGISTRY)
    assert len(reg.codes) == 12
    kab = [a for a in reg.agencies if a.jenis == "kabupaten_kota"]
    assert sorted(a.kode_wilayah for a in kab) == [
        "75.01",
        "75.02",
        "75.03",
        "75.04",
        "75.05",
        "75.71",
    ]
    boalemo = reg.agency("KAB-BOALEMO").file_format("pelatihan")
    assert (boalemo.delimiter, boalemo.encoding, boalemo.decimal_comma) == (";", "cp1252", True)
    # agency aliases add to the bureau-wide ones instead of replacing them
    bb = reg.agency("KAB-BONEBOLANGO").file_format("pegawai").value_aliases
    assert bb["status_kepegawaian"]["P3K"] == "PPPK" and bb["jenis_kelamin"]["Laki-laki"] == "L"


def test_a_standard_agency_needs_only_code_name_region(tmp_path):
    doc = {
        "provinsi": {"kode_wilayah": "75"},
        "agencies": [{"kode": "X", "nama": "X", "kode_wilayah": "75.71"}],
    }
    reg = load_registry(_write(tmp_path, doc))
    assert reg.agency("X").jenis == "kabupaten_kota"
    assert reg.agency("X").file_format("pegawai").delimiter == ","


@pytest.mark.parametrize(
    "agency, message",
    [
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.01", "delimeter": ";"}, "unknown key"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.99"}, "not a known region code"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "18.03"}, "outside province 75"),
        ({"kode": "X Y", "nama": "X", "kode_wilayah": "75"}, "kode may hold only"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75", "format": {"encoding": "nope"}}, "unknown encoding"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75", "delivery": "api"}, "base_url is required"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75",
          "format": {"header_aliases": {"Nomor": "nomor_induk"}}}, "unknown ['nomor_induk']"),
    ],
)  # fmt: skip
def test_registry_errors_name_the_agency_and_the_key(tmp_path, agency, message):
    doc = {"provinsi": {"kode_wilayah": "75"}, "agencies": [agency]}
    with pytest.raises(RegistryError) as e:
        load_registry(_write(tmp_path, doc))
    assert message in str(e.value)
    assert "agency #1" in str(e.value)


def test_a_national_registry_spans_provinces(tmp_path):
    doc = {
        "cakupan": "nasional",
        "agencies": [
            {"kode": "PROV-75", "nama": "BKD Gorontalo", "kode_wilayah": "75"},
            {"kode": "KAB-3201", "nama": "BKPSDM Bogor", "kode_wilayah": "32.01"},
            {"kode": "PROV-11", "nama": "BKA Aceh", "kode_wilayah": "11"},
        ],
    }
    reg = load_registry(_write(tmp_path, doc))
    assert reg.kode_provinsi is None
    assert [a.jenis for a in reg.agencies] == ["opd_provinsi", "kabupaten_kota", "opd_provinsi"]
    # a provincial registry still refuses an agency of another province
    doc = {"provinsi": {"kode_wilayah": "75"}, "agencies": doc["agencies"][:2]}
    with pytest.raises(RegistryError, match="outside province 75"):
        load_registry(_write(tmp_path, doc))
    doc = {"cakupan": "nasional", "provinsi": {"kode_wilayah": "75"}, "agencies": []}
    with pytest.raises(RegistryError, match="has no province"):
        load_registry(_write(tmp_path, doc))


def test_a_typo_in_a_key_is_named_in_plain_words(tmp_path):
    doc = {
        "provinsi": {"kode_wilayah": "75"},
        "agencies": [
            {"kode": "BKD-PROV", "nama": "BKD", "kode_wilayah": "75"},
            {"kode": "KAB-X", "nama": "X", "kode_wilayah": "75.02", "format": {"delimeter": ";"}},
        ],
    }
    path = _write(tmp_path, doc)
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert str(e.value) == (
        f"{path}: agency #2 (KAB-X).format.delimeter: unknown key (did you mean 'delimiter'?); "
        "allowed: ['date_format', 'decimal_comma', 'delimiter', 'encoding', 'filename_timestamp', "
        "'header_aliases', 'header_row', 'sheet', 'value_aliases']"
    )


def test_a_value_of_the_wrong_type_is_named_in_plain_words(tmp_path):
    agency = {"kode": "X", "nama": "X", "kode_wilayah": "75.01"}
    agency["datasets"] = {"pegawai": {"header_row": "dua"}}
    path = _write(tmp_path, {"provinsi": {"kode_wilayah": "75"}, "agencies": [agency]})
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert str(e.value) == (
        f"{path}: agency #1 (X).datasets.pegawai.header_row: must be a whole number, got 'dua'"
    )

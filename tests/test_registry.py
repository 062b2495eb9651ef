import csv
from collections import Counter

import pytest
import yaml

from core.paths import PROJECT_ROOT, SEEDS_DIR
from core.registry import RegistryError, load_registry, peringatan_wilayah

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
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.01", "delimeter": ";"}, "kunci tidak dikenal"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "77.01"}, "bukan kode wilayah yang dikenal: tidak ada provinsi 77"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "77"}, "bukan kode wilayah yang dikenal: tidak ada provinsi 77"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.70"}, "'75.70' bukan kode wilayah:"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.00"}, "'75.00' bukan kode wilayah:"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75.1"}, "'75.1' bukan kode wilayah:"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "7501"}, "'7501' bukan kode wilayah:"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "18.99"}, "di luar provinsi 75"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "18.03"}, "di luar provinsi 75"),
        ({"kode": "X Y", "nama": "X", "kode_wilayah": "75"}, "kode hanya boleh berisi"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75", "format": {"encoding": "nope"}}, "pengodean (encoding) tidak dikenal: 'nope'"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75", "delivery": "api"}, "api.base_url wajib diisi"),
        ({"kode": "X", "nama": "X", "kode_wilayah": "75",
          "format": {"header_aliases": {"Nomor": "nomor_induk"}}}, "tidak dikenal ['nomor_induk']"),
    ],
)  # fmt: skip
def test_registry_errors_name_the_agency_and_the_key(tmp_path, agency, message):
    doc = {"provinsi": {"kode_wilayah": "75"}, "agencies": [agency]}
    with pytest.raises(RegistryError) as e:
        load_registry(_write(tmp_path, doc))
    assert message in str(e.value)
    assert "instansi #1 (X" in str(e.value)


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
    with pytest.raises(RegistryError, match="di luar provinsi 75"):
        load_registry(_write(tmp_path, doc))
    doc = {"cakupan": "nasional", "provinsi": {"kode_wilayah": "75"}, "agencies": []}
    with pytest.raises(RegistryError, match="tidak punya provinsi"):
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
        f"{path}: instansi #2 (KAB-X).format.delimeter: kunci tidak dikenal (maksudnya "
        "'delimiter'?); yang boleh: ['date_format', 'decimal_comma', 'delimiter', 'encoding', 'filename_timestamp', "
        "'header_aliases', 'header_row', 'sheet', 'value_aliases']"
    )


def test_a_typo_in_an_agency_key_is_the_whole_message_in_indonesian(tmp_path):
    """One agency's `kode_wilayah` typed wrong: the file, the agency (position and code) and
    the key, the likely key, what is allowed, and that the real key is then missing."""
    doc = {
        "provinsi": {"kode_wilayah": "75"},
        "agencies": [
            {"kode": "BKD-PROV", "nama": "BKD", "kode_wilayah": "75"},
            {"kode": "KAB-X", "nama": "X", "kode_wilyah": "75.02"},
        ],
    }
    path = _write(tmp_path, doc)
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert str(e.value).splitlines() == [
        f"{path}: instansi #2 (KAB-X).kode_wilayah: wajib diisi (kunci ini harus ada)",
        f"{path}: instansi #2 (KAB-X).kode_wilyah: kunci tidak dikenal (maksudnya "
        "'kode_wilayah'?); yang boleh: ['api', 'datasets', 'delivery', 'format', 'jenis', "
        "'kode', 'kode_wilayah', 'nama', 'predikat_organisasi']",
    ]


def test_a_duplicate_code_names_the_agency_that_has_it_first(tmp_path):
    agencies = [{"kode": "KAB-X", "nama": "X", "kode_wilayah": f"75.0{i}"} for i in (1, 2)]
    path = _write(tmp_path, {"provinsi": {"kode_wilayah": "75"}, "agencies": agencies})
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert (
        str(e.value) == f"{path}: instansi #2 (KAB-X).kode: kode 'KAB-X' sudah dipakai instansi #1"
    )


def test_a_value_of_the_wrong_type_is_named_in_plain_words(tmp_path):
    agency = {"kode": "X", "nama": "X", "kode_wilayah": "75.01"}
    agency["datasets"] = {"pegawai": {"header_row": "dua"}}
    path = _write(tmp_path, {"provinsi": {"kode_wilayah": "75"}, "agencies": [agency]})
    with pytest.raises(RegistryError) as e:
        load_registry(path)
    assert str(e.value) == (
        f"{path}: instansi #1 (X).datasets.pegawai.header_row: harus bilangan bulat, bukan 'dua'"
    )


def test_the_region_seed_is_complete_and_consistent():
    """Kepmendagri 300.2.2-2138/2025: 38 provinces, 416 kabupaten and 98 kota; the codes the
    domain rules name; each row's kind and province follow from its code."""
    with (SEEDS_DIR / "wilayah.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len({r["kode_wilayah"] for r in rows}) == len(rows) == 552
    assert Counter(r["jenis_wilayah"] for r in rows) == {
        "provinsi": 38,
        "kabupaten": 416,
        "kota": 98,
    }
    provinces = {r["kode_wilayah"] for r in rows if r["jenis_wilayah"] == "provinsi"}
    assert {"92", "93", "94", "95", "96"} <= provinces  # the Papua provinces of 2022
    for r in rows:
        kode, nama = r["kode_wilayah"], r["nama_wilayah"]
        assert r["kode_provinsi"] == kode[:2] and kode[:2] in provinces, r
        if "." not in kode:
            assert r["jenis_wilayah"] == "provinsi" and nama.startswith("Provinsi "), r
        elif int(kode[3:]) >= 71:
            assert r["jenis_wilayah"] == "kota" and nama.startswith("Kota "), r
        else:
            assert r["jenis_wilayah"] == "kabupaten" and nama.startswith("Kab. "), r
    names = {r["kode_wilayah"]: r["nama_wilayah"] for r in rows}
    assert {k: v for k, v in names.items() if k.startswith("75")} == {
        "75": "Provinsi Gorontalo",
        "75.01": "Kab. Gorontalo",
        "75.02": "Kab. Boalemo",
        "75.03": "Kab. Bone Bolango",
        "75.04": "Kab. Pohuwato",
        "75.05": "Kab. Gorontalo Utara",
        "75.71": "Kota Gorontalo",
    }
    assert names["18.03"] == "Kab. Lampung Utara"
    assert names["96.01"] == "Kab. Sorong" and "92.01" not in names  # moved in 2022


def test_a_new_regency_not_yet_in_the_seed_is_accepted_with_a_warning(tmp_path):
    """Pemekaran: a law creates a kabupaten/kota before the region seed has it. A well-formed
    code of a known province is accepted, named in an Indonesian warning, and published under
    a provisional name; the agencies of known codes are not named in it."""
    doc = {
        "provinsi": {"kode_wilayah": "75"},
        "agencies": [
            {"kode": "KAB-BARU", "nama": "BKPSDM Kabupaten Baru", "kode_wilayah": "75.06"},
            {"kode": "KOTA-BARU", "nama": "BKPSDM Kota Baru", "kode_wilayah": "75.72"},
            {"kode": "DINKES-KOTA-BARU", "nama": "Dinkes Kota Baru", "kode_wilayah": "75.72"},
            {"kode": "KAB-GTO", "nama": "BKPSDM Kab. Gorontalo", "kode_wilayah": "75.01"},
        ],
    }
    reg = load_registry(_write(tmp_path, doc))
    assert reg.codes == ["KAB-BARU", "KOTA-BARU", "DINKES-KOTA-BARU", "KAB-GTO"]
    assert reg.agency("KAB-BARU").jenis == "kabupaten_kota"
    assert reg.wilayah_baru == {"75.06": ("KAB-BARU",), "75.72": ("KOTA-BARU", "DINKES-KOTA-BARU")}
    lines = peringatan_wilayah(reg.wilayah_baru)
    assert lines[0].startswith("PERINGATAN: 2 kode kabupaten/kota di registri (3 instansi) ")
    assert lines[1:] == [
        '- 75.06 "Kab. 75.06 (nama belum ada di data wilayah)": KAB-BARU',
        '- 75.72 "Kota 75.72 (nama belum ada di data wilayah)": KOTA-BARU, DINKES-KOTA-BARU',
    ]
    # a registry of known codes only: no warning
    doc["agencies"] = doc["agencies"][3:]
    assert peringatan_wilayah(load_registry(_write(tmp_path, doc)).wilayah_baru) == []


def test_the_warning_lists_ten_codes_and_counts_the_rest(tmp_path):
    agencies = [{"kode": f"K{i}", "nama": "X", "kode_wilayah": f"75.{i:02d}"} for i in range(6, 18)]
    reg = load_registry(
        _write(tmp_path, {"provinsi": {"kode_wilayah": "75"}, "agencies": agencies})
    )
    lines = peringatan_wilayah(reg.wilayah_baru)
    assert lines[0].startswith("PERINGATAN: 12 kode kabupaten/kota di registri (12 instansi) ")
    assert [ln.split()[1] for ln in lines[1:11]] == [f"75.{i:02d}" for i in range(6, 16)]
    assert lines[11:] == ["- ... dan 2 kode lainnya (daftar lengkap: kinerja status)"]
    assert len(peringatan_wilayah(reg.wilayah_baru, batas=None)) == 13

"""The marts a publication copies (the analysts' kinerja.duckdb and the files people read)."""

PUBLISHED_FROM = [
    "indikator_wilayah",
    "indikator_instansi",
    "temuan",
    "mutu_data_instansi",
    "dim_wilayah",
    "dim_instansi",
    "dim_tahun",
    "dim_pegawai",
    "fct_pegawai_tahun",
    "fct_penilaian",
    "fct_pelatihan",
    "fct_survei",
    "fct_ip_asn",
    "fct_dialog_kinerja",
    "fct_penghargaan",
]

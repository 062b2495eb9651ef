"""Personal data typed into free text (issue 13; issue 14 item 5): one detector masks NIPs and
roster names in the warehouse, reports each replacement to the agency, and searches every
published file before the release is switched."""

import re
import shutil
import unicodedata
import zipfile

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from core.personal_data import Detector, dbt_vars, free_text_columns, nip_pattern
from core.standard import Standard, load_standard
from publication.files import write_publication_files
from publication.release import latest_release, publish
from publication.scan import (
    PersonalDataInRelease,
    RosterNames,
    assert_no_personal_data,
    scan_release,
)
from tests.conftest import copy_province, run_nightly
from tests.hand_province import NIP, PEGAWAI_H, PELATIHAN_H, pegawai, pelatihan, write

BUDI_NIP = "198511232019772001"
CASES = {  # text as typed -> as published
    "Narasumber: Budi Santoso, NIP 198511232019772001": "Narasumber: [NAMA], NIP [NIP]",
    "Kelas NIP.19851123 201977 2 001": "Kelas NIP.[NIP]",  # split, glued to letters
    "BPSDM (nip 19851123-201977-2-001)": "BPSDM (nip [NIP])",
    "NIP １９８５１１２３２０１９７７２００１ oleh BUDI SANTOSO": "NIP [NIP] oleh [NAMA]",  # full-width
    "NIP ١٩٨٥١١٢٣٢٠١٩٧٧٢٠٠١": "NIP [NIP]",  # Arabic-Indic digits
    "Bimbingan budi-santoso": "Bimbingan [NAMA]",
    "BPSDM, telp 0812-3456-7890, 2019-05-01": "BPSDM, telp 0812-3456-7890, 2019-05-01",
    "Budi Santosoputra": "Budi Santosoputra",  # not a whole name
}


# --- the detector (fast) ---------------------------------------------------------------------


def test_detector_masks_the_issue_cases():
    d = Detector(["Budi Santoso", "Bintang"])
    for text, published in CASES.items():
        assert d.mask(text) == published, text
    assert d.kinds("Narasumber: Budi Santoso, NIP 198511232019772001") == {"NIP", "NAMA"}
    assert d.kinds("Pelatihan Bintang Pelayanan") == {"NAMA"}
    assert d.mask(42) == 42 and d.mask(None) is None
    # a hex digest (pseudonym key, file sha256) holding 18 decimal digits in a row is no NIP
    digest = "e3b0c44298fc1c14" + "198511232019772001" + "a" * 30
    assert d.kinds(digest) == set() and d.mask(f'{{"f": "{digest}"}}') == f'{{"f": "{digest}"}}'
    assert d.mask("198511232019772001198511232019772001") == "[NIP]"  # digits only: no digest
    # nor is a UUID (a Dagster run id) whose first 18 hex digits are decimal
    run_id = "74462680-8871-4085-90b7-0bb587077df4"
    assert d.kinds(f'{{"run_id": "{run_id}"}}') == set()
    assert d.kinds(f"{run_id} NIP 198511232019772001") == {"NIP"}
    assert d.kinds("19851123-2019-7720-0100-000000000000") == {"NIP"}  # digits only: no UUID
    assert d.kinds("74462680-8871-4085-90b7") == {"NIP"}  # a part of one is no UUID


def test_an_ordinary_word_is_a_name_only_on_that_agencys_roster():
    kab1, kab2 = Detector(["Bintang", "Pegawai n1"]), Detector(["Budi Santoso"])
    assert kab1.mask("Pelatihan Bintang Pelayanan") == "Pelatihan [NAMA] Pelayanan"
    assert kab2.mask("Pelatihan Bintang Pelayanan") == "Pelatihan Bintang Pelayanan"
    assert kab2.kinds("Pelatihan Bintang Pelayanan") == set()
    assert kab1.mask("Bintangnya") == "Bintangnya"  # whole words only


def test_a_roster_name_holding_a_digit_is_a_placeholder_not_a_name():
    """Generated rosters ("Pegawai 71040") would otherwise find names in ordinary text such as
    a report's '"pegawai": 71040' and block every publication."""
    d = Detector(["Pegawai 71040", "Pegawai ７", "Budi Santoso"])
    text = '{"dim_pegawai": 71040} Pegawai 71040, pegawai 7, oleh Budi Santoso'
    assert d.mask(text) == '{"dim_pegawai": 71040} Pegawai 71040, pegawai 7, oleh [NAMA]'
    assert d.kinds("Pegawai 71040") == set()


def test_the_warehouse_and_python_apply_the_same_nip_pattern():
    """dbt masks with DuckDB's regex engine (RE2), the gate with Python's: same results."""
    con = duckdb.connect()
    for text in [*CASES, "𝟏𝟗𝟖𝟓𝟏𝟏𝟐𝟑𝟐𝟎𝟏𝟗𝟕𝟕𝟐𝟎𝟎𝟏", "a 12345678901234567 b", "x1234567890123456789012y"]:
        (in_sql,) = con.execute(
            "SELECT regexp_replace(?, ?, '[NIP]', 'g')", [text, nip_pattern("re2")]
        ).fetchone()
        in_python = Detector().mask(text)
        assert unicodedata.normalize("NFKC", in_sql) == in_python, text
    assert Detector().mask("a 12345678901234567 b") == "a 12345678901234567 b"  # 17 digits


def test_the_warehouse_row_keys_never_look_like_an_nip():
    """The fact row keys (pelatihan_key, respons_key, penghargaan_key) are
    `agency:year:file:row` with the first 16 hex digits of the file's sha256 (issue 18: an md5
    key that happened to be 32 decimal digits blocked the publication). A colon is no NIP
    separator, so even a numeric agency code, an all-digit sha prefix and a long row number
    stay apart, for the gate (RE2, in DuckDB) and for the published-file scan (Python)."""
    con = duckdb.connect()
    gate_sql = "SELECT regexp_matches(?, ?)"
    keys = ["3201010001:2025:0123456789012345:1234567",
            "12345678901234567:2025:9999999999999999:12345678901234567"]  # fmt: skip
    for key in keys:
        assert Detector().kinds(key) == set(), key
        assert not con.execute(gate_sql, [key, nip_pattern("re2")]).fetchone()[0], key
    # the same digits joined by an NIP separator would be one
    assert Detector().kinds("3201010001-2025-0123456789012345-1234567") == {"NIP"}


def test_free_text_columns_come_from_the_standard():
    """Every text column not marked free_text: false, in every dataset, also one added later."""
    cols = free_text_columns()
    assert cols["pelatihan"] == ["nama_pelatihan", "penyelenggara"]
    assert cols["survei"] == ["unit_layanan", "pendidikan", "pekerjaan", "saran"]
    assert cols["pegawai"] == ["unit_kerja"]  # the name column itself is not free text
    raw = load_standard().model_dump()
    datasets = {n: {"description": d["description"], "columns": {
        c["name"]: {k: v for k, v in c.items() if k != "name"} for c in d["columns"]}}
        for n, d in raw["datasets"].items()}  # fmt: skip
    datasets["dialog_kinerja"] = {
        "description": "dialog",
        "columns": {
            "nip": {"type": "nip"},
            "catatan": {"type": "text"},
            "triwulan": {"type": "integer"},
        },
    }
    later = Standard.model_validate({**raw, "datasets": datasets})
    assert free_text_columns(later)["dialog_kinerja"] == ["catatan"]
    assert dbt_vars()["personal_data"]["free_text_columns"] == cols
    assert dbt_vars()["personal_data"]["nip_pattern"] == nip_pattern("re2")


def test_the_scan_finds_personal_data_in_every_kind_of_file(tmp_path):
    rel = tmp_path / "rilis"
    (rel / "temuan_instansi").mkdir(parents=True)
    (rel / "laporan.html").write_text("<p>Provinsi Gorontalo</p>")
    (rel / "a.csv").write_text("kode_instansi,tahun,penyelenggara\nKAB-2,2025,BPSDM\n")
    names = RosterNames([("KAB-2", 2025, "Budi Santoso"), ("KAB-1", 2025, "Bintang")])
    assert scan_release(rel, names) == []
    (rel / "laporan.html").write_text("<p>Narasumber NIP 19851123.201977.2.001</p>")
    (rel / "a.csv").write_text(
        "kode_instansi,tahun,penyelenggara,nama_pelatihan\n"
        "KAB-2,2025,oleh budi santoso,Taman Bintang\n"  # Bintang: KAB-1's roster only
    )
    pq.write_table(
        pa.table({"kode_instansi": ["KAB-1"], "tahun": [2025], "x": ["Kelas Bintang"]}),
        rel / "b.parquet",
    )
    with duckdb.connect(str(rel / "c.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.t AS SELECT 'NIP １９８５１１２３２０１９７７２００１' AS catatan"
        )
    wb = xlsxwriter.Workbook(str(rel / "temuan_instansi" / "KAB-2.xlsx"))
    wb.add_worksheet("Baris Ditolak").write_string(0, 0, "kolom 'Budi Santoso' tidak dikenal")
    wb.close()
    found = {(h.file, h.where, h.kind) for h in scan_release(rel, names)}
    assert found == {
        ("laporan.html", "teks", "NIP"),
        ("a.csv", "a.penyelenggara", "NAMA"),
        ("b.parquet", "b.x", "NAMA"),
        ("c.duckdb", "marts.t.catatan", "NIP"),
        ("temuan_instansi/KAB-2.xlsx", "xl/sharedStrings.xml", "NAMA"),
    }
    with pytest.raises(PersonalDataInRelease, match="a.csv \\(a.penyelenggara\\): NAMA"):
        assert_no_personal_data(rel, names)


def test_the_scan_filter_loses_no_hit():
    """DuckDB picks the values the detector looks at (publication/scan.py): on values made to
    sit at the filter's edges (names in any case and spelling of their separators, as a part
    of a longer word, full-width letters and digits, NIPs split and glued, names of another
    agency or year, hex digests), the scan finds in each value exactly what the detector of
    its agency and year (of its agency; of every name of two words or more) finds in it."""
    import random

    from publication.scan import column_hits

    rng = random.Random(18)
    roster = [
        ("KAB-1", 2024, "Budi Santoso"), ("KAB-1", 2025, "Siti Aminah"),
        ("KAB-2", 2025, "Bintang"), ("KAB-2", 2025, "Dewi Sartika Putri"),
        ("KAB-2", 2024, "Agus Salim"), ("KAB-1", 2025, "Ｒｉｎａ Ｗａｔｉ"),
        ("KAB-1", 2024, "José Ramírez"), ("KAB-2", 2025, "Nur 2"), ("KAB-2", 2024, "Sri"),
    ]  # fmt: skip
    parts = [
        "Budi Santoso", "budi-santoso", "BUDI  SANTOSO", "Budi Santosoputra", "Santoso",
        "Siti Aminah", "siti_aminah", "Bintang", "Taman Bintang", "bintang7", "Dewi Sartika",
        "Dewi Sartika Putri", "agus salim", "rina wati", "Ｒｉｎａ Ｗａｔｉ", "José Ramírez",
        "jose ramirez", "nur 2", "Nur 2.5", "SRI", BUDI_NIP, "NIP.19851123 201977 2 001",
        "１９８５１１２３２０１９７７２００１", "e3b0c44298fc1c14198511232019772001" + "a" * 30,
        "198511232019772001" + "abcdef01234567",  # a whole digest of 32: no candidate
        "E3B0C44298FC1C14198511232019772001" + "A" * 30,  # upper case: a candidate, no hit
        "198511232019772001" * 2,  # 36 digits, no a-f: no digest, an NIP
        "0812-3456-7890", "2019-05-01", "Pelatihan", "BPSDM", "¹⁹⁸⁵¹¹²³²⁰¹⁹⁷⁷²⁰⁰¹", "",
    ]  # fmt: skip
    rows = [
        (
            rng.choice(["KAB-1", "KAB-2", "KAB-3"]),
            rng.choice(["2024", "2025", "x"]),
            " ".join(rng.sample(parts, rng.randint(1, 3))),
        )
        for _ in range(2000)
    ]
    names = RosterNames(roster)
    names.con.execute("CREATE TABLE t (kode_instansi VARCHAR, tahun VARCHAR, teks VARCHAR)")
    names.con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    by_year, by_agency = {}, {}
    for kode, tahun, nama in roster:
        by_year.setdefault((kode, tahun), []).append(nama)
        by_agency.setdefault(kode, []).append(nama)
    two_words = Detector(n for *_, n in roster if len(re.findall(r"\w+", n)) >= 2)
    for context, detector_of in [
        (['"kode_instansi"', '"tahun"'], lambda k, t: Detector(
            by_year.get((k, int(t)), ()) if t.isdigit() else by_agency.get(k, ()))),
        (['"kode_instansi"', "NULL"], lambda k, t: Detector(by_agency.get(k, ()))),
        (["NULL", "NULL"], lambda k, t: two_words),
    ]:  # fmt: skip
        agency, year = (c != "NULL" for c in context)
        expected = {
            (k if agency else None, t if year else None, v, kind)
            for k, t, v in set(rows)
            for kind in detector_of(k, t).kinds(v)
        }
        assert column_hits(names.con, "t", "teks", context, names) == expected, context
        assert {kind for *_, kind in expected} == {"NIP", "NAMA"}  # both were there to find


# --- through the nightly run (slow) ----------------------------------------------------------

BUDI = f"{BUDI_NIP},Budi Santoso,2025,Umum,L,1985-11-23,PNS,III/a,pelaksana,S1,tidak_ada"


@pytest.fixture(scope="module")
def province(hand_built, tmp_path_factory):
    s = copy_province(hand_built[0], tmp_path_factory.mktemp("pii") / "home")
    later, latest = "2026-02-10T08:00:00", "2026-02-11T08:00:00"
    kab2 = [pegawai(n) for n in ["m1", "m2", "m3", "m4", "n5"]]
    write(s.landing, "KAB-2", "pegawai", "p2.csv", PEGAWAI_H, [*kab2, BUDI], later)
    # KAB-1's n1 is called Bintang (an ordinary word: star)
    kab1 = [pegawai(n) for n in ["n1", "n2", "n3", "n4", "n5"]] + [pegawai("n6", "PPPK")]
    kab1[0] = kab1[0].replace("Pegawai n1", "Bintang")
    write(s.landing, "KAB-1", "pegawai", "p2.csv", PEGAWAI_H, kab1, later)
    typed = [f'{BUDI_NIP},Latsar,klasikal,2025-07-01,2025-07-02,1,"{t}"' for t in CASES]
    typed.append(f"{BUDI_NIP},Taman Bintang,klasikal,2025-07-01,2025-07-02,1,BPSDM")
    write(s.landing, "KAB-2", "pelatihan", "latih2.csv", PELATIHAN_H,
          [pelatihan("m1", 25), pelatihan("n5", 20), pelatihan("m2", 5), *typed], later)  # fmt: skip
    write(s.landing, "KAB-1", "pelatihan", "latih2.csv", PELATIHAN_H, [
        pelatihan("n1", 20), pelatihan("n2", 12), pelatihan("n2", 8, "2024-12-28", "2025-01-02"),
        pelatihan("n3", "19.5"), pelatihan("n6", 30), pelatihan("n3", 10, "2024-12-30", "2024-12-31"),
        f"{NIP['n1']},Kelas Bintang,klasikal,2025-08-01,2025-08-02,1,BPSDM",
    ], later)  # fmt: skip
    write(s.landing, "KAB-2", "survei", "skm2.csv",
          "id_responden,unit_layanan,tanggal_survei,u1,u2,u3,u4,u5,u6,u7,u8,u9,pekerjaan,saran", [
              "s1,Loket,2025-06-01,4,4,4,4,4,4,4,4,4,PNS,",
              "s2,Loket Budi Santoso,2025-06-01,4,4,4,4,4,4,4,4,4,guru,hubungi NIP 198511232019772001",
          ], later)  # fmt: skip
    # a roster without its header line (issue 14 item 5): quarantined, its reason quotes the line
    write(s.landing, "KAB-2", "pegawai", "tanpa_header.csv", BUDI, [kab2[0]], latest)
    result = run_nightly(s)
    assert result.success
    return s, (s.published / "latest").resolve()


def _all(con, sql):
    return con.execute(sql).fetchall()


@pytest.mark.slow
def test_free_text_is_masked_in_the_warehouse_and_kept_raw(province):
    s, rel = province
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        raw = {r[0] for r in _all(con, "SELECT penyelenggara FROM raw.pelatihan")}
        sent = {t for (t,) in _all(con, "SELECT penyelenggara FROM marts.fct_pelatihan WHERE kode_instansi_pengirim = 'KAB-2'")}  # fmt: skip
        names = {t for (t,) in _all(con, "SELECT nama_pelatihan FROM marts.fct_pelatihan")}
        layanan = {t for (t,) in _all(con, "SELECT unit_layanan FROM marts.fct_survei")}
    assert set(CASES) <= raw  # the raw table keeps what the agency sent
    assert set(CASES.values()) <= sent
    assert not set(CASES) - set(CASES.values()) & sent
    # Bintang is KAB-1's roster name: masked in KAB-1's text, not in KAB-2's
    assert "Kelas [NAMA]" in names and "Taman Bintang" in names and "Kelas Bintang" not in names
    assert "Loket [NAMA]" in layanan and "Loket Budi Santoso" not in layanan
    with duckdb.connect(str(rel / "kinerja.duckdb"), read_only=True) as con:
        published = {t for (t,) in _all(con, "SELECT penyelenggara FROM marts.fct_pelatihan")}
    assert set(CASES.values()) <= published


@pytest.mark.slow
def test_each_replacement_is_reported_to_the_agency(province):
    s, rel = province
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        temuan = {(k, a): j for k, a, j in _all(con, "SELECT kode_instansi, aturan, jumlah FROM marts.temuan WHERE tahun = 2025")}  # fmt: skip
    assert temuan[("KAB-2", "NIP_DI_TEKS_BEBAS")] == 5 + 1  # five trainings, one survey (saran)
    assert temuan[("KAB-2", "NAMA_DI_TEKS_BEBAS")] == 3 + 1
    assert temuan[("KAB-1", "NAMA_DI_TEKS_BEBAS")] == 1
    book = CalamineWorkbook.from_path(str(rel / "temuan_instansi" / "KAB-2.xlsx"))
    rows = book.get_sheet_by_name("Data Pribadi").to_python()
    assert rows[0] == ["File", "Baris", "Jenis Data", "Tahun", "Kolom", "Data Pribadi", "Aturan"]
    listed = {(r[0], int(r[1]), r[4], r[5]) for r in rows[1:]}
    assert ("KAB-2/pelatihan/latih2.csv", 5, "penyelenggara", "NIP") in listed
    assert ("KAB-2/pelatihan/latih2.csv", 5, "penyelenggara", "NAMA") in listed
    assert ("KAB-2/pelatihan/latih2.csv", 6, "penyelenggara", "NIP") in listed
    assert ("KAB-2/survei/skm2.csv", 3, "saran", "NIP") in listed
    assert ("KAB-2/survei/skm2.csv", 3, "unit_layanan", "NAMA") in listed
    temuan_sheet = book.get_sheet_by_name("Temuan").to_python()
    assert {"NIP_DI_TEKS_BEBAS", "NAMA_DI_TEKS_BEBAS"} <= {r[1] for r in temuan_sheet[1:]}


@pytest.mark.slow
def test_a_quoted_line_in_a_quarantine_reason_is_masked(province):
    """Issue 14 item 5: a header-less CSV's reason quotes its first line (an NIP and a name)."""
    s, rel = province
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        (reason,) = con.execute(
            "SELECT reason FROM raw.load_log WHERE file_name LIKE '%tanpa_header.csv'"
        ).fetchone()
    assert BUDI_NIP in reason and "Budi Santoso" in reason  # kept as it is in the warehouse
    rows = CalamineWorkbook.from_path(str(rel / "temuan_instansi" / "KAB-2.xlsx"))
    rows = rows.get_sheet_by_name("Baris Ditolak").to_python()
    (line,) = [r for r in rows if r[0] == "KAB-2/pegawai/tanpa_header.csv"]
    alasan = line[rows[0].index("Alasan")]
    assert "[NIP]" in alasan and "[NAMA]" in alasan
    assert BUDI_NIP not in alasan and "Budi Santoso" not in alasan


def _text_of(path):
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".parquet":
        return " ".join(str(v) for col in pq.read_table(path).columns for v in col.to_pylist())
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as con:
            tables = _all(con, "SELECT table_schema, table_name FROM information_schema.tables")
            return " ".join(
                str(v)
                for sc, t in tables
                for row in _all(con, f'SELECT * FROM "{sc}"."{t}"')
                for v in row
            )
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_no_published_file_holds_them(province):
    s, rel = province
    assert scan_release(rel, RosterNames.from_warehouse(s.warehouse)) == []
    files = [p for p in rel.rglob("*") if p.is_file()]
    for p in files:  # and independently of the detector: the NIP, in any spelling, and the name
        text = unicodedata.normalize("NFKC", _text_of(p))
        assert BUDI_NIP not in "".join(c for c in text if c.isdigit()), p
        assert not re.search(r"\bbudi santoso\b", re.sub(r"[\W_]+", " ", text.lower())), p
    pelatihan = _text_of(rel / "parquet" / "fct_pelatihan.parquet")
    assert "Taman Bintang" in pelatihan  # an ordinary word stays where it is no roster name


@pytest.mark.slow
def test_personal_data_in_a_release_blocks_it(province, tmp_path):
    """The last line of defence: a mart that still held a name would not be published; the
    last good publication stays."""
    s, _ = province
    working, published = tmp_path / "kerja.duckdb", tmp_path / "published"
    shutil.copyfile(s.warehouse, working)
    names = RosterNames.from_warehouse(working)

    def release_now(run_id):
        previous = latest_release(published)
        return publish(
            working, published, run_id, memory_limit="1GB",
            extra=lambda f, stamp: write_publication_files(working, f, stamp, previous),
            check=lambda f: assert_no_personal_data(f, names, previous),
        )  # fmt: skip

    # a run id that starts with 18 decimal digits (in the release's manifest.json) once
    # blocked a publication as an NIP
    good = release_now("74462680-8871-4085-90b7-0bb587077df4")
    with duckdb.connect(str(working)) as con:
        con.execute(
            "UPDATE marts.fct_pelatihan SET penyelenggara = 'Pak Budi Santoso' "
            "WHERE kode_instansi_pengirim = 'KAB-2'"
        )
    with pytest.raises(PersonalDataInRelease) as blocked:
        release_now("run00002")
    message = str(blocked.value)
    assert "parquet/fct_pelatihan.parquet (fct_pelatihan.penyelenggara): NAMA" in message
    assert "kinerja.duckdb (marts.fct_pelatihan.penyelenggara): NAMA" in message
    assert latest_release(published) == good.resolve()
    assert sorted(p.name for p in (published / "runs").iterdir()) == [good.name]

"""The last line of defence: every file of a release is searched for personal data, with the
detector the warehouse masks with (core/personal_data.py), before `latest` is switched.

What is searched: every text value of every table (CSV, Parquet, the analysts' DuckDB), every
string of every XLSX sheet (its XML), and the text of every other file (HTML report, guide,
JSON). NIPs everywhere. Names: a table row that says its agency and year (`kode_instansi` or
`kode_instansi_pengirim`, and `tahun`) is searched for that agency's roster names of that year
(as the warehouse masks them); an agency's findings workbook (`temuan_instansi/<kode>.xlsx`)
for every name its rosters ever held; anything else for every roster name of two words or more.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import duckdb

from core import personal_data
from core.paths import STANDARD_FILE
from core.personal_data import Detector, nip_like_params, nip_like_sql, words
from core.sql import lit
from publication.release import table_fingerprints

AGENCY_COLUMNS = ("kode_instansi_pengirim", "kode_instansi")


@dataclass(frozen=True)
class Hit:
    file: str  # path inside the release
    where: str  # table.column, sheet XML part, or "teks"
    kind: str  # NIP or NAMA

    def __str__(self) -> str:
        return f"{self.file} ({self.where}): {self.kind}"


class RosterNames:
    """The roster names of the working warehouse (raw.pegawai, every submission), kept in an
    in-memory DuckDB database (a national roster holds millions) that the scan also queries:
    detectors per agency and year, per agency, and for text with no agency.

    The scan looks at a value with a detector only when DuckDB finds it may hold something
    (`KEY_WORDS`): it holds an NIP-like run of digits, or a character outside ASCII, or one
    of the key words: for every roster name, its rarest word (every word of a name with a
    character outside ASCII). A name is found only where all its words are, its key word
    among them, so the filter loses no hit (core/personal_data.py: words are runs of letters
    and digits, lower case; an ASCII value is its own NFKC form)."""

    def __init__(self, names: list[tuple[str, int, str]] | None = None, *, con=None):
        self.con = con or duckdb.connect()
        if con is None:
            self.con.execute(
                "CREATE TABLE roster (kode_instansi VARCHAR, tahun INTEGER, nama VARCHAR)"
            )
            if names:
                self.con.executemany("INSERT INTO roster VALUES (?, ?, ?)", list(names))
        self._detectors: dict = {}
        self._digest: str | None = None
        self._key_words()

    @classmethod
    def from_warehouse(cls, working_db: Path) -> RosterNames:
        con = duckdb.connect()
        con.execute(f"ATTACH {lit(str(working_db))} AS kerja (READ_ONLY)")
        con.execute(
            "CREATE TABLE roster AS SELECT DISTINCT kode_instansi, tahun, nama "
            "FROM kerja.raw.pegawai WHERE nama IS NOT NULL AND NOT regexp_matches(nama, '\\pN')"
        )
        con.execute("DETACH kerja")
        return cls(con=con)

    def _key_words(self) -> None:
        """Table `name_key_word` (nama, w): one key word per ASCII name (its rarest word
        among the roster's names), every word of a name with other characters (its words
        after NFKC); table `key_words` (w): the distinct key words."""
        self.con.execute(
            f"""CREATE OR REPLACE TABLE name_key_word AS
            WITH n AS (SELECT DISTINCT nama FROM roster WHERE strlen(nama) = length(nama)),
            w AS (SELECT nama, unnest({WORDS_SQL.format(v="nama")}) AS w FROM n),
            f AS (SELECT w, count(*) AS c FROM w WHERE w <> '' GROUP BY w)
            SELECT nama, arg_min(w, c) AS w FROM w JOIN f USING (w) GROUP BY nama"""
        )
        other = self.con.execute(
            "SELECT DISTINCT nama FROM roster WHERE strlen(nama) <> length(nama)"
        ).fetchall()
        rows = [(nama, w) for (nama,) in other for w in set(words(nama))]
        if rows:
            self.con.executemany("INSERT INTO name_key_word VALUES (?, ?)", rows)
        self.con.execute(
            "CREATE OR REPLACE TABLE key_words AS SELECT DISTINCT w FROM name_key_word"
        )

    def detectors(self, rows: list[tuple], context: str) -> list[Detector]:
        """One detector per (kode, tahun, text) of `rows`, with the roster names that may be
        in its text (those whose key word is one of its words) of its `context`: "year": the
        agency's rosters of that year (every year when the year is no number), "agency":
        every roster of the agency, "any": every roster name of two words or more."""
        cols: tuple[list, list, list, list] = ([], [], [], [])
        for i, (kode, tahun, text) in enumerate(rows):
            year = _year(tahun) if context == "year" else None
            for w in set(words(str(text))):
                for col, v in zip(
                    cols, (i, None if kode is None else str(kode), year, w), strict=True
                ):
                    col.append(v)
        found: dict[int, list[str]] = {}
        if cols[0]:
            roster = {
                "year": "r.kode_instansi = c.k AND (c.t IS NULL OR r.tahun = c.t)",
                "agency": "r.kode_instansi = c.k",
            }.get(context)
            where = (
                f"SELECT DISTINCT c.i, c.nama FROM c JOIN roster r ON r.nama = c.nama AND {roster}"
                if roster
                else "SELECT i, nama FROM c"
            )
            for i, nama in self.con.execute(
                f"""WITH p AS (SELECT unnest(?::INTEGER[]) AS i, unnest(?::VARCHAR[]) AS k,
                                      unnest(?::INTEGER[]) AS t, unnest(?::VARCHAR[]) AS w),
                    c AS (SELECT DISTINCT p.i, p.k, p.t, n.nama FROM p JOIN name_key_word n USING (w))
                    {where}""",
                list(cols),
            ).fetchall():
                if roster or len(re.findall(r"\w+", nama)) >= 2:
                    found.setdefault(i, []).append(nama)
        return [self._detector(tuple(sorted(found.get(i, ())))) for i in range(len(rows))]

    def _detector(self, names: tuple[str, ...]) -> Detector:
        if names not in self._detectors:
            self._detectors[names] = Detector(names)
        return self._detectors[names]

    def digest(self) -> str:
        """What a scan with these names finds depends on: the names (every roster row) and
        the code (this module, the detector and its definition)."""
        if self._digest is None:
            n, total = self.con.execute(
                "SELECT count(*), coalesce(sum(hash(kode_instansi, tahun, nama)::HUGEINT), 0) "
                "FROM roster"
            ).fetchone()
            h = hashlib.sha256(f"{n}:{total}:{duckdb.__version__}".encode())
            for code in (Path(__file__), Path(personal_data.__file__), STANDARD_FILE):
                h.update(code.read_bytes())
            self._digest = h.hexdigest()
        return self._digest

    def close(self) -> None:
        self.con.close()


def _year(tahun) -> int | None:
    try:
        return int(tahun)
    except (TypeError, ValueError):
        return None


# the words of a text in SQL, as core.personal_data.words() splits an ASCII text
WORDS_SQL = "string_split_regex(lower({v}), '[^a-z0-9]+')"


SCANNED = "pemindaian.json"  # in a release: what its scan covered, for the next release's


def scan_release(folder: Path, names: RosterNames, previous: Path | None = None) -> list[Hit]:
    """Every personal-data hit in the files of `folder` (empty: the release may be published).

    `previous`: the release published before. What it shares with it was searched there,
    with the same roster names and the same code (its SCANNED record says so), and is not
    searched again: a file it shares (a hard link: published files are never written in
    place), and a table of the analysts' file whose fingerprint is the same."""
    done = _scanned_before(previous, names)
    hits: list[Hit] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if done is not None and _shared(path, previous / rel):
            continue
        if path.suffix == ".duckdb" and done is not None:
            same = table_fingerprints(folder)
            skip = {t for t, f in done.items() if same.get(t) == f}
            hits += _scan_tables(names.con, path, str(rel), names, skip)
            continue
        hits += _scan_file(names.con, folder, path, names)
    return hits


def _scanned_before(previous: Path | None, names: RosterNames) -> dict[str, str] | None:
    """The fingerprints of the tables the previous release's scan covered, when it searched
    with the same names and code (else None: nothing is taken from it)."""
    record = previous / SCANNED if previous is not None else None
    if record is None or not record.exists():
        return None
    scanned = json.loads(record.read_text(encoding="utf-8"))
    return scanned["tabel"] if scanned.get("digest") == names.digest() else None


def _shared(path: Path, before: Path) -> bool:
    try:
        return os.path.samefile(path, before)
    except OSError:
        return False


def _scan_file(con, folder: Path, path: Path, names: RosterNames) -> list[Hit]:
    rel = str(path.relative_to(folder))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".duckdb"):
        return _scan_tables(con, path, rel, names)
    if suffix == ".xlsx":
        agency = path.stem if path.parent.name == "temuan_instansi" else None
        return _scan_xlsx(path, rel, names, agency)
    # the report, the guide, JSON, and anything else: as text
    text = path.read_text(encoding="utf-8", errors="replace")
    (detector,) = names.detectors([(None, None, text)], "any")
    return [Hit(rel, "teks", k) for k in sorted(detector.kinds(text))]


def _scan_xlsx(path: Path, rel: str, names: RosterNames, agency: str | None) -> list[Hit]:
    texts = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith(".xml"):
                continue
            root = ElementTree.fromstring(z.read(part))
            for el in root.iter():
                if el.text and el.tag.rsplit("}", 1)[-1] in ("t", "v"):
                    texts.append((part, el.text))
    detectors = names.detectors(
        [(agency, None, text) for _, text in texts], "agency" if agency else "any"
    )
    found = {
        (part, kind)
        for (part, text), detector in zip(texts, detectors, strict=True)
        for kind in detector.kinds(text)
    }
    return [Hit(rel, part, kind) for part, kind in sorted(found)]


def _scan_tables(con, path: Path, rel: str, names: RosterNames, skip=frozenset()) -> list[Hit]:
    """The tables of a file; `skip`: tables of the analysts' file (schema marts) already
    searched in the previous release."""
    if path.suffix == ".parquet":
        return _scan_table(con, rel, path.stem, f"read_parquet({lit(str(path))})", names)
    if path.suffix != ".duckdb":  # CSV: read once, every value as text
        con.execute(
            "CREATE OR REPLACE TEMP TABLE csv_file AS SELECT * FROM "
            f"read_csv({lit(str(path))}, all_varchar = true, header = true)"
        )
        try:
            return _scan_table(con, rel, path.stem, "csv_file", names)
        finally:
            con.execute("DROP TABLE csv_file")
    con.execute(f"ATTACH {lit(str(path))} AS rilis (READ_ONLY)")
    try:
        hits = []
        for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'rilis' ORDER BY 1, 2"
        ).fetchall():
            if schema == "marts" and table in skip:
                continue
            hits += _scan_table(con, rel, f"{schema}.{table}", f'rilis."{schema}"."{table}"', names)
        return hits
    finally:
        con.execute("DETACH rilis")


def _candidates_sql(source: str, column: str, context: list[str]) -> str:
    """The distinct (column, agency, year, value) of a text column that may hold personal
    data: the values outside ASCII (the detector looks at them whole: NFKC may make digits or
    words of them), the values with an NIP-like run of digits, and those with a key word of a
    roster name. Every other value holds neither (see RosterNames), without a detector's
    look. A value that is one hex digest (a pseudonym key, a sha256) is no NIP candidate
    however many digits it has: the detector ignores digests (core/personal_data.py), and a
    digest is one word, no roster name. Nationally 0.4 % of the 3.6 million pseudonym keys
    of a table hold 18 digits in a row: each was handed to a detector for nothing."""
    col = f'"{column}"'
    return f"""(
        WITH d AS MATERIALIZED (SELECT DISTINCT {col} AS v FROM {source} WHERE {col} IS NOT NULL),
        c AS (
            SELECT v FROM d WHERE strlen(v) <> length(v) OR {nip_like_sql("v")}
            UNION
            SELECT v FROM (SELECT v, unnest({WORDS_SQL.format(v="v")}) AS w FROM d)
            SEMI JOIN key_words USING (w)
        )
        SELECT DISTINCT {lit(column)} AS kolom, {context[0]} AS k, {context[1]} AS t, {col} AS v
        FROM {source} WHERE {col} IN (SELECT v FROM c))"""


def _scan_table(con, rel: str, label: str, source: str, names: RosterNames) -> list[Hit]:
    cols = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    types = {c[0]: c[1] for c in cols}
    agency = next((c for c in AGENCY_COLUMNS if c in types), None)
    year = "tahun" if "tahun" in types else None
    context = [f'"{c}"' if c else "NULL" for c in (agency, year)]
    text = [c for c, t in types.items() if t == "VARCHAR"]
    found = table_hits(con, source, text, context, names)
    return [
        Hit(rel, f"{label}.{column}", kind)
        for column in text
        for kind in sorted({k for c, *_, k in found if c == column})
    ]


def table_hits(
    con, source: str, columns: list[str], context: list[str], names: RosterNames
) -> set[tuple]:
    """(column, agency, year, value, kind) of every value of the text `columns` holding
    personal data. `context`: the SQL of a row's agency and year (NULL: the table has none)."""
    if not columns:
        return set()
    # one query per column: DuckDB 1.5 can hang for good on the UNION ALL of these queries
    # (three text columns of a national mart, one with thousands of candidates)
    params = nip_like_params()
    values = [
        row
        for column in columns
        for row in con.execute(_candidates_sql(source, column, context), params).fetchall()
    ]
    if not values:
        return set()
    agency, year = (c != "NULL" for c in context)
    roster = "year" if agency and year else "agency" if agency else "any"
    detectors = names.detectors([v[1:] for v in values], roster)
    return {
        (column, kode, tahun, value, kind)
        for (column, kode, tahun, value), detector in zip(values, detectors, strict=True)
        for kind in detector.kinds(value)
    }


def column_hits(con, source: str, column: str, context: list[str], names: RosterNames) -> set:
    """(agency, year, value, kind) of every value of one text column holding personal data."""
    return {h[1:] for h in table_hits(con, source, [column], context, names)}


class PersonalDataInRelease(RuntimeError):
    """The release holds personal data: it is not published (Indonesian message)."""

    def __init__(self, hits: list[Hit]):
        self.hits = hits
        listed = "; ".join(str(h) for h in hits[:20])
        more = f" (dan {len(hits) - 20} lainnya)" if len(hits) > 20 else ""
        super().__init__(
            "Publikasi diblokir: data pribadi (NIP atau nama pegawai) ditemukan di file yang "
            f"akan dipublikasikan: {listed}{more}. Publikasi terakhir tetap berlaku."
        )


def assert_no_personal_data(folder: Path, names: RosterNames, previous: Path | None = None) -> None:
    """Raise when a file of the release holds personal data; else record what was searched
    (SCANNED: the names and code, and the tables of the analysts' file)."""
    hits = scan_release(folder, names, previous)
    if hits:
        raise PersonalDataInRelease(hits)
    record = {"digest": names.digest(), "tabel": table_fingerprints(folder)}
    (folder / SCANNED).write_text(json.dumps(record, indent=1), encoding="utf-8")

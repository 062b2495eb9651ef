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

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import duckdb

from core.personal_data import Detector
from core.sql import lit

AGENCY_COLUMNS = ("kode_instansi_pengirim", "kode_instansi")


@dataclass(frozen=True)
class Hit:
    file: str  # path inside the release
    where: str  # table.column, sheet XML part, or "teks"
    kind: str  # NIP or NAMA

    def __str__(self) -> str:
        return f"{self.file} ({self.where}): {self.kind}"


class RosterNames:
    """The roster names of the working warehouse (raw.pegawai, every submission), as
    detectors: per agency and year, per agency, and for text with no agency."""

    def __init__(self, names: list[tuple[str, int, str]]):
        self._by_year: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._by_agency: dict[str, list[str]] = defaultdict(list)
        for kode, tahun, nama in names:
            self._by_year[(kode, tahun)].append(nama)
            self._by_agency[kode].append(nama)
        self._detectors: dict = {}

    @classmethod
    def from_warehouse(cls, working_db: Path) -> RosterNames:
        with duckdb.connect(str(working_db), read_only=True) as con:
            rows = con.execute(
                "SELECT DISTINCT kode_instansi, tahun, nama FROM raw.pegawai WHERE nama IS NOT NULL"
            ).fetchall()
        return cls(rows)

    def _cached(self, key, names) -> Detector:
        if key not in self._detectors:
            self._detectors[key] = Detector(names)
        return self._detectors[key]

    def of_year(self, kode: str | None, tahun) -> Detector:
        try:
            key = (kode, int(tahun))
        except (TypeError, ValueError):
            return self.of_agency(kode)
        return self._cached(("y", *key), self._by_year.get(key, ()))

    def of_agency(self, kode: str | None) -> Detector:
        return self._cached(("a", kode), self._by_agency.get(kode, ()))

    @cached_property
    def anywhere(self) -> Detector:
        every = {n for names in self._by_agency.values() for n in names}
        return Detector(n for n in every if len(re.findall(r"\w+", n)) >= 2)


def scan_release(folder: Path, names: RosterNames) -> list[Hit]:
    """Every personal-data hit in the files of `folder` (empty: the release may be published)."""
    hits: list[Hit] = []
    con = duckdb.connect()  # one in-memory connection reads every table file
    try:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            hits += _scan_file(con, folder, path, names)
    finally:
        con.close()
    return hits


def _scan_file(con, folder: Path, path: Path, names: RosterNames) -> list[Hit]:
    rel = str(path.relative_to(folder))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".duckdb"):
        return _scan_tables(con, path, rel, names)
    if suffix == ".xlsx":
        agency = path.stem if path.parent.name == "temuan_instansi" else None
        return _scan_xlsx(path, rel, names.of_agency(agency) if agency else names.anywhere)
    # the report, the guide, JSON, and anything else: as text
    text = path.read_text(encoding="utf-8", errors="replace")
    return [Hit(rel, "teks", k) for k in sorted(names.anywhere.kinds(text))]


def _scan_xlsx(path: Path, rel: str, detector: Detector) -> list[Hit]:
    found = set()
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith(".xml"):
                continue
            root = ElementTree.fromstring(z.read(part))
            for el in root.iter():
                if el.text and el.tag.rsplit("}", 1)[-1] in ("t", "v"):
                    for kind in detector.kinds(el.text):
                        found.add((part, kind))
    return [Hit(rel, part, kind) for part, kind in sorted(found)]


def _scan_tables(con, path: Path, rel: str, names: RosterNames) -> list[Hit]:
    if path.suffix != ".duckdb":
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        options = ", all_varchar = true, header = true" if reader == "read_csv" else ""
        return _scan_table(con, rel, path.stem, f"{reader}({lit(str(path))}{options})", names)
    con.execute(f"ATTACH {lit(str(path))} AS rilis (READ_ONLY)")
    try:
        hits = []
        for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'rilis' ORDER BY 1, 2"
        ).fetchall():
            hits += _scan_table(con, rel, f"{schema}.{table}", f'rilis."{schema}"."{table}"', names)
        return hits
    finally:
        con.execute("DETACH rilis")


def _scan_table(con, rel: str, label: str, source: str, names: RosterNames) -> list[Hit]:
    cols = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    types = {c[0]: c[1] for c in cols}
    agency = next((c for c in AGENCY_COLUMNS if c in types), None)
    year = "tahun" if "tahun" in types else None
    context = [f'"{c}"' if c else "NULL" for c in (agency, year)]
    hits = []
    for column, dtype in types.items():
        if dtype != "VARCHAR":
            continue
        values = con.execute(
            f'SELECT DISTINCT {context[0]}, {context[1]}, "{column}" FROM {source} '
            f'WHERE "{column}" IS NOT NULL'
        ).fetchall()
        kinds = set()
        for kode, tahun, value in values:
            if agency and year:
                detector = names.of_year(kode, tahun)
            elif agency:
                detector = names.of_agency(kode)
            else:
                detector = names.anywhere
            kinds |= detector.kinds(value)
        hits += [Hit(rel, f"{label}.{column}", k) for k in sorted(kinds)]
    return hits


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


def assert_no_personal_data(folder: Path, names: RosterNames) -> None:
    hits = scan_release(folder, names)
    if hits:
        raise PersonalDataInRelease(hits)

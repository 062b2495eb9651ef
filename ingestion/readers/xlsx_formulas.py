"""Formula cells of an XLSX sheet that carry no saved value.

A workbook written by a program that does not compute formulas (not Excel) stores a formula
with no value, which readers see as empty or 0. Those cells are found in the sheet's XML
(streamed; its unpacked size is bounded by config/limits.yaml) so the row can be rejected
with the reason instead of being loaded with a value the agency never saw.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class FormulaWithoutValue:
    row: int  # as Excel numbers it
    ref: str  # e.g. B5
    formula: str


def _sheet_path(z: zipfile.ZipFile, sheet: str | int) -> str | None:
    sheets = []
    with z.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == f"{MAIN}sheet":
                sheets.append((el.get("name"), el.get(f"{REL}id")))
    pick = (
        sheets[sheet][1]
        if isinstance(sheet, int) and sheet < len(sheets)
        else next((rid for name, rid in sheets if name == sheet), None)
    )
    if pick is None:
        return None
    with z.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if el.tag == f"{PKG_REL}Relationship" and el.get("Id") == pick:
                target = el.get("Target", "")
                return (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
    return None


def formulas_without_value(path: Path, sheet: str | int) -> list[FormulaWithoutValue]:
    try:
        with zipfile.ZipFile(path) as z:
            member = _sheet_path(z, sheet)
            if member is None or member not in z.namelist():
                return []
            out = []
            with z.open(member) as f:
                for _, el in iterparse(f):
                    if el.tag != f"{MAIN}c":
                        if el.tag == f"{MAIN}row":
                            el.clear()
                        continue
                    formula = el.find(f"{MAIN}f")
                    value = el.find(f"{MAIN}v")
                    if formula is not None and (value is None or not (value.text or "").strip()):
                        ref = el.get("r", "")
                        m = re.match(r"[A-Z]+([0-9]+)$", ref)
                        if m:
                            out.append(
                                FormulaWithoutValue(int(m.group(1)), ref, formula.text or "")
                            )
            return out
    except (KeyError, zipfile.BadZipFile, SyntaxError):
        return []  # not this check's business: the reader says what is wrong with the file

"""Numbers as Indonesian readers write them: thousands with `.`, decimals with `,`
(31.291; 94,86%; +0,19). Every number a person reads (report text, charts, tables, labels)
is formatted here: `angka` is the one function, `persen` and `sel` call it.

    angka(31291)                  '31.291'
    angka(77.04, 2)               '77,04'
    angka(-0.19, 2, tanda=True)   '-0,19'      (signed: '+0,19' for an increase)
    persen(94.857)                '94,86%'
    sel("tahun", 2024)            '2024'       (years are never grouped: not '2.024')
    sel("ikm", Decimal("77.04"))  '77,04'
"""

from __future__ import annotations

from decimal import Decimal

KOSONG = "—"  # an empty (suppressed or missing) value in what people read


def angka(
    value: float | int | Decimal | None,
    decimals: int = 0,
    *,
    tanda: bool = False,
    satuan: str = "",
    kosong: str = "-",
) -> str:
    """31291 -> '31.291'; 39.844, 2 -> '39,84'; tanda=True adds '+' to positive values;
    `satuan` is appended ('%', ' JP'); None -> `kosong`."""
    if value is None:
        return kosong
    number = float(value)
    text = f"{number:{'+' if tanda else ''},.{decimals}f}"  # +31,291.84
    if tanda and float(text.replace(",", "")) == 0:
        text = text.lstrip("+-")  # -0,00 is no change
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + satuan


def persen(
    value: float | int | Decimal | None, decimals: int = 2, *, tanda: bool = False, kosong="-"
) -> str:
    """94.857 -> '94,86%'."""
    return angka(value, decimals, tanda=tanda, satuan="%", kosong=kosong)


def is_year(column: str) -> bool:
    """A year column (`tahun`, `tahun_*`): shown as a plain integer, never grouped."""
    return column == "tahun" or column.startswith("tahun_")


def is_percent(column: str) -> bool:
    return column.startswith("pct_") or column.endswith("_pct")


def sel(column: str, value, kosong: str = KOSONG) -> str:
    """A mart cell as text, by its column and value: years plain (2024), whole numbers
    grouped (31.291), other numbers with two decimals (77,04; percentages 94,86%), booleans
    ya/tidak, text as it is."""
    if value is None:
        return kosong
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int) and is_year(column):
        return str(value)
    if isinstance(value, int):
        return angka(value)
    if isinstance(value, float | Decimal):
        return persen(value) if is_percent(column) else angka(value, 2)
    return str(value)


def daftar_file(names: list[str], shown: int = 3) -> str:
    """File names for a sentence: `a, b, c dan 12 file lainnya` past `shown` names."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} dan {angka(len(names) - shown)} file lainnya"

"""Numbers as Indonesian readers write them: thousands with `.`, decimals with `,`
(31.291; 94,86%)."""

from __future__ import annotations


def angka(value: float | int | None, decimals: int = 0) -> str:
    """31291 -> '31.291'; 39.844, 2 -> '39,84'; None -> '-'."""
    if value is None:
        return "-"
    text = f"{value:,.{decimals}f}"  # 31,291.84
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def persen(value: float | None, decimals: int = 2) -> str:
    """94.857 -> '94,86%'."""
    return "-" if value is None else f"{angka(value, decimals)}%"

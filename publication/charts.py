"""Inline SVG charts (no library, no network): horizontal bars, diverging change bars and
stacked bars.

Every chart is drawn narrow (WIDTH units: the label on its own line above each bar) and scales
with the page (`width:100%` with a viewBox), so it fits a 390 px phone without horizontal
scrolling and stays readable; on a wide screen the page sets it two to a row. Every number in a
chart is written by core.numbers (31.291; 77,04; 94,86%; -0,19).
"""

from __future__ import annotations

from html import escape

from core.numbers import angka

WIDTH = 400  # viewBox width of every chart
BAR_W = 310  # the longest bar; the value is written after it
ROW_H = 36  # one row: a label line and a bar
BAR_H = 14
PAD = 6
CHAR_W = 6.4  # approximate width of a character at the value font size (11 units)


def _svg(indikator: str, title: str, height: float, body: str, note: str = "") -> str:
    caption = escape(title) + (f'<span class="note"> {escape(note)}</span>' if note else "")
    return (
        f'<figure class="chart" data-indikator="{escape(indikator)}">'
        f"<figcaption>{caption}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
        "</figure>"
    )


def _label(y: float, label: str) -> str:
    return f'<text x="0" y="{y + 11}" class="lbl">{escape(str(label))}</text>'


def _value(value: float, decimals: int, unit: str, signed: bool = False) -> str:
    return angka(value, decimals, tanda=signed, satuan=unit)


def hbar(
    indikator: str,
    title: str,
    rows: list[tuple],
    max_value: float,
    unit: str = "",
    bands=None,
    decimals: int = 2,
    hidden_note: str = "disembunyikan / tidak ada data",
) -> str:
    """rows: (label, value or None, colour). None is drawn as `hidden_note`. bands: (value,
    text) reference lines (e.g. the IKM mutu bands), their texts staggered on two lines."""
    parts = []
    for i, (label, value, colour) in enumerate(rows):
        y = PAD + i * ROW_H
        parts.append(_label(y, label))
        if value is None:
            parts.append(f'<text x="0" y="{y + 28}" class="muted">{escape(hidden_note)}</text>')
            continue
        w = max(0.0, min(1.0, float(value) / max_value)) * BAR_W if max_value else 0
        text = _value(value, decimals, unit)
        parts.append(
            f'<rect x="0" y="{y + 16}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
            f"<title>{escape(str(label))}: {text}</title></rect>"
        )
        parts.append(f'<text x="{w + 4:.1f}" y="{y + 27}" class="val">{text}</text>')
    bottom = PAD + len(rows) * ROW_H
    for k, (x_value, text) in enumerate(bands or []):
        x = x_value / max_value * BAR_W
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD}" y2="{bottom}" class="ref"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 12 + 12 * (k % 2)}" text-anchor="middle" '
            f'class="muted">{escape(text)}</text>'
        )
    extra = (26 if len(bands or []) > 1 else 14) if bands else 0
    return _svg(indikator, title, bottom + extra + PAD, "".join(parts))


def diverging(
    indikator: str,
    title: str,
    rows: list[tuple],
    unit: str = "",
    decimals: int = 2,
    colours: tuple[str, str] = ("#1a9850", "#d73027"),
    note: str = "",
) -> str:
    """Change bars around a zero line in the middle: an increase to the right (first colour),
    a decrease to the left (second colour), each with its signed value (+0,42 / -0,19).
    rows: (label, change or None)."""
    centre, half = WIDTH / 2, WIDTH / 2 - 52  # room for the value beside the longest bar
    biggest = max([abs(float(v)) for _, v in rows if v is not None] + [0.01])
    parts = []
    for i, (label, value) in enumerate(rows):
        y = PAD + i * ROW_H
        parts.append(_label(y, label))
        if value is None:
            parts.append(f'<text x="{centre + 4}" y="{y + 28}" class="muted">tidak ada data</text>')
            continue
        v = float(value)
        w = abs(v) / biggest * half
        text = _value(v, decimals, unit, signed=True)
        if v >= 0:
            rect_x, colour, tx, anchor = centre, colours[0], centre + w + 4, "start"
        else:
            rect_x, colour, tx, anchor = centre - w, colours[1], centre - w - 4, "end"
        parts.append(
            f'<rect x="{rect_x:.1f}" y="{y + 16}" width="{w:.1f}" height="{BAR_H}" '
            f'fill="{colour}"><title>{escape(str(label))}: {text}</title></rect>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{y + 27}" text-anchor="{anchor}" class="val">{text}</text>'
        )
    bottom = PAD + len(rows) * ROW_H
    parts.append(f'<line x1="{centre}" x2="{centre}" y1="{PAD}" y2="{bottom}" class="axis"/>')
    parts.append(
        f'<text x="{centre - 4}" y="{bottom + 12}" text-anchor="end" class="muted">◀ turun</text>'
        f'<text x="{centre + 4}" y="{bottom + 12}" class="muted">naik ▶</text>'
    )
    return _svg(indikator, title, bottom + 14 + PAD, "".join(parts), note)


def hstack(
    indikator: str,
    title: str,
    rows: list[tuple],
    series: list[tuple],
    hidden_note: str,
    decimals: int = 2,
) -> str:
    """rows: (label, [share per series] or None); series: (name, colour, text colour). Shares
    sum to 100. Each segment wide enough for its value carries it; every value is also in the
    segment's tooltip. A row without shares (a small cell) shows `hidden_note`."""
    full = WIDTH - 2
    parts = []
    for i, (label, shares) in enumerate(rows):
        y = PAD + i * ROW_H
        parts.append(_label(y, label))
        if shares is None:
            parts.append(f'<text x="0" y="{y + 28}" class="muted">{escape(hidden_note)}</text>')
            continue
        x = 0.0
        for (name, colour, ink), share in zip(series, shares, strict=True):
            share = float(share or 0)
            w = share / 100 * full
            text = _value(share, decimals, "%")
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 14}" width="{w:.1f}" height="{BAR_H + 4}" '
                f'fill="{colour}"><title>{escape(name)}: {text}</title></rect>'
            )
            inner = _value(share, decimals, "")
            if w >= len(inner) * CHAR_W + 6:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 27}" text-anchor="middle" '
                    f'class="seg" fill="{ink}">{inner}</text>'
                )
            x += w
    legend_y = PAD + len(rows) * ROW_H + 6
    x, line = 0.0, 0
    for name, colour, _ in series:
        item_w = 14 + len(name) * CHAR_W + 12
        if x > 0 and x + item_w > WIDTH:
            x, line = 0.0, line + 1
        ly = legend_y + line * 16
        parts.append(f'<rect x="{x:.1f}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{ly + 9}" class="muted">{escape(name)}</text>')
        x += item_w
    return _svg(
        indikator,
        title,
        legend_y + (line + 1) * 16 + PAD,
        "".join(parts),
        note="nilai dalam %",
    )

"""Inline SVG charts (no library, no network): horizontal bars and stacked bars."""

from __future__ import annotations

from html import escape

ROW_H, LABEL_W, BAR_W, PAD = 26, 190, 420, 8


def _svg(
    indikator: str, title: str, height: int, body: str, width: int = LABEL_W + BAR_W + 110
) -> str:
    return (
        f'<figure class="chart" data-indikator="{escape(indikator)}">'
        f"<figcaption>{escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>'
    )


def hbar(
    indikator: str, title: str, rows: list[tuple], max_value: float, unit: str = "", bands=None
) -> str:
    """rows: (label, value or None, colour). None is drawn as 'disembunyikan'."""
    parts = []
    for i, (label, value, colour) in enumerate(rows):
        y = PAD + i * ROW_H
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 17}" text-anchor="end" class="lbl">{escape(str(label))}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{LABEL_W + 4}" y="{y + 17}" class="muted">disembunyikan / tidak ada data</text>'
            )
            continue
        w = max(0.0, min(1.0, float(value) / max_value)) * BAR_W if max_value else 0
        parts.append(
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 17}" class="val">{float(value):.2f}{unit}</text>'
        )
    for x_value, text in bands or []:
        x = LABEL_W + x_value / max_value * BAR_W
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{PAD + len(rows) * ROW_H}" class="ref"/>'
        )
        parts.append(
            f'<text x="{x + 2:.1f}" y="{PAD + len(rows) * ROW_H + 12}" class="muted">{escape(text)}</text>'
        )
    return _svg(indikator, title, PAD * 2 + len(rows) * ROW_H + 14, "".join(parts))


def hstack(
    indikator: str, title: str, rows: list[tuple], series: list[tuple], hidden_note: str
) -> str:
    """rows: (label, [share per series] or None); series: (name, colour). Shares sum to 100.
    A row without shares (a small cell) shows `hidden_note`."""
    parts = []
    for i, (label, shares) in enumerate(rows):
        y = PAD + i * ROW_H
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 17}" text-anchor="end" class="lbl">{escape(str(label))}</text>'
        )
        if shares is None:
            parts.append(
                f'<text x="{LABEL_W + 4}" y="{y + 17}" class="muted">{escape(hidden_note)}</text>'
            )
            continue
        x = LABEL_W
        for (name, colour), share in zip(series, shares, strict=True):
            w = float(share) / 100 * BAR_W
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}" fill="{colour}">'
                f"<title>{escape(name)}: {float(share):.2f}%</title></rect>"
            )
            x += w
    legend_y = PAD + len(rows) * ROW_H + 10
    x = LABEL_W
    for name, colour in series:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y + 9}" class="muted">{escape(name)}</text>')
        x += 14 + 7 * len(name) + 12
    return _svg(
        indikator, title, legend_y + 24, "".join(parts), width=max(LABEL_W + BAR_W + 110, x + 10)
    )

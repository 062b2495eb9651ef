"""GX Data Docs that work offline: GX's pages load Bootstrap, jQuery, bootstrap-table, Font
Awesome and Vega from CDNs, so without a network the index lists no validation at all and
the pass/fail icons are missing. After every build the pages are rewritten:

- every stylesheet, script and image from the network is removed;
- a small stylesheet is inlined instead (layout, tables, and the status icons as characters:
  a green check, a red cross);
- the index's tables, which bootstrap-table used to draw in the browser from data in the page,
  are drawn into the HTML here, newest first, with links to each validation.

Charts of some expectations (Vega) are not drawn offline; their numbers are in the tables.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

_REMOTE_TAG = re.compile(
    r"<(?:link|script)\b[^>]*(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.I
)
_REMOTE_IMG = re.compile(r"<img\b[^>]*src=\"https?://[^\"]*\"[^>]*>", re.I)
_REMOTE_CSS_URL = re.compile(r"url\(['\"]?https?://[^)]*\)")
_TABLE = re.compile(
    r"<table\s+id=\"(?P<id>[^\"]+)\"\s+class=\"(?P<cls>[^\"]*)\"\s*data-toggle=\"table\"\s*>\s*</table>"
)
_SCRIPT = re.compile(r"<script>(?P<body>.*?)</script>", re.S)
_TABLE_DATA = re.compile(
    r"\$\('#(?P<id>[^']+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*(?P<opts>\{.*?\n\s*\}),", re.S
)
MARKER = "<!-- kinerja: offline -->"

STYLE = (
    MARKER
    + """
<style>
body { font-family: system-ui, sans-serif; margin: 0 1.5rem; color: #222; }
a { color: #0b5394; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
.fas, .fa { font-style: normal; }
.fa-check-circle::before, .fa-check::before { content: "\\2714"; color: #1e7b34; font-weight: bold; }
.fa-times::before, .fa-times-circle::before, .fa-exclamation-triangle::before {
  content: "\\2718"; color: #b00020; font-weight: bold; }
.text-success { color: #1e7b34; } .text-danger { color: #b00020; }
.cooltip .top, .d-none, .ge-hidden { display: none; }
.tab-pane { display: block !important; opacity: 1 !important; }
nav, .navbar { margin: .5rem 0; }
button[onclick^="clearTableFilters"] { display: none; }
</style>
"""
)


def make_offline(site: Path, since: float | None = None) -> int:
    """Rewrite the pages of the Data Docs site under `site` (only those written at or after
    `since`, a time.time(), when given); returns how many changed."""
    changed = 0
    for page in site.rglob("*.html"):
        if since is not None and page.stat().st_mtime < since:
            continue
        text = page.read_text(encoding="utf-8")
        if MARKER in text:
            continue
        new = offline_page(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def offline_page(text: str) -> str:
    text = _REMOTE_TAG.sub("", text)
    text = _REMOTE_IMG.sub("", text)
    text = _REMOTE_CSS_URL.sub("none", text)
    tables = {m.group("id"): m.group("opts") for m in _TABLE_DATA.finditer(text)}
    text = _TABLE.sub(lambda m: _static_table(m.group("id"), m.group("cls"), tables), text)
    # what needs jQuery or bootstrap-table cannot run offline
    text = _SCRIPT.sub(lambda m: "" if "$(" in m.group("body") else m.group(0), text)
    return text.replace("</head>", STYLE + "</head>", 1) if "</head>" in text else STYLE + text


def _static_table(table_id: str, cls: str, tables: dict[str, str]) -> str:
    opts = tables.get(table_id)
    if opts is None:
        return f'<table id="{table_id}" class="{cls}"></table>'
    try:
        spec = ast.literal_eval(
            opts.replace("toolbar:", "'toolbar':")
            .replace("columns:", "'columns':")
            .replace("data:", "'data':")
        )
    except (ValueError, SyntaxError):
        return f'<table id="{table_id}" class="{cls}"></table>'
    columns = spec.get("columns", [])
    rows = sorted(spec.get("data", []), key=lambda r: -float(r.get("_run_time_sort") or 0))
    head = "".join(f"<th>{html.escape(c['title'])}</th>" for c in columns)
    body = []
    for r in rows:
        link = r.get("_table_row_link_path")
        cells = []
        for c in columns:
            value = str(r.get(c["field"], ""))
            first = c is columns[0] and len(columns) == 1
            if link and (first or c["field"] in ("run_time", "run_name")) and "<a" not in value:
                value = f'<a href="{html.escape(link)}">{html.escape(value)}</a>'
            cells.append(f"<td>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table id="{table_id}" class="{cls}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")  # fmt: skip

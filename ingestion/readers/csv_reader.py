"""CSV reader: any delimiter and encoding the registry names, every cell kept as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from core.limits import Limits
from core.registry import FileFormat
from ingestion.readers.base import ROW_COLUMN, BrokenRow, RawFile, UnreadableFile, check_headers


def _header_line(path: Path, fmt: FileFormat) -> list[str]:
    with path.open("rb") as f:
        head = f.read(1 << 20)
    try:
        text = head.decode(fmt.encoding)
    except UnicodeDecodeError as e:
        # a multi-byte character cut at the 1 MiB boundary is not an error
        if e.start < len(head) - 4:
            raise UnreadableFile(
                f"file tidak dapat dibaca sebagai {fmt.encoding} (byte ke-{e.start}): "
                "periksa encoding file"
            ) from e
        text = head[: e.start].decode(fmt.encoding)
    rows = csv.reader(io.StringIO(text), delimiter=fmt.delimiter)
    for i, row in enumerate(rows, start=1):
        if i == fmt.header_row:
            return check_headers(row)
    raise UnreadableFile(f"file kosong: baris header (baris {fmt.header_row}) tidak ada")


def read_csv(path: Path, fmt: FileFormat, limits: Limits | None = None) -> RawFile:  # noqa: ARG001 (size is checked before reading)
    raw = _read_csv(path, fmt, use_threads=True)
    if any(b.baris is None for b in raw.broken_rows):
        # the parallel parser does not know line numbers; read again to name the rows
        raw = _read_csv(path, fmt, use_threads=False)
    return _unterminated_last_row(path, raw)


def _unterminated_last_row(path: Path, raw: RawFile) -> RawFile:
    """A last line without its newline is a row cut off (a copy still in progress, a
    truncated upload): rejected with the reason, never loaded as if whole."""
    size = path.stat().st_size
    if size == 0 or raw.table.num_rows == 0:
        return raw
    with path.open("rb") as f:
        f.seek(max(0, size - 4096))
        tail = f.read()
    if tail.endswith(b"\n") or tail.endswith(b"\r"):
        return raw
    numbers = raw.table.column(ROW_COLUMN)
    last = numbers[-1].as_py()
    cut = (
        "baris terakhir tidak diakhiri baris baru: file mungkin terpotong saat disalin atau "
        "diunggah; kirim ulang file lengkap"
    )
    if any(b.baris is not None and b.baris > last for b in raw.broken_rows):
        # the last line is already a broken row: say why it probably is
        *others, final = sorted(raw.broken_rows, key=lambda b: b.baris or 0)
        final = BrokenRow(final.baris, final.text, f"{final.reason}; {cut}")
        return RawFile(raw.headers, raw.table, [*others, final])
    text = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")[:200]
    broken = BrokenRow(last, text, cut)
    return RawFile(
        raw.headers, raw.table.slice(0, raw.table.num_rows - 1), [*raw.broken_rows, broken]
    )


def _read_csv(path: Path, fmt: FileFormat, use_threads: bool) -> RawFile:
    try:
        return _parse_csv(path, fmt, use_threads, block_size=None)
    except UnreadableFile as e:
        if "straddl" not in str(e):
            raise
    # a cell longer than pyarrow's block (1 MiB by default): read the file as one block
    # (the file's size is bounded by config/limits.yaml); the long cell is rejected later
    block = min(path.stat().st_size + 1, 2**31 - 1)
    return _parse_csv(path, fmt, use_threads=False, block_size=block)


def _parse_csv(path: Path, fmt: FileFormat, use_threads: bool, block_size: int | None) -> RawFile:
    headers = _header_line(path, fmt)
    names = [f"c{i}" for i in range(len(headers))]
    broken: list[BrokenRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        baris = row.number if row.number is not None else None
        broken.append(
            BrokenRow(
                baris,
                row.text,
                f"baris berisi {row.actual_columns} kolom, header berisi {row.expected_columns}",
            )
        )
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=fmt.header_row,
                encoding=fmt.encoding,
                use_threads=use_threads,
                **({"block_size": block_size} if block_size else {}),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=fmt.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as e:
        raise UnreadableFile(
            f"file CSV tidak dapat dibaca (encoding {fmt.encoding}, pemisah {fmt.delimiter!r}): {e}"
        ) from e
    # Row as the agency sees it when opening the file: the header is row `header_row`.
    numbers = pa.array(range(fmt.header_row + 1, fmt.header_row + 1 + table.num_rows), pa.int64())
    if broken:
        # rows skipped by the parser shift the numbering; recount from the line numbers given
        numbers = _renumber(table.num_rows, broken, fmt.header_row)
    return RawFile(headers, table.append_column(ROW_COLUMN, numbers), broken)


def _renumber(n_good: int, broken: list[BrokenRow], header_row: int) -> pa.Array:
    bad = sorted(b.baris for b in broken if b.baris is not None)
    out, line, bi = [], header_row + 1, 0
    while len(out) < n_good:
        if bi < len(bad) and bad[bi] == line:
            bi += 1
        else:
            out.append(line)
        line += 1
    return pa.array(out, pa.int64())

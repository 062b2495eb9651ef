"""The standard's row rules, as one vectorised DuckDB query per file.

`checked_rows_sql` builds a SELECT over the reader's text table that yields, per row, the
normalised typed values of every standard column and `_pelanggaran`: the list of rules the
row breaks (column, value, rule code, reason in plain Indonesian). A row with an empty list
is loaded; any other row is rejected with every reason at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import FileFormat
from core.sql import ident, lit
from core.standard import Column, Dataset, Standard
from ingestion.readers.base import ROW_COLUMN

# what a spreadsheet makes of an 18-digit number: 1.98609E+17, 198609262015051000.0, 1,98E+17
NIP_AS_NUMBER_RE = r"^[0-9]+([.,][0-9]*)?[eE][+-]?[0-9]+$|^[0-9]+[.,][0-9]+$"


def _norm_key(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _violation(col: str, value_sql: str, rule: str, reason_sql: str) -> str:
    return (
        f"{{'kolom': {lit(col)}, 'nilai': {value_sql}, 'aturan': {lit(rule)}, "
        f"'alasan': {reason_sql}}}"
    )


@dataclass(frozen=True)
class Check:
    """One rule: `cond` is true for a row that breaks it, `expr` is the violation (or NULL)."""

    cond: str
    expr: str


def _when(cond: str, violation: str) -> Check:
    return Check(cond, f"CASE WHEN {cond} THEN {violation} END")


class RuleBuilder:
    def __init__(self, dataset: Dataset, standard: Standard, fmt: FileFormat):
        self.dataset = dataset
        self.standard = standard
        self.fmt = fmt

    # --- step 1: text value after trimming and the registry's value aliases -------------
    def text_expr(self, col: Column, source: str | None) -> str:
        if source is None:
            return "CAST(NULL AS VARCHAR)"
        base = f"NULLIF(TRIM({source}), '')"
        lookup: dict[str, str] = {}
        if col.type == "code":
            lookup.update({_norm_key(v): v for v in col.values})
        if col.type == "golongan":
            for values in self.standard.golongan.values():
                lookup.update({_norm_key(v): v for v in values})
        lookup.update(
            {_norm_key(k): v for k, v in self.fmt.value_aliases.get(col.name, {}).items()}
        )
        if not lookup:
            return base
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in lookup.items())
        key = f"lower(regexp_replace(TRIM({source}), '\\s+', ' ', 'g'))"
        aliased = f"CASE {key} {whens} ELSE {base} END"
        # fast path: a value already written as a standard code maps to itself (unless an
        # alias of this registry says otherwise), without the whitespace regex
        canonical = sorted({v for v in lookup.values() if lookup.get(_norm_key(v)) == v})
        if not canonical:
            return aliased
        listed = ", ".join(lit(v) for v in canonical)
        return f"CASE WHEN TRIM({source}) IN ({listed}) THEN TRIM({source}) ELSE {aliased} END"

    # --- step 2: typed value --------------------------------------------------------------
    def _number(self, v: str) -> str:
        if self.fmt.decimal_comma:
            v = f"replace({v}, ',', '.')"
        return f"TRY_CAST({v} AS DOUBLE)"

    def typed_expr(self, col: Column) -> str:
        v = ident(col.name + "__t")
        if col.type == "integer":
            d = self._number(v)
            return f"CASE WHEN {d} = floor({d}) AND abs({d}) < 1e15 THEN CAST({d} AS BIGINT) END"
        if col.type == "number":
            return self._number(v)
        if col.type == "date":
            fmts = [self.fmt.date_format]
            if "%Y-%m-%d" not in fmts:
                fmts.append("%Y-%m-%d")  # ISO is unambiguous and what Excel date cells become
            return f"CAST(TRY_STRPTIME({v}, {lit(fmts[0]) if len(fmts) == 1 else '[' + ', '.join(lit(f) for f in fmts) + ']'}) AS DATE)"
        return v

    # --- step 3: the rules a row breaks ----------------------------------------------------
    def violations(self, col: Column) -> list[Check]:
        """The checks of one column: present if required, then the rules of its type."""
        out = [self._required(col)] if col.required else []
        by_type = {
            "nip": self._nip,
            "code": self._code,
            "integer": self._number_rules,
            "number": self._number_rules,
            "date": self._date,
            "golongan": self._golongan,
        }
        rules = by_type.get(col.type)
        return out + (rules(col) if rules else [])

    def _required(self, col: Column) -> Check:
        t = ident(col.name + "__t")
        reason = lit(f"kolom {col.name} wajib diisi")
        return _when(f"{t} IS NULL", _violation(col.name, "NULL", "WAJIB_DIISI", reason))

    def _nip(self, col: Column) -> list[Check]:
        """The three NIP rules exclude each other: one CASE, each regex once per row."""
        t = ident(col.name + "__t")
        not_number = _violation(
            col.name,
            t,
            "NIP_JADI_ANGKA",
            lit(
                f"{col.name} tersimpan sebagai angka oleh spreadsheet (mis. 1.98609E+17),"
                " sehingga digit terakhirnya hilang; kirim NIP sebagai teks 18 digit"
            ),
        )
        not_18 = _violation(
            col.name, t, "NIP_BUKAN_18_DIGIT", lit(f"{col.name} harus tepat 18 digit angka")
        )
        structure = _violation(
            col.name,
            t,
            "NIP_STRUKTUR",
            lit(
                f"{col.name} tidak sesuai struktur NIP: 8 digit pertama harus "
                "tanggal lahir (YYYYMMDD) dan digit ke-15 jenis kelamin (1/2)"
            ),
        )
        bad_structure = (
            f"TRY_STRPTIME(substr({t}, 1, 8), '%Y%m%d') IS NULL "
            f"OR substr({t}, 15, 1) NOT IN ('1', '2')"
        )
        eighteen = f"regexp_full_match({t}, '[0-9]{{18}}')"
        as_number = f"regexp_full_match({t}, {lit(NIP_AS_NUMBER_RE)})"
        return [
            Check(
                f"{t} IS NOT NULL AND (NOT {eighteen} OR {bad_structure})",
                f"CASE WHEN {t} IS NULL THEN NULL "
                f"WHEN {eighteen} THEN CASE WHEN {bad_structure} THEN {structure} END "
                f"WHEN {as_number} THEN {not_number} "
                f"ELSE {not_18} END",
            )
        ]

    def _not_in(self, col: Column, allowed: list[str], reason: str) -> Check:
        t = ident(col.name + "__t")
        listed = ", ".join(lit(v) for v in allowed)
        return _when(
            f"{t} IS NOT NULL AND {t} NOT IN ({listed})",
            _violation(col.name, t, "KODE_TIDAK_DIKENAL", lit(reason)),
        )

    def _code(self, col: Column) -> list[Check]:
        if not col.values:
            return []
        reason = f"nilai {col.name} tidak dikenal; pilihan: {', '.join(col.values)}"
        return [self._not_in(col, list(col.values), reason)]

    def _golongan(self, col: Column) -> list[Check]:
        all_gol = [g for v in self.standard.golongan.values() for g in v]
        return [self._not_in(col, all_gol, "golongan tidak dikenal; PNS I/a..IV/e, PPPK I..XVII")]

    def _number_rules(self, col: Column) -> list[Check]:
        t, typed = ident(col.name + "__t"), ident(col.name)
        kind = "bilangan bulat" if col.type == "integer" else "angka"
        rule = "BUKAN_BILANGAN_BULAT" if col.type == "integer" else "BUKAN_ANGKA"
        out = [
            _when(
                f"{t} IS NOT NULL AND {typed} IS NULL",
                _violation(col.name, t, rule, lit(f"{col.name} harus {kind}")),
            )
        ]
        conds, words = [], []
        if col.min_exclusive is not None:
            conds.append(f"{typed} <= {col.min_exclusive}")
            words.append(f"lebih dari {_fmt_num(col.min_exclusive)}")
        if col.min is not None:
            conds.append(f"{typed} < {col.min}")
            words.append(f"paling kecil {_fmt_num(col.min)}")
        if col.max is not None:
            conds.append(f"{typed} > {col.max}")
            words.append(f"paling besar {_fmt_num(col.max)}")
        if conds:
            reason = lit(f"{col.name} harus {' dan '.join(words)}")
            out.append(
                _when(
                    f"{typed} IS NOT NULL AND ({' OR '.join(conds)})",
                    _violation(col.name, t, "DI_LUAR_RENTANG", reason),
                )
            )
        return out

    def _date(self, col: Column) -> list[Check]:
        t, typed = ident(col.name + "__t"), ident(col.name)
        shown = self.fmt.date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
        reason = lit(f"{col.name} bukan tanggal yang valid (format {shown})")
        return [
            _when(
                f"{t} IS NOT NULL AND {typed} IS NULL",
                _violation(col.name, t, "TANGGAL_TIDAK_VALID", reason),
            )
        ]

    # --- rules across columns (cross_column_rules of the standard) -------------------------
    def cross_column(self, rule: str) -> list[Check]:
        return getattr(self, f"_{rule}")()

    def _golongan_sesuai_status(self) -> list[Check]:
        known = ", ".join(lit(g) for v in self.standard.golongan.values() for g in v)
        out = []
        for status, values in self.standard.golongan.items():
            listed = ", ".join(lit(v) for v in values)
            reason = lit(
                f"golongan ini tidak berlaku untuk {status}; pilihan {values[0]}..{values[-1]}"
            )
            out.append(
                _when(
                    f"status_kepegawaian = {lit(status)} AND golongan IN ({known}) AND "
                    f"golongan NOT IN ({listed})",
                    _violation("golongan", "golongan", "GOLONGAN_TIDAK_SESUAI_STATUS", reason),
                )
            )
        return out

    def _penilai_bukan_pegawai(self) -> list[Check]:
        reason = lit("nip_penilai sama dengan nip: pegawai tidak boleh menilai dirinya sendiri")
        violation = _violation("nip_penilai", "nip_penilai", "PENILAI_ADALAH_PEGAWAI", reason)
        return [_when("nip_penilai = nip", violation)]

    def _atasan_bukan_pegawai(self) -> list[Check]:
        reason = lit(
            "nip_atasan sama dengan nip: atasan tidak boleh pegawai itu sendiri"
            " dalam dialog kinerja"
        )
        violation = _violation("nip_atasan", "nip_atasan", "ATASAN_ADALAH_PEGAWAI", reason)
        return [_when("nip_atasan = nip", violation)]

    def _date_in_year(self, column: str, what: str) -> list[Check]:
        reason = (
            f"'{column} (' || CAST({column} AS VARCHAR) || ') tidak berada di tahun ' || "
            f"CAST(tahun AS VARCHAR) || ': tanggal {what} harus di dalam tahunnya'"
        )
        value = f"CAST({column} AS VARCHAR)"
        violation = _violation(column, value, "TANGGAL_DI_LUAR_TAHUN", reason)
        return [_when(f"year({column}) <> tahun", violation)]

    def _tanggal_dialog_dalam_tahun(self) -> list[Check]:
        return self._date_in_year("tanggal_dialog", "dialog kinerja")

    def _tanggal_penghargaan_dalam_tahun(self) -> list[Check]:
        return self._date_in_year("tanggal", "penghargaan")

    def _selesai_tidak_sebelum_mulai(self) -> list[Check]:
        reason = (
            "'tanggal_selesai (' || CAST(tanggal_selesai AS VARCHAR) || "
            "') sebelum tanggal_mulai (' || CAST(tanggal_mulai AS VARCHAR) || ')'"
        )
        value = "CAST(tanggal_selesai AS VARCHAR)"
        violation = _violation("tanggal_selesai", value, "SELESAI_SEBELUM_MULAI", reason)
        return [_when("tanggal_selesai < tanggal_mulai", violation)]

    def _id_responden_unik(self) -> list[Check]:
        reason = "'id_responden sudah dipakai di baris ' || CAST(_first_baris AS VARCHAR)"
        violation = _violation("id_responden", "id_responden", "ID_RESPONDEN_GANDA", reason)
        return [_when("_dup_rank > 1", violation)]


def _cell_too_long(source: str, header: str, chars: int) -> Check:
    reason = (
        f"'isi sel kolom {header} berisi ' || length({source}) || ' karakter, melebihi batas "
        f"{chars} karakter (config/limits.yaml: cell_chars)'"
    )
    value = f"left({source}, 200) || '…'"
    # strlen (bytes, no scan) first: a cell of no more bytes than the limit has no more
    # characters either
    return _when(
        f"strlen({source}) > {chars} AND length({source}) > {chars}",
        _violation(header, value, "SEL_TERLALU_PANJANG", reason),
    )


def _future_year(col: Column, this_year: int) -> Check:
    """A year after the current year (WIB) is a reject: no one reports on the future."""
    typed = ident(col.name)
    year = typed if col.type == "integer" else f"year({typed})"
    reason = lit(f"{col.name}: tahun setelah tahun berjalan ({this_year}) tidak dapat diterima")
    return _when(
        f"{typed} IS NOT NULL AND {year} > {this_year}",
        _violation(col.name, f"CAST({typed} AS VARCHAR)", "TAHUN_MASA_DEPAN", reason),
    )


def _current_year() -> int:
    import datetime as dt

    from core.domain import WIB

    return dt.datetime.now(WIB).year


def checked_rows_sql(
    source_view: str,
    mapping: dict[str, int],
    dataset: Dataset,
    standard: Standard,
    fmt: FileFormat,
    cell_chars: int | None = None,
    this_year: int | None = None,
    file_column: str | None = None,
) -> str:
    """SELECT baris, <typed standard columns>, _pelanggaran FROM source_view. The list of
    violations is built only for a row that breaks a rule (the conditions are cheap; lists of
    structs for every row are not). With `file_column`, source_view holds the rows of many
    files (ingestion/batch.py): the column is carried through and rules across rows (a
    duplicate id_responden) stay within each file."""
    b = RuleBuilder(dataset, standard, fmt)
    texts = ", ".join(
        f"{b.text_expr(c, ident(f'c{mapping[c.name]}') if c.name in mapping else None)} "
        f"AS {ident(c.name + '__t')}"
        for c in dataset.columns
    )
    typed = ", ".join(f"{b.typed_expr(c)} AS {ident(c.name)}" for c in dataset.columns)
    extra = ""
    within = f"{ident(file_column)}, " if file_column else ""
    if "id_responden_unik" in dataset.cross_column_rules:
        extra = (
            f", row_number() OVER (PARTITION BY {within}id_responden ORDER BY baris) AS _dup_rank"
            f", min(baris) OVER (PARTITION BY {within}id_responden) AS _first_baris"
        )
    checks = [v for c in dataset.columns for v in b.violations(c)]
    checks += [v for r in dataset.cross_column_rules for v in b.cross_column(r)]
    this_year = this_year or _current_year()
    checks += [
        _future_year(c, this_year)
        for c in dataset.columns
        if c.type == "date" or (c.type == "integer" and c.name == "tahun")
    ]
    cells = ""
    if cell_chars:
        # the long cell's own text is not carried further than this check
        checks += [
            _cell_too_long(f"_src_{c.name}", c.name, cell_chars)
            for c in dataset.columns
            if c.name in mapping
        ]
        cells = ", " + ", ".join(
            f"{ident(f'c{mapping[c.name]}')} AS {ident(f'_src_{c.name}')}"
            for c in dataset.columns
            if c.name in mapping
        )
    carried = f"{ident(file_column)}, " if file_column else ""
    return f"""
        WITH texts AS (SELECT {ident(ROW_COLUMN)} AS baris, {carried}{texts}{cells}
                       FROM {source_view}),
        typed AS (SELECT *, {typed} FROM texts),
        ranked AS (SELECT *{extra} FROM typed)
        SELECT *,
            CASE WHEN {" OR ".join(f"coalesce({c.cond}, false)" for c in checks)}
                 THEN list_filter([{", ".join(c.expr for c in checks)}], x -> x IS NOT NULL)
                 ELSE [] END AS _pelanggaran
        FROM ranked
    """

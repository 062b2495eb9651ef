"""pydantic's validation errors as plain Indonesian sentences that name the key (for the YAML
files people edit: the registry, the standard, the gate config, the limits). Whatever a
person reads here is in Indonesian, numbers as `core.numbers.angka` writes them (a bound of
0.05 and a value of 5 read '0,05' and '5'); text from the file is quoted as written."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ValidationError

from core.numbers import angka


class ConfigError(ValueError):
    """A YAML file people edit is wrong; its message is one Indonesian sentence per mistake,
    each naming the file and the key. The command line prints every line of it."""


_PLAIN = {
    "missing": "wajib diisi (kunci ini harus ada)",
    "int_parsing": "harus bilangan bulat",
    "int_type": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "float_parsing": "harus bilangan",
    "float_type": "harus bilangan",
    "finite_number": "harus bilangan terhingga",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "string_type": "harus teks",
    "dict_type": "harus pemetaan (kunci: nilai)",
    "list_type": "harus daftar",
    "tuple_type": "harus daftar",
    "model_type": "harus pemetaan (kunci: nilai)",
    "model_attributes_type": "harus pemetaan (kunci: nilai)",
}
# bounds (pydantic's ctx key -> the sentence)
_BOUND = {
    "greater_than": ("gt", "harus lebih besar dari {}"),
    "greater_than_equal": ("ge", "tidak boleh kurang dari {}"),
    "less_than": ("lt", "harus lebih kecil dari {}"),
    "less_than_equal": ("le", "tidak boleh lebih dari {}"),
}


def bilangan(value: Any) -> str:
    """A bound as Indonesians write it: 0 -> '0', 209715200 -> '209.715.200', 0.05 -> '0,05'."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return angka(int(value))
    decimals = len(repr(float(value)).partition(".")[2])
    return angka(value, decimals) if "e" not in repr(float(value)) else str(value)


def _value(value: Any) -> str:
    """A value from the file as the message quotes it: text in quotes, a number as Indonesians
    write it (like the bounds it is compared with)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return bilangan(value)
    return repr(value)


def _or(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" -> "'a', 'b' atau 'c'"."""
    head, sep, last = expected.rpartition(" or ")
    return f"{head} atau {last}" if sep else expected


def _fields_at(root: type[BaseModel], loc: tuple) -> list[str] | None:
    """The keys allowed at `loc` in the schema under `root` (None if not a model there)."""
    tp: Any = root
    for part in loc:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return None
            tp = tp.model_fields[part].annotation
        elif typing.get_origin(tp) in (list, tuple, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return None
        while typing.get_origin(tp) in (typing.Union, types.UnionType, Annotated):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return sorted(tp.model_fields)
    return None


def plain_message(err: Any, root: type[BaseModel]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a plain sentence."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _fields_at(root, tuple(err["loc"][:-1])) or []
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1, cutoff=0.8)
        hint = f" (maksudnya {close[0]!r}?)" if close else ""
        return f"kunci tidak dikenal{hint}" + (f"; yang boleh: {allowed}" if allowed else "")
    if kind in ("value_error", "assertion_error"):
        return str(ctx["error"])
    if kind == "missing":
        return _PLAIN[kind]
    if kind == "literal_error":
        what = f"harus {_or(ctx['expected'])}"
    elif kind in _BOUND:
        key, sentence = _BOUND[kind]
        what = sentence.format(bilangan(ctx[key]))
    elif kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "tidak boleh kosong"
    elif kind == "string_too_short":
        what = f"harus paling sedikit {bilangan(ctx['min_length'])} karakter"
    elif kind == "string_too_long":
        what = f"tidak boleh lebih dari {bilangan(ctx['max_length'])} karakter"
    elif kind == "too_short":
        what = f"harus berisi paling sedikit {bilangan(ctx['min_length'])} butir"
    elif kind == "too_long":
        what = f"tidak boleh berisi lebih dari {bilangan(ctx['max_length'])} butir"
    elif kind == "string_pattern_mismatch":
        what = f"harus cocok dengan pola {ctx['pattern']!r}"
    else:  # a kind no file of ours triggers today: still a sentence, pydantic's code for developers
        what = _PLAIN.get(kind) or f"nilainya tidak sah (galat pydantic {kind})"
    return f"{what}, bukan {_value(err['input'])}"


def plain_errors(e: ValidationError, root: type[BaseModel], where=None) -> list[str]:
    """Each error of `e` as '<where>: <plain message>'; `where(loc)` names the place (by
    default the key path). Errors about one alternative of a `str | int` key are folded."""
    lines: list[str] = []
    for err in e.errors():
        loc = tuple(err["loc"])
        key = bool(loc) and loc[-1] == "[key]"  # the key of a mapping is wrong, not its value
        loc = loc[:-1] if key else loc
        if loc and loc[-1] in ("str", "int", "float", "bool") and _fields_at(root, loc) is None:
            loc = loc[:-1]  # a member of a union type, not a key of the file
        place = where(loc) if where else ".".join(map(str, loc)) or "tingkat teratas"
        line = f"{place}: {'kunci ' if key else ''}{plain_message(err, root)}"
        if not any(seen.startswith(f"{place}: ") for seen in lines):
            lines.append(line)
    return lines


# PyYAML's words for the mistakes people make most when they edit a file by hand
_YAML_PROBLEMS = (
    ("mapping values are not allowed here",
     "tanda ':' tidak boleh di sini (periksa indentasinya, atau beri tanda kutip pada nilai "
     "yang memuat ': ')"),
    ("found character '\\t' that cannot start any token",
     "ada karakter tab: indentasi YAML harus dengan spasi"),
    ("could not find expected ':'", "tanda ':' yang diharapkan tidak ada"),
    ("expected <block end>",
     "indentasinya tidak konsisten (atau ada tanda kutip yang tidak ditutup di atasnya)"),
    ("did not find expected key",
     "indentasinya tidak konsisten (atau ada tanda kutip yang tidak ditutup di atasnya)"),
    ("did not find expected '-' indicator", "indentasi daftar ('- ') tidak konsisten"),
    ("expected ',' or ']'", "daftar [...] tidak ditutup dengan benar"),
    ("expected ',' or '}'", "pemetaan {...} tidak ditutup dengan benar"),
    ("found unexpected end of stream", "berkas berakhir sebelum tanda kutip ditutup"),
    ("found undefined alias", "alias (*nama) yang dipakai tidak didefinisikan"),
    ("found duplicate anchor", "anchor (&nama) didefinisikan dua kali"),
)  # fmt: skip


def yaml_problem(e: yaml.YAMLError) -> str:
    """Why a file is not YAML, in Indonesian, with the line and column (1-based) when PyYAML
    knows them; a problem without Indonesian words keeps PyYAML's own in brackets."""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    said = next((id_ for en, id_ in _YAML_PROBLEMS if problem.startswith(en)), None)
    what = said or f"kesalahan sintaks (PyYAML: {problem})"
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = f" di baris {mark.line + 1}, kolom {mark.column + 1}" if mark is not None else ""
    return f"bukan YAML yang sah{where}: {what}"

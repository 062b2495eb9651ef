"""pydantic's validation errors as plain sentences that name the key (for the YAML files people
edit: the registry, the standard, the gate config)."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

_PLAIN = {
    "missing": "missing (this key is required)",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
}


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
    if kind == "extra_forbidden":
        allowed = _fields_at(root, tuple(err["loc"][:-1])) or []
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key{hint}" + (f"; allowed: {allowed}" if allowed else "")
    if kind in ("value_error", "assertion_error"):
        return str(err["ctx"]["error"])
    if kind == "literal_error":
        return f"must be {err['ctx']['expected']}, got {err['input']!r}"
    what = _PLAIN.get(kind) or err["msg"].replace("Input should be", "must be")
    return what if kind == "missing" else f"{what}, got {err['input']!r}"


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
        place = where(loc) if where else ".".join(map(str, loc)) or "top level"
        line = f"{place}: {'key ' if key else ''}{plain_message(err, root)}"
        if not any(seen.startswith(f"{place}: ") for seen in lines):
            lines.append(line)
    return lines

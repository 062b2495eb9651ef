"""Two hot spots of Great Expectations' own validation code, made cheaper with identical
results. Measured on the hand province's marts gate (three suites, 48 expectations): 1.64 s
for three gates before, 1.17 s after; GX took about a third of a small nightly run.

1. `Expectation._get_domain_kwargs` / `_get_success_kwargs` read `self.configuration` once per
   *key* inside a dict comprehension; the property rebuilds the whole configuration from the
   pydantic model each time (about 24,000 builds for three marts gates). Here it is built
   once per call: the same property, the same values, read once.
2. `IDDict.to_id` (the id of every metric configuration, thousands per validation) passes
   its kwargs through `convert_to_json_serializable`, which walks every value through a
   chain of isinstance checks, only to `json.dumps` the result. For kwargs made only of
   str, int, bool, None, non-NaN floats, and dicts (str keys), lists and tuples of them,
   that conversion returns an equal structure (it makes tuples lists, which json.dumps does
   alike), so those are dumped as they are; anything else (NaN, which GX makes None; keys
   that are not str; enums, NumPy values, dates ...) goes through GX's conversion as before.

Installed only on the GX version it was checked against (TESTED_VERSION, the one in
requirements.lock); another version keeps GX's own code untouched, and
tests/test_gx_fast_paths.py fails until the paths are checked against it again.
"""

from __future__ import annotations

import math
import threading
from typing import Any

TESTED_VERSION = "1.24.1"
_ORIGINAL: dict[str, Any] = {}
_LOCK = threading.Lock()  # two gates starting at once install once
_PLAIN = (str, int, bool, type(None))


def plain_json(value: Any) -> bool:
    """Whether GX's convert_to_json_serializable would return `value` unchanged as JSON
    (exact built-in types only: no subclasses such as enums, no NumPy scalars). A structure
    too deep to walk here is left to GX."""
    try:
        return _plain(value)
    except RecursionError:
        return False


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        return not math.isnan(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list or kind is tuple:
        return all(_plain(v) for v in value)
    return False


def _to_json_serializable(data, *args, **kwargs):
    if not args and not kwargs and plain_json(data):
        return data
    # GX's own function from its own module (not from _ORIGINAL: a call that is running
    # while uninstall() empties it still falls back)
    from great_expectations.util import convert_to_json_serializable

    return convert_to_json_serializable(data, *args, **kwargs)


def _values(self, kwargs: dict, keys) -> dict:
    return {key: kwargs.get(key, self._get_default_value(key)) for key in keys}


def _get_domain_kwargs(self) -> dict:
    return _values(self, self.configuration.kwargs, self.domain_keys)  # built once, not per key


def _get_success_kwargs(self) -> dict:
    kwargs = self.configuration.kwargs  # one build for both (no GX class overrides either)
    success = _values(self, kwargs, self.success_keys)
    success.update(_values(self, kwargs, self.domain_keys))
    return success


def install() -> bool:
    """Put the fast paths in place (once per process); False when GX is not the tested
    version (its own code is then left as it is)."""
    import great_expectations
    import great_expectations.core.id_dict as id_dict
    from great_expectations.expectations.expectation import Expectation

    with _LOCK:
        if _ORIGINAL:
            return True
        if great_expectations.__version__ != TESTED_VERSION:
            return False
        _ORIGINAL["convert_to_json_serializable"] = id_dict.convert_to_json_serializable
        _ORIGINAL["_get_domain_kwargs"] = Expectation._get_domain_kwargs
        _ORIGINAL["_get_success_kwargs"] = Expectation._get_success_kwargs
        id_dict.convert_to_json_serializable = _to_json_serializable
        Expectation._get_domain_kwargs = _get_domain_kwargs
        Expectation._get_success_kwargs = _get_success_kwargs
        return True


def uninstall() -> None:
    """GX's own code again (for the tests that compare both)."""
    import great_expectations.core.id_dict as id_dict
    from great_expectations.expectations.expectation import Expectation

    with _LOCK:
        if not _ORIGINAL:
            return
        id_dict.convert_to_json_serializable = _ORIGINAL.pop("convert_to_json_serializable")
        Expectation._get_domain_kwargs = _ORIGINAL.pop("_get_domain_kwargs")
        Expectation._get_success_kwargs = _ORIGINAL.pop("_get_success_kwargs")

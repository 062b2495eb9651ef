"""Personal data typed into free text: NIP-like digit runs and the names of a roster.

One definition (core/standard.yaml, `personal_data`, and the free-text columns of each dataset:
every `text` column not marked `free_text: false`) serves the two places that look for it:

- the warehouse: dbt macro `macros/personal_data.sql` masks what it finds in every free-text
  column of every dataset (staging, through `latest_submission`), with the pattern and the
  columns rendered here and passed as the dbt var `personal_data` (`dbt_vars()`);
- the publication gate and the findings workbooks: `Detector` below, the same pattern and the
  same name matching in Python.

An NIP: `digits` (18) Unicode decimal digits, full-width included, possibly split by up to
`max_separators` of the `separators` between any two digits ("19851123 201977 2 001"), glued
to letters or not ("NIP.1985..."); a longer run of digits is masked whole. A name: the whole
name as on a roster of that agency and year, matched word by word (letters and digits; any
other characters between words), case-insensitively. A word that is a roster name elsewhere
but not on this agency's roster is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from core.standard import PersonalDataSpec, Standard, load_standard

NIP = "NIP"
NAMA = "NAMA"


def spec() -> PersonalDataSpec:
    return load_standard().personal_data


def _class(chars: str) -> str:
    """A regex character class of literal characters, valid in Python `re` and in RE2."""
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


@cache
def nip_pattern(engine: str = "python") -> str:
    """The NIP pattern, for Python `re` ("python": `\\d` is any Unicode decimal digit) or for
    RE2, DuckDB's regex engine ("re2": `\\p{Nd}`). The rest is one text."""
    s = spec().nip
    digit = {"python": r"\d", "re2": r"\p{Nd}"}[engine]
    sep = _class(s.separators)
    return f"{digit}(?:{sep}{{0,{s.max_separators}}}{digit}){{{s.digits - 1},}}"


def free_text_columns(standard: Standard | None = None) -> dict[str, list[str]]:
    standard = standard or load_standard()
    return {name: d.free_text_columns for name, d in standard.datasets.items()}


def dbt_vars() -> dict:
    """The definition as the dbt var `personal_data` (read by macros/personal_data.sql)."""
    s = spec()
    return {
        "personal_data": {
            "nip_pattern": nip_pattern("re2"),
            "nip_token": s.nip.token,
            "nip_rule": s.nip.rule,
            "name_token": s.nama.token,
            "name_rule": s.nama.rule,
            "name_max_words": s.nama.max_words,
            "free_text_columns": free_text_columns(),
        }
    }


_WORD_SPLIT = re.compile(r"[\W_]+")  # the SQL side splits on [^\pL\pN]+

# A hex digest (a pseudonym key, a file's sha256: 32 or more hex digits, at least one a-f, as
# a word of its own) is no NIP, even where it holds a run of 18 decimal digits. Nor is a UUID
# written out (8-4-4-4-12 hex digits, at least one a-f): a Dagster run id in a release's
# manifest.json, such as 74462680-8871-4085-90b7-..., starts with 18 decimal digits split by
# single dashes about once in 3,000 runs, and blocked that night's publication.
_UUID = (
    r"(?<![0-9A-Za-z-])(?=[0-9-]*[a-fA-F])"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z-])"
)
HEX_DIGEST = (
    r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]{32,}(?![0-9A-Za-z]))[0-9]*[a-fA-F][0-9a-fA-F]*|" + _UUID
)
HEX_DIGEST_RE2_FULL = "[0-9a-f]*[a-f][0-9a-f]*"  # a whole value that is a digest (length apart)


def nip_like_sql(value: str) -> str:
    """DuckDB SQL, true where `value` holds an NIP-like run of digits and is not one whole hex
    digest (which the detector ignores, HEX_DIGEST); its parameters are nip_like_params()."""
    return (
        f"(regexp_matches({value}, $nip) "
        f"AND NOT (length({value}) >= 32 AND regexp_full_match({value}, $hex)))"
    )


def nip_like_params() -> dict[str, str]:
    """The parameters of nip_like_sql: the NIP pattern and the whole-digest pattern (RE2)."""
    return {"nip": nip_pattern("re2"), "hex": HEX_DIGEST_RE2_FULL}


def words(text: str) -> list[str]:
    """The words of a text, lower case, after Unicode NFKC normalisation (full-width letters
    and digits become plain ones)."""
    return [w for w in _WORD_SPLIT.split(unicodedata.normalize("NFKC", text).lower()) if w]


def is_person_name(name: str) -> bool:
    """A roster name holding a digit (of any script: Unicode category N, RE2's \\pN) is no
    person's name but a placeholder ("Pegawai 71040", generated test rosters): it is not
    looked for in free text, where it would match ordinary text ('"pegawai": 71040')."""
    return not any(unicodedata.category(ch).startswith("N") for ch in name)


def name_key(name: str) -> str:
    """A roster name as the detector looks for it: its words, lower case, one space apart."""
    return " ".join(words(name))


class Detector:
    """Finds and masks NIPs and the given roster names in a text (Python side of the one
    definition). `names`: the names of the roster(s) the text may mention."""

    def __init__(self, names: Iterable[str] = ()):
        s = spec()
        self.nip_token, self.name_token = s.nip.token, s.nama.token
        self.max_words = s.nama.max_words
        self.names = frozenset(
            k
            for k in (name_key(n) for n in names if n and is_person_name(n))
            if k and len(k.split()) <= self.max_words
        )
        self._nip = re.compile(rf"(?P<hex>{HEX_DIGEST})|{nip_pattern('python')}")

    def _names_in(self, text: str) -> list[str]:
        if not self.names:
            return []
        w = words(text)
        found = {
            " ".join(w[i : i + k])
            for k in range(1, min(self.max_words, len(w)) + 1)
            for i in range(len(w) - k + 1)
        } & self.names
        return sorted(found, key=len, reverse=True)

    def kinds(self, text) -> set[str]:
        """What personal data the text holds: a subset of {"NIP", "NAMA"}."""
        if text is None:
            return set()
        text = unicodedata.normalize("NFKC", str(text))
        out = set()
        if any(m.group("hex") is None for m in self._nip.finditer(text)):
            out.add(NIP)
        if self._names_in(text):
            out.add(NAMA)
        return out

    def mask(self, value):
        """The text with every NIP and name replaced by its token ([NIP], [NAMA]); the text is
        NFKC-normalised first. Anything that is not text is returned as it is."""
        if not isinstance(value, str):
            return value
        text = self._nip.sub(
            lambda m: m.group(0) if m.group("hex") else self.nip_token,
            unicodedata.normalize("NFKC", value),
        )
        found = self._names_in(text)
        if found:
            alternatives = "|".join(r"[\W_]+".join(map(re.escape, k.split())) for k in found)
            pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)
            text = pattern.sub(self.name_token, text)
        return text

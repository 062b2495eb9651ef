"""dbt's parsed project, kept in memory between the dbt commands of one process.

Before a command, dbt parses the project (about 4 s for this one) unless the target folder
holds the parse state of the same project files, vars and profile. dbt counts the
warehouse's path as part of the profile, so each new warehouse (a new KINERJA_HOME, a test's
copy of a province) parsed the whole project again, although the only thing the path puts
into the parsed project is the database's name, the file's stem.

Here a command that needs the parsed project (`MANIFEST_COMMANDS`) first looks for it under
a key: the contents of every project file and of profiles.yml, the parse options (project and
profiles folders, profile, target, vars) with each `LOCATION_VARS` value replaced by its
stem, and the values of the environment variables the project reads with env_var(). Found:
dbt runs with a copy of it (`dbtRunner(manifest=...)`, dbt's documented reuse; a copy, since
a command changes the project it runs with) and parses nothing; the warnings dbt gave while
parsing it are given again, as a dbt that parses each time gives them. Not found: `dbt
parse` with the same options (which also writes the target folder's parse state, as the
command itself would have) and the result is kept for the next command, unless a project
file changed while dbt parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# commands that read the parsed project (`parse` itself always parses)
# (click's names: `dbt ls` is the command `list`)
MANIFEST_COMMANDS = {
    "build", "run", "test", "seed", "snapshot", "compile", "show", "list", "run-operation",
}  # fmt: skip
# options with which dbt merges another project state into the parsed project (it would then
# be kept changed)
MERGING_OPTIONS = {"--defer", "--state", "--defer-state", "--favor-state"}
# vars that only say where the warehouse file lies: dbt derives the database name, the
# file's stem, from them (profiles.yml). A project file that reads one of them in any other
# way keys the cache on its whole value.
LOCATION_VARS = ("warehouse_path",)
# options that say where dbt writes (its target and log folders), not what it parses
PLACE_OPTIONS = {"--target-path", "--log-path"}
# folders at a dbt project's top that hold no project file
SKIPPED_FOLDERS = {"target", "logs", "dbt_packages"}
KEYED_HIDDEN = {".dbtignore"}  # the hidden files that change what dbt parses
KEPT = 2  # parsed projects kept (a few MB each)
ENV_VAR = re.compile(r"""env_var\(\s*['"]([^'"]+)['"]""")

_kept: OrderedDict[str, Parsed] = OrderedDict()


def parse_argv(argv: Sequence[str], command, parse_command) -> list[str] | None:
    """The `dbt parse` arguments with the parse options of `argv` (a command's arguments,
    naming dbt's click `command`), or None when that command reads no parsed project."""
    if command is None or command.name not in MANIFEST_COMMANDS:
        return None
    if any(token.split("=", 1)[0] in MERGING_OPTIONS for token in argv):
        return None
    flags = {o for p in parse_command.params if getattr(p, "is_flag", False) for o in p.opts}
    flags |= {o for p in parse_command.params for o in p.secondary_opts}
    valued = {o for p in parse_command.params for o in p.opts} - flags
    out = ["parse"]
    tokens = iter(argv)
    for token in tokens:
        name = token.split("=", 1)[0]
        if name in flags:
            out.append(token)
        elif name in valued:
            out.append(token)
            if "=" not in token:
                out.append(next(tokens, ""))
    return out


def _option(argv: Sequence[str], name: str) -> str | None:
    for i, token in enumerate(argv):
        if token == name and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None


def cache_key(parse: Sequence[str], cwd: str, env: Mapping[str, str]) -> str | None:
    """The key of the parsed project `parse` (dbt parse's arguments) gives, or None when the
    project folder is unknown or unreadable."""
    project = Path(cwd, _option(parse, "--project-dir") or ".")
    profiles = Path(cwd, _option(parse, "--profiles-dir") or project)
    skipped = {
        Path(cwd, p).resolve()
        for p in (_option(parse, "--target-path"), _option(parse, "--log-path"))
        if p
    }
    digest = hashlib.sha256()
    texts: list[str] = []
    try:
        files = _project_files(project, skipped)
        if profiles / "profiles.yml" not in files:
            files.insert(0, profiles / "profiles.yml")
        for path in files:
            data = path.read_bytes()
            digest.update(f"{path}\0{len(data)}\0".encode())
            digest.update(data)
            if path != profiles / "profiles.yml":
                texts.append(data.decode("utf-8", errors="replace"))
    except OSError:
        return None
    text = "\n".join(texts)  # the project's files, without the profile
    options = []
    tokens = iter(parse[1:])
    for token in tokens:
        name, _, value = token.partition("=")
        if name in PLACE_OPTIONS:
            if not value:
                next(tokens, None)
        elif name == "--vars":
            value = value or next(tokens, "")
            options += [name, json.dumps(_placed(value, text), sort_keys=True, default=str)]
        else:
            options.append(token)
    names = sorted(set(ENV_VAR.findall(text)))
    used = {name: env.get(name) for name in names}
    digest.update(json.dumps([options, used], default=str).encode())
    return digest.hexdigest()


def _project_files(project: Path, skipped: set[Path]) -> list[Path]:
    """Every file of the project but those in the folders where dbt writes (at the project's
    top, or the target and log folders given) and in hidden folders; of the hidden files,
    .dbtignore (what dbt does not parse)."""
    found = []
    for root, folders, files in os.walk(project):
        here = Path(root)
        folders[:] = sorted(
            f for f in folders
            if not f.startswith(".") and not (here == project and f in SKIPPED_FOLDERS)
            and (here / f).resolve() not in skipped
        )  # fmt: skip
        found += [here / f for f in sorted(files) if not f.startswith(".") or f in KEYED_HIDDEN]
    return found


def _placed(vars_text: str, project_text: str) -> object:
    """The vars with each location var's value replaced by its file's stem, unless a
    project file (`project_text`: all of them but profiles.yml) reads the var."""
    values = yaml.safe_load(vars_text) or {}
    if not isinstance(values, dict):
        return values
    for name in LOCATION_VARS:
        read = re.search(rf"var\(\s*['\"]{re.escape(name)}['\"]", project_text)
        if name in values and not read and isinstance(values[name], str):
            values = {**values, name: Path(values[name]).stem}
    return values


@dataclass
class Parsed:
    """A parsed project as kept: never handed to a command itself, since dbt changes the
    project it runs with (an inline query's node, the CTEs of ephemeral models, the relations
    of stored test failures)."""

    manifest: object  # dbt's Manifest
    warnings: list = field(default_factory=list)  # dbt's warn and error events while parsing


def parsed_project(
    argv: Sequence[str],
    cwd: str,
    env: Mapping[str, str],
    command,
    parse_command,
    run: Callable[[list[str], list], object],
) -> tuple[object | None, list, object | None]:
    """The parsed project for `argv` (a command's arguments, run in `cwd` under `env`, the
    environment dbt sees), as a copy for this command: kept from an earlier command of this
    process, or parsed now by `run(parse arguments, callbacks)` (dbtRunner(callbacks=...)
    .invoke) and kept. Returns (manifest or None, the events dbt gave at warn level and above
    while parsing it, the parse's dbtRunnerResult or None). None, [], None when the command
    needs no parsed project or the project cannot be keyed; a failed parse returns its
    result, so the caller can run the command as before (dbt then reports the error)."""
    parse = parse_argv(argv, command, parse_command)
    key = None if parse is None else cache_key(parse, cwd, env)
    if key is None:
        return None, [], None
    if key in _kept:
        _kept.move_to_end(key)
        kept = _kept[key]
        return kept.manifest.deepcopy(), kept.warnings, None
    warnings: list = []

    def keep_warnings(msg) -> None:
        if msg.info.level in ("warn", "error"):
            warnings.append(msg)

    result = run(parse, [keep_warnings])
    manifest = getattr(result, "result", None)
    if not getattr(result, "success", False) or manifest is None:
        return None, [], result
    # a project file changed while dbt parsed: what it parsed is used once, not kept
    if cache_key(parse, cwd, env) == key:
        _kept[key] = Parsed(manifest, warnings)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
        manifest = manifest.deepcopy()
    return manifest, warnings, result


def forget() -> None:
    """Drop every kept parsed project (tests)."""
    _kept.clear()

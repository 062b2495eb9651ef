"""The pipeline's configuration, read from the environment once.

This is the only module that reads or sets environment variables. Entry points (the `kinerja`
command, the Dagster code location, the benchmarks) call `Settings.from_env()` once and pass
the values on. Secrets are not kept here: inside Dagster they reach the code through
resources bound with `EnvVar` (orchestration/resources.py); `Settings` records only which
variables are set, so that an unset optional secret (the alert webhook, an agency's API
token) is left unbound instead of failing every run. Outside Dagster, dbt's connection
plugin (orchestration/dbt_plugin.py) reads the pseudonym key with `pseudonym_key()`.

Every variable is listed in `VARIABLES`, and the README's configuration table shows the same
list (a test checks it).

Secrets have one home: the environment, filled from one secrets file (`.env` beside the
project, or the file `KINERJA_ENV_FILE` names) when a variable is not already set. The first
`kinerja init` (or `make demo`) writes that file with a random pseudonym key; the command
line, the Dagster code location (`dagster dev`, the daemon, its run workers) and dbt's
connection plugin all read the same file. Production sets the variables instead (a set
variable always wins over the file).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.limits import load_limits
from core.paths import CONFIG_DIR, PROJECT_ROOT

# name -> (default, meaning); the README's table "Configuration (environment variables)"
VARIABLES: dict[str, tuple[str, str]] = {
    "KINERJA_HOME": ("./var", "root of everything the pipeline writes"),
    "KINERJA_REGISTRY": ("config/agencies.yaml", "the agency registry"),
    "KINERJA_LANDING": ("$KINERJA_HOME/landing", "landing area"),
    "KINERJA_ARCHIVE": ("$KINERJA_HOME/archive", "every original file, content-addressed"),
    "KINERJA_WAREHOUSE": ("$KINERJA_HOME/warehouse/kerja.duckdb", "working DuckDB"),
    "KINERJA_PUBLISHED": ("$KINERJA_HOME/published", "published releases and `latest`"),
    "DAGSTER_HOME": ("$KINERJA_HOME/dagster_home", "Dagster instance (runs, schedules)"),
    "KINERJA_DAGSTER_STORAGE": ("sqlite", "`postgres` to start a new `DAGSTER_HOME` on PostgreSQL"),
    "KINERJA_READ_WORKERS": ("number of cores", "processes that read and check agency files"),
    "KINERJA_DUCKDB_MEMORY_LIMIT": ("4GB", "DuckDB memory of the pipeline and dbt"),
    "KINERJA_SETTLE_SECONDS": (
        "60 (`config/limits.yaml`)",
        "a landed file modified less than this ago waits for the next run",
    ),
    "KINERJA_SENSOR_INTERVAL": ("60", "seconds between two looks of the landing-area sensor"),
    "KINERJA_ENV_FILE": (
        "./.env",
        "the secrets file (written by `kinerja init`), read when a variable is unset",
    ),
    "KINERJA_PSEUDONYM_KEY": ("— (`kinerja init` writes one)", "secret of the NIP pseudonyms"),
    "KINERJA_ALERT_WEBHOOK": (
        "—",
        "URL that receives alerts (JSON POST): failed runs, held submissions",
    ),
    "KINERJA_TOKEN_<AGENCY>": ("—", "bearer token of an API agency (name set in the registry)"),
}

PSEUDONYM_KEY_VAR = "KINERJA_PSEUDONYM_KEY"
# set by a run in its own process, inherited by every process it starts (dbt, reader
# workers): how the next run finds a killed run's orphans (orchestration/recovery.py)
RUN_ID_VAR = "KINERJA_RUN_ID"
ENV_FILE_VAR = "KINERJA_ENV_FILE"
DEFAULT_ENV_FILE = PROJECT_ROOT / ".env"
ALERT_WEBHOOK_VAR = "KINERJA_ALERT_WEBHOOK"
# what the libraries would otherwise send home (no internet here, and none wanted)
TELEMETRY_OFF = {"GX_ANALYTICS_ENABLED": "false", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
PSEUDONYM_KEY_MIN_LENGTH = 8
# `kinerja docs` only: dbt's docs read the catalogue, never a pseudonym, so they need no secret
DOCS_PLACEHOLDER_KEY = "docs-only-no-pseudonyms"


class MissingSecret(RuntimeError):
    """A secret the pipeline cannot run without is unset: one Indonesian sentence that says
    what to do (every entry point stops with it, before any work)."""


def env_file() -> Path:
    """The secrets file: KINERJA_ENV_FILE, else `.env` beside the project."""
    return Path(os.environ.get(ENV_FILE_VAR) or DEFAULT_ENV_FILE)


def load_env_file() -> Path | None:
    """Put the secrets file's variables into this process's environment, each only when it is
    not already set (production's variables win). Returns the file when it exists."""
    from dotenv import dotenv_values

    path = env_file()
    if not path.is_file():
        return None
    for name, value in dotenv_values(path).items():
        if value and not os.environ.get(name):
            os.environ[name] = value
    return path


def init_env_file(path: Path | None = None) -> tuple[Path, bool]:
    """`kinerja init`: the secrets file with a random pseudonym key, unless it has one.
    Returns (file, True when a key was written). The file is readable by its owner only."""
    from dotenv import dotenv_values, set_key

    path = path or env_file()
    if path.is_file() and len(dotenv_values(path).get(PSEUDONYM_KEY_VAR) or "") >= (
        PSEUDONYM_KEY_MIN_LENGTH
    ):
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    set_key(str(path), PSEUDONYM_KEY_VAR, secrets.token_urlsafe(32), quote_mode="never")
    return path, True


def missing_key_sentence() -> str:
    return (
        f"Kunci pseudonim ({PSEUDONYM_KEY_VAR}) belum ada: jalankan `.venv/bin/kinerja init` "
        f"sekali untuk membuatnya di {env_file()}, atau isi variabel {PSEUDONYM_KEY_VAR} "
        f"(minimal {PSEUDONYM_KEY_MIN_LENGTH} karakter) di lingkungan produksi."
    )


def require_pseudonym_key() -> None:
    """Stop at once (MissingSecret, one sentence) when no pseudonym key is set or in the
    secrets file; entry points call it before any work."""
    load_env_file()
    if len(os.environ.get(PSEUDONYM_KEY_VAR, "")) < PSEUDONYM_KEY_MIN_LENGTH:
        raise MissingSecret(missing_key_sentence())


@dataclass(frozen=True)
class Settings:
    home: Path  # KINERJA_HOME: root of everything the pipeline writes
    registry: Path  # KINERJA_REGISTRY: the agency registry YAML
    landing: Path  # KINERJA_LANDING: where agencies drop files
    archive: Path  # KINERJA_ARCHIVE: originals, content-addressed
    warehouse: Path  # KINERJA_WAREHOUSE: the working DuckDB (one writer: the pipeline)
    published: Path  # KINERJA_PUBLISHED: published files and the analysts' read-only marts
    dagster_home: Path | None = None  # DAGSTER_HOME (None: <home>/dagster_home)
    dagster_storage: str = "sqlite"  # KINERJA_DAGSTER_STORAGE: sqlite | postgres (new home)
    read_workers: int = 1  # KINERJA_READ_WORKERS: processes that read and check files
    duckdb_memory_limit: str = "4GB"  # KINERJA_DUCKDB_MEMORY_LIMIT: pipeline's and dbt's
    settle_seconds: float = 0.0  # KINERJA_SETTLE_SECONDS (from_env: config/limits.yaml)
    sensor_interval: int = 60  # KINERJA_SENSOR_INTERVAL: seconds between landing-area looks
    variables_set: frozenset[str] = frozenset()  # names of the variables set (not values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """From `environ`, or from this process's environment after the secrets file was
        read into it (load_env_file)."""
        if environ is None:
            load_env_file()
        env = os.environ if environ is None else environ
        home = Path(env.get("KINERJA_HOME", PROJECT_ROOT / "var")).resolve()
        storage = env.get("KINERJA_DAGSTER_STORAGE", "sqlite")
        if storage not in ("sqlite", "postgres"):
            raise ValueError(
                f"KINERJA_DAGSTER_STORAGE harus sqlite atau postgres, bukan {storage!r}"
            )
        return cls(
            home=home,
            registry=Path(env.get("KINERJA_REGISTRY", CONFIG_DIR / "agencies.yaml")),
            landing=Path(env.get("KINERJA_LANDING", home / "landing")),
            archive=Path(env.get("KINERJA_ARCHIVE", home / "archive")),
            warehouse=Path(env.get("KINERJA_WAREHOUSE", home / "warehouse" / "kerja.duckdb")),
            published=Path(env.get("KINERJA_PUBLISHED", home / "published")),
            dagster_home=Path(env.get("DAGSTER_HOME", home / "dagster_home")),
            dagster_storage=storage,
            read_workers=int(env.get("KINERJA_READ_WORKERS", os.cpu_count() or 1)),
            duckdb_memory_limit=env.get("KINERJA_DUCKDB_MEMORY_LIMIT", "4GB"),
            settle_seconds=float(env.get("KINERJA_SETTLE_SECONDS") or load_limits().settle_seconds),
            sensor_interval=int(env.get("KINERJA_SENSOR_INTERVAL", 60)),
            variables_set=frozenset(k for k, v in env.items() if v),
        )

    def is_set(self, name: str) -> bool:
        """Whether the variable `name` was set (to bind an optional secret, or leave it)."""
        return name in self.variables_set

    def ensure_dirs(self) -> None:
        for p in (self.landing, self.archive, self.warehouse.parent, self.published):
            p.mkdir(parents=True, exist_ok=True)

    @property
    def instance_home(self) -> Path:
        """The Dagster instance the command line runs in."""
        return self.dagster_home or self.home / "dagster_home"

    @property
    def gx_root(self) -> Path:
        """The GX project (suites, results, Data Docs) lives in <home>/gx."""
        return self.home


def switch_off_telemetry() -> None:
    """Entry points call this before importing dbt or GX (an operator's choice wins)."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


# files and folders the pipeline creates: owner and group only, nothing for other users
UMASK = 0o027


def restrict_permissions() -> None:
    """Entry points call this first: the warehouse, landing pulls, archive and releases are
    created readable by the owner and group only (umask 027)."""
    os.umask(UMASK)


def mark_run(run_id: str) -> None:
    """This process now works for `run_id`; the processes it starts inherit the mark."""
    os.environ[RUN_ID_VAR] = run_id


def pseudonym_key() -> str:
    """The pseudonym key (the secret of the keyed hash that replaces NIPs in the marts), read
    when it is needed and kept by no one: dbt's connection plugin puts it on the DuckDB
    connection (orchestration/dbt_plugin.py). Raises MissingSecret (one Indonesian sentence
    that names the variable and never the value) when it is unset or too short."""
    load_env_file()
    key = os.environ.get(PSEUDONYM_KEY_VAR, "")
    if len(key) < PSEUDONYM_KEY_MIN_LENGTH:
        raise MissingSecret(missing_key_sentence())
    return key


def docs_environment() -> dict[str, str]:
    """The environment of `dbt docs generate` (`kinerja docs`, `make docs`): this process's,
    with a placeholder pseudonym key when none is set, as dbt's docs need no secret."""
    load_env_file()
    env = dict(os.environ)
    if len(env.get(PSEUDONYM_KEY_VAR, "")) < PSEUDONYM_KEY_MIN_LENGTH:
        env[PSEUDONYM_KEY_VAR] = DOCS_PLACEHOLDER_KEY
    return env


def apply_demo_secrets(demo_tokens: Mapping[str, str]) -> None:
    """`kinerja demo` only: the demo agency's API token, put into this process's environment
    so that the Dagster resources (EnvVar) see it. The pseudonym key comes from the secrets
    file like every other run's (`kinerja demo` writes one first: init_env_file)."""
    for name, token in demo_tokens.items():
        os.environ.setdefault(name, token)

"""dbt's parsed project kept between the dbt commands of one process (orchestration/dbt_parsed.py):
reused for another warehouse, never once a project file, a var or the database name changed."""

import json
import shutil
from pathlib import Path

import pytest

from core import personal_data
from core.paths import PROJECT_ROOT
from orchestration import dbt_parsed
from orchestration.dbt_in_process import InProcessDbt

PROJECT = PROJECT_ROOT / "dbt_project"
FULL_PARSE = "Starting full parse"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the dbt project (without its target and logs), free to edit."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("target", "logs"))
    dbt_parsed.forget()
    yield copy
    dbt_parsed.forget()


def _vars(warehouse: Path) -> str:
    return json.dumps({"warehouse_path": str(warehouse), **personal_data.dbt_vars()})


def dbt(project: Path, target: Path, *args: str) -> tuple[int, str]:
    """A dbt command in this process as the pipeline runs one; its exit code and dbt.log."""
    env = {"DBT_PROJECT_DIR": str(project), "DBT_TARGET_PATH": str(target),
           "DBT_LOG_PATH": str(target)}  # fmt: skip
    process = InProcessDbt(["dbt", *args], env, str(project))
    process.stdout.read()  # dbt's events (a reader must drain them)
    code = process.wait(timeout=300)
    return code, (target / "dbt.log").read_text(encoding="utf-8")


def test_another_warehouse_reuses_the_parse_and_a_changed_model_is_parsed_again(
    tmp_path, project, pseudonym_key
):
    first, second = tmp_path / "a" / "w.duckdb", tmp_path / "b" / "w.duckdb"
    code, log = dbt(project, tmp_path / "a" / "t", "seed", "--vars", _vars(first),
                    "--select", "ikm_mutu")  # fmt: skip
    assert code == 0 and FULL_PARSE in log
    # another warehouse (dbt's own parse state would be discarded: its profile changed)
    code, log = dbt(project, tmp_path / "b" / "t", "seed", "--vars", _vars(second),
                    "--select", "ikm_mutu")  # fmt: skip
    assert code == 0 and "parsing" not in log and "ikm_mutu" in log
    import duckdb

    with duckdb.connect(str(second), read_only=True) as con:  # built where it was asked
        assert con.execute("SELECT count(*) FROM ref.ikm_mutu").fetchone()[0] > 0

    # a model added, then changed: what dbt compiles is always the file as it is now
    model = project / "models" / "staging" / "probe.sql"
    compiled = tmp_path / "b" / "t" / "compiled" / "kinerja" / "models" / "staging" / "probe.sql"
    for answer in ("42", "43"):
        model.write_text(f"select {answer} as jawaban\n", encoding="utf-8")
        code, log = dbt(project, tmp_path / "b" / "t", "compile", "--vars", _vars(second),
                        "--select", "probe")  # fmt: skip
        assert code == 0, log[-2000:]
        assert f"select {answer} as jawaban" in compiled.read_text(encoding="utf-8")


def _key(project: Path, warehouse: str, env=None, **extra) -> str:
    parse = ["parse", "--vars", json.dumps({"warehouse_path": warehouse, **extra}),
             "--project-dir", str(project), "--profiles-dir", str(project),
             "--target-path", str(Path(warehouse).parent / "t")]  # fmt: skip
    key = dbt_parsed.cache_key(parse, str(project), env or {})
    assert key is not None
    return key


def test_the_key_follows_what_dbt_parses(project):
    base = _key(project, "/x/a/w.duckdb")
    # where the warehouse and dbt's target folder lie: the same parse
    assert _key(project, "/y/b/w.duckdb") == base
    # another database name, another var, another project file: parsed again
    assert _key(project, "/x/a/kerja.duckdb") != base
    assert _key(project, "/x/a/w.duckdb", duckdb_memory_limit="1GB") != base
    (project / "macros" / "extra.sql").write_text("{% macro extra() %}1{% endmacro %}\n")
    assert _key(project, "/x/a/w.duckdb") != base
    # a var the project reads elsewhere than the profile's path: keyed on its whole value
    (project / "models" / "staging" / "probe.sql").write_text(
        "select '{{ var(\"warehouse_path\") }}' as p\n"
    )
    assert _key(project, "/x/a/w.duckdb") != _key(project, "/y/b/w.duckdb")
    # an environment variable the project reads
    (project / "models" / "staging" / "probe.sql").write_text(
        'select \'{{ env_var("KINERJA_PROBE", "") }}\' as p\n'
    )
    assert _key(project, "/x/a/w.duckdb", {"KINERJA_PROBE": "1"}) != _key(
        project, "/x/a/w.duckdb", {"KINERJA_PROBE": "2"}
    )


def test_commands_that_read_no_parsed_project_are_not_keyed():
    from orchestration.dbt_in_process import _command

    parse = _command(["parse"])
    assert dbt_parsed.parse_argv(["debug"], _command(["debug"]), parse) is None
    assert dbt_parsed.parse_argv(["parse", "--vars", "{}"], parse, parse) is None
    # a command that merges another state into the parsed project gets a parse of its own
    build = _command(["build"])
    assert dbt_parsed.parse_argv(["build", "--defer", "--state", "/s"], build, parse) is None
    argv = ["build", "--vars", "{a: 1}", "--select", "x", "y", "--full-refresh",
            "--target-path=/t", "--no-use-colors"]  # fmt: skip
    assert dbt_parsed.parse_argv(argv, _command(["build"]), parse) == [
        "parse", "--vars", "{a: 1}", "--target-path=/t", "--no-use-colors"
    ]  # fmt: skip

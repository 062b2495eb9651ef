"""dbt's parsed project kept between the dbt commands of one process (orchestration/dbt_parsed.py):
reused for another warehouse, never once a project file, a var or the database name changed."""

import json
import shutil
from pathlib import Path

import pytest

from core.paths import PROJECT_ROOT
from orchestration import dbt_parsed
from orchestration.dbt_in_process import InProcessDbt
from tests.conftest import dbt_test_env, dbt_test_vars

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


def dbt_events(project: Path, target: Path, *args: str) -> tuple[int, list[dict]]:
    """A dbt command in this process as the pipeline runs one; its exit code and the events
    it printed (what dagster-dbt reads)."""
    process = InProcessDbt(["dbt", *args], dbt_test_env(target, project), str(project))
    out = process.stdout.read().decode()  # a reader must drain them
    code = process.wait(timeout=300)
    return code, [json.loads(line)["info"] for line in out.splitlines()]


def dbt(project: Path, target: Path, *args: str) -> tuple[int, str]:
    """A dbt command in this process; its exit code and dbt.log."""
    code, _ = dbt_events(project, target, *args)
    return code, (target / "dbt.log").read_text(encoding="utf-8")


def test_another_warehouse_reuses_the_parse_and_a_changed_model_is_parsed_again(
    tmp_path, project, pseudonym_key
):
    first, second = tmp_path / "a" / "w.duckdb", tmp_path / "b" / "w.duckdb"
    code, log = dbt(project, tmp_path / "a" / "t", "seed", "--vars", dbt_test_vars(first),
                    "--select", "ikm_mutu")  # fmt: skip
    assert code == 0 and FULL_PARSE in log
    # another warehouse (dbt's own parse state would be discarded: its profile changed)
    code, log = dbt(project, tmp_path / "b" / "t", "seed", "--vars", dbt_test_vars(second),
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
        code, log = dbt(project, tmp_path / "b" / "t", "compile", "--vars", dbt_test_vars(second),
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
    # a model in a folder named like dbt's output folders, and what dbt is told to ignore
    nested = project / "models" / "marts" / "target"
    nested.mkdir()
    (nested / "probe_target.sql").write_text("select 42 as jawaban\n")
    with_nested = _key(project, "/x/a/w.duckdb")
    (nested / "probe_target.sql").write_text("select 43 as jawaban\n")
    assert _key(project, "/x/a/w.duckdb") != with_nested
    before_ignore = _key(project, "/x/a/w.duckdb")
    (project / ".dbtignore").write_text("models/marts/target\n")
    assert _key(project, "/x/a/w.duckdb") != before_ignore
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


def test_what_a_command_changes_in_the_parsed_project_is_not_kept(tmp_path, project, pseudonym_key):
    """dbt changes the project a command runs with: a failed inline query leaves its node, an
    ephemeral model's CTE is marked as added once compiled. Each command gets a copy."""
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "t"
    for query, expected in (("select * from {{ ref('no_such_model') }}", 2), ("select 1 as x", 0)):
        code, _ = dbt(
            project, target, "show", "--vars", dbt_test_vars(warehouse), "--inline", query
        )
        assert code == expected, query
    models = project / "models" / "staging"
    (models / "probe_eph.sql").write_text("{{ config(materialized='ephemeral') }}\nselect 1 as x\n")
    (models / "probe_user.sql").write_text("select * from {{ ref('probe_eph') }}\n")
    for place in ("a", "b"):
        code, log = dbt(project, tmp_path / place, "run", "--vars",
                        dbt_test_vars(tmp_path / place / "w.duckdb"), "--select", "probe_user")  # fmt: skip
        assert code == 0, log[-2000:]


def test_warnings_of_the_parse_reach_every_command(tmp_path, project, pseudonym_key):
    (project / "models" / "staging" / "typo.yml").write_text(
        "version: 2\nmodels:\n  - name: stg_raw__tidak_ada\n    description: salah ketik\n"
    )
    for place in ("a", "b"):  # parsed, then kept
        code, events = dbt_events(project, tmp_path / place, "seed", "--vars",
                                  dbt_test_vars(tmp_path / place / "w.duckdb"), "--select", "ikm_mutu")  # fmt: skip
        assert code == 0
        assert any(e["name"] == "NoNodeForYamlKey" and "stg_raw__tidak_ada" in e["msg"]
                   for e in events), place  # fmt: skip


def test_a_file_saved_while_dbt_parses_is_parsed_again(tmp_path, project, pseudonym_key):
    from dbt.cli.main import dbtRunner

    from orchestration.dbt_in_process import _command, dbt_argv

    model = project / "models" / "staging" / "probe.sql"
    model.write_text("select 42 as jawaban\n")
    argv = dbt_argv(["dbt", "compile", "--vars", dbt_test_vars(tmp_path / "w.duckdb"), "--select", "probe"],
                    dbt_test_env(tmp_path / "t", project), str(project))  # fmt: skip

    def parse_while_saving(args, callbacks):
        model.write_text("select 43 as jawaban\n")  # an editor saves while dbt parses
        return dbtRunner(callbacks=callbacks).invoke(args)

    command, parse = _command(argv), _command(["parse"])
    dbt_parsed.parsed_project(argv, str(project), {}, command, parse, parse_while_saving)
    model.write_text("select 42 as jawaban\n")  # and the edit is undone
    manifest, _, parsed = dbt_parsed.parsed_project(
        argv, str(project), {}, command, parse,
        lambda args, callbacks: dbtRunner(callbacks=callbacks).invoke(args),
    )  # fmt: skip
    assert parsed is not None  # parsed again, not taken from what the first parse kept
    assert manifest.nodes["model.kinerja.probe"].raw_code.strip() == "select 42 as jawaban"

"""The operator's first week, the fast parts: one secrets file, plain one-line errors, readable
checks, deadlines (the whole walk is tests/test_operator_first_week.py, marked slow)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys

import pytest
from dagster import AssetKey

from core.paths import PROJECT_ROOT
from core.registry import load_registry
from core.settings import (
    PSEUDONYM_KEY_VAR,
    MissingSecret,
    Settings,
    init_env_file,
    load_env_file,
    require_pseudonym_key,
)
from orchestration.assets.warehouse import dbt_project, ensure_manifest
from orchestration.dbt_failures import root_cause
from orchestration.errors import error_line
from orchestration.status import deadline_state, next_nightly_run

KINERJA = [sys.executable, "-m", "orchestration.cli"]


def test_init_writes_one_random_key_readable_by_its_owner_and_keeps_it(tmp_path, monkeypatch):
    env_file = tmp_path / "rahasia" / ".env"
    monkeypatch.setenv("KINERJA_ENV_FILE", str(env_file))
    monkeypatch.delenv(PSEUDONYM_KEY_VAR, raising=False)
    path, written = init_env_file()
    assert path == env_file and written
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    (line,) = env_file.read_text().splitlines()
    name, key = line.split("=", 1)
    assert name == PSEUDONYM_KEY_VAR and len(key) >= 32
    assert init_env_file() == (env_file, False) and env_file.read_text() == f"{line}\n"
    # another file, another key
    other, _ = init_env_file(tmp_path / "other.env")
    assert other.read_text().split("=", 1)[1] != key
    # every entry point reads it: Settings.from_env puts it into the environment
    Settings.from_env()
    assert os.environ[PSEUDONYM_KEY_VAR] == key
    require_pseudonym_key()


def test_a_set_variable_wins_over_the_file(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text(f"{PSEUDONYM_KEY_VAR}=dari-file-rahasia\n")
    monkeypatch.setenv("KINERJA_ENV_FILE", str(env_file))
    monkeypatch.setenv(PSEUDONYM_KEY_VAR, "dari-lingkungan-produksi")
    assert load_env_file() == env_file
    assert os.environ[PSEUDONYM_KEY_VAR] == "dari-lingkungan-produksi"


def test_without_a_key_every_entry_point_stops_at_once_with_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.delenv(PSEUDONYM_KEY_VAR, raising=False)
    with pytest.raises(MissingSecret, match="kinerja init") as e:
        require_pseudonym_key()
    assert "\n" not in str(e.value)
    # the Dagster code location (dagster dev, the daemon) does not load
    from orchestration.definitions import defs

    with pytest.raises(MissingSecret, match="kinerja init"):
        defs()
    # the command line: one line, no traceback, before any work
    env = {**os.environ, "KINERJA_HOME": str(tmp_path / "home")}
    done = subprocess.run([*KINERJA, "refresh"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [str(e.value)]  # one line, no traceback
    assert not (tmp_path / "home" / "warehouse").exists()  # nothing was started


def test_an_unreadable_registry_is_one_line_naming_the_file_and_key(tmp_path, monkeypatch):
    bad = tmp_path / "agencies.yaml"
    bad.write_text((PROJECT_ROOT / "config" / "agencies.yaml").read_text().replace(
        'pegawai: "01-31"', 'pegawai: "31-01"'))  # fmt: skip
    env = {**os.environ, "KINERJA_HOME": str(tmp_path / "home"), "KINERJA_REGISTRY": str(bad),
           "KINERJA_ENV_FILE": str(tmp_path / "e"), PSEUDONYM_KEY_VAR: "kunci-uji-12345"}  # fmt: skip
    done = subprocess.run([*KINERJA, "refresh"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert str(bad) in line and "tenggat" in line and "pegawai" in line


def test_a_typo_in_the_registry_prints_each_mistake_in_indonesian_without_traceback(tmp_path):
    """A mistyped key is two mistakes (the unknown key, the missing one): both are printed, one a
    line, in Indonesian, not one line and a traceback behind -v."""
    bad = tmp_path / "agencies.yaml"
    bad.write_text((PROJECT_ROOT / "config" / "agencies.yaml").read_text().replace(
        'kode_wilayah: "75.01"', 'kode_wilyah: "75.01"', 1))  # fmt: skip
    env = {**os.environ, "KINERJA_HOME": str(tmp_path / "home"), "KINERJA_REGISTRY": str(bad),
           "KINERJA_ENV_FILE": str(tmp_path / "e"), PSEUDONYM_KEY_VAR: "kunci-uji-12345"}  # fmt: skip
    done = subprocess.run([*KINERJA, "refresh"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    kode = next(a.kode for a in load_registry(PROJECT_ROOT / "config" / "agencies.yaml").agencies
                if a.kode_wilayah == "75.01")  # fmt: skip
    missing, unknown = done.stderr.splitlines()
    assert missing.startswith(f"{bad}: instansi #") and missing.endswith(
        f" ({kode}).kode_wilayah: wajib diisi (kunci ini harus ada)"
    )
    assert (
        unknown.startswith(f"{bad}: instansi #")
        and (
            f" ({kode}).kode_wilyah: kunci tidak dikenal (maksudnya 'kode_wilayah'?); yang boleh: ["
        )
        in unknown
    )


def test_commands_on_a_missing_warehouse_say_so_in_one_line_and_create_nothing(tmp_path):
    env = {**os.environ, "KINERJA_HOME": str(tmp_path / "home"),
           "KINERJA_ENV_FILE": str(tmp_path / "e"), PSEUDONYM_KEY_VAR: "kunci-uji-12345"}  # fmt: skip
    warehouse = tmp_path / "home" / "warehouse" / "kerja.duckdb"
    for command in (
        ["rejects"],
        ["terima", "KAB-X", "pelatihan", "2025"],
        ["tarik", "KAB-X", "a.csv"],
    ):
        done = subprocess.run([*KINERJA, *command], env=env, capture_output=True, text=True,
                              timeout=120, cwd=PROJECT_ROOT)  # fmt: skip
        assert done.returncode == 1, command
        assert done.stderr == "belum ada gudang data: jalankan `kinerja refresh` dahulu\n", command
        assert not warehouse.exists(), command
    warehouse.touch()  # a warehouse: `status` reads the registry before it opens it
    done = subprocess.run([*KINERJA, "status", "--agency", "KAB-TIDAK-ADA"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("instansi tidak dikenal: 'KAB-TIDAK-ADA'; yang terdaftar: ")


def test_dbt_root_cause_is_dbt_s_own_message_in_one_line():
    results = {"results": [
        {"unique_id": "model.kinerja.stg_raw__pelatihan", "status": "error",
         "message": 'Runtime Error in model stg_raw__pelatihan (models/staging/x.sql)\n'
                    '  Binder Error: Referenced column "jp" not found in FROM clause!\n  LINE 3'},
        {"unique_id": "model.kinerja.fct_pelatihan", "status": "skipped", "message": None},
    ]}  # fmt: skip
    assert root_cause(results, []) == (
        'dbt: model stg_raw__pelatihan: Binder Error: Referenced column "jp" not found in FROM clause!'
    )
    # dbt could not connect at all: no run results, its logged error says why
    msg = ("Encountered an error:\nRuntime Error\n  Could not connect: Kunci pseudonim "
           "(KINERJA_PSEUDONYM_KEY) belum ada: jalankan ...")  # fmt: skip
    assert root_cause(None, [msg]) == (
        "dbt: Kunci pseudonim (KINERJA_PSEUDONYM_KEY) belum ada: jalankan ..."
    )
    tests = {
        "results": [{"unique_id": f"test.kinerja.t{i}.abc", "status": "fail"} for i in range(5)]
    }
    assert root_cause(tests, []) == "dbt: 5 uji data gagal: t0, t1, t2 (+2 lagi)"


def test_error_line_is_the_innermost_cause_without_class_names():
    from dagster._utils.error import SerializableErrorInfo

    inner = SerializableErrorInfo("ValueError: kolom jp tidak ada\n", [], "ValueError")
    outer = SerializableErrorInfo(
        'dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while '
        'executing op "warehouse_dbt":\n', [], "DagsterExecutionStepExecutionError", inner)  # fmt: skip
    assert error_line(outer) == "kolom jp tidak ada"
    failure = SerializableErrorInfo(
        "dagster._core.definitions.events.Failure: dbt: model x: y (log lengkap: /a/dbt.log)\n",
        [], "Failure")  # fmt: skip
    assert error_line(failure) == "dbt: model x: y (log lengkap: /a/dbt.log)"


def test_every_check_says_in_indonesian_what_it_protects_and_sits_on_its_asset(tmp_path):
    from orchestration.definitions import build_defs
    from tests.hand_province import build_hand_province

    defs = build_defs(build_hand_province(tmp_path / "home"))
    graph = defs.resolve_asset_graph()
    specs = [spec for key in graph.asset_check_keys for spec in [graph.get_check_spec(key)]]
    # one check per generic dbt data test (several columns in one where a test takes them:
    # dbt_project/tests/generic), besides the GX gates'; the singular test reads five seeds
    # and sits on none
    manifest = json.loads(ensure_manifest(dbt_project()).read_text(encoding="utf-8"))
    dbt_tests = {n["name"] for n in manifest["nodes"].values() if n.get("test_metadata")}
    assert len(dbt_tests) > 150 and dbt_tests <= {s.name for s in specs}
    missing = [s.key for s in specs if not s.description]
    assert missing == []
    english = [s.description for s in specs if "No description" in s.description]
    assert english == []
    by_name = {}
    for s in specs:
        by_name.setdefault(s.name, set()).add(s.asset_key)
    # the personal-data gate is on each published mart, not on dim_pegawai alone
    assert {AssetKey(["fct_pelatihan"]), AssetKey(["temuan"]), AssetKey(["dim_pegawai"])} <= (
        by_name["gx_tanpa_data_pribadi"]
    )
    assert by_name["gx_publication_gate"] == {AssetKey(["indikator_wilayah"]),
                                              AssetKey(["indikator_instansi"])}  # fmt: skip
    unique = next(s for s in specs if s.name == "unique_wilayah_kode_wilayah")
    assert unique.description.startswith("Setiap kode_wilayah di wilayah muncul sekali")
    ranges = by_description(specs, "values_between_stg_raw__survei")
    assert ranges == (
        "Di stg_raw__survei, "
        + "; ".join(f"u{i} antara 1 dan 4" for i in range(1, 10))
        + "; di luar itu berarti aturan salah hitung atau data rusak."
    )
    assert by_description(specs, "not_null_columns_stg_raw__survei") == (
        "Setiap baris stg_raw__survei punya tahun, id_responden, sehingga tidak ada baris yang "
        "hilang dari hitungan atau tak dapat ditelusuri."
    )
    assert "{" not in " ".join(s.description for s in specs)  # every placeholder filled


def by_description(specs, name: str) -> str:  # the description of the check `name`
    return next(s.description for s in specs if s.name == name)


def test_deadline_from_the_registry_and_the_next_nightly_run():
    registry = load_registry(PROJECT_ROOT / "config" / "agencies.yaml")
    assert registry.deadline("pegawai", 2025) == dt.date(2026, 1, 31)
    today = dt.date(2026, 3, 1)
    on_time = {2025: dt.datetime(2026, 1, 31, 16, 0, tzinfo=dt.UTC)}  # 23:00 WIB
    late = {2025: dt.datetime(2026, 1, 31, 17, 30, tzinfo=dt.UTC)}  # 00:30 WIB on 1 February
    assert deadline_state(registry, "pegawai", on_time, today)["status"] == "tepat_waktu"
    assert deadline_state(registry, "pegawai", late, today)["status"] == "terlambat"
    assert deadline_state(registry, "pegawai", {}, today)["status"] == "belum_dikirim_lewat_tenggat"
    assert deadline_state(registry, "pegawai", {}, dt.date(2026, 1, 5))["status"] == "belum_dikirim"
    # 01:00 WIB is 18:00 UTC the day before
    now = dt.datetime(2026, 3, 1, 17, 59, tzinfo=dt.UTC)
    assert next_nightly_run(now) == dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)
    assert next_nightly_run(now + dt.timedelta(minutes=2)) == dt.datetime(
        2026, 3, 2, 18, 0, tzinfo=dt.UTC
    )
    json.dumps(deadline_state(registry, "survei", {}, today))


def test_gx_data_docs_load_nothing_from_the_network_and_list_every_validation(tmp_path):
    import re

    import great_expectations.expectations as gxe
    import pandas as pd

    from expectations.runner import GateContext

    gx = GateContext(tmp_path / "gx", run_name="2026-03-01 01:00 WIB, run abcd1234: data mentah")
    df = pd.DataFrame({"kode": ["A", "B"], "pct": [50.0, 150.0]})
    ok = gx.run("uji_lulus", df, [gxe.ExpectColumnValuesToNotBeNull(column="kode")], "kode")
    bad = gx.run("uji_gagal", df, [gxe.ExpectColumnValuesToBeBetween(column="pct", max_value=100)],
                 "kode")  # fmt: skip
    assert not ok.failures and bad.failures[0].examples == ["B"]
    index = gx.build_docs()
    pages = list(index.parent.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"https?://", text)
        assert loaded == [], page
    text = index.read_text(encoding="utf-8")
    # the index lists both validations in its HTML (no script needed), with a pass and a fail
    rows = re.findall(r"<tr><td>.*?</tr>", text, flags=re.S)
    assert sum("run abcd1234: data mentah" in r for r in rows) == 2
    assert sum("fa-check-circle" in r for r in rows) == 1
    assert sum("fa-times" in r for r in rows) == 1
    assert 'content: "\\2714"' in text  # the check mark, drawn without Font Awesome


def test_gx_data_docs_build_only_this_runs_pages_and_index_the_latest(tmp_path, monkeypatch):
    import os
    import re

    import great_expectations.expectations as gxe
    import pandas as pd

    import expectations.runner as runner

    df = pd.DataFrame({"kode": ["A", "B"]})

    def night(name: str, expectation=None) -> runner.GateContext:
        gx = runner.GateContext(tmp_path / "gx", run_name=name)
        gx.outcome = gx.run(
            "uji", df, [expectation or gxe.ExpectColumnValuesToNotBeNull(column="kode")], "kode"
        )
        return gx

    first = night("run satu")
    index = first.build_docs()
    old = [p for p in index.parent.rglob("*.html") if "validations" in p.parts]
    assert len(old) == 1
    os.utime(old[0], (1, 1))  # as if written long ago: a rebuild would change its time
    project = first.root / "great_expectations.yml"
    # the suite and the validation definition as stored
    stored = [first.root / d / "uji.json" for d in ("expectations", "validation_definitions")]
    for path in (project, *stored):
        os.utime(path, (1, 1))
    second = night("run dua")
    second.build_docs()
    assert old[0].stat().st_mtime == 1  # the first run's page was not rebuilt
    # the data source keeps its data asset from the first night: nothing to add or save again
    assert [a.name for a in second.source.assets] == ["uji"]
    assert project.stat().st_mtime == 1
    # nor the suite and its validation definition, unchanged since the first night
    assert [p.stat().st_mtime for p in stored] == [1, 1]
    # a suite that changed (a new rule in the code) is saved, and it is what runs
    changed = night("run dua b", gxe.ExpectColumnValuesToBeInSet(column="kode", value_set=["A"]))
    assert [f.examples for f in changed.outcome.failures] == [["B"]]
    assert all(p.stat().st_mtime > 1 for p in stored)
    assert "value_set" in stored[0].read_text(encoding="utf-8")
    assert not night("run dua c").outcome.failures  # and back
    text = index.read_text(encoding="utf-8")
    assert "run satu" in text and "run dua" in text  # the index lists both
    # the index lists only the latest DOCS_INDEX_LIMIT validations
    monkeypatch.setattr(runner, "DOCS_INDEX_LIMIT", 1)
    night("run tiga").build_docs()
    rows = re.findall(r"<tr><td>.*?</tr>", index.read_text(encoding="utf-8"), flags=re.S)
    listed = [r for r in rows if re.search(r"run (satu|dua|tiga)", r)]
    assert len(listed) == 1 and "run tiga" in listed[0]


def test_gx_results_beyond_the_store_limit_move_to_the_archive_unchanged(tmp_path):
    """GX's store keeps the latest validation results (it lists and parses all of them, and
    all their pages, in every Data Docs build); older ones move, byte for byte, to the
    archive folder, and the Data Docs show the stored ones."""
    import great_expectations.expectations as gxe
    import pandas as pd

    from expectations.runner import ARCHIVED_RESULTS, GateContext

    df = pd.DataFrame({"kode": ["A", "B"]})
    for night in range(5):
        gx = GateContext(tmp_path / "gx", run_name=f"malam {night}", stored_results=3)
        for suite in ("uji_a", "uji_b"):
            gx.run(suite, df, [gxe.ExpectColumnValuesToNotBeNull(column="kode")], "kode")
        if night == 0:
            store = gx.root / "uncommitted" / "validations"
            first = {p.relative_to(store): p.read_bytes() for p in store.rglob("*.json")}
        gx.build_docs()
    stored = sorted(store.rglob("*.json"))
    archived = sorted((gx.root / ARCHIVED_RESULTS).rglob("*.json"))
    assert len(stored) == 3 and len(archived) == 7  # nothing lost: 5 nights x 2 suites
    assert {p.parts[-3] for p in stored} == {"malam 3", "malam 4"}  # the latest
    assert all((gx.root / ARCHIVED_RESULTS / rel).read_bytes() == data
               for rel, data in first.items())  # fmt: skip
    assert not any(p.parts[-3] == "malam 0" for p in store.rglob("*"))  # empty folders gone
    pages = (gx.root / "uncommitted" / "data_docs" / "local_site" / "validations").rglob("*.html")
    assert {p.parts[-3] for p in pages} == {"malam 3", "malam 4"}
    # a run's own results stay, whatever the limit (and the clock) says
    GateContext(tmp_path / "gx", run_name="malam 4", stored_results=1).build_docs()
    assert sorted(p.parts[-3] for p in store.rglob("*.json")) == ["malam 4", "malam 4"]


def test_dbt_lines_are_counted_for_the_progress_bar_and_not_printed(capsys):
    from orchestration.progress import DbtLineCounter

    seen = []
    counter = DbtLineCounter(seen.append)
    counter.write("1 of 257 START sql table model staging.x ... [RUN]\n")
    counter.write("2 of 257 OK created sql view model staging.stg_raw__load_log .... [\x1b[32mOK")
    counter.write("\x1b[0m in 0.20s]\n3 of 257 PASS not_null_x ... [PASS in 0.1s]\n")
    counter.write("4 of 257 ERROR creating sql table model y\nConcurrency: 2 threads\n")
    assert seen == [257, 257, 257]  # finished nodes only, with dbt's total
    assert capsys.readouterr().out == ""

"""A failed agency (API 500, 401, timeout) is not a success: the others are ingested, but the
run's outcome names it with the reason, the exit code is 1 and an alert goes out."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from dagster import DagsterInstance

from core.settings import Settings
from orchestration.alerts import FAILED_AGENCIES_TAG
from orchestration.cli import report_run
from orchestration.definitions import INGEST_JOB, build_defs
from orchestration.run import run_job
from tests.hand_province import build_hand_province


class Answer(BaseHTTPRequestHandler):
    status = 500

    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        self.send_response(Answer.status)
        self.end_headers()


@pytest.mark.parametrize("status", [500, 401])
def test_failed_api_agency_fails_the_outcome_exit_code_and_alerts(
    tmp_path, receiver, monkeypatch, status, capsys
):
    Answer.status = status
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = build_hand_province(tmp_path / "home")
        reg = yaml.safe_load(s.registry.read_text())
        reg["agencies"].append(
            {
                "kode": "KOTA-API", "nama": "Kota Api", "kode_wilayah": "75.71", "delivery": "api",
                "api": {"base_url": f"http://127.0.0.1:{server.server_address[1]}",
                        "max_retries": 0, "timeout_seconds": 2, "paths": {"survei": "/survei"}},
            }
        )  # fmt: skip
        s.registry.write_text(yaml.safe_dump(reg))
        url, received = receiver
        monkeypatch.setenv("KINERJA_ALERT_WEBHOOK", url)
        s = Settings(**{**s.__dict__, "variables_set": frozenset({"KINERJA_ALERT_WEBHOOK"})})
        agencies = ["KAB-1", "KAB-2", "OPD-A", "KOTA-API"]  # registry order
        with DagsterInstance.ephemeral() as instance:
            result = run_job(build_defs(s), INGEST_JOB, agencies, instance)
            run = instance.get_run_by_id(result.run_id)
            assert run.tags[FAILED_AGENCIES_TAG] == "KOTA-API"
        assert report_run(result, s, publishes=False) == 1
        assert "KOTA-API: " in capsys.readouterr().err
        assert received and received[0]["failed_agencies"].keys() == {"KOTA-API"}
        assert str(status) in received[0]["text"]
        # the others were ingested
        import duckdb

        with duckdb.connect(str(s.warehouse), read_only=True) as con:
            kodes = {
                k
                for (k,) in con.execute(
                    "SELECT DISTINCT kode_instansi FROM raw.load_log"
                ).fetchall()
            }
        assert kodes == {"KAB-1", "KAB-2", "OPD-A"}
    finally:
        server.shutdown()


def test_demo_with_its_port_busy_uses_a_free_port_in_a_registry_copy(tmp_path):
    import socket

    from core.paths import CONFIG_DIR
    from core.registry import load_registry
    from orchestration.cli import demo_registry_on

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        from demo.api_server import DemoApiServer

        port = busy.getsockname()[1]
        with pytest.raises(OSError):
            DemoApiServer(tmp_path, port=port)
        s = Settings(home=tmp_path, registry=CONFIG_DIR / "agencies.yaml", landing=tmp_path,
                     archive=tmp_path, warehouse=tmp_path / "w.duckdb", published=tmp_path)  # fmt: skip
        moved = demo_registry_on(s, 8765, 43210)
        apis = [a.api.base_url for a in load_registry(moved.registry).agencies if a.api]
        assert apis == ["http://127.0.0.1:43210/api/v1"]
    finally:
        busy.close()

"""The API pull against a real HTTP server on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from core.registry import Agency, ApiSource
from demo.api_server import DemoApiServer
from ingestion.api_client import ApiError, pull_dataset


def api_agency(base_url, **kw) -> Agency:
    api = ApiSource(base_url=base_url, token_env="TEST_API_TOKEN", page_size=2, timeout_seconds=2,
                    max_retries=kw.pop("max_retries", 2), paths={"survei": "/survei"})  # fmt: skip
    return Agency("KOTA-X", "Kota X", "75.71", "kabupaten_kota", delivery="api", api=api)


@pytest.fixture
def api_dir(tmp_path):
    d = tmp_path / "api" / "KOTA-X"
    d.mkdir(parents=True)
    (d / "survei.json").write_text(
        json.dumps([{"id_responden": f"R{i}", "u1": 3} for i in range(5)])
    )
    return tmp_path / "api"


def test_pull_follows_pages_with_bearer_token(api_dir, tmp_path):
    with DemoApiServer(api_dir, token="s3cret") as server:
        path = pull_dataset(
            api_agency(server.base_url), "survei", tmp_path / "landing", token="s3cret"
        )
        rows = json.loads(path.read_text())["data"]
        assert [r["id_responden"] for r in rows] == ["R0", "R1", "R2", "R3", "R4"]
        assert path.parent == tmp_path / "landing" / "KOTA-X" / "survei"
        # the same answer again is not a new submission
        again = pull_dataset(
            api_agency(server.base_url), "survei", tmp_path / "landing", token="s3cret"
        )
        assert again == path and len(list(path.parent.iterdir())) == 1


def test_wrong_token_is_not_retried(api_dir, tmp_path):
    with (
        DemoApiServer(api_dir, token="s3cret") as server,
        pytest.raises(PermissionError, match="401"),
    ):
        pull_dataset(api_agency(server.base_url), "survei", tmp_path / "landing", token="wrong")


def test_missing_token_variable_is_a_clear_error(api_dir, tmp_path):
    with pytest.raises(ApiError, match="TEST_API_TOKEN"):
        pull_dataset(api_agency("http://127.0.0.1:9/api"), "survei", tmp_path / "landing")


class FlakyHandler(BaseHTTPRequestHandler):
    calls = 0

    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        FlakyHandler.calls += 1
        if FlakyHandler.calls == 1:
            self.send_response(503)
            self.end_headers()
            return
        page = int(parse_qs(urlparse(self.path).query)["page"][0])
        body = json.dumps({"data": [{"id_responden": "A"}] if page == 1 else []}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_server_error_is_retried_then_succeeds(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        path = pull_dataset(api_agency(url), "survei", tmp_path / "landing", token="t")
        assert json.loads(path.read_text())["data"] == [{"id_responden": "A"}]
        assert FlakyHandler.calls == 2
    finally:
        server.shutdown()


def test_unreachable_api_fails_after_retries(tmp_path):
    with pytest.raises(ApiError, match="2 percobaan"):
        pull_dataset(
            api_agency("http://127.0.0.1:9/api", max_retries=1), "survei", tmp_path / "l", token="t"
        )


class Recorder(BaseHTTPRequestHandler):
    """Answers every page with two rows and a `next` link chosen by the test; keeps the
    Authorization header of each request."""

    next_url = None  # a format string with {page}, or None
    seen: list = []

    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        Recorder.seen.append((self.server.server_address[1], self.headers.get("Authorization")))
        q = parse_qs(urlparse(self.path).query)
        page = int(q.get("page", ["1"])[0])
        nxt = Recorder.next_url.format(page=page + 1) if Recorder.next_url else None
        body = json.dumps({"data": [{"id_responden": f"R{page}"}] * 2, "next": nxt}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def two_servers():
    Recorder.seen = []
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Recorder) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()


def test_next_link_to_another_port_is_not_followed_and_gets_no_token(two_servers, tmp_path):
    home, other = two_servers
    Recorder.next_url = other + "/survei?page={page}"
    with pytest.raises(ApiError, match="bukan ke alamat yang terdaftar"):
        pull_dataset(api_agency(home), "survei", tmp_path / "landing", token="s3cret")
    other_port = int(other.rsplit(":", 1)[1])
    assert all(port != other_port for port, _ in Recorder.seen)
    assert Recorder.seen == [(int(home.rsplit(":", 1)[1]), "Bearer s3cret")]


def test_next_link_on_the_same_host_is_followed(two_servers, tmp_path):
    home, _ = two_servers
    Recorder.next_url = "/survei?page={page}"  # relative: same scheme, host and port
    from core.limits import Limits

    with pytest.raises(ApiError, match="lebih dari 5 halaman"):
        pull_dataset(
            api_agency(home), "survei", tmp_path / "landing", token="t", limits=Limits(api_pages=5)
        )
    assert len(Recorder.seen) == 5  # pages that never end stop at the limit
    assert not (tmp_path / "landing" / "KOTA-X" / "survei").exists() or not list(
        (tmp_path / "landing" / "KOTA-X" / "survei").iterdir()
    )


def test_pull_bytes_are_limited(two_servers, tmp_path):
    home, _ = two_servers
    Recorder.next_url = "/survei?page={page}"
    from core.limits import Limits

    with pytest.raises(ApiError, match="api_bytes"):
        pull_dataset(
            api_agency(home),
            "survei",
            tmp_path / "landing",
            token="t",
            limits=Limits(api_bytes=500),
        )


def test_pull_never_writes_through_a_symlinked_dataset_folder(api_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    landing = tmp_path / "landing"
    (landing / "KOTA-X").mkdir(parents=True)
    (landing / "KOTA-X" / "survei").symlink_to(outside)
    with DemoApiServer(api_dir, token="s3cret") as server, pytest.raises(ApiError, match="luar"):
        pull_dataset(api_agency(server.base_url), "survei", landing, token="s3cret")
    assert not list(outside.iterdir())

"""A local copy of an agency's HTTP JSON API, serving the demo's generated rows.

GET /api/v1/<dataset>?page=N&per_page=M with `Authorization: Bearer <token>` answers
{"data": [...], "page": N, "total_pages": T}. Used by the demo and by the tests.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def make_handler(api_dir: Path, token: str | None):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test and demo output quiet
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server API
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                return self._send(401, {"error": "unauthorized"})
            url = urlparse(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 3 or parts[:2] != ["api", "v1"]:
                return self._send(404, {"error": "not found"})
            # one folder per agency; the server answers for the agency it was started for
            files = list(api_dir.glob(f"*/{parts[2]}.json"))
            if not files:
                return self._send(404, {"error": f"no dataset {parts[2]}"})
            rows = json.loads(files[0].read_text(encoding="utf-8"))
            q = parse_qs(url.query)
            page = int(q.get("page", ["1"])[0])
            per_page = int(q.get("per_page", ["500"])[0])
            total_pages = max(1, -(-len(rows) // per_page))
            chunk = rows[(page - 1) * per_page : page * per_page]
            return self._send(200, {"data": chunk, "page": page, "total_pages": total_pages})

    return Handler


class DemoApiServer:
    """Context manager: serve api_dir on 127.0.0.1:port in a background thread."""

    def __init__(self, api_dir: Path, port: int = 0, token: str | None = None):
        self.server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(api_dir, token))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def __enter__(self) -> DemoApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

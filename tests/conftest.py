"""Shared fixtures: the offline data directory, a private cache, a local HTTP server, one
torch thread."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest


@pytest.fixture
def mia_data_dir() -> Path:
    """The offline data directory named by ``MIA_DATA_DIR`` (skip the test when unset)."""
    env = os.environ.get("MIA_DATA_DIR")
    if not env or not Path(env).is_dir():
        pytest.skip("MIA_DATA_DIR is not set to an existing directory (offline datasets)")
    return Path(env)


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """Every test runs inside the library's thread context with one thread: torch and the
    BLAS/OpenMP pools (the machine is shared; a pool of 2 OpenMP threads on busy cores was
    measured 100 times slower than one thread)."""
    from mia_lib.threads import limit_threads

    with limit_threads(1):
        yield


@pytest.fixture
def tmp_cache(tmp_path_factory, monkeypatch) -> Path:
    """Point ``MIA_CACHE_DIR`` at a fresh temporary directory (outside ``tmp_path``)."""
    cache = tmp_path_factory.mktemp("mia_cache")
    monkeypatch.setenv("MIA_CACHE_DIR", str(cache))
    return cache


class LocalServer:
    """Serves ``routes`` on 127.0.0.1: ``routes["/name"] = (bytes, mode)``.

    ``mode`` is ``"ok"``, ``"truncate"`` (announces the full Content-Length, sends half, then
    closes the connection) or an HTTP status code such as ``404``. ``hits`` counts requests
    per path.
    """

    def __init__(self):
        self.routes: dict[str, tuple[bytes, object]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                body, mode = server.routes.get(self.path, (b"", 404))
                if isinstance(mode, int):
                    self.send_error(mode)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                else:
                    self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    """A :class:`LocalServer` bound to a free port on 127.0.0.1, shut down afterwards."""
    srv = LocalServer()
    try:
        yield srv
    finally:
        srv.close()

"""The local server for the built website, shared by the tests and the site benchmark.

``tests/conftest.py`` (the ``site_url`` fixture) serves ``_build/html`` plainly;
``benchmarks/bench_site.py`` serves it with ``gzip=True``, as the static hosts the book is meant
for (GitHub Pages, Read the Docs) do, so that Lighthouse measures the download a reader makes.
"""

from __future__ import annotations

import contextlib
import functools
import gzip as gzip_module
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Python's static-file handler without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class GzipHandler(QuietHandler):
    """Serves the site as a static host such as GitHub Pages does: gzip when the client asks."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            super().do_GET()
            return
        body = gzip_module.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(directory: Path, *, gzip: bool = False) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yields the base URL.

    ``gzip=True`` compresses responses for clients that accept it. The server is shut down
    when the ``with`` block ends.
    """
    handler = functools.partial(GzipHandler if gzip else QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

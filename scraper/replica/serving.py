"""One threaded HTTP server on 127.0.0.1 with a request log: the base of every replica server."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet on clients hanging up mid-response (crawlers cancel requests); loud otherwise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, GET and HEAD through one ``_serve``, no stderr chatter (the owner logs)."""

    protocol_version = "HTTP/1.1"
    timeout = 30
    #: Headers and body leave in two writes: with Nagle's algorithm on, the body could wait for
    #: the client's delayed ACK (40 ms) on a kept-alive connection, at random.
    disable_nagle_algorithm = True
    server: QuietHTTPServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the owner's request log replaces it."""


class LoopbackServer:
    """Bound on construction, so ``base_url`` is known at once; serves in a daemon thread."""

    name = "replica"

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = QuietHTTPServer((host, port), handler)
        self._httpd.owner = self
        h, p = self._httpd.server_address[:2]
        self.host, self.port = str(h), int(p)
        self.base_url = f"http://{self.host}:{self.port}"
        self._lock = threading.Lock()
        self._log: list[tuple[str, str, int]] = []
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            # a short poll interval: stop() returns at once
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=self.name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, method: str, target: str, status: int) -> None:
        with self._lock:
            self._log.append((method, target, status))

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """A copy of the log: (method, request target as sent, status), in completion order."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

"""A local HTTP server for the replica: real sockets, so crawlers run unchanged against it.

Runs ``ThreadingHTTPServer`` in a daemon thread (Scrapy fetches concurrently) and
records every request so tests can assert what a crawler asked for. A ``faults``
object, if set, sees each planned response first and may replace it; no fault
behaviour is built in (``faults.py`` holds the fault mode). What the socket layer must do
for a fault (wait, reset mid-body, stream a huge body) is carried by ``ActionResponse``;
a plain ``Response`` is served exactly as before.
"""

from __future__ import annotations

import gzip
import socket
import struct
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .portal import Portal
from .portal_routes import PortalRouter
from .routes import Response, Router
from .serving import LoopbackServer, QuietHandler
from .site import Site

_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml")


@dataclass(frozen=True)
class Request:
    """What a fault hook is told about a request."""

    method: str
    target: str
    headers: Mapping[str, str]


@dataclass
class ActionResponse(Response):
    """A ``Response`` with socket-level behaviour, for fault hooks.

    ``delay``: seconds to wait before the status line. ``action="reset"``: send the headers
    (with the full Content-Length) and the first ``reset_at`` share of the body, then abort the
    connection with a TCP RST (SO_LINGER 0). ``compress=False``: never gzip, even if the client
    accepts it. ``stream``: a factory of body chunks sent instead of ``body``, ``length`` bytes
    in all (no compression; lets a hook serve bodies too large to hold in memory).
    The server reads these with ``getattr``, so any ``Response`` carrying them works too.
    """

    delay: float = 0.0
    action: str | None = None
    reset_at: float = 0.5
    compress: bool = True
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int = 0


class FaultHook(Protocol):
    """Consulted before each response; return a replacement ``Response`` or None to keep it."""

    def intercept(self, request: Request, response: Response) -> Response | None: ...


def compressible(resp: Response) -> bool:
    return getattr(resp, "compress", True) and len(resp.body) > 256 and resp.content_type.startswith(_COMPRESSIBLE)


def gzipped(resp: Response) -> bytes:
    """The body gzipped, compressed once per response (cached responses are served many times)."""
    if resp.gzipped is None:
        resp.gzipped = gzip.compress(resp.body, mtime=0)
    return resp.gzipped


class _Handler(QuietHandler):
    def _serve(self, head: bool) -> None:
        replica = self.server.owner
        try:
            resp = replica.router.route(self.path)
            hook = replica.faults
            if hook is not None:
                req = Request(self.command, self.path, dict(self.headers.items()))
                resp = hook.intercept(req, resp) or resp
        except Exception:  # a bug in the replica must not kill the connection silently
            resp = Response(500, b"<html><body>500 Internal Server Error</body></html>")
        body, headers = resp.body, dict(resp.headers)
        stream = getattr(resp, "stream", None)
        if stream is None and "gzip" in self.headers.get("Accept-Encoding", "") and compressible(resp):
            body = gzipped(resp)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        length = int(getattr(resp, "length", 0)) if stream is not None else len(body)
        replica._record(self.command, self.path, resp.status)  # before the body: clients see it logged
        delay = float(getattr(resp, "delay", 0.0) or 0.0)
        if delay > 0:
            time.sleep(delay)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(length))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if getattr(resp, "action", None) == "reset":
            if not head:
                self.wfile.write(body[: int(len(body) * float(getattr(resp, "reset_at", 0.5)))])
            self._abort()
        elif head:
            pass
        elif stream is not None:
            for chunk in stream():
                self.wfile.write(chunk)
        else:
            self.wfile.write(body)

    def _abort(self) -> None:
        """Close with a TCP RST instead of a FIN: the client sees the connection reset mid-body."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the makefile() reader holds the socket open; drop it so close() is real
        self.connection.close()

    def version_string(self) -> str:
        return "Apache"



class ReplicaServer(LoopbackServer):
    """Serves a ``Site`` (today's portal) or a ``Portal`` (any scheme) on 127.0.0.1; bound on
    construction so ``base_url`` is known at once."""

    def __init__(
        self, site: Site | Portal, host: str = "127.0.0.1", port: int = 0, faults: FaultHook | None = None
    ) -> None:
        self.site = site
        self.faults = faults
        super().__init__(_Handler, host, port)
        self.router: Router | PortalRouter = site.router(self.base_url) if isinstance(site, Portal) else Router(site, self.base_url)

    def warm(self) -> int:
        """Render (and gzip) every page a whole-site crawl asks for, before it asks: the replica
        then serves from memory, like a static mirror, and its CPU stays out of a benchmark's
        way. Returns the number of responses made ready."""
        targets = self.router.targets()
        for target in targets:
            resp = self.router.route(target)
            if compressible(resp):
                gzipped(resp)
        return len(targets)

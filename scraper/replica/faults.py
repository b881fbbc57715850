"""Fault mode of the replica: seeded, switchable failures for crawler reliability tests.

``Faults(plan, site)`` is a ``FaultHook`` for ``ReplicaServer(site, faults=...)``. Every
decision is a pure function of the plan's seed and the request target (or article id), so a
given seed always breaks the same URLs in the same way.

Transient faults (500/503, 429 + Retry-After, slow answers, connection resets) are drawn per
request target: a chosen target fails its first K attempts (K from the plan, or 1–2 by seeded
hash), then is served normally, so a crawler that retries gets everything. Permanent faults hit
chosen article ids on every view of them (article, ``/index.php/…``, print, savefile): 500/503
for ever, a redirect into the ``/vong-lap/`` loop, an oversize body (these three are
``unservable_ids()``), or a damaged 200: truncated HTML or no charset declaration anywhere
(``damaged_ids()``). Site-wide switches break ``/sitemap.xml`` (malformed XML) and add a gzip
bomb sitemap at ``/sitemap-vi.news.xml.gz``. ``/`` and ``/robots.txt`` are spared by default
so a crawl can always start.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
import zlib
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from math import ceil
from urllib.parse import unquote, urlsplit

from .routes import Response
from .server import ActionResponse, Request
from .site import Site

#: An article-id selector: an ``int`` picks that many articles, a ``float`` in (0, 1] that share
#: of them (at least one if > 0), a collection names the ids explicitly.
IdSpec = int | float | Collection[int]

LOOP_A = "/vong-lap/a.html"
LOOP_B = "/vong-lap/b.html"
BOMB_PATH = "/sitemap-vi.news.xml.gz"
TRANSIENT_KINDS = ("transient_5xx", "retry_after_429", "slow", "reset")
_ARTICLE_ID = re.compile(r"-(\d+)\.html$")
_META_CHARSET = re.compile(rb"<meta\s+charset=[^>]*>\s*|<meta\s+http-equiv=[\"']?content-type[^>]*>\s*", re.I)
_ERROR = "<html><head><title>{0}</title></head><body><h1>{0}</h1></body></html>"


@dataclass(frozen=True)
class FaultPlan:
    """Which faults to inject. Everything is off by default: ``FaultPlan()`` changes nothing.

    Rates are shares of request targets (each target gets at most one transient kind; the four
    rates must sum to ≤ 1). Id specs: see ``IdSpec``; picks are seeded, drawn from the articles
    that exist when ``Faults`` is built (not the 404 ones) and distinct across kinds.
    """

    seed: int = 0
    # transient, per request target
    transient_5xx: float = 0.0
    retry_after_429: float = 0.0
    retry_after_seconds: int = 1
    slow: float = 0.0
    slow_seconds: float = 3.0
    reset: float = 0.0
    transient_attempts: int | None = None  # K failing attempts per chosen target; None: 1 or 2, seeded
    # permanent, per article id
    permanent_5xx_ids: IdSpec = 0
    oversize_ids: IdSpec = 0
    oversize_bytes: int = 20_000_000
    redirect_loop: bool = False  # /vong-lap/a.html <-> b.html, and loop_ids' articles 302 into it
    loop_ids: IdSpec = 1
    truncated_ids: IdSpec = 0
    no_charset_ids: IdSpec = 0
    # site-wide
    bad_sitemap: bool = False
    gzip_bomb: bool = False
    gzip_bomb_bytes: int = 1 << 30  # decompressed size of the bomb
    spare: frozenset[str] = field(default=frozenset({"/", "/robots.txt"}))  # paths never faulted

    def __post_init__(self) -> None:
        rates = [self.transient_5xx, self.retry_after_429, self.slow, self.reset]
        if any(r < 0 for r in rates) or sum(rates) > 1 + 1e-9:
            raise ValueError("transient rates must be >= 0 and sum to <= 1")
        if self.transient_attempts is not None and self.transient_attempts < 1:
            raise ValueError("transient_attempts must be >= 1")

    @classmethod
    def chaos(cls, seed: int = 0) -> FaultPlan:
        """Every fault on at modest rates."""
        return cls(
            seed=seed, transient_5xx=0.05, retry_after_429=0.03, slow=0.02, reset=0.03,
            permanent_5xx_ids=2, oversize_ids=1, redirect_loop=True, loop_ids=1,
            truncated_ids=2, no_charset_ids=2, bad_sitemap=True, gzip_bomb=True,
        )

    @classmethod
    def transient(cls, rate: float = 0.05, seed: int = 0) -> FaultPlan:
        """Only transient 500/503 on ``rate`` of the targets; retries always end in success."""
        return cls(seed=seed, transient_5xx=rate)

    @classmethod
    def preset(cls, name: str, seed: int = 0) -> FaultPlan:
        """``"none"``, ``"chaos"`` or ``"transient"`` (5 %), as named on the command line."""
        if name == "none":
            return cls(seed=seed)
        if name in ("chaos", "transient"):
            return getattr(cls, name)(seed=seed)
        raise ValueError(f"unknown fault preset {name!r}")


def _unit(*parts: object) -> float:
    """A seeded uniform draw in [0, 1) from the parts (stable across runs and processes)."""
    h = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def _path(target: str) -> str:
    """The path the router sees: unquoted, without query and ``/index.php`` prefix."""
    path = unquote(urlsplit(target).path) or "/"
    if path == "/index.php" or path.startswith("/index.php/"):
        path = path[len("/index.php") :] or "/"
    return path


def _article_id(path: str) -> int | None:
    """The article id of an article, print or savefile path; None for any other path."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3 and parts[0] in ("print", "savefile"):
        parts = parts[1:]
    if len(parts) != 2:
        return None
    m = _ARTICLE_ID.search(parts[1])
    return int(m[1]) if m else None


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


class Faults:
    """The fault hook. Counters and resolved id sets are public for tests.

    ``injected``: Counter of faults served, by kind (``TRANSIENT_KINDS``, ``permanent_5xx``,
    ``redirect_loop``, ``oversize``, ``truncated``, ``no_charset``, ``bad_sitemap``,
    ``gzip_bomb``); ``events``: (kind, target) in order; ``attempts``: requests seen per target.
    """

    def __init__(self, plan: FaultPlan, site: Site) -> None:
        self.plan = plan
        self.site = site
        self.injected: Counter[str] = Counter()
        self.events: list[tuple[str, str]] = []
        self.attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._bombs: dict[str, bytes] = {}
        cands = sorted(a.id for a in site.articles if a.id not in site.missing_ids)
        rng = random.Random(f"{plan.seed}:fault-ids")
        free = list(cands)

        def pick(spec: IdSpec) -> frozenset[int]:
            if not isinstance(spec, int | float):
                return frozenset(int(i) for i in spec)
            n = spec if isinstance(spec, int) else (max(1, round(spec * len(cands))) if spec > 0 else 0)
            chosen = rng.sample(free, min(n, len(free)))
            for i in chosen:
                free.remove(i)
            return frozenset(chosen)

        self.permanent_5xx_ids = pick(plan.permanent_5xx_ids)
        self.oversize_ids = pick(plan.oversize_ids)
        self.loop_ids = pick(plan.loop_ids) if plan.redirect_loop else frozenset()
        self.truncated_ids = pick(plan.truncated_ids)
        self.no_charset_ids = pick(plan.no_charset_ids)

    # ----- what a crawler can get -----------------------------------------------------------

    def unservable_ids(self) -> set[int]:
        """Articles never served whole with a 200: permanent 5xx, oversize, redirected into the loop."""
        return set(self.permanent_5xx_ids | self.oversize_ids | self.loop_ids)

    def damaged_ids(self) -> set[int]:
        """Articles served with a 200 but damaged (truncated HTML or no charset), minus unservable."""
        return set(self.truncated_ids | self.no_charset_ids) - self.unservable_ids()

    def servable_ids(self) -> set[int]:
        """Ids a retrying crawler can eventually fetch with a 200 (damaged ones included)."""
        return self.site.expected_ids() - self.unservable_ids()

    def intact_ids(self) -> set[int]:
        """Ids eventually served exactly as without faults."""
        return self.servable_ids() - self.damaged_ids()

    def transient_fault(self, target: str) -> tuple[str, int] | None:
        """(kind, K) if ``target`` fails its first K attempts with a transient fault, else None."""
        p = self.plan
        if _path(target) in p.spare:
            return None
        u, acc = _unit(p.seed, "transient", target), 0.0
        for kind, rate in zip(TRANSIENT_KINDS, (p.transient_5xx, p.retry_after_429, p.slow, p.reset), strict=True):
            acc += rate
            if u < acc:
                k = p.transient_attempts or (1 if _unit(p.seed, "k", target) < 0.5 else 2)
                return kind, k
        return None

    def clear(self) -> None:
        """Forget attempts and counters: transient faults strike again (e.g. for a second crawl)."""
        with self._lock:
            self.attempts.clear()
            self.injected.clear()
            self.events.clear()

    # ----- the hook ----------------------------------------------------------------------------

    def intercept(self, request: Request, response: Response) -> Response | None:
        target = request.target
        path = _path(target)
        if path in self.plan.spare:
            return None
        with self._lock:
            attempt = self.attempts[target]
            self.attempts[target] += 1
        host = _header(request.headers, "host")
        kind, out = self._permanent(path, f"http://{host}" if host else "", response)
        tf = self.transient_fault(target)
        if tf is not None and attempt < tf[1]:
            if tf[0] in ("slow", "reset") and kind:  # a slow or cut answer still carries the permanent fault
                self._count(kind, target, response)
            return self._count(tf[0], target, self._transient(tf[0], target, out or response))
        return self._count(kind, target, out) if kind and out is not None else out

    def _count(self, kind: str, target: str, resp: Response) -> Response:
        with self._lock:
            self.injected[kind] += 1
            self.events.append((kind, target))
        return resp

    def _transient(self, kind: str, target: str, planned: Response) -> Response:
        p = self.plan
        if kind == "transient_5xx":
            status = 503 if _unit(p.seed, "code", target) < 0.5 else 500
            return _error(status)
        if kind == "retry_after_429":
            resp = _error(429)
            resp.headers["Retry-After"] = str(p.retry_after_seconds)
            return resp
        if kind == "slow":
            return _action(planned, delay=p.slow_seconds)
        return _action(planned, action="reset", reset_at=0.2 + 0.6 * _unit(p.seed, "reset-at", target))

    def _permanent(self, path: str, base: str, planned: Response) -> tuple[str, Response | None]:
        p = self.plan
        if p.redirect_loop and path in (LOOP_A, LOOP_B):
            return "redirect_loop", _redirect(base + (LOOP_B if path == LOOP_A else LOOP_A))
        if path == "/sitemap.xml" and planned.status == 200 and (p.bad_sitemap or p.gzip_bomb):
            return "bad_sitemap" if p.bad_sitemap else "", self._sitemap_index(base, planned)
        if path == BOMB_PATH and p.gzip_bomb:
            return "gzip_bomb", Response(200, self.bomb(base), "application/x-gzip")
        aid = _article_id(path)
        if aid is None or planned.status != 200:
            return "", None
        if aid in self.permanent_5xx_ids:
            return "permanent_5xx", _error(503 if _unit(p.seed, "perm", aid) < 0.5 else 500)
        if aid in self.loop_ids:
            return "redirect_loop", _redirect(base + LOOP_A)
        if aid in self.oversize_ids:
            return "oversize", _oversize(planned, p.oversize_bytes)
        if aid in self.truncated_ids:
            cut = int(len(planned.body) * (0.3 + 0.5 * _unit(p.seed, "cut", aid, path)))
            return "truncated", Response(200, planned.body[:cut], planned.content_type, dict(planned.headers))
        if aid in self.no_charset_ids:
            body = _META_CHARSET.sub(b"", planned.body)
            ctype = planned.content_type.split(";")[0].strip()
            return "no_charset", Response(200, body, ctype, dict(planned.headers))
        return "", None

    def _sitemap_index(self, base: str, planned: Response) -> Response:
        text = planned.body.decode("utf-8")
        if self.plan.gzip_bomb:
            entry = f"<sitemap><loc>{base}{BOMB_PATH}</loc></sitemap>\n"
            text = text.replace("</sitemapindex>", entry + "</sitemapindex>")
        if self.plan.bad_sitemap:  # the locs stay readable to a lenient scan; an XML parser fails
            text = text.replace("</sitemapindex>", "<sitemap><loc>&nbsp;</loc>\n<sitemap><lastmod>2026-11-")
        return Response(200, text.encode("utf-8"), planned.content_type, dict(planned.headers))

    def bomb(self, base: str = "") -> bytes:
        """The gzip bomb for ``base`` (built once, cached): a few MB expanding to ``gzip_bomb_bytes``."""
        with self._lock:
            if base not in self._bombs:
                newest = self.site.latest(1)
                path = self.site.article_url_path(newest[0]) if newest else "/"
                self._bombs[base] = build_gzip_bomb(base + path, self.plan.gzip_bomb_bytes)
            return self._bombs[base]


def _error(status: int) -> Response:
    text = {429: "429 Too Many Requests", 500: "500 Internal Server Error", 503: "503 Service Unavailable"}[status]
    return Response(status, _ERROR.format(text).encode("utf-8"))


def _redirect(location: str) -> Response:
    body = f'<html><body>Found: <a href="{location}">{location}</a></body></html>'.encode()
    return Response(302, body, headers={"Location": location})


def _action(planned: Response, **kw: object) -> ActionResponse:
    if isinstance(planned, ActionResponse):
        return replace(planned, **kw)  # type: ignore[arg-type]
    return ActionResponse(planned.status, planned.body, planned.content_type, dict(planned.headers), **kw)  # type: ignore[arg-type]


def _oversize(planned: Response, size: int) -> ActionResponse:
    """The page padded to ``size`` bytes before ``</body>``, streamed uncompressed in 64 KiB chunks."""
    body = planned.body
    at = body.rfind(b"</body>")
    at = len(body) if at < 0 else at
    head, tail = body[:at], body[at:]
    total = max(size, len(body))
    pad = total - len(body)
    unit = b'<p class="dem">Noi dung dem cua trang qua lon.</p>\n'
    block = unit * (65536 // len(unit))

    def chunks() -> Iterator[bytes]:
        yield head
        left = pad
        while left >= len(block):
            yield block
            left -= len(block)
        yield unit * (left // len(unit)) + b" " * (left % len(unit))
        yield tail

    return ActionResponse(200, b"", planned.content_type, dict(planned.headers), compress=False, stream=chunks, length=total)


def build_gzip_bomb(loc: str, size: int) -> bytes:
    """A single-member gzip file whose content is a sitemap ``urlset`` of at least ``size`` bytes.

    Built without ever holding the decompressed content: a ~1 MiB block of identical ``<url>``
    entries is deflated once after a full flush (which makes its compressed form independent of
    what came before), and that compressed block is repeated. CRC-32 and ISIZE are computed
    over the repetition, so the file is valid to the end.
    """
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    tail = b"</urlset>\n"
    line = (
        f"<url><loc>{loc}</loc><lastmod>2026-11-20T16:47:23+07:00</lastmod>"
        "<changefreq>daily</changefreq><priority>0.8</priority></url>\n"
    ).encode()
    block = line * max(1, min(1 << 20, size) // len(line))
    n = max(1, ceil((size - len(head) - len(tail)) / len(block)))
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    rep = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    if rep != again:  # never seen with zlib; stay correct if a zlib build differs
        raise RuntimeError("deflate output of a full-flushed block is not reproducible")
    # after a full flush nothing refers back, so the tail compresses the same after any number of blocks
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    total = len(head) + n * len(block) + len(tail)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    body = b"".join([header, first, rep * n, last])
    return body + crc.to_bytes(4, "little") + (total & 0xFFFFFFFF).to_bytes(4, "little")

"""A local stand-in for the Internet Archive's CDX API and ``id_`` snapshot replay.

The 2021 portal survives only in web archives, so the crawler's archive mode must be
tested against something that behaves like ``web.archive.org``: JSON rows headed by
field names, regex filters, adjacent-digest collapsing, resume keys, nearest-capture
redirects and 429s. ``WaybackReplica`` holds deterministic captures (legacy ASP.NET
pages from 2021 and NukeViet pages from 2023–2026) and knows which records a correct
crawl should yield; ``WaybackServer`` serves it on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qsl, quote_plus, unquote, unquote_plus, urlsplit

from .legacy import (
    LEGACY_HOST,
    LegacyArticle,
    LegacySite,
    render_legacy_article,
    render_legacy_category,
    render_legacy_home,
    render_legacy_robots,
    typo_title,
)
from .media import JPEG
from .render import render_article, render_home
from .serving import LoopbackServer, QuietHandler
from .site import Article, Site

__all__ = [
    "CDX_FIELDS", "Capture", "CdxError", "ExpectedArticle", "WaybackReplica", "WaybackServer", "cdx_query",
    "surt",
]

#: The fields the public CDX server returns by default, in its order.
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_HTML = "text/html; charset=utf-8"


def surt(url: str) -> str:
    """Sort-friendly URI key as the CDX server builds it: reversed host, no scheme/www, sorted query."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").strip(".").lower()
    host = host.removeprefix("www.")
    key = ",".join(reversed(host.split(".")))
    if parts.port and parts.port not in (80, 443):
        key += f":{parts.port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return (f"{key}){parts.path or '/'}" + (f"?{query}" if query else "")).lower()


def _digest(body: bytes) -> str:
    """The CDX ``digest``: base32 of the payload's SHA-1, so identical bytes share a digest."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _ts_datetime(ts: str) -> datetime | None:
    """A (possibly partial) timestamp as UTC; partial ones start at the period's beginning."""
    padded = (ts + "00000101000000"[len(ts):])[:14]
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Capture:
    """One archived response. ``article`` is the page's content model when it is an article page."""

    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str
    statuscode: str
    body: bytes
    content_type: str
    article: LegacyArticle | Article | None = None
    layout: str | None = None  # "legacy" / "nukeviet" for article pages
    location: str | None = None  # for 3xx captures: where the original redirected
    urlkey: str = field(init=False)
    digest: str = field(init=False)
    length: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urlkey", surt(self.original))
        object.__setattr__(self, "digest", _digest(self.body))
        object.__setattr__(self, "length", str(len(self.body)))

    def value(self, name: str) -> str:
        """A CDX field as the index prints it (all strings)."""
        return str(getattr(self, name))

    @property
    def when(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class ExpectedArticle:
    """What a correct archive crawl yields for one article URL: its newest capture."""

    url: str
    timestamp: str
    article: LegacyArticle | Article
    layout: str


class WaybackReplica:
    """All captures of one host, sorted like the CDX index (urlkey, then timestamp).

    Legacy articles are captured 1–3 times in 2021; repeats mostly carry identical bytes
    (same digest), and one article's first capture holds an uncorrected title. Also held:
    the legacy home (content A, B, A: only *adjacent* duplicates collapse), a category page,
    a 302 from ``/`` and a 404 capture (both ``text/html``, so only ``statuscode`` filters them
    out), a JPEG, robots.txt, and NukeViet article and home captures from 2023–2026.
    """

    def __init__(
        self,
        host: str = LEGACY_HOST,
        legacy_articles: int = 30,
        modern_site: Site | None = None,
        seed: int = 0,
    ) -> None:
        self.host = host
        self.seed = seed
        self.legacy = LegacySite(n_articles=legacy_articles, seed=seed, host=host)
        self.modern = modern_site or Site(
            n_articles=20, n_categories=4, seed=seed, missing_rate=0.0, wrong_slug_rate=0.0
        )
        self.legacy_base = f"http://{host}"
        self.modern_base = f"https://{host}"
        self.corrected: LegacyArticle | None = None  # the article whose title changed between captures
        self._rng = random.Random(f"{seed}:wayback")
        caps: list[Capture] = []
        self._add_legacy(caps)
        self._add_modern(caps)
        seen: set[tuple[str, str]] = set()
        for c in caps:  # the index key must be unique for resume keys to be exact
            if (c.urlkey, c.timestamp) in seen:
                raise AssertionError(f"duplicate capture {c.urlkey} {c.timestamp}")
            seen.add((c.urlkey, c.timestamp))
        self.captures: list[Capture] = sorted(caps, key=lambda c: (c.urlkey, c.timestamp))

    # ----- building ----------------------------------------------------------------------------

    def _when(self, lo: datetime, hi: datetime) -> str:
        span = max(1, int((hi - lo).total_seconds()))
        return _ts(lo + timedelta(seconds=self._rng.randint(0, span)))

    def _distinct_times(self, k: int, lo: datetime, hi: datetime) -> list[str]:
        out: set[str] = set()
        while len(out) < k:
            out.add(self._when(lo, hi))
        return sorted(out)

    def _add_legacy(self, caps: list[Capture]) -> None:
        utc = UTC  # CDX timestamps are UTC: keep every capture inside 2021 as the index sees it
        y_start, y_end = datetime(2021, 1, 1, tzinfo=utc), datetime(2021, 12, 31, 23, 0, tzinfo=utc)
        base = self.legacy_base
        arts = self.legacy.articles
        fixed = {0: 2, 1: 3} if len(arts) > 1 else {}  # guarantee repeats, whatever the rng says
        pick = len(arts) // 2 if len(arts) > 2 else -1  # gets a corrected title
        for i, a in enumerate(arts):
            k = 2 if i == pick else fixed.get(i, self._rng.choice([1, 1, 2, 3]))
            lo = max(y_start, a.published + timedelta(days=1))
            times = self._distinct_times(k, lo, y_end)
            for j, ts in enumerate(times):
                shown = a
                if i == pick and j == 0:
                    shown = replace(a, title=typo_title(a.title))
                body = render_legacy_article(shown, base).encode("utf-8")
                caps.append(Capture(ts, a.url, "text/html", "200", body, _HTML, shown, "legacy"))
            if i == pick:
                self.corrected = a
        home = f"{base}/Default.aspx"
        for ts, online in zip(self._distinct_times(3, y_start, y_end), (2871, 3242, 2871), strict=True):
            body = render_legacy_home(self.legacy, base, online=online).encode("utf-8")
            caps.append(Capture(ts, home, "text/html", "200", body, _HTML))
        cat = self.legacy.categories[1].catid
        body = render_legacy_category(self.legacy, cat, base).encode("utf-8")
        caps.append(Capture(self._when(y_start, y_end), f"{base}/ChuyenMuc.aspx?ID={cat}", "text/html", "200", body, _HTML))
        moved = b'<html><head><title>Object moved</title></head><body><h2>Object moved to <a href="/Default.aspx">here</a>.</h2></body></html>'
        caps.append(Capture(self._when(y_start, y_end), f"{base}/", "text/html", "302", moved, _HTML, location=home))
        missing = (arts[-1].id + 7) if arts else 2099
        gone = b"<html><body><h1>Server Error in '/' Application.</h1><h2>The resource cannot be found.</h2></body></html>"
        caps.append(Capture(self._when(y_start, y_end), f"{base}/ChiTietTin.aspx?ID={missing}", "text/html", "404", gone, _HTML))
        if arts:
            img = arts[0].images[0]
            caps.append(Capture(self._when(y_start, y_end), img.url, "image/jpeg", "200", JPEG, "image/jpeg"))
        caps.append(Capture(self._when(y_start, y_end), f"{base}/robots.txt", "text/plain", "200",
                            render_legacy_robots().encode(), "text/plain"))

    def _add_modern(self, caps: list[Capture]) -> None:
        utc = UTC
        lo_all, hi_all = datetime(2023, 1, 1, tzinfo=utc), datetime(2026, 12, 31, 23, 0, tzinfo=utc)
        site, base = self.modern, self.modern_base
        for a in site.articles:
            if a.id in site.missing_ids:
                continue
            lo = max(lo_all, a.published + timedelta(hours=2))
            body = render_article(site, a, base).encode("utf-8")
            url = base + site.article_url_path(a)
            for ts in self._distinct_times(self._rng.choice([1, 1, 2]), lo, max(lo, hi_all)):
                caps.append(Capture(ts, url, "text/html", "200", body, _HTML, a, "nukeviet"))
        body = render_home(site, base).encode("utf-8")
        caps.append(Capture(self._when(datetime(2024, 1, 1, tzinfo=utc), datetime(2024, 12, 31, tzinfo=utc)),
                            f"{base}/", "text/html", "200", body, _HTML))

    # ----- queries -----------------------------------------------------------------------------

    def expected_articles(self) -> dict[str, ExpectedArticle]:
        """Per article URL, the newest 200 HTML capture: what a correct archive crawl records."""
        out: dict[str, ExpectedArticle] = {}
        for c in self.captures:  # sorted by timestamp within a urlkey: later ones overwrite
            if c.article is not None and c.layout is not None and c.statuscode == "200":
                out[c.original] = ExpectedArticle(c.original, c.timestamp, c.article, c.layout)
        return dict(sorted(out.items()))

    def captures_of(self, url: str) -> list[Capture]:
        key = surt(url)
        return [c for c in self.captures if c.urlkey == key]


# ----- the CDX query engine (pure, so tests can call it without HTTP) --------------------------


class CdxError(ValueError):
    """A malformed query: the real server answers 400."""


def _filters(values: list[str]) -> list[tuple[bool, str, re.Pattern[str]]]:
    out = []
    for raw in values:
        neg = raw.startswith("!")
        name, sep, rx = raw.removeprefix("!").partition(":")
        if not sep or name not in CDX_FIELDS:
            raise CdxError(f"bad filter {raw!r}")
        try:
            out.append((neg, name, re.compile(rx)))
        except re.error as exc:
            raise CdxError(f"bad filter regex {rx!r}: {exc}") from exc
    return out


def _matcher(url: str, match_type: str | None) -> Callable[[str], bool]:
    """``url`` with a trailing ``*`` means prefix, a leading ``*.`` means domain (as on the real server)."""
    if url.startswith("*."):
        url, match_type = url[2:], match_type or "domain"
    if url.endswith("*"):
        url, match_type = url[:-1], match_type or "prefix"
    key = surt(url)
    host_key = key.split(")", 1)[0]
    mt = match_type or "exact"
    if mt == "exact":
        return lambda k: k == key
    if mt == "prefix":
        return lambda k: k.startswith(key)
    if mt == "host":
        return lambda k: k.startswith(host_key + ")")
    if mt == "domain":
        return lambda k: k.startswith(host_key + ")") or k.startswith(host_key + ",")
    raise CdxError(f"bad matchType {mt!r}")


def _bound(value: str | None, fill: str) -> str | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 14:
        raise CdxError(f"bad timestamp {value!r}")
    return value + fill[len(value):]


def _decode_resume_key(raw: str) -> tuple[str, str]:
    """Accept the key as printed (query-decoded once) or re-encoded by a client (decode again)."""
    key = raw if " " in raw else unquote_plus(raw)
    key = key.rstrip("!")
    urlkey, sep, ts = key.rpartition(" ")
    if not sep or not ts.isdigit():
        raise CdxError(f"bad resumeKey {raw!r}")
    return urlkey, ts


def cdx_query(captures: list[Capture], params: list[tuple[str, str]]) -> tuple[str, str]:
    """Run one CDX query; returns (content type, body). Raises ``CdxError`` for a 400.

    Order as on the real server: match url → from/to → filters → collapse → resumeKey/offset
    → limit. Collapsing runs over the whole match, so paging never changes which rows exist.
    """
    q: dict[str, list[str]] = {}
    for k, v in params:
        q.setdefault(k, []).append(v)

    def one(name: str) -> str | None:
        vals = q.get(name)
        return vals[-1] if vals else None

    url = one("url")
    if not url:
        raise CdxError("url parameter is required")
    match = _matcher(url, one("matchType"))
    lo, hi = _bound(one("from"), "00000101000000"), _bound(one("to"), "99991231235959")
    flist = [f for f in (one("fl") or ",".join(CDX_FIELDS)).split(",") if f]
    if not flist or any(f not in CDX_FIELDS for f in flist):
        raise CdxError(f"bad fl {one('fl')!r}")
    filters = _filters(q.get("filter", []))

    rows = [
        c for c in captures
        if match(c.urlkey) and (lo is None or c.timestamp >= lo) and (hi is None or c.timestamp <= hi)
        and all(bool(rx.fullmatch(c.value(name))) != neg for neg, name, rx in filters)
    ]
    for spec in q.get("collapse", []):
        name, _, n = spec.partition(":")
        if name not in CDX_FIELDS or (n and not n.isdigit()):
            raise CdxError(f"bad collapse {spec!r}")
        width = int(n) if n else None
        kept: list[Capture] = []
        prev: str | None = None
        for c in rows:
            val = c.value(name)[:width]
            if val != prev:
                kept.append(c)
            prev = val
        rows = kept

    resume = one("resumeKey")
    if resume:
        after = _decode_resume_key(resume)
        rows = [c for c in rows if (c.urlkey, c.timestamp) > after]
    offset = int(one("offset") or 0)
    rows = rows[offset:]
    more = False
    limit_s = one("limit")
    if limit_s:
        try:
            limit = int(limit_s)
        except ValueError as exc:
            raise CdxError(f"bad limit {limit_s!r}") from exc
        if limit < 0:
            rows = rows[limit:]
        else:
            more = len(rows) > limit
            rows = rows[:limit]
    key = None
    if more and one("showResumeKey") == "true" and rows:
        key = quote_plus(f"{rows[-1].urlkey} {rows[-1].timestamp}", safe="")

    table = [[c.value(f) for f in flist] for c in rows]
    if one("output") == "json":
        if not table:
            return "application/json", "[]\n"
        out_rows: list[list[str]] = [flist, *table]
        if key:
            out_rows += [[], [key]]
        return "application/json", "[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in out_rows) + "]\n"
    lines = [" ".join(r) for r in table]
    if key:
        lines += ["", key]
    return "text/plain", "".join(line + "\n" for line in lines)


# ----- HTTP ------------------------------------------------------------------------------------

_SNAPSHOT = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.S)


class _Handler(QuietHandler):
    def _serve(self, head: bool) -> None:
        owner = self.server.owner
        n = owner._count()
        try:
            if owner.throttle and n % owner.throttle == 0:
                status, headers, body = 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"Too Many Requests\n"
            else:
                status, headers, body = owner.respond(self.path)
        except Exception:  # a replica bug must show as a 500, not a dropped connection
            status, headers, body = 500, {"Content-Type": "text/plain"}, b"500 Internal Server Error\n"
        owner._record(self.command, self.path, status)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def version_string(self) -> str:
        return "nginx"



class WaybackServer(LoopbackServer):
    """Serves ``/cdx/search/cdx`` and ``/web/<ts>id_/<url>`` for a replica on 127.0.0.1.

    ``throttle=N`` answers every Nth request (counting all) with 429 and ``Retry-After: 1``,
    as archive.org does to impolite clients; it may be changed while running.
    """

    name = "wayback"

    def __init__(self, replica: WaybackReplica, host: str = "127.0.0.1", port: int = 0,
                 throttle: int | None = None) -> None:
        self.replica = replica
        self.throttle = throttle
        self._n = 0
        super().__init__(_Handler, host, port)

    def _count(self) -> int:
        with self._lock:
            self._n += 1
            return self._n

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._n

    def reset_log(self) -> None:
        super().reset_log()
        with self._lock:
            self._n = 0

    # ----- routing -----------------------------------------------------------------------------

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        path, _, query = target.partition("?")
        if path in ("/cdx/search/cdx", "/cdx/search"):
            try:
                ctype, text = cdx_query(self.replica.captures, parse_qsl(query, keep_blank_values=True))
            except CdxError as exc:
                return 400, {"Content-Type": "text/plain"}, f"org.archive.util.io.RuntimeIOException: {exc}\n".encode()
            return 200, {"Content-Type": ctype}, text.encode("utf-8")
        m = _SNAPSHOT.match(target)
        if m:
            return self._snapshot(m.group(1), m.group(2) or "", m.group(3))
        return 404, {"Content-Type": "text/plain"}, b"Not Found\n"

    def _snapshot(self, ts: str, mod: str, original: str) -> tuple[int, dict[str, str], bytes]:
        if original.lower().startswith(("http%3a", "https%3a")):
            original = unquote(original)
        original = re.sub(r"^(https?):/+", r"\1://", original)  # clients collapse "//" in paths
        caps = self.replica.captures_of(original)
        if not caps:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, (
                b"<html><body><p>Wayback Machine has not archived that URL.</p></body></html>"
            )
        exact = next((c for c in caps if c.timestamp == ts), None)
        if exact is None:
            want = _ts_datetime(ts)
            pool = [c for c in caps if c.statuscode == "200"] or caps
            if want is None:
                best = min(pool, key=lambda c: abs(int(c.timestamp) - int(ts.ljust(14, "0"))))
            else:
                best = min(pool, key=lambda c: (abs((c.when - want).total_seconds()), c.timestamp))
            loc = f"{self.base_url}/web/{best.timestamp}{mod}/{best.original}"
            return 302, {"Location": loc, "Content-Type": "text/plain"}, b""
        headers = {
            "Content-Type": exact.content_type,
            "Memento-Datetime": format_datetime(exact.when, usegmt=True),
        }
        if exact.location:
            headers["Location"] = f"{self.base_url}/web/{exact.timestamp}{mod}/{exact.location}"
        return int(exact.statuscode), headers, exact.body

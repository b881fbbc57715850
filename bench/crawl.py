"""Whole-crawl throughput and memory: the laichau spider against a bare Scrapy spider, on a local replica.

Run: python bench/crawl.py [--articles-small 2000] [--articles-large 20000] [--skip-large] [--repeat 5] [--repeat-large 3]
     [--scheme lang-module|index-php|query|no-slash|none] [-s NAME=VALUE ...] [--alt NAME=VALUE ...]

Each replica is its own ``python -m scraper.replica`` process (no GIL shared with the crawl), each
crawl its own Scrapy process with REPLICA_SETTINGS, LOG_LEVEL=WARNING and its output in a temp dir.
"full" is the crawl as shipped: with REPLICA_SETTINGS' loose politeness, ``EXTRACT_WORKERS=auto``
gives it one extraction worker on a machine of two cores or more; "full 0w" is the same crawl with
extraction in the crawl process (``-s EXTRACT_WORKERS=0``).
Prints one row per crawl (pages fetched = Scrapy's ``downloader/response_count``, robots.txt and
redirects included; wall time of the whole process and pages/s over it; Scrapy's own elapsed time,
engine start to close, and pages/s over that; crawl CPU (its workers included) as a share of wall
time and per page; the crawl process's own CPU per page from engine start to close, workers and
start-up excluded ("engine ms/page"); replica CPU; peak RSS from ``wait4``), then
the figures the project holds itself to: pages/s full/bare ≥ 0.85 on the small replica (medians of
``--repeat`` interleaved crawls of each kind; "full 0w" alongside), and the full crawl's peak RSS
growth per article between the small and the large replica ≤ 0.5 KB (a 500,000-article run well
under 1 GB), with the peak RSS of each: medians of the full crawls' (``--repeat`` small,
``--repeat-large`` large), since a crawl's peak moves by a few MiB with its response backlog.
One crawl more, "nukeviet": the ``nukeviet`` spider on a replica of another NukeViet
portal (``--scheme``, the small replica's size), given its root address alone; its requests per
article (discovery included) are printed beside ``laichau``'s.
``-s`` sets a setting of the full crawls; ``--alt`` adds a kind of crawl, "full alt",
the full crawl with other settings, interleaved with the rest (e.g. ``--alt EXTRACT_LOCAL_BACKLOG=32``).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from scraper.runner import REPLICA_SETTINGS, crawl_argv, crawl_env  # noqa: E402

STATS_EXTENSION = "bare_spider.StatsFile"  # importable once BENCH is on PYTHONPATH


@dataclass
class Run:
    label: str
    articles: int
    returncode: int
    wall: float
    cpu: float  # crawl process user+sys seconds
    server_cpu: float | None  # replica process user+sys seconds during the crawl
    maxrss_kib: int
    stats: dict[str, object]

    @property
    def pages(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))  # type: ignore[call-overload]

    @property
    def items(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))  # type: ignore[call-overload]

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def engine_cpu(self) -> float:
        """The crawl process's own CPU (its workers' not included) from engine start to close."""
        return float(self.stats.get("bench/crawl_process_cpu", 0.0))  # type: ignore[arg-type]

    @property
    def elapsed(self) -> float:
        """Scrapy's own clock: engine start to close, without interpreter start-up and imports."""
        return float(self.stats.get("elapsed_time_seconds", 0.0))  # type: ignore[arg-type]

    @property
    def crawl_pages_per_s(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0


class Replica:
    """``python -m scraper.replica`` in its own process on 127.0.0.1, port chosen by the kernel."""

    def __init__(
        self, articles: int, categories: int, log: Path, timeout: float = 300, warm: bool = True, scheme: str = "laichau"
    ) -> None:
        self.articles = articles
        self.log = log
        self._log_file = log.open("wb")
        argv = [sys.executable, "-m", "scraper.replica", "--articles", str(articles),
                "--categories", str(categories), "--host", "127.0.0.1", "--port", "0", "--scheme", scheme]
        if warm:
            argv.append("--warm")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=crawl_env(), stdout=subprocess.PIPE,
                                     stderr=self._log_file, text=True)
        try:
            self.base_url = self._read_url(timeout)
            self._wait_answer(timeout)
        except BaseException:
            self.stop()
            raise

    def _read_url(self, timeout: float) -> str:
        """The server prints its base URL once bound (after generating the site)."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica exited with {self.proc.returncode}; see {self.log}")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline().strip()
                if line.startswith("http://127.0.0.1:"):
                    return line
                raise RuntimeError(f"replica printed {line!r}, not its address")
        raise TimeoutError(f"replica of {self.articles} articles did not start in {timeout:.0f}s")

    def _wait_answer(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/robots.txt", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def cpu_seconds(self) -> float | None:
        """User+system CPU of the server process so far (Linux /proc), or None."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log_file.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_crawl(
    label: str, argv: Sequence[str], replica: Replica, out_dir: Path, timeout: float, env: Mapping[str, str]
) -> Run:
    """Run one crawl process to its end; wall time, rusage from ``wait4``, stats from ``StatsFile``."""
    log = out_dir / "crawl.log"
    stats_path = out_dir / "stats.json"
    full_argv = [*argv, "-s", f"LOG_FILE={log}", "-s", f"BENCH_STATS_FILE={stats_path}",
                 "-s", "EXTENSIONS=" + json.dumps(extensions_with_probe())]
    server_before = replica.cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(full_argv, cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL,
                            stderr=(out_dir / "stderr.log").open("wb"))
    try:
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{label}: crawl still running after {timeout:.0f}s")
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    server_after = replica.cpu_seconds()
    server_cpu = server_after - server_before if server_before is not None and server_after is not None else None
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    run = Run(label, replica.articles, proc.returncode, wall, usage.ru_utime + usage.ru_stime, server_cpu,
              usage.ru_maxrss, stats)
    if run.returncode != 0 or not stats:
        tail = [*_tail(out_dir / "stderr.log"), *_tail(log)]
        print(f"!! {label}: exit code {run.returncode}, stats {'found' if stats else 'missing'}; last log lines:",
              *tail, sep="\n   ", file=sys.stderr)
    return run


def extensions_with_probe() -> dict[str, int | None]:
    """The project's EXTENSIONS plus the stats probe: ``-s EXTENSIONS`` replaces, so merge them here."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    return {**settings.getdict("EXTENSIONS"), STATS_EXTENSION: 1000}


def _tail(path: Path, n: int = 15) -> list[str]:
    try:
        return path.read_text("utf-8", "replace").splitlines()[-n:]
    except OSError:
        return []


def bench_env() -> dict[str, str]:
    env = crawl_env()
    env["PYTHONPATH"] = os.pathsep.join((str(BENCH), env["PYTHONPATH"]))
    return env


def full_crawl(
    replica: Replica, label: str, timeout: float, workers: str = "auto", extra: Mapping[str, str] | None = None,
    spider: str = "laichau",
) -> Run:
    with tempfile.TemporaryDirectory(prefix="laichau-bench-full-") as tmp:
        settings = {**REPLICA_SETTINGS, "OUTPUT_DIR": tmp, "LOG_LEVEL": "WARNING", "EXTRACT_WORKERS": workers, **(extra or {})}
        argv = crawl_argv(spider, {"base_url": replica.base_url}, settings)
        return run_crawl(label, argv, replica, Path(tmp), timeout, bench_env())


def bare_crawl(replica: Replica, label: str, timeout: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="laichau-bench-bare-") as tmp:
        argv = [sys.executable, "-m", "scrapy", "runspider", str(BENCH / "bare_spider.py"),
                "-a", f"base_url={replica.base_url}"]
        for key, value in {**REPLICA_SETTINGS, "OUTPUT_DIR": tmp, "LOG_LEVEL": "WARNING"}.items():
            argv += ["-s", f"{key}={value}"]
        return run_crawl(label, argv, replica, Path(tmp), timeout, bench_env())


HEADER = (f"{'crawl':12} {'articles':>8} {'pages':>7} {'items':>6} {'wall s':>7} {'pages/s':>8} "
          f"{'crawl s':>7} {'pages/s':>8} {'crawl cpu%':>10} {'cpu ms/page':>11} {'engine ms/page':>14} {'replica cpu%':>12} {'peak RSS MiB':>12} {'warn/err':>8}")


def row(r: Run) -> str:
    server = f"{100 * r.server_cpu / r.wall:12.0f}" if r.server_cpu is not None else f"{'?':>12}"
    warn_err = f"{r.stats.get('log_count/WARNING', 0)}/{r.stats.get('log_count/ERROR', 0)}"
    return (f"{r.label:12} {r.articles:8,d} {r.pages:7,d} {r.items:6,d} {r.wall:7.1f} {r.pages_per_s:8.1f} "
            f"{r.elapsed:7.1f} {r.crawl_pages_per_s:8.1f} {100 * r.cpu / r.wall:10.0f} {1000 * r.cpu / max(r.pages, 1):11.2f} {1000 * r.engine_cpu / max(r.pages, 1):14.2f} {server} {r.maxrss_kib / 1024:12.1f} {warn_err:>8}")


def median_run(runs: list[Run]) -> Run:
    """The run with the median pages/s (wall time)."""
    return sorted(runs, key=lambda r: r.pages_per_s)[len(runs) // 2]


def _k(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles-small", type=int, default=2000)
    ap.add_argument("--articles-large", type=int, default=20000)
    ap.add_argument("--categories", type=int, default=5)
    ap.add_argument("--skip-large", action="store_true", help="only the small replica (no RSS growth per article)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before a crawl is killed")
    ap.add_argument("--repeat", type=int, default=5, help="crawls of each kind on the small replica; medians are compared")
    ap.add_argument("--repeat-large", type=int, default=3, help="full crawls of the large replica; the median peak RSS is used")
    ap.add_argument("--extract-workers", default="auto", help="EXTRACT_WORKERS of the full crawl (default: as shipped)")
    ap.add_argument("--skip-in-process", action="store_true", help="no 'full 0w' crawls")
    ap.add_argument("--scheme", default="lang-module",
                    help="address scheme of another NukeViet portal, crawled once by the nukeviet spider "
                         "from its root (none: skip)")
    ap.add_argument("--cold-replica", action="store_true",
                    help="the replica renders and gzips each page when asked (its CPU then competes with the crawl's)")
    ap.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting of the full crawls")
    ap.add_argument("--alt", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting of a further kind of full crawl, 'full alt', interleaved with the others")
    args = ap.parse_args()
    extra = dict(s.split("=", 1) for s in args.settings)
    alt = {**extra, **dict(s.split("=", 1) for s in args.alt)} if args.alt else None

    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="laichau-bench-replica-") as logs:
        print(f"replica: {args.articles_small:,} articles, {args.categories} categories, "
              + ("rendering each page when asked" if args.cold_replica else "every page rendered and gzipped before the crawls"),
              flush=True)
        with Replica(args.articles_small, args.categories, Path(logs) / "small.log", warm=not args.cold_replica) as small:
            print(HEADER, flush=True)
            fulls, bares, inlines, alts = [], [], [], []
            for _ in range(args.repeat):  # interleaved, so drift in the machine's speed hits all alike
                fulls.append(full_crawl(small, "full", args.timeout, args.extract_workers, extra))
                print(row(fulls[-1]), flush=True)
                if alt is not None:
                    alts.append(full_crawl(small, "full alt", args.timeout, args.extract_workers, alt))
                    print(row(alts[-1]), flush=True)
                bares.append(bare_crawl(small, "bare", args.timeout))
                print(row(bares[-1]), flush=True)
                if not args.skip_in_process:
                    inlines.append(full_crawl(small, "full 0w", args.timeout, "0"))
                    print(row(inlines[-1]), flush=True)
        runs += [*fulls, *bares, *inlines, *alts]
        full, bare = median_run(fulls), median_run(bares)
        inline = median_run(inlines) if inlines else None
        alternative = median_run(alts) if alts else None
        other = None
        if args.scheme != "none":
            with Replica(args.articles_small, args.categories, Path(logs) / "other.log",
                         warm=not args.cold_replica, scheme=args.scheme) as portal:
                other = full_crawl(portal, "nukeviet", args.timeout, args.extract_workers, extra,
                                   spider="nukeviet")
                print(row(other), flush=True)
            runs.append(other)
        larges: list[Run] = []
        if not args.skip_large:
            with Replica(args.articles_large, args.categories, Path(logs) / "large.log", warm=not args.cold_replica) as big:
                for _ in range(max(args.repeat_large, 1)):
                    larges.append(full_crawl(big, "full large", args.timeout, args.extract_workers, extra))
                    print(row(larges[-1]), flush=True)
            runs += larges

    print()
    if full.pages != bare.pages:
        print(f"note: the crawls fetched different page counts (full {full.pages:,}, bare {bare.pages:,})")
    if args.repeat > 1:
        print(f"median of {args.repeat} interleaved crawls of each kind:")
    for run, runs_of_kind, what in ((full, fulls, f"full (EXTRACT_WORKERS={args.extract_workers} {' '.join(args.settings)})"),
                                    (alternative, alts, f"full alt ({' '.join(args.alt)})"),
                                    (inline, inlines, "full 0w (extraction in the crawl process)")):
        if run is None:
            continue
        ratio = run.pages_per_s / bare.pages_per_s if bare.pages_per_s else float("nan")
        clock = run.crawl_pages_per_s / bare.crawl_pages_per_s if bare.crawl_pages_per_s else float("nan")
        print(f"pages/s {what}/bare = {run.pages_per_s:.1f}/{bare.pages_per_s:.1f} = {ratio:.2f} over wall time, "
              f"{clock:.2f} over Scrapy's elapsed time" + (" (target >= 0.85)" if run is full else ""))
        if len(runs_of_kind) > 1:  # each crawl against the bare crawl beside it: how far the machine drifted
            pairs = sorted(r.pages_per_s / b.pages_per_s for r, b in zip(runs_of_kind, bares, strict=True) if b.pages_per_s)
            print(f"  crawl by crawl, against the bare crawl run beside it: {', '.join(f'{x:.2f}' for x in pairs)}")
    if other is not None:
        print(f"requests per article: laichau {full.pages / max(full.items, 1):.3f} ({full.pages:,} pages, "
              f"{full.items:,} articles); nukeviet on the {args.scheme} scheme from its root "
              f"{other.pages / max(other.items, 1):.3f} ({other.pages:,} pages, {other.items:,} articles), "
              f"pages/s {other.pages_per_s / full.pages_per_s:.2f} of laichau's")
    print("(a worker is the crawl's child: its CPU adds to the crawl's column; peak RSS is the larger of the two)")
    small_rss = statistics.median(r.maxrss_kib for r in fulls)
    print(f"peak RSS full crawl, {args.articles_small:,} articles: {small_rss / 1024:.1f} MiB "
          f"(median of {len(fulls)}: {', '.join(f'{r.maxrss_kib / 1024:.1f}' for r in fulls)})")
    if larges:
        large_rss = statistics.median(r.maxrss_kib for r in larges)
        per_article = (large_rss - small_rss) * 1024 / 1000 / max(args.articles_large - args.articles_small, 1)
        print(f"peak RSS full crawl, {args.articles_large:,} articles: {large_rss / 1024:.1f} MiB "
              f"(median of {len(larges)}: {', '.join(f'{r.maxrss_kib / 1024:.1f}' for r in larges)}; "
              f"RSS {_k(args.articles_large)}/{_k(args.articles_small)} = {large_rss / small_rss:.2f})")
        print(f"peak RSS growth per article: {per_article:.2f} KB ({(large_rss - small_rss) / 1024:+.1f} MiB over "
              f"{args.articles_large - args.articles_small:,} articles; target <= 0.5 KB)")
    return 0 if all(r.returncode == 0 and r.stats for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

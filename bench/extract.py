"""Per-page extraction time: our page objects against trafilatura and a bare lxml parse.

Run: python bench/extract.py [--rounds N]
Extraction processes (crawl workers, the ``extract`` command) tune glibc's malloc for lexbor
(``scraper.pages.dom.tune_malloc``); so does this benchmark, unless ``--no-malloc-tuning``.
Prints, per fixture and as the median over fixtures, the time of each method and the
ratios the project holds itself to (ours ≥ 5× faster than trafilatura, ≤ 6× bare lxml); then
the mean per page when the fixtures rotate, closer to a crawl, where no page repeats; then the
same over 40 of the replica's article pages, the pages the crawl benchmark extracts; last, what the
nesting guard (``scraper.pages.dom.check_nesting``, run before every lexbor parse) costs of that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from scraper.pages import extract_article  # noqa: E402
from scraper.pages.base import page_bytes  # noqa: E402
from scraper.pages.dom import nesting_work, tune_malloc  # noqa: E402
from scraper.pipelines import build_record  # noqa: E402
from scraper.replica import Site  # noqa: E402
from scraper.replica.render import render_article  # noqa: E402


def best_time(fn: Callable[[], object], rounds: int) -> float:
    """Median of ``rounds`` timings (rounded up to whole blocks, ``side_by_side``), in seconds."""
    return side_by_side([fn], rounds)[0]


def side_by_side(fns: list[Callable[[], object]], rounds: int, block: int = 10) -> list[float]:
    """Median of ``rounds`` timings of each of ``fns`` (rounded up to whole blocks), in seconds, the
    functions taking turns a block of ``block`` calls at a time. This VM's speed drifts by 15-50% between seconds: timed
    one whole series after the other, a ratio took that drift in (one fixture's ours/lxml 5.4, then
    9.3 a minute later). Each block's first call only warms its function up again (its caches and
    malloc's free lists, as a series of one function has them) and is not counted: timed call for
    call in turns, lxml's parse after our extraction took 1.5x its time, which flattered us."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(max(1, -(-rounds // block))):
        for fn, times in zip(fns, samples, strict=True):
            fn()
            for _ in range(block):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--no-malloc-tuning", action="store_true", help="glibc's defaults, as in a plain Python process")
    args = parser.parse_args()
    tuned = not args.no_malloc_tuning and tune_malloc()
    print(f"malloc tuning for lexbor: {'on' if tuned else 'off'}")
    import trafilatura

    pages = sorted((ROOT / "fixtures" / "articles").glob("*.html"))
    url = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
    rows = []
    print(f"{'fixture':22} {'lxml ms':>8} {'ours ms':>8} {'chain ms':>8} {'trafi ms':>9} {'ours/lxml':>9} {'trafi/ours':>10}")
    for page in pages:
        text = page.read_text("utf-8")
        data = text.encode("utf-8")
        t_lxml, t_ours, t_chain = side_by_side([
            partial(lxml.html.fromstring, data), partial(extract_article, data, url),
            lambda d=data: build_record(extract_article(d, url)),
        ], args.rounds)
        t_trafi = best_time(
            partial(trafilatura.bare_extraction, text, url=url, with_metadata=True), max(5, args.rounds // 3)
        )
        rows.append((t_lxml, t_ours, t_chain, t_trafi))
        print(f"{page.stem:22} {t_lxml*1e3:8.2f} {t_ours*1e3:8.2f} {t_chain*1e3:8.2f} {t_trafi*1e3:9.2f} "
              f"{t_ours/t_lxml:9.2f} {t_trafi/t_ours:10.2f}")
    med = [statistics.median(col) for col in zip(*rows, strict=True)]
    print(f"{'median':22} {med[0]*1e3:8.2f} {med[1]*1e3:8.2f} {med[2]*1e3:8.2f} {med[3]*1e3:9.2f} "
          f"{med[1]/med[0]:9.2f} {med[3]/med[1]:10.2f}")
    ratios_ours = statistics.median(r[1] / r[0] for r in rows)
    ratios_trafi = statistics.median(r[3] / r[1] for r in rows)
    ratios_chain = statistics.median(r[2] / r[0] for r in rows)
    print(f"per-page median ratios: ours/lxml = {ratios_ours:.2f}x (target <= 6), "
          f"trafilatura/ours = {ratios_trafi:.2f}x (target >= 5), full chain/lxml = {ratios_chain:.2f}x")

    # The figures above repeat one page, with warm caches; a crawl sees a new page each time.
    datas = [p.read_bytes() for p in pages]
    rotate_lxml, rotate_ours = (t / len(datas) for t in side_by_side([
        lambda: [lxml.html.fromstring(d) for d in datas], lambda: [extract_article(d, url) for d in datas],
    ], args.rounds))
    print(f"rotating through the {len(datas)} fixtures: lxml {rotate_lxml * 1e3:.2f} ms, ours {rotate_ours * 1e3:.2f} ms "
          f"a page on average ({rotate_ours / rotate_lxml:.2f}x)")

    # The replica's article pages: the markup and size a crawl of the replica meets (menus, three
    # related lists of 5-10 dated links), beside the hand-built fixtures.
    site = Site(n_articles=200, seed=1)
    base = "http://127.0.0.1:8000"
    shown = [a for a in site.articles if a.id not in site.missing_ids][:40]
    replica = [(render_article(site, a, base).encode("utf-8"), base + site.article_url_path(a)) for a in shown]
    replica_lxml, replica_ours, replica_chain = (t / len(replica) for t in side_by_side([
        lambda: [lxml.html.fromstring(d) for d, _ in replica], lambda: [extract_article(d, u) for d, u in replica],
        lambda: [build_record(extract_article(d, u)) for d, u in replica],
    ], args.rounds))
    size = statistics.median(len(d) for d, _ in replica) / 1024
    print(f"rotating through {len(replica)} replica article pages ({size:.0f} KB median): lxml {replica_lxml * 1e3:.2f} ms, "
          f"ours {replica_ours * 1e3:.2f} ms ({replica_ours / replica_lxml:.2f}x), with the record chain "
          f"{replica_chain * 1e3:.2f} ms ({replica_chain / replica_lxml:.2f}x)")

    # The nesting guard's share of "ours" above: its scan of each page's bytes, as page objects get them.
    fixture_bytes = [page_bytes(d) for d in datas]
    guard_fixtures = best_time(lambda: [nesting_work(d) for d in fixture_bytes], args.rounds) / len(datas)
    replica_bytes = [page_bytes(d) for d, _ in replica]
    guard_replica = best_time(lambda: [nesting_work(d) for d in replica_bytes], args.rounds) / len(replica)
    default = (ROOT / "fixtures" / "articles" / "nukeviet-default.html").read_bytes()
    body = b'<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'
    para = "<p>Đoạn văn <b>dài</b> để thử một <a href='/a/b-2.html'>trang</a> rất lớn của cổng tin.</p>\n".encode()
    sizes = []
    for paragraphs in (1_000, 10_000):  # about 100 KB (the live portal's pages) and 1 MB
        page = page_bytes(default.replace(body, body + para * paragraphs, 1))
        t_guard, t_page = side_by_side([partial(nesting_work, page), partial(extract_article, page, url)],
                                       max(5, args.rounds // 10))
        sizes.append(f"{len(page) / 1024:.0f} KB: {t_guard * 1e6:.0f} us of {t_page * 1e3:.1f} ms ({t_guard / t_page:.1%})")
    print(f"nesting guard: {guard_fixtures * 1e6:.2f} us a fixture page ({guard_fixtures / rotate_ours:.2%} of ours), "
          f"{guard_replica * 1e6:.2f} us a replica page ({guard_replica / replica_ours:.2%}); " + "; ".join(sizes))


if __name__ == "__main__":
    main()

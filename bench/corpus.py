"""Corpus builds: a full build against an incremental re-run after one more nightly feed, and peak
memory, at 2,000 and 20,000 articles, side by side in one run.

Run: python bench/corpus.py [--small 2000] [--large 20000] [--feeds 10] [--new 100] [--edits 20] [--seed 7]

For each size, synthetic nightly feeds (``--feeds`` of them) hold that many articles, each with a
body of 250-600 words drawn from the replica's Vietnamese word pool (so no two are near-duplicates
by accident), 1-3 images, five related links and the rest of a record; 2% of them are planted
near-copies of an earlier article. Then, each in a fresh process (``python -m scraper corpus`` as a
user runs it; peak RSS is the process's, from ``wait4``):

- full: ``corpus SRC --to DEST`` on a new DEST (``scraper.corpus.build.build``, which the command runs);
- +1 feed: one more feed appears (``--new`` new articles and ``--edits`` edited bodies of known
  ones), and the same command runs again;
- no-op: once more, nothing new.

Prints one row per size, then the ratios: incremental/full time at each size (the merge and hashing
should follow the new feed, not the history) and peak RSS large/small for both kinds of run (flat
memory: ≈ 1).The incremental run's own phases (copying the database, merging, near-duplicates,
writing the outputs) are the build's own timings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from scraper.items import FIELDS  # noqa: E402
from scraper.replica import words as W  # noqa: E402

LOCAL = timezone(timedelta(hours=7))
START = datetime(2016, 1, 1, tzinfo=LOCAL)
SPAN_DAYS = 3650


def vocabulary() -> list[str]:
    """Every distinct syllable of the replica's word pools."""
    pools = [W.PLACES, W.UNITS, W.CRIME_ACTIONS, W.EVENT_ACTIONS, W.NOTICE_TITLES, W.OPENINGS, W.SENTENCES, W.NAMES,
             [n for _, n in W.KNOWN_CATEGORIES], W.EXTRA_CATEGORIES]
    found = {w.lower() for pool in pools for text in pool for w in re.findall(r"\w+", text) if not w.isdigit()}
    return sorted(found)


class Synth:
    """Deterministic synthetic records of the portal's shape."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.cats = W.KNOWN_CATEGORIES

    def body(self) -> str:
        rng = self.rng
        paragraphs = []
        for _ in range(rng.randint(4, 8)):
            words = rng.choices(self.words, k=rng.randint(50, 80))
            paragraphs.append(" ".join(words).capitalize() + ".")
        return "\n\n".join(paragraphs)

    def record(self, aid: int, fetched: datetime, body: str | None = None, published: datetime | None = None) -> dict:
        rng = self.rng
        alias, cat = self.cats[aid % len(self.cats)]
        title = " ".join(rng.choices(self.words, k=rng.randint(8, 14))).capitalize()
        slug = "-".join(re.findall(r"\w+", title.lower()))[:60].encode("ascii", "ignore").decode() or "bai-viet"
        base = "https://congan.laichau.gov.vn"
        url = f"{base}/{alias}/{slug}-{aid}.html"
        published = published or START + timedelta(minutes=rng.randint(0, SPAN_DAYS * 1440))
        body = body if body is not None else self.body()
        images = [{"url": f"{base}/uploads/news/{aid}-{i}.jpg", "caption": " ".join(rng.choices(self.words, k=8)), "alt": None}
                  for i in range(rng.randint(1, 3))]
        related = [{"section": "Những tin cũ hơn", "title": " ".join(rng.choices(self.words, k=10)),
                    "url": f"{base}/{alias}/tin-{aid - k}.html", "published_at": (published - timedelta(days=k)).strftime("%Y-%m-%d"),
                    "published_at_raw": (published - timedelta(days=k)).strftime("%d/%m/%Y")} for k in range(1, 6)]
        record = {
            "url": url, "fetched_url": url, "article_id": str(aid), "layout": "nukeviet", "title": title,
            "published_at": published.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            "published_at_raw": published.strftime("%d/%m/%Y %H:%M"), "category": cat,
            "breadcrumbs": [{"name": "Trang chủ", "url": f"{base}/"}, {"name": cat, "url": f"{base}/{alias}/"}],
            "summary": " ".join(rng.choices(self.words, k=30)), "body_text": body,
            "body_html": "".join(f"<p>{p}</p>" for p in body.split("\n\n")), "images": images, "related": related,
            "author": rng.choice(W.AUTHORS) if rng.random() < 0.5 else None, "source": None,
            "tags": rng.sample(W.TAGS, 2), "views": rng.randint(10, 5000), "word_count": len(body.split()),
            "content_hash": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "fetched_at": fetched.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "lang": "vi", "warnings": [],
            "archived_at": None, "archive_url": None, "site": "congan.laichau.gov.vn",
        }
        assert set(record) == set(FIELDS), set(record) ^ set(FIELDS)
        return {name: record[name] for name in FIELDS}

    def near_copy(self, body: str) -> str:
        """The body with one word in forty replaced: a republished story."""
        words = body.split(" ")
        for i in range(0, len(words), 40):
            words[i] = self.rng.choice(self.words)
        return " ".join(words)


def write_feed(path: Path, records: list[dict]) -> None:
    with path.open("wb") as fh:
        for r in records:
            fh.write(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE))


def make_feeds(src: Path, n: int, feeds: int, seed: int) -> tuple[Synth, list[tuple[int, str]]]:
    """``n`` articles over ``feeds`` nightly feeds; returns the generator and (id, body) of a few."""
    synth = Synth(seed)
    src.mkdir(parents=True)
    night = datetime(2025, 1, 1, 19, 15, tzinfo=UTC)
    per = -(-n // feeds)
    kept: list[tuple[int, str]] = []
    aid = 1000
    for f in range(feeds):
        records = []
        for _ in range(min(per, n - f * per)):
            aid += 1
            body = synth.near_copy(kept[synth.rng.randrange(len(kept))][1]) if kept and synth.rng.random() < 0.02 else None
            rec = synth.record(aid, night)
            if body:
                rec = synth.record(aid, night, body=body)
            records.append(rec)
            if len(kept) < 200:
                kept.append((aid, rec["body_text"]))
        write_feed(src / f"articles-{night:%Y%m%dT%H%M%SZ}.jsonl", records)
        night += timedelta(days=1)
    return synth, kept


def one_more_feed(src: Path, synth: Synth, n: int, new: int, edits: int) -> int:
    night = datetime(2026, 1, 1, 19, 15, tzinfo=UTC)
    records = [synth.record(1000 + n + 1 + i, night) for i in range(new)]
    for k in range(edits):  # refreshed articles whose body was edited
        records.append(synth.record(1001 + k * (n // max(edits, 1)), night))
    path = src / f"articles-{night:%Y%m%dT%H%M%SZ}.jsonl"
    write_feed(path, records)
    return path.stat().st_size


#: One build, as ``python -m scraper corpus SRC --to DEST`` runs it, printing what it did.
CHILD = """
import dataclasses, json, sys
from pathlib import Path
from scraper.corpus.build import build
from scraper.corpus.command import steady_memory
steady_memory()  # as the command does
o = build(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps(dataclasses.asdict(o)))
"""


def run(src: Path, dest: Path) -> dict:
    """One build in a fresh process: wall seconds, peak RSS (MiB, ``wait4``), what it did."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(dest)], cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"corpus failed: {err.read().decode()[-2000:]}")
        outcome = json.loads(out.read().decode().strip().splitlines()[-1])
    return {"wall": wall, "rss": usage.ru_maxrss / 1024, "phases": outcome["seconds"], "outcome": outcome}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--new", type=int, default=100)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        for n in (args.small, args.large):
            src, dest = Path(tmp) / f"{n}" / "output", Path(tmp) / f"{n}" / "corpus"
            synth, _ = make_feeds(src, n, args.feeds, args.seed)
            feeds_mb = sum(p.stat().st_size for p in src.iterdir()) / 1e6
            full = run(src, dest)
            extra = one_more_feed(src, synth, n, args.new, args.edits)
            incr = run(src, dest)
            noop = run(src, dest)
            rows[n] = (feeds_mb, extra / 1e6, full, incr, noop, (dest / "corpus.sqlite").stat().st_size / 1e6)
            for kind, r in (("full", full), ("+1 feed", incr), ("no-op", noop)):
                o = r["outcome"]
                print(f"  {n:,} {kind}: {o['articles']:,} articles ({o['new']:,} new, {o['revised']:,} revised), {o['records']:,} records"
                      f" read from {o['feeds_read']} of {o['feeds']} feeds, {o['near_duplicates']:,} near-duplicates,"
                      f" {o['looked_again']:,} looked at again{', unchanged' if o['unchanged'] else ''}", flush=True)
    print()
    print(f"{'articles':>9} {'feeds MB':>9} {'full s':>7} {'full RSS':>9} {'+1 feed MB':>11} {'incr s':>7} {'incr RSS':>9}"
          f" {'no-op s':>8} {'db MB':>7}   incremental phases (s)")
    for n, (mb, extra, full, incr, noop, db) in rows.items():
        phases = ", ".join(f"{k} {v:.2f}" for k, v in incr["phases"].items())
        print(f"{n:>9,} {mb:>9.1f} {full['wall']:>7.2f} {full['rss']:>7.1f}Mi {extra:>11.2f} {incr['wall']:>7.2f}"
              f" {incr['rss']:>7.1f}Mi {noop['wall']:>8.2f} {db:>7.1f}   {phases}")
    small, large = rows[args.small], rows[args.large]
    print()
    for n, (_, _, full, incr, _, _) in rows.items():
        print(f"incremental/full time at {n:,}: {incr['wall'] / full['wall']:.3f}"
              f"  (merge + near-duplicates: {sum(incr['phases'].get(k, 0) for k in ('merge', 'near-duplicates')):.2f} s"
              f" against {sum(full['phases'].get(k, 0) for k in ('merge', 'near-duplicates')):.2f} s)")
    print(f"incremental time large/small: {large[3]['wall'] / small[3]['wall']:.2f}"
          f" (merge + near-duplicates: {sum(large[3]['phases'].get(k, 0) for k in ('merge', 'near-duplicates')) / max(1e-9, sum(small[3]['phases'].get(k, 0) for k in ('merge', 'near-duplicates'))):.2f})")
    print(f"peak RSS large/small: full {large[2]['rss'] / small[2]['rss']:.2f}, incremental {large[3]['rss'] / small[3]['rss']:.2f}")


if __name__ == "__main__":
    main()

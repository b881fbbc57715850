"""Corpus builds: a full build, then re-runs after one more nightly feed, and peak memory, at 2,000
and 20,000 articles, side by side in one run.

Run: python bench/corpus.py [--small 2000] [--large 20000] [--feeds 10] [--new 100] [--edits 20]
                            [--per-day 6] [--seed 7]

For each size, synthetic nightly feeds (``--feeds`` of them) hold that many articles, published
``--per-day`` a day up to the night before the new feed (as a portal does: a longer history is
more months, not fuller ones; 2,000 articles span 11 months, 20,000 nine years), each with a body
of 250-600 words drawn from the replica's Vietnamese word pool (so no two are near-duplicates by
accident), 1-3 images, five related links and the rest of a record; 2% of them are planted
near-copies of an earlier article. Then, each in a fresh process (``python -m scraper corpus`` as a
user runs it, interpreter start and imports included; peak RSS is the process's, from ``wait4``):

- full: ``corpus SRC --to DEST`` on a new DEST (``scraper.corpus.build.build``, which the command runs);
- +1 feed: a nightly feed appears: ``--new`` articles published that day and ``--edits`` edited
  bodies of articles of the last ten days (what a nightly crawl brings), and the same command runs;
- no-op: once more, nothing new;
- +1 feed, old edits: another feed of ``--edits`` edited bodies of articles spread over the whole
  history (the month layout's worst night: each edit rewrites its month).

Prints one line per run, a table, then the ratios: re-run time large/small (≈ 1: the re-run follows
the new feed, not the history) and peak RSS large/small (≈ 1: flat memory). The phases are the
build's own timings (open the database, merge, near-duplicates, write the changed months, card and
report).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
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
#: The night of the new feed; the history ends the evening before (mid-month: a typical night).
NIGHT = datetime(2025, 11, 15, 19, 15, tzinfo=UTC)
HISTORY_END = datetime(2025, 11, 14, 18, 0, tzinfo=LOCAL)


def vocabulary() -> list[str]:
    """Every distinct syllable of the replica's word pools."""
    pools = [W.PLACES, W.UNITS, W.CRIME_ACTIONS, W.EVENT_ACTIONS, W.NOTICE_TITLES, W.OPENINGS, W.SENTENCES, W.NAMES,
             [n for _, n in W.KNOWN_CATEGORIES], W.EXTRA_CATEGORIES]
    found = {w.lower() for pool in pools for text in pool for w in re.findall(r"\w+", text) if not w.isdigit()}
    return sorted(found)


class Synth:
    """Deterministic synthetic records of the portal's shape: article ``aid`` (1 … n) is published
    ``per_day`` a day up to ``HISTORY_END``, and keeps its title and address when edited."""

    def __init__(self, seed: int, n: int, per_day: int) -> None:
        self.seed, self.n, self.history, self.per_day = seed, n, n, per_day
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.cats = W.KNOWN_CATEGORIES

    def published(self, aid: int) -> datetime:
        """The history's articles ``per_day`` a day; those added later (``aid`` past the history),
        on the day of the new feed, five minutes apart."""
        if aid > self.history:
            return HISTORY_END + timedelta(minutes=5 * (aid - self.history))
        return HISTORY_END - timedelta(days=(self.history - aid) / self.per_day)

    def body(self) -> str:
        rng = self.rng
        paragraphs = []
        for _ in range(rng.randint(4, 8)):
            words = rng.choices(self.words, k=rng.randint(50, 80))
            paragraphs.append(" ".join(words).capitalize() + ".")
        return "\n\n".join(paragraphs)

    def record(self, aid: int, fetched: datetime, body: str | None = None) -> dict:
        rng = self.rng
        alias, cat = self.cats[aid % len(self.cats)]
        own = random.Random(self.seed * 1_000_003 + aid)  # the article's own: the same on every capture
        title = " ".join(own.choices(self.words, k=own.randint(8, 14))).capitalize()
        slug = "-".join(re.findall(r"\w+", title.lower()))[:60].encode("ascii", "ignore").decode() or "bai-viet"
        base = "https://congan.laichau.gov.vn"
        url = f"{base}/{alias}/{slug}-{aid}.html"
        published = self.published(aid)
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


def make_feeds(src: Path, n: int, feeds: int, seed: int, per_day: int) -> Synth:
    """``n`` articles over ``feeds`` nightly feeds, the last the night before ``NIGHT``."""
    synth = Synth(seed, n, per_day)
    src.mkdir(parents=True)
    per = -(-n // feeds)
    kept: list[str] = []
    aid = 0
    for f in range(feeds):
        night = NIGHT - timedelta(days=feeds - f)
        records = []
        for _ in range(min(per, n - f * per)):
            aid += 1
            copy = kept and synth.rng.random() < 0.02
            rec = synth.record(aid, night, body=synth.near_copy(kept[synth.rng.randrange(len(kept))]) if copy else None)
            records.append(rec)
            if len(kept) < 200:
                kept.append(rec["body_text"])
        write_feed(src / f"articles-{night:%Y%m%dT%H%M%SZ}.jsonl", records)
    return synth


def one_more_feed(src: Path, synth: Synth, night: datetime, new: int, edited: list[int]) -> int:
    """A nightly feed: ``new`` articles published that day (after ``synth.n``, which grows) and new
    bodies of the articles ``edited``. Returns its size."""
    records = []
    for _ in range(new):
        synth.n += 1
        records.append(synth.record(synth.n, night))
    records += [synth.record(aid, night) for aid in edited]
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
    return {"wall": wall, "rss": usage.ru_maxrss / 1024, "phases": outcome["seconds"], "build": sum(outcome["seconds"].values()),
            "outcome": outcome}


def rerun(src: Path, dest: Path, repeat: int) -> dict:
    """The same re-run ``repeat`` times, each on a copy of DEST as it was (the machine is shared:
    one run can be slowed by another process); the run of median wall time. DEST is left as the
    last run made it."""
    kept = dest.with_name("kept")
    shutil.copytree(dest, kept)
    runs = []
    for i in range(repeat):
        if i:
            shutil.rmtree(dest)
            shutil.copytree(kept, dest)
        os.sync()  # the copy's dirty pages are written now, not by the run's first fsync
        runs.append(run(src, dest))
    shutil.rmtree(kept)
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--new", type=int, default=100)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--per-day", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="re-runs timed (each on a copy of DEST as it was); the median is shown")
    args = ap.parse_args()
    kinds = ("full", "+1 feed", "no-op", "+1 feed, old edits")
    rows: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        for n in (args.small, args.large):
            src, dest = Path(tmp) / f"{n}" / "output", Path(tmp) / f"{n}" / "corpus"
            synth = make_feeds(src, n, args.feeds, args.seed, args.per_day)
            runs = {"full": run(src, dest)}
            runs["full"]["mb"] = sum(p.stat().st_size for p in src.iterdir()) / 1e6
            recent = [n - k * (10 * args.per_day // max(args.edits, 1)) for k in range(args.edits)]  # the last ten days
            size = one_more_feed(src, synth, NIGHT, args.new, recent)
            runs["+1 feed"] = rerun(src, dest, args.repeat)
            runs["no-op"] = rerun(src, dest, args.repeat)
            anywhere = [1 + k * (n // max(args.edits, 1)) for k in range(args.edits)]
            old_size = one_more_feed(src, synth, NIGHT + timedelta(days=1), 0, anywhere)
            runs["+1 feed, old edits"] = rerun(src, dest, args.repeat)
            runs["+1 feed"]["mb"], runs["+1 feed, old edits"]["mb"], runs["no-op"]["mb"] = size / 1e6, old_size / 1e6, 0.0
            rows[n] = runs
            db = (dest / "corpus.sqlite").stat().st_size / 1e6
            for kind in kinds:
                o = runs[kind]["outcome"]
                print(f"  {n:,} {kind}: {o['articles']:,} articles ({o['new']:,} new, {o['revised']:,} revised), {o['records']:,} records"
                      f" read from {o['feeds_read']} of {o['feeds']} feeds, {o['near_duplicates']:,} near-duplicates,"
                      f" {o['looked_again']:,} looked at again, {o['months_written']} of {o['months']} months written"
                      f"{', unchanged' if o['unchanged'] else ''}", flush=True)
            print(f"  {n:,}: database {db:.1f} MB", flush=True)
    print()
    print(f"{'articles':>9}  {'run':<20} {'feed MB':>8} {'wall s':>7} {'build s':>8} {'peak RSS':>9} {'months':>8}   phases (s)")
    for n, runs in rows.items():
        for kind in kinds:
            r = runs[kind]
            o = r["outcome"]
            phases = ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items())
            print(f"{n:>9,}  {kind:<20} {r['mb']:>8.2f} {r['wall']:>7.2f} {r['build']:>8.2f} {r['rss']:>7.1f}Mi"
                  f" {o['months_written']:>3}/{o['months']:<4}   {phases}")
    small, large = rows[args.small], rows[args.large]
    print()
    print("wall s: the process, interpreter start and imports included (a no-op run is nearly all that); build s: the build's own phases")
    for kind in kinds[1:]:
        print(f"{kind}: re-run time large/small: wall {large[kind]['wall'] / small[kind]['wall']:.2f}"
              f" ({large[kind]['wall']:.2f} s against {small[kind]['wall']:.2f} s), build"
              f" {large[kind]['build'] / max(small[kind]['build'], 1e-9):.2f} ({large[kind]['build']:.2f} s against {small[kind]['build']:.2f} s);"
              f" re-run/full at {args.large:,}: {large[kind]['wall'] / large['full']['wall']:.3f}")
    print("peak RSS large/small: " + ", ".join(f"{kind} {large[kind]['rss'] / small[kind]['rss']:.2f}" for kind in kinds))


if __name__ == "__main__":
    main()

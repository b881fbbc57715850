"""Project settings: the one place they live. Spiders override in ``custom_settings``, users with ``-s``.

Defaults are polite to the live portal (a provincial government server); tests and the
replica relax them with ``-s``.
"""

from datetime import UTC, datetime

BOT_NAME = "laichau"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
#: ``crawl`` ends a refused run in one line (``scraper/commands/crawl.py``).
COMMANDS_MODULE = "scraper.commands"

# --- Politeness -----------------------------------------------------------------------
#: Where the portal's operators can reach whoever runs the crawl: set it (-s CONTACT_URL=…);
#: the User-Agent is built from it.
CONTACT_URL = "https://github.com/laichau-scraper/laichau-scraper"
USER_AGENT = f"laichau-scraper/1.0 (+{CONTACT_URL}; research news corpus)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
#: Items handled in parallel per response. Our pipelines are synchronous, and Scrapy starts this
#: many tasks for every response: 100 (the default) cost more CPU than the extraction itself.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
#: Longest Retry-After we honour (seconds); a longer one is capped, not ignored.
RETRY_AFTER_MAX = 300
#: A 429/503 without Retry-After waits RETRY_BACKOFF_BASE × 2^retries seconds (0: no wait).
RETRY_BACKOFF_BASE = 1.0
#: Bounds on what one response may cost us (the portal's pages are ~100 KB).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
#: A sitemap .gz is expanded at most to this size (a small file can hold gigabytes).
SITEMAP_MAX_SIZE = 64 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryAfterMiddleware": 550,
    # next to the downloader: sees every response as the server sent it
    "scraper.warc.WarcCaptureMiddleware": 950,
    # after decompression and redirects: the page as a browser gets it
    "scraper.mirror.MirrorMiddleware": 560,
}
#: Raw mirror of fetched pages (off unless set).
MIRROR_DIR = None
#: WARC capture is off unless WARC_DIR is set; images only with WARC_IMAGES.
WARC_DIR = None
WARC_IMAGES = False
WARC_MAX_SIZE = 1024**3

# --- Records ------------------------------------------------------------------------------
#: RecordPipeline runs the record chain (text → dates → counts → derived fields → validation,
#: see scraper.pipelines.RECORD_PIPELINES), the same chain as offline extraction.
ITEM_PIPELINES = {
    "scraper.pipelines.RecordPipeline": 100,
    "scraper.pipelines.DedupPipeline": 600,
    "scraper.feeds.FeedPipeline": 900,
}

#: Worker processes that turn article and category pages into records and entries (0: in the
#: crawl process). "auto": one worker: a worker is what bounds extraction (EXTRACT_TIMEOUT,
#: EXTRACT_WORKER_MEMORY_MB), and what speeds up a crawl set loose on a fast server on a machine of
#: two cores or more, where the crawl is CPU-bound. With both bounds 0, "auto" gives one only to
#: such a crawl (CONCURRENT_REQUESTS_PER_DOMAIN >= 8, no DOWNLOAD_DELAY, no AutoThrottle, two cores).
#: Where no worker can start, pages are extracted in the crawl process, bounded by the nesting
#: guard only (a warning says so).
EXTRACT_WORKERS = "auto"
#: Longest one page's extraction may take in a worker, in seconds (0: no limit); also the
#: ``extract`` command's. Past it the worker is killed (lexbor's parse is C code: nothing else
#: stops it) and replaced, and the page is a failure in the run report (``ExtractionTimeout``),
#: never extracted again in the crawl process. The portal's pages take 1-35 ms; ordinary markup
#: about 0.25 s a MB, so a page at DOWNLOAD_MAXSIZE (16 MiB) 3.6-4.7 s (bench/limits.py).
EXTRACT_TIMEOUT = 10.0
#: Address space of each extraction worker, in MiB (0: no limit; RLIMIT_AS); also the ``extract``
#: command's. A worker holds about 40 MiB; a page costs 20-50 times its size in ordinary markup
#: (16 MiB: 750 MiB) and up to 140 times in dense tags (bench/limits.py). A page that needs more
#: fails (``ExtractionMemory`` in the run report) and its worker is replaced, instead of the
#: machine running out of memory.
EXTRACT_WORKER_MEMORY_MB = 1024
#: Niceness added to each extraction worker (0-19). The crawl process is the crawl's bottleneck;
#: a worker has a queue to draw on, so it yields the CPU whenever the crawl's event loop wants
#: it and catches up in its pauses. On a 2-core machine with the crawl, a worker and a local
#: replica: 2-6% more pages/s than an equal-priority worker (bench/crawl.py).
EXTRACT_WORKER_NICE = 5
#: Unbounded extraction only (EXTRACT_TIMEOUT and EXTRACT_WORKER_MEMORY_MB both 0): pages waiting
#: for the workers from which the crawl process extracts the next page itself (0: never), where
#: nothing could stop a page. A worker that falls behind would otherwise fill
#: SCRAPER_SLOT_MAX_ACTIVE_SIZE and the crawl would stop fetching until it caught up: 3-35% of a
#: replica crawl's time without, 0% with (3 crawls each). Bounded, every page waits for a worker:
#: full/bare 0.73-0.92 over seven runs of bench/crawl.py (0.86-0.92 in six), and 0.85-0.91 with
#: this in four of them, side by side: no difference this VM's drift lets one measure.
EXTRACT_LOCAL_BACKLOG = 32
#: Bytes of responses waiting for their callbacks (Scrapy: 5 MB) before the crawl stops fetching.
#: A page waiting for a worker costs the crawl process about eight times its size, so Scrapy's
#: 5 MB let it grow by 35-40 MiB whenever the worker fell behind; 1 MB (about 70 of the portal's
#: pages, against 16 requests at most in flight) keeps the peak near 105 MiB, no slower
#: (bench/crawl.py). A larger page is simply processed alone.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

#: Where output goes; ``FEED_PATH`` names the JSON Lines file (default: a dated file in OUTPUT_DIR).
OUTPUT_DIR = "output"
FEED_PATH = None
#: Incremental state (SQLite); default ``<OUTPUT_DIR>/state.sqlite``.
STATE_PATH = None
#: Written records are marked done in the state in batches: after this many records or seconds,
#: whichever comes first, and at the end. A kill in between loses nothing: the next run's
#: recovery reads the records written since the last checkpoint back from the feeds.
STATE_CHECKPOINT_RECORDS = 100
STATE_CHECKPOINT_SECONDS = 2.0

# --- Distributed crawling (scrapy-redis) ---------------------------------------------------
#: One switch: -s DISTRIBUTED=True puts the scheduler, duplicate filter and article state on Redis.
DISTRIBUTED = False
REDIS_URL = "redis://127.0.0.1:6379/0"
#: Workers of one crawl share a CRAWL_ID (default: the UTC day); WORKER_ID names each one's feed.
CRAWL_ID = None
WORKER_ID = None
DISTRIBUTED_IDLE_GRACE = 15
STATE_BACKEND = "sqlite"

FEED_EXPORT_ENCODING = "utf-8"
# Feeds named with -o/-O are written by scraper.feeds.FeedPipeline (crash-safe appends), not by
# Scrapy's buffered exporters (our crawl command drops Scrapy's "no item will be exported" for them).
EXTENSIONS = {
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scraper.report.RunReport": 500,
    "scraper.progress.Progress": 510,
    "scraper.gc_tuning.GcTuning": 520,
    "scraper.timer_sweep.TimerSweep": 530,
}
#: Allocations between collections of the youngest generation during a crawl (Python: 700); the
#: objects made at start-up are frozen as well. 0 leaves Python's collector as it is. Measured on a
#: 2,000-article replica: the crawl process's CPU 4.1-4.2 s -> 3.7-3.8 s (see scraper/gc_tuning.py).
GC_GEN0_THRESHOLD = 7000
#: Seconds between sweeps of the reactor's cancelled timers (0: none; see scraper/timer_sweep.py).
TIMER_SWEEP_INTERVAL = 1.0
#: Seconds between progress lines in the log (0 turns them off).
PROGRESS_INTERVAL = 30
#: One stamp per crawl process, shared by its feed, report and log file names.
RUN_STAMP = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
#: Run report: fields whose coverage (share of records where non-empty) falls below the floor are
#: called out; REPORT_COVERAGE_FLOORS overrides it per field, e.g. {"author": 0.0}.
REPORT_COVERAGE_FLOOR = 0.9
REPORT_COVERAGE_FLOORS = {
    "article_id": 0.99, "title": 1.0, "body_text": 0.99, "published_at": 0.99, "published_at_raw": 0.99,
    "summary": 0.5, "images": 0.0, "related": 0.0, "author": 0.0, "source": 0.0, "tags": 0.0,
    "views": 0.0, "breadcrumbs": 0.5, "category": 0.9, "warnings": 0.0,
}
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
#: No control ports: a crawl of a government site should not listen on the network.
REMOTE_CONTROL_ENABLED = False

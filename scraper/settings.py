"""Project settings: the one place they live. Spiders override in ``custom_settings``, users with ``-s``.

Defaults are polite to the live portal (a provincial government server); tests and the
replica relax them with ``-s``.
"""

BOT_NAME = "laichau"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# --- Politeness -----------------------------------------------------------------------
CONTACT_URL = "https://github.com/laichau-scraper/laichau-scraper"
USER_AGENT = f"laichau-scraper/1.0 (+{CONTACT_URL}; research news corpus)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
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
#: Bounds on what one response may cost us (the portal's pages are ~100 KB).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryAfterMiddleware": 550,
}

# --- Records ------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "scraper.pipelines.TextPipeline": 100,
    "scraper.pipelines.DatesPipeline": 200,
    "scraper.pipelines.CountsPipeline": 300,
    "scraper.pipelines.DerivedFieldsPipeline": 400,
    "scraper.pipelines.ValidatePipeline": 500,
    "scraper.pipelines.DedupPipeline": 600,
    "scraper.feeds.JsonLinesFeedPipeline": 900,
}

#: Where output goes; ``FEED_PATH`` names the JSON Lines file (default: a dated file in OUTPUT_DIR).
OUTPUT_DIR = "output"
FEED_PATH = None
#: Incremental state (SQLite); default ``<OUTPUT_DIR>/state.sqlite``.
STATE_PATH = None

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

"""Every run's feeds merged into one dataset researchers can use (latest record per article, revisions,
near-duplicates, Parquet, a dataset card) and the HTML reports; it may import the small helpers
(``items``, ``urls``), pyarrow and datasketch, never Scrapy or the crawl (``html_report`` the
standard library only: the crawl's run report imports it)."""

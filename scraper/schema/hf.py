"""The record as Hugging Face ``datasets`` Features, so times load as the strings they are.

``datasets.load_dataset("json", …)`` lets Arrow's JSON reader infer types, and it turns
``published_at`` into naive UTC timestamps (the same instant, the zone dropped) and day-only
dates into midnights. To keep every field as written::

    import json, datasets
    from scraper.schema.hf import features
    rows = [json.loads(line) for line in open("output/articles-….jsonl", encoding="utf-8")]
    ds = datasets.Dataset.from_list(rows, features=features())
"""

from __future__ import annotations


def features():
    from datasets import Features, List, Value

    text = Value("string")
    return Features({
        "url": text, "fetched_url": text, "article_id": text, "layout": text, "title": text,
        "published_at": text, "published_at_raw": text, "category": text,
        "breadcrumbs": List({"name": text, "url": text}),
        "summary": text, "body_text": text, "body_html": text,
        "images": List({"url": text, "caption": text, "alt": text}),
        "related": List({"section": text, "title": text, "url": text, "published_at": text, "published_at_raw": text}),
        "author": text, "source": text, "tags": List(text), "views": Value("int64"),
        "word_count": Value("int64"), "content_hash": text, "fetched_at": text, "lang": text,
        "warnings": List(text), "archived_at": text, "archive_url": text, "site": text,
    })

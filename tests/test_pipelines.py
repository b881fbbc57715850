"""Record pipelines: normalisation, flags, and an invalid record written flagged and counted."""

from __future__ import annotations

import json
import unicodedata

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from scraper.feeds import FeedPipeline
from scraper.items import ArticleItem, RelatedLink
from scraper.pipelines import (
    DedupPipeline,
    ValidatePipeline,
    build_record,
    full_validator,
    inline_refs,
    record_dict,
    record_fields,
    record_line,
)


def _raw(**kw) -> ArticleItem:
    base = {"url": "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-1.html", "fetched_url": "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-1.html",
            "layout": "nukeviet", "article_id": "1", "title": "Tiêu đề", "published_at_raw": "Thứ ba - 05/12/2023 10:15",
            "body_text": "Nội dung."}
    return ArticleItem(**(base | kw))


def test_text_is_nfc_with_entities_decoded() -> None:
    item = build_record(_raw(title=unicodedata.normalize("NFD", "Ra quân đợt 15&#x002F;12 &amp; ") + " tổng  kết"))
    assert item.title == "Ra quân đợt 15/12 & tổng kết"
    assert unicodedata.is_normalized("NFC", item.title)


def test_unparseable_date_is_kept_raw_and_flagged() -> None:
    item = build_record(_raw(published_at_raw="Thứ ba - 45/13/2023 10:15"))
    assert item.published_at is None and item.published_at_raw == "Thứ ba - 45/13/2023 10:15"
    assert item.warnings == ["published_at_unparsed:Thứ ba - 45/13/2023 10:15"]


def test_views_and_related_dates_are_normalised() -> None:
    item = build_record(_raw(views="1.254", related=[RelatedLink("Tin liên quan", "A", "https://x/a-2.html", published_at_raw="06/12/2023")]))
    assert item.views == 1254
    assert item.related[0].published_at == "2023-12-06"
    assert item.warnings == []


def _breaks(record: dict, path: tuple, value: object) -> dict:
    out = json.loads(json.dumps(record))
    *parents, last = path
    node = out
    for key in parents:
        node = node[key]
    node[last] = value
    return out


def test_fast_validator_agrees_with_jsonschema_on_every_rule() -> None:
    """The ref-inlined compiled schema decides exactly as the reference validator does."""
    good = record_dict(build_record(_raw(
        views="12", tags=["an ninh"],
        related=[RelatedLink("Tin liên quan", "A", "https://congan.laichau.gov.vn/a/b-2.html", published_at_raw="06/12/2023")],
    )))
    good["images"] = [{"url": "https://congan.laichau.gov.vn/uploads/a.jpg", "caption": None, "alt": None}]
    good["breadcrumbs"] = [{"name": "Trang chủ", "url": "https://congan.laichau.gov.vn/"}]
    cases = [good] + [_breaks(good, path, value) for path, value in [
        (("url",), "/relative"), (("title",), ""), (("published_at",), "2023-12-05 10:15"),
        (("related", 0, "url"), "javascript:x"), (("related", 0, "published_at"), "06/12/2023"),
        (("related", 0, "section"), ""), (("images", 0, "caption"), ""), (("images", 0, "extra"), 1),
        (("breadcrumbs", 0, "url"), "/"), (("tags", 0), ""), (("views",), -1), (("content_hash",), "x"),
        (("layout",), "other"), (("warnings",), ["Bad Flag"]), (("archived_at",), "2023"), (("lang",), "en"),
    ]]
    for record in cases:
        reference_ok = not list(full_validator().iter_errors(record))
        try:
            ValidatePipeline.fast(record)
            fast_ok = True
        except Exception:
            fast_ok = False
        assert fast_ok == reference_ok, record
    assert sum(1 for r in cases if not list(full_validator().iter_errors(r))) == 1  # only the good one


def test_inline_refs_leaves_no_reference() -> None:
    schema = full_validator().schema
    flat = inline_refs(schema, schema["$defs"])
    assert "$ref" not in json.dumps(flat) and "$defs" not in flat
    assert flat["properties"]["related"]["items"]["properties"]["url"]["pattern"] == "^(https?|file)://"
    with pytest.raises(ValueError):
        inline_refs({"$ref": "other.json#/x"}, {})


def test_invalid_record_is_written_flagged_and_counted(tmp_path) -> None:
    crawler = get_crawler(settings_dict={"FEED_PATH": str(tmp_path / "out.jsonl"), "OUTPUT_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    feed = FeedPipeline.from_crawler(crawler)
    feed.open_spider()
    validate = ValidatePipeline.from_crawler(crawler)
    bad = build_record(_raw(title=None, url="not-a-url"))  # no title, relative address
    validate.process_item(bad)
    feed.process_item(bad)
    feed.close_spider()
    line = json.loads((tmp_path / "out.jsonl").read_text("utf-8"))
    flags = [w for w in line["warnings"] if w.startswith("schema:")]
    assert any(w.startswith("schema:title") for w in flags) and any(w.startswith("schema:url") for w in flags)
    assert "no_title" in line["warnings"]
    assert crawler.stats.get_value("records/invalid") == 1
    assert crawler.stats.get_value("records/flagged") == 1
    assert crawler.stats.get_value("feed/records") == 1


def test_dedup_drops_a_second_copy_and_flags_same_body_elsewhere() -> None:
    dedup = DedupPipeline()
    first = build_record(_raw())
    dedup.process_item(first)
    with pytest.raises(DropItem):
        dedup.process_item(build_record(_raw(url="https://congan.laichau.gov.vn/other/bai-1.html")))
    twin = dedup.process_item(build_record(_raw(article_id="2", url="https://congan.laichau.gov.vn/a/b-2.html")))
    assert twin.warnings == [f"duplicate_content:{first.url}"]


def test_record_line_is_one_line_of_the_record_as_json() -> None:
    """The feeds' and ``extract``'s line: exactly the record, one line, characters as themselves."""
    item = build_record(ArticleItem(
        url="https://congan.laichau.gov.vn/a/b-1.html", fetched_url="https://congan.laichau.gov.vn/a/b-1.html",
        layout="nukeviet", title='Công an "Lai Châu" \\ \u2028 tab\there', body_text="Đoạn một.\nĐoạn hai.\x7f",
        related=[RelatedLink("Tin khác", "Xã Mường Tè", None)],
    ))
    record = record_dict(item)
    line = record_line(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert "Công an".encode() in line and b"\\u" not in line.replace(b"\\u2028", b"")
    assert json.loads(line) == record
    assert json.loads(line.decode("utf-8")) == json.loads(json.dumps(record, ensure_ascii=False))
    item.built = True  # an attribute beside the fields (a worker's mark) stays out of the record
    assert record_line(record_fields(item)) == line

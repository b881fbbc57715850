"""A worker's sealed record: its line is written only while it is the record."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from itemadapter import ItemAdapter

from scraper.feeds import AppendFile
from scraper.items import ArticleItem, RelatedLink
from scraper.pipelines import DedupPipeline, record_fields, record_line
from scraper.sealed import LAZY, SealedItem, SealedRecord, sealed_line
from tests.test_items import full_item


def received(item: ArticleItem | None = None) -> SealedItem:
    """What the crawl process gets for ``item`` from a worker."""
    got = pickle.loads(pickle.dumps(SealedRecord(item or full_item()), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(got) is SealedItem
    return got


def written(item: ArticleItem, path: Path) -> bytes:
    """What a JSON Lines feed holds after ``item`` is written to it, as ``FeedPipeline`` does."""
    feed = AppendFile(path, "jsonl")
    line = sealed_line(item)
    feed.write(record_fields(item) if line is None else None, line)
    feed.close()
    return path.read_bytes()


def test_an_untouched_record_is_written_as_sealed_without_reading_its_lists(tmp_path: Path) -> None:
    item = received()
    assert sealed_line(item) == record_line(record_fields(full_item()))
    assert written(item, tmp_path / "a.jsonl") == record_line(record_fields(full_item()))
    assert not set(LAZY) & set(vars(item))  # the lists never left the line
    assert item.built is True and item.title == full_item().title


MUTATIONS: dict[str, Callable[[ArticleItem], None]] = {
    "a warning, as DedupPipeline adds one": lambda i: i.warn("duplicate_content", "https://x/1.html"),
    "a warning appended to the list": lambda i: i.warnings.append("by_hand"),
    "a scalar field set": lambda i: setattr(i, "title", "Tiêu đề khác"),
    "a related link changed in place": lambda i: setattr(i.related[0], "title", "Đã sửa"),
    "a tag appended": lambda i: i.tags.append("mới"),
    "a list replaced before any is read": lambda i: setattr(i, "related", []),
    "a field set through ItemAdapter": lambda i: ItemAdapter(i).__setitem__("author", "Người khác"),
    "body_html read (and not changed)": lambda i: i.body_html.upper(),
    "a field deleted (its class default shows)": lambda i: delattr(i, "summary"),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_any_change_or_handing_out_writes_the_record_as_it_now_is(mutate, tmp_path: Path) -> None:
    item, plain = received(), full_item()
    mutate(item)
    mutate(plain)
    assert sealed_line(item) is None
    line = written(item, tmp_path / "a.jsonl")
    assert line == record_line(record_fields(plain))  # the same record as a plain item's
    assert orjson.loads(line) == orjson.loads(record_line(record_fields(item)))


def test_a_list_replaced_first_is_not_overwritten_when_the_others_are_read() -> None:
    item = received()
    item.related = [RelatedLink("Tin khác", "Một tin", None)]
    assert len(item.images) == 1 and item.tags == ["ma túy", "Sìn Hồ"]  # read from the line
    assert [r.title for r in item.related] == ["Một tin"]


def test_dedup_flags_a_copy_and_the_flag_reaches_the_feed(tmp_path: Path) -> None:
    dedup = DedupPipeline()
    first = received()
    second = received(full_item())
    second.__dict__["url"] = "https://congan.laichau.gov.vn/an-ninh-trat-tu/ban-sao-124.html"  # another address
    dedup.process_item(first)
    dedup.process_item(second)
    assert sealed_line(first) is not None
    assert "duplicate_content:" + first.url in orjson.loads(written(second, tmp_path / "b.jsonl"))["warnings"]


def test_coverage_repr_equality_copies_and_pickling_behave_as_a_plain_item() -> None:
    plain = full_item()
    plain.breadcrumbs, plain.tags = [], []
    item = received(copy.copy(plain))
    assert [item.filled(n) for n in LAZY] == [plain.filled(n) for n in LAZY] == [False, True, True, True, False]
    assert "related=<sealed>" in repr(item)
    assert sealed_line(item) is not None  # none of the above unsealed it
    assert item == plain and plain == item
    for other in (copy.copy(item), copy.deepcopy(item), pickle.loads(pickle.dumps(item))):
        assert type(other) is ArticleItem and other == plain and other.built is True
        assert "_seal" not in vars(other)
    assert sealed_line(plain) is None  # a plain item has no sealed line


def test_a_deleted_lazy_field_reads_as_on_a_plain_item() -> None:
    item, plain = received(), full_item()
    del item.body_html, plain.body_html
    assert item.body_html == plain.body_html == ""  # the dataclass's default, on both
    assert sealed_line(item) is None
    del item.related
    with pytest.raises(AttributeError):
        item.related  # noqa: B018 - no default: gone, as on a plain item

"""The record's wire form: how an extraction worker's record reaches the crawl process."""

from __future__ import annotations

import copy
import pickle

import pytest

from scraper.items import ArticleItem, Crumb, Image, RelatedLink


def full_item() -> ArticleItem:
    item = ArticleItem(
        url="https://congan.laichau.gov.vn/an-ninh-trat-tu/bat-giu-doi-tuong-123.html",
        fetched_url="https://congan.laichau.gov.vn/an-ninh-trat-tu/bat-giu-doi-tuong-123.html",
        layout="nukeviet",
        title="Bắt giữ đối tượng vận chuyển trái phép chất ma túy",
        article_id="123",
        published_at="2023-12-05T10:15:00+07:00",
        published_at_raw="Thứ ba - 05/12/2023 10:15",
        category="An ninh trật tự",
        breadcrumbs=[Crumb("Trang chủ", "https://congan.laichau.gov.vn/"), Crumb("An ninh trật tự")],
        summary="Lực lượng Công an huyện Sìn Hồ bắt quả tang một đối tượng.",
        body_text="Đoạn một.\n\nĐoạn hai.",
        body_html="<p>Đoạn một.</p><p>Đoạn hai.</p>",
        images=[Image("https://congan.laichau.gov.vn/uploads/a.jpg", "Tang vật thu giữ", None)],
        related=[
            RelatedLink("Tin liên quan", f"Tin số {n}", f"https://congan.laichau.gov.vn/a/tin-{n}.html",
                        "2021-01-08T17:58:02+07:00", "08/01/2021 5:58:02 CH")
            for n in range(20)
        ] + [RelatedLink("Tin khác", "Không có địa chỉ", None)],
        author="Minh Anh",
        source="Công an tỉnh Lai Châu",
        tags=["ma túy", "Sìn Hồ"],
        views=1254,
        word_count=4,
        content_hash="ab" * 32,
        fetched_at="2026-11-27T03:00:00+07:00",
        warnings=["no_author"],
    )
    item.built = True  # set by an extraction worker: it must survive the trip
    return item


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle_round_trip_keeps_every_field_nested_kind_and_extra_attribute(protocol: int) -> None:
    item = full_item()
    back = pickle.loads(pickle.dumps(item, protocol=protocol))
    assert back == item
    assert list(vars(back)) == list(vars(item))  # same attributes, same order
    assert back.built is True
    assert [type(x) for x in back.related] == [RelatedLink] * 21
    assert type(back.breadcrumbs[1]) is Crumb and type(back.images[0]) is Image
    assert back.related[-1].url is None and back.breadcrumbs[1].url is None


def test_wire_form_carries_plain_tuples_not_nested_instances() -> None:
    data = pickle.dumps(full_item(), protocol=pickle.HIGHEST_PROTOCOL)
    # the nested classes are rebuilt by the loader, never named in the bytes
    for name in (b"RelatedLink", b"Crumb", b"Image"):
        assert name not in data


def test_copies_keep_their_usual_meaning() -> None:
    item = full_item()
    shallow = copy.copy(item)
    assert shallow == item and shallow is not item
    assert shallow.related is item.related  # a shallow copy shares the nested lists
    deep = copy.deepcopy(item)
    assert deep == item and deep.built is True
    assert deep.related is not item.related and deep.related[0] is not item.related[0]


def test_an_item_without_extra_attributes_has_none_after_the_trip() -> None:
    item = ArticleItem(url="u", fetched_url="u", layout="print")
    back = pickle.loads(pickle.dumps(item))
    assert back == item and not hasattr(back, "built")

"""Shared page-object helpers: the lazy following-text walk equals XPath's ``following::text()``."""

from __future__ import annotations

import pytest

from scraper.pages import parse
from scraper.pages.base import following_text
from tests.conftest import golden_cases


@pytest.mark.parametrize("page", golden_cases(), ids=lambda p: p.stem)
def test_following_text_matches_xpath_on_every_element(page) -> None:
    root = parse(page.with_suffix(".html").read_bytes())
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    assert len(elements) > 30
    for el in elements:
        assert [text for text, _ in following_text(el)] == [str(t) for t in el.xpath("following::text()")]


def test_following_text_steps_over_comments_and_names_the_holder() -> None:
    root = parse(
        "<html><body><div><h1>Tiêu đề</h1><!-- ngày --><?php x ?> sau chú thích"
        "<span class='h5'>Thứ ba - 05/12/2023 10:15</span></div><p>cuối</p></body></html>"
    )
    h1 = root.find(".//h1")
    walked = [(text, holder.tag) for text, holder in following_text(h1)]
    assert walked == [(" sau chú thích", "div"), ("Thứ ba - 05/12/2023 10:15", "span"), ("cuối", "p")]

"""No address, however crafted, puts a mirrored file outside MIRROR_DIR."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.mirror import MirrorMiddleware, mirror_path

HOSTILE = [
    "http://congan.laichau.gov.vn/../../x",
    "http://congan.laichau.gov.vn/%2e%2e/%2e%2e/x",
    "http://congan.laichau.gov.vn/%2E%2E%2F%2E%2E%2Fx",
    "http://congan.laichau.gov.vn/%252e%252e/%252e%252e/x",
    "http://congan.laichau.gov.vn/a/..%5c..%5c..%5cx",
    "http://congan.laichau.gov.vn/a\\..\\..\\x",
    "http://congan.laichau.gov.vn//etc/passwd",
    "http://congan.laichau.gov.vn/%00/../../x",
    "http://congan.laichau.gov.vn/./././.",
    "http://../../x",
    "http://congan.laichau.gov.vn/" + "..%2f" * 40 + "x",
    "http://congan.laichau.gov.vn/" + "a" * 5000,
]


@pytest.mark.parametrize("url", HOSTILE)
def test_crafted_addresses_stay_inside(tmp_path, url) -> None:
    root = tmp_path / "mirror"
    target = mirror_path(root, url)
    assert target.is_relative_to(root.resolve())
    assert target != root.resolve()
    assert all(len(part) <= 255 for part in target.parts)


def test_ordinary_addresses_map_to_readable_paths(tmp_path) -> None:
    root = tmp_path.resolve()
    assert mirror_path(root, "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-12.html") == (
        root / "congan.laichau.gov.vn" / "an-ninh-trat-tu" / "bai-viet-12.html"
    )
    assert mirror_path(root, "https://congan.laichau.gov.vn/an-ninh-trat-tu/page-2/").name == "index.html"
    a = mirror_path(root, "https://congan.laichau.gov.vn/tim-kiem.html?q=1")
    b = mirror_path(root, "https://congan.laichau.gov.vn/tim-kiem.html?q=2")
    assert a != b and a.suffix == ".html"


def test_middleware_writes_inside_and_never_outside(tmp_path) -> None:
    root = tmp_path / "mirror"
    crawler = get_crawler(settings_dict={"MIRROR_DIR": str(root)})
    mw = MirrorMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    for url in [*HOSTILE, "http://congan.laichau.gov.vn/a/b-1.html"]:
        response = HtmlResponse(url, body=b"<html>x</html>", request=Request(url))
        assert mw.process_response(response.request, response) is response
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(root.resolve()) for p in written)
    assert not (tmp_path / "x").exists()

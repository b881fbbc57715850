"""Retry-After: seconds or an HTTP date."""

from __future__ import annotations

from scraper.middlewares import retry_after_seconds


def test_retry_after_forms() -> None:
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("7") == 7.0
    now = 1_700_000_000.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:40 GMT", now=now) == 20.0  # now is 22:13:20Z
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:00 GMT", now=now) == 0.0  # in the past: no wait
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None

"""The crawl's collector settings: on while the engine runs, undone when it stops."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from scraper.gc_tuning import GcTuning


def test_the_collector_is_tuned_while_the_engine_runs_and_restored_after() -> None:
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    assert before[0] != 7000
    ext = GcTuning.from_crawler(get_crawler(settings_dict={"GC_GEN0_THRESHOLD": 7000}))
    ext.engine_started()
    try:
        assert gc.get_threshold() == (7000, *before[1:])
        assert gc.get_freeze_count() > frozen_before  # start-up objects are out of the scans
        ext.engine_started()  # a second start changes nothing and loses nothing
        assert gc.get_threshold()[0] == 7000
    finally:
        ext.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    ext.engine_stopped()  # stopping twice is harmless
    assert gc.get_threshold() == before


def test_zero_leaves_pythons_collector_alone() -> None:
    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(get_crawler(settings_dict={"GC_GEN0_THRESHOLD": 0}))


def test_the_project_turns_it_on() -> None:
    from scraper import settings

    assert settings.EXTENSIONS["scraper.gc_tuning.GcTuning"] > 0
    assert settings.GC_GEN0_THRESHOLD > 700

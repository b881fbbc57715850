"""Cancelled reactor timers are swept while the crawl runs, not at the next progress line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from scraper.timer_sweep import TimerSweep

# Twisted's asyncio reactor, 500 download-like timers armed and cancelled, and after 0.6 s (read
# by an asyncio timer, which sweeps nothing) the cancelled timers still alive.
_SCENARIO = """
import asyncio, gc, sys
from twisted.internet import asyncioreactor
asyncioreactor.install()
from twisted.internet import reactor
from twisted.internet.base import DelayedCall
from scrapy.utils.test import get_crawler
from scraper.timer_sweep import TimerSweep

interval = float(sys.argv[1])
if interval > 0:
    TimerSweep.from_crawler(get_crawler(settings_dict={"TIMER_SWEEP_INTERVAL": interval})).engine_started()

def arm_and_cancel():
    armed = [reactor.callLater(180, lambda: None) for _ in range(500)]
    reactor.callLater(200, lambda: None)  # as the next download's timer does: the 500 go into the heap
    for call in armed:  # the responses arrived
        call.cancel()

def count():
    print(sum(isinstance(o, DelayedCall) and o.cancelled for o in gc.get_objects()))
    reactor.stop()

reactor.callWhenRunning(arm_and_cancel)
reactor.callWhenRunning(lambda: asyncio.get_event_loop().call_later(0.6, count))
reactor.run()
"""


def _cancelled_alive(interval: float) -> int:
    done = subprocess.run([sys.executable, "-c", _SCENARIO, str(interval)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_cancelled_timers_are_swept_within_the_interval() -> None:
    assert _cancelled_alive(0) >= 500  # the reactor alone keeps them: nothing of its own fell due
    assert _cancelled_alive(0.1) < 50


def test_zero_turns_it_off_and_the_project_turns_it_on() -> None:
    from scraper import settings

    with pytest.raises(NotConfigured):
        TimerSweep.from_crawler(get_crawler(settings_dict={"TIMER_SWEEP_INTERVAL": 0}))
    assert settings.EXTENSIONS["scraper.timer_sweep.TimerSweep"] > 0
    assert 0 < settings.TIMER_SWEEP_INTERVAL <= 5

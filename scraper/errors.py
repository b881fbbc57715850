"""Errors that end a run before it does harm, each told to the user in one line."""

from __future__ import annotations


class Refused(Exception):
    """A run that must not start (or go on): its message is one line naming the cause and the remedy.

    The ``crawl`` command prints it alone on stderr and exits 2, without a traceback.
    """

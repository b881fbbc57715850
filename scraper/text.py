"""Text normalisation shared by every field: one definition of "clean text"."""

from __future__ import annotations

import html
import re
import unicodedata

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[^\S\n]+")
# Zero-width characters CKEditor and copy-paste leave behind; they split words invisibly.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _visible(text: str) -> str:
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def decode_entities(text: str) -> str:
    """Decode entities left in text after parsing (the portal double-encodes some titles)."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def clean(text: str | None) -> str | None:
    """NFC, entities decoded, white space collapsed to single spaces; None when empty.

    Called about a hundred times a page, mostly on text that is already clean: the checks
    are inlined, and ASCII text skips the Unicode ones.
    """
    if text is None:
        return None
    if "&" in text:
        text = decode_entities(text)
    if not text.isascii():
        if INVISIBLE.search(text):
            text = INVISIBLE.sub("", text)
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split()) or None


def clean_lines(text: str) -> str:
    """Like :func:`clean` but keeps single line breaks (a ``<br>`` inside a paragraph)."""
    text = unicodedata.normalize("NFC", _visible(decode_entities(text)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def parse_count(text: str | None) -> int | None:
    """A count as Vietnamese writes it: dots or commas group thousands ("1.254" → 1254)."""
    if not text:
        return None
    m = re.search(r"\d{1,3}(?:[.,\s]\d{3})+(?!\d)|\d+", text)
    return int(re.sub(r"\D", "", m.group(0))) if m else None

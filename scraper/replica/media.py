"""Tiny valid images for ``/uploads/`` and ``/assets/``, built with the stdlib only.

Crawlers may download images or sniff their type; a 1×1 picture of the right
format is enough and keeps the replica dependency-free.
"""

from __future__ import annotations

import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_1x1() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    idat = zlib.compress(b"\x00\x80")  # filter byte 0, one grey pixel
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _jpeg_1x1() -> bytes:
    """Baseline 1×1 greyscale JPEG with one-symbol Huffman tables (DC diff 0, then EOB)."""
    soi, eoi = b"\xff\xd8", b"\xff\xd9"
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    sof0 = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, symbol 0
    dht = b"\xff\xc4\x00\x14\x00" + one_code + b"\xff\xc4\x00\x14\x10" + one_code
    sos = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    scan = b"\x3f"  # bits 0 (DC category 0), 0 (EOB), padded with ones
    return soi + app0 + dqt + sof0 + dht + sos + scan + eoi


PNG = _png_1x1()
JPEG = _jpeg_1x1()


def media_for(path: str) -> tuple[bytes, str] | None:
    """Bytes and Content-Type for an image address, or None for other extensions."""
    low = path.lower()
    if low.endswith(".png"):
        return PNG, "image/png"
    if low.endswith((".jpg", ".jpeg")):
        return JPEG, "image/jpeg"
    return None

"""Recognising a file that is not CSV text at all from its first bytes, to say what it is."""

from __future__ import annotations

import re

SNIFF_BYTES = 8192

#: Signatures of what lands by mistake under a .csv name: images, archives, office files.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office document (.xls)"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xff\xfe", "UTF-16 text (byte order mark FF FE)"),
    (b"\xfe\xff", "UTF-16 text (byte order mark FE FF)"),
)
# A JSON document opens with an object, or an array of values; ``[ID],[Name]`` stays CSV.
_JSON = re.compile(rb"^(\{|\[\s*([\[{\"\]\d-]|true|false|null|$))")


def sniff(head: bytes) -> str | None:
    """What the file looks like when it is not CSV text, or None when it may be CSV.

    Only the first bytes are looked at: a bad line further down is the reader's business
    (quarantined), not a reason to refuse the whole file.
    """
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if _JSON.match(text):
        return "a JSON document"
    if text.startswith(b"<"):
        return "an XML or HTML document"
    first_line = text.split(b"\n", 1)[0]
    if b"\x00" in first_line:
        return "binary data or UTF-16 text (NUL bytes in the first line)"
    return None

"""Decoding the text files people export from Excel (pure).

Excel's "CSV UTF-8" starts with a byte-order mark; its "Unicode text" is UTF-16; older
"CSV" is a legacy code page. Importers accept the first and name the place of the others.
"""

from __future__ import annotations

UTF8_BOM = b"\xef\xbb\xbf"


class NotUtf8(ValueError):
    """The bytes are not UTF-8: ``utf16``, or the first bad byte with its line and column."""

    def __init__(self, *, utf16: bool, line: int = 1, column: int = 1, byte: int = 0) -> None:
        super().__init__("UTF-16 text" if utf16 else f"byte 0x{byte:02X} at {line}:{column}")
        self.utf16 = utf16
        self.line = line
        self.column = column
        self.byte = byte


def decode_utf8(raw: bytes) -> str:
    """UTF-8 text without its byte-order mark, or raise :class:`NotUtf8` naming the place."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotUtf8(utf16=True)
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise NotUtf8(utf16=False, line=line, column=column, byte=raw[error.start]) from None

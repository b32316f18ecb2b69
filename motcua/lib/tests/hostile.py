"""Hostile import files, built in memory for the tests and bench/abuse/run.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _xlsx(add_parts: Callable[[zipfile.ZipFile], None]) -> bytes:
    """A workbook package: the parts every workbook has, then those ``add_parts`` writes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        add_parts(package)
    return buffer.getvalue()


def streamed_xlsx(header: list[str], rows: int, cell: str = "x") -> bytes:
    """A workbook with ``header`` then ``rows`` one-cell rows, and no ``<dimension>``: the
    sheet XML is written into the zip piece by piece (2.000.000 rows: about 290 KB packed,
    98 MB unpacked), as an attacker would build it."""

    def add_sheet(package: zipfile.ZipFile) -> None:
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData><row>" + "".join(map(_inline, header)).encode() + b"</row>"
            )
            chunk = f"<row>{_inline(cell)}</row>".encode() * 10_000
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write(f"<row>{_inline(cell)}</row>".encode() * (rows % 10_000))
            sheet.write(b"</sheetData></worksheet>")

    return _xlsx(add_sheet)


def zip_bomb_xlsx(unpacked_bytes: int = 40 * 1024 * 1024) -> bytes:
    """A workbook whose shared strings unpack to ``unpacked_bytes`` of spaces (about 1.000
    times smaller packed)."""

    def add_strings_and_sheet(package: zipfile.ZipFile) -> None:
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_bytes // len(block)):
                strings.write(block)
        package.writestr(
            "xl/worksheets/sheet1.xml",
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<sheetData/></worksheet>",
        )

    return _xlsx(add_strings_and_sheet)


def sheet_xlsx(sheet_xml: str) -> bytes:
    """A workbook whose only worksheet is ``sheet_xml`` (a whole ``<worksheet>`` document)."""
    return _xlsx(lambda package: package.writestr("xl/worksheets/sheet1.xml", sheet_xml))


def sheet_of_rows(*rows: str, before: str = "") -> bytes:
    """A workbook of a header (ma, ten) and the ``<row>`` elements ``rows``."""
    header = "<row>" + _inline("ma") + _inline("ten") + "</row>"
    return sheet_xlsx(
        f'{before}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{header}{''.join(rows)}</sheetData></worksheet>"
    )

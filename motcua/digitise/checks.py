"""What a scan is, measured before any OCR: pages, lowest resolution, colour; and refusals.

Bounded in time and memory whatever the file: an image's size is read from its header before
a pixel is decoded (and Pillow's decompression-bomb check is made an error), a JPEG is decoded
at a reduced scale, a PDF is refused above ``MOTCUA_DIGITISE_MAX_PAGES`` pages and its pages
are rendered small to judge colour. Refusals carry a ``Reason`` and a message for the clerk.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

import pikepdf
import pypdfium2 as pdfium
from django.utils.translation import gettext as _
from PIL import Image

from motcua.digitise.choices import Reason
from motcua.lib.formatting import format_number

# A side shorter than this is not a scan of a paper (a 1 px image, an icon).
MIN_SIDE = 100
# A4 at 600 dpi is 4.961 x 7.016 px, A3 at 600 dpi 7.016 x 9.921: a longer side is not a
# page scan, and decoding it would cost hundreds of megabytes.
MAX_SIDE = 14_000
# A PDF with more objects than this is refused before its objects are walked.
MAX_PDF_OBJECTS = 200_000
# Colour: a pixel whose channels differ by this much is coloured; a scan is colour when at
# least COLOUR_SHARE of its (thumbnail) pixels are. Paper tint and a red seal pass; a grey
# scan saved as RGB does not.
CHROMA = 10
COLOUR_SHARE = 0.01
THUMBNAIL = 256
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "F"})


class Refused(Exception):
    """The file is not accepted: ``code`` says why, ``message`` tells the clerk."""

    def __init__(self, code: Reason, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Measured:
    """What the checks found in a file."""

    pages: int
    lowest_dpi: int | None  # None: nothing scanned in it (a PDF of text only) or not recorded
    colour: bool
    dpi_recorded: bool = True


def _is_colour(image: Image.Image) -> bool:
    if image.mode in GREY_MODES:
        return False
    small = image.convert("RGB")
    small.thumbnail((THUMBNAIL, THUMBNAIL))
    raw = small.tobytes()
    count = len(raw) // 3
    coloured = sum(
        1
        for i in range(0, count * 3, 3)
        if max(raw[i], raw[i + 1], raw[i + 2]) - min(raw[i], raw[i + 1], raw[i + 2]) >= CHROMA
    )
    return count > 0 and coloured / count >= COLOUR_SHARE


def measure_image(data: bytes, *, max_pixels: int) -> Measured:
    """Check a JPEG or PNG scan; raise :class:`Refused` when it cannot be one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
                if min(width, height) < MIN_SIDE:
                    raise Refused(
                        Reason.TOO_SMALL,
                        _(
                            "The image is %(width)s x %(height)s px: a page scan has at least "
                            "%(minimum)s px on each side."
                        )
                        % {
                            "width": format_number(width),
                            "height": format_number(height),
                            "minimum": format_number(MIN_SIDE),
                        },
                    )
                if max(width, height) > MAX_SIDE or width * height > max_pixels:
                    raise Refused(
                        Reason.TOO_LARGE,
                        _(
                            "The image is %(width)s x %(height)s px: at most %(maximum)s px on a "
                            "side and %(pixels)s pixels are accepted."
                        )
                        % {
                            "width": format_number(width),
                            "height": format_number(height),
                            "maximum": format_number(MAX_SIDE),
                            "pixels": format_number(max_pixels),
                        },
                    )
                dpi = image.info.get("dpi")
                # Decoded at 1/8 scale where the format allows it (JPEG): the colour test
                # needs a thumbnail, not the full page in memory.
                image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
                colour = _is_colour(image)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow refuses a header that claims far more pixels than a page has.
        raise Refused(
            Reason.TOO_LARGE,
            _("The image claims more pixels than a page scan has (%(error)s).") % {"error": error},
        ) from None
    except (
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise Refused(
            Reason.BROKEN, _("The image cannot be read (%(error)s).") % {"error": error}
        ) from None
    lowest = None
    if dpi and all(float(value) > 1 for value in dpi):
        lowest = round(min(float(value) for value in dpi))
    return Measured(pages=1, lowest_dpi=lowest, colour=colour, dpi_recorded=lowest is not None)


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary of the file: its indirect objects and the direct dictionaries nested
    in them (an /OpenAction is often written inside the catalogue)."""
    for top in pdf.objects:
        stack = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                if isinstance(obj, pikepdf.Dictionary):
                    yield obj
                values = (
                    list(obj.values())
                    if isinstance(obj, pikepdf.Dictionary)
                    else list(obj.stream_dict.values())
                )
            elif isinstance(obj, pikepdf.Array):
                values = list(obj)
            else:
                continue
            # Indirect objects are visited from pdf.objects: no loop, each object once.
            stack.extend(v for v in values if not getattr(v, "is_indirect", True))


def _active_content(pdf: pikepdf.Pdf) -> Reason | None:
    if len(pdf.objects) > MAX_PDF_OBJECTS:
        raise Refused(
            Reason.BROKEN,
            _("The PDF has more than %(count)s objects.")
            % {"count": format_number(MAX_PDF_OBJECTS)},
        )
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            return Reason.ACTIVE_CONTENT
        if "/EmbeddedFiles" in names:
            return Reason.EMBEDDED_FILES
    for obj in _dictionaries(pdf):
        if "/JS" in obj or obj.get("/S") == pikepdf.Name.JavaScript:
            return Reason.ACTIVE_CONTENT
        kind = obj.get("/Type")
        if kind == pikepdf.Name.EmbeddedFile or "/EF" in obj:
            return Reason.EMBEDDED_FILES
        if obj.get("/Subtype") == pikepdf.Name.FileAttachment:
            return Reason.EMBEDDED_FILES
    return None


def _page_dpi(page: pikepdf.Page) -> int | None:
    """The resolution of the largest image drawn on ``page``, against the page's size; None
    when the page has no image (its text was not scanned)."""
    box = page.mediabox
    width_in = float(box[2] - box[0]) / 72
    height_in = float(box[3] - box[1]) / 72
    largest: tuple[int, int] | None = None
    for image in page.get_images().values():
        size = (int(image.get("/Width", 0)), int(image.get("/Height", 0)))
        if largest is None or size[0] * size[1] > largest[0] * largest[1]:
            largest = size
    if largest is None or width_in <= 0 or height_in <= 0:
        return None
    # The image may be drawn sideways (a landscape scan on a portrait page).
    across, down = sorted(largest)
    short_in, long_in = sorted((width_in, height_in))
    return round(min(across / short_in, down / long_in))


def measure_pdf(data: bytes, *, max_pages: int) -> Measured:
    """Check a PDF; raise :class:`Refused` for an encrypted, broken or active one, or one with
    more than ``max_pages`` pages."""
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError:
        raise Refused(Reason.ENCRYPTED, _("The PDF is protected by a password.")) from None
    except (pikepdf.PdfError, ValueError, OSError) as error:
        raise Refused(
            Reason.BROKEN, _("The PDF cannot be read (%(error)s).") % {"error": error}
        ) from None
    with pdf:
        if pdf.is_encrypted:
            raise Refused(Reason.ENCRYPTED, _("The PDF is encrypted."))
        try:
            count = len(pdf.pages)
            if count == 0:
                raise Refused(Reason.BROKEN, _("The PDF has no page."))
            if count > max_pages:
                raise Refused(
                    Reason.TOO_MANY_PAGES,
                    _("The PDF has %(count)s pages; at most %(maximum)s are accepted.")
                    % {"count": format_number(count), "maximum": format_number(max_pages)},
                )
            found = _active_content(pdf)
            if found == Reason.ACTIVE_CONTENT:
                raise Refused(found, _("The PDF contains JavaScript."))
            if found == Reason.EMBEDDED_FILES:
                raise Refused(found, _("The PDF contains embedded files."))
            resolutions = [dpi for page in pdf.pages if (dpi := _page_dpi(page)) is not None]
        except Refused:
            raise
        except (pikepdf.PdfError, ValueError, KeyError, TypeError) as error:
            raise Refused(
                Reason.BROKEN, _("The PDF cannot be read (%(error)s).") % {"error": error}
            ) from None
    colour = False
    try:
        document = pdfium.PdfDocument(data)
        try:
            for page in document:
                width, height = page.get_size()
                scale = THUMBNAIL / max(width, height, 1)
                rendered = page.render(scale=scale).to_pil()
                if _is_colour(rendered):
                    colour = True
                    break
        finally:
            document.close()
    except pdfium.PdfiumError as error:
        raise Refused(
            Reason.BROKEN, _("The PDF cannot be read (%(error)s).") % {"error": error}
        ) from None
    return Measured(
        pages=count,
        lowest_dpi=min(resolutions) if resolutions else None,
        colour=colour,
        dpi_recorded=True,
    )

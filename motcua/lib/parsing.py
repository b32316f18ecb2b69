"""Reading dates and moments as people type them: dd/mm/yyyy first, ISO accepted (pure).

Every entry point (CLI options, import files, forms) parses through here, so "07/04/2025" is
7 April everywhere. Callers turn the ValueError into a message that names their place.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MOMENT = re.compile(r"(?P<date>\S+)[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")


def parse_date(text: str) -> date:
    """'07/04/2025', '7/4/2025' or '2025-04-07'; raises ValueError for anything else."""
    text = text.strip()
    match = _VN_DATE.fullmatch(text)
    if match:
        return date(int(match[3]), int(match[2]), int(match[1]))
    match = _ISO_DATE.fullmatch(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    raise ValueError(f"{text!r} is not a date (dd/mm/yyyy)")


def parse_moment(text: str, tz: tzinfo) -> datetime:
    """'24/01/2025 16:30' or '2025-01-24 16:30[:00]' (also with T), in the time zone ``tz``."""
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date and time (dd/mm/yyyy HH:MM)")
    day = parse_date(match["date"])
    return datetime(
        day.year,
        day.month,
        day.day,
        int(match["h"]),
        int(match["m"]),
        int(match["s"] or 0),
        tzinfo=tz,
    )

"""Locale formats (settings.FORMAT_MODULE_PATH), and what the locales share."""

# Day first, as on the Vietnamese forms, in every language; ISO dates for machines.
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]

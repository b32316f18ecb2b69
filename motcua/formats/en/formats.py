"""English formats for motcua: day-first dates like the Vietnamese ones, to avoid 04/07 mix-ups."""

from django.conf.locale.en.formats import *  # noqa: F403

from motcua.formats import DATETIME_INPUT_FORMATS  # noqa: F401

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

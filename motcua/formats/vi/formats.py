"""Vietnamese formats: 1.608; 73,54; dd/mm/yyyy in input and output.

Django 5.2's own ``vi`` module leaves NUMBER_GROUPING, DATE_INPUT_FORMATS and FIRST_DAY_OF_WEEK
commented out, so numbers are not grouped and "07/04/2025" parses as 4 July
(notes/dependencies-verified.md §2).
"""

from django.conf.locale.vi.formats import *  # noqa: F403

from motcua.formats import DATETIME_INPUT_FORMATS  # noqa: F401

DATE_FORMAT = r"\N\g\à\y d \t\h\á\n\g n \n\ă\m Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DATETIME_FORMAT = r"H:i \n\g\à\y d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]

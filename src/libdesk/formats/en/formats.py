"""English on pages: "21 December 2026", "21 December 2026, 5:30 p.m."."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, P"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

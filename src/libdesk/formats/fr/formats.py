"""French on pages: "21 décembre 2026", "21 décembre 2026, 17:30" ("1er" for the first of a
month is added by the `date` filter: no format character says it)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

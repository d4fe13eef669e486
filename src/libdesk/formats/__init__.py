"""Date and time formats on pages, in each language's long form: "21 December 2026",
"21 décembre 2026" ("1er janvier 2027" for the first of a month, which the `date` filter of
libdesk.web.templatetags.dates adds). The API and CSV files keep ISO 8601. Django finds these
modules through FORMAT_MODULE_PATH; what they leave out comes from Django's own."""

from django.http import HttpRequest

from libdesk.library.selectors import the_library


def library(request: HttpRequest) -> dict:
    """The library's name for every page's header, fetched once per request."""
    return {"library": the_library()}

"""The two errors every door knows: bad input a service cannot accept (each names the field it
came in, so a form shows the message beside that field and the API answers 422 with it under
`loc`), and "not found", which is also the answer for what the caller may not see."""

from django.http import Http404


class InputError(Exception):
    location = "body"  # where the API's 422 says the value came: body, query or header

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, str(message)


class NotFound(Http404):
    """Not there, or not the caller's to see: one answer for both (STYLE.md, point 4), so an
    error never confirms that someone else's loan, hold or request exists. A subclass of
    Http404, so every door already answers it with 404."""

"""Branch reads for any caller: addresses and opening hours are public."""

from datetime import time
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import WithJsonSchema

from libdesk.library import selectors

router = Router(tags=["branches"])


# A wall-clock time in the library's zone ("09:30:00"). JSON Schema's "time" format would
# demand an offset ("09:30:00Z"), which opening hours do not have.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
            "description": "local time in the library's zone, HH:MM:SS",
        }
    ),
]


class HoursOut(Schema):
    weekday: int
    opens: LocalTime
    closes: LocalTime


class BranchOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    open_now: bool
    hours: list[HoursOut]


@router.get("", response=list[BranchOut], auth=None)
def list_branches(request: HttpRequest) -> list[dict]:
    """Every branch with its weekly hours (weekday 0 is Monday) and whether it is open now."""
    return [
        {
            "code": b.code,
            "name": b.name,
            "address": b.address,
            "phone": b.phone,
            "open_now": selectors.open_status(b).open_now,
            "hours": list(b.hours.all()),
        }
        for b in selectors.branches_with_hours()
    ]

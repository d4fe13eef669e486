"""Log lines as JSON objects, one a line (LIBDESK_LOG_FORMAT=json), for a log collector.

Each line has fixed fields: `time` (ISO 8601, UTC, milliseconds), `level`, `logger`,
`message`, `process`; and, written while a request is answered, `request_id`, `door`,
`method`, `route` (the route pattern, never the path) and, on the request's own line,
`status` and `duration_ms`; `exception` holds a traceback. Nothing else a record carries is
copied: Django attaches the whole request to its records (headers, cookies, the path), and
none of that belongs in a log.

Every text field goes through the same masking as the plain lines (core.logfiles.mask: long
numbers cut to their last four digits, private links' secrets cut off), and where a record
names the request's path (Django's "Not Found: /path"), the route pattern stands in for it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import UTC, datetime

from libdesk.core.logfiles import mask
from libdesk.core.request_log import CURRENT, UNRESOLVED, route_of

REQUEST_FIELDS = ("request_id", "door", "method", "route")
OUTCOME_FIELDS = ("status", "duration_ms")


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _paths_of(request) -> set[str]:
    paths = {getattr(request, "path", None), getattr(request, "path_info", None)}
    with contextlib.suppress(Exception):  # a half-built request: its plain path is enough
        paths.add(request.get_full_path())
    return {p for p in paths if p}


def _message(record: logging.LogRecord) -> str:
    """The record's message, with the request's path replaced by its route pattern."""
    request = getattr(record, "request", None)
    args = record.args
    if request is not None and isinstance(args, tuple) and hasattr(request, "path"):
        paths = _paths_of(request)
        route = route_of(request)
        args = tuple(route if isinstance(a, str) and a in paths else a for a in args)
    message = str(record.msg)
    if args:
        message = message % args
    return message


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(_message(record)),
            "process": record.process,
        }
        request = getattr(record, "request", None)
        current = CURRENT.get() or getattr(request, "observed", None)
        if current is not None:
            for name in REQUEST_FIELDS:
                line[name] = getattr(current, name)
        for name in OUTCOME_FIELDS:
            value = getattr(current, name, None) if current is not None else None
            if value is not None:
                line[name] = value
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            line["status"] = status
        if line.get("route") == UNRESOLVED and request is not None:
            line["route"] = route_of(request)
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = mask(record.exc_text)
        if record.stack_info:
            line["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)

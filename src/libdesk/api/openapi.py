"""The answers every operation may give, documented once: an operation's own `response=`
names what is particular to it (its result, its refusals), and this adds what the doors give
everywhere, so the OpenAPI description never misses a status the server really answers
(Schemathesis checks it on every run)."""

from __future__ import annotations

DETAIL = {
    "title": "DetailOut",
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "title": "FieldErrorsOut",
    "type": "object",
    "description": "What was wrong and where: each error names its location and field.",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}
COMMON = {
    "400": ("The body is not valid JSON", "DetailOut"),
    "401": (
        "No valid token: missing, wrong, expired, revoked, or ended with its holder's credentials",
        "DetailOut",
    ),
    "404": ("Not there, or not the caller's to see: the same answer", "DetailOut"),
    "413": ("The body is larger than the API takes", "DetailOut"),
    "415": ("The body is not application/json", "DetailOut"),
    "422": ("Malformed input: each error names where it was", "FieldErrorsOut"),
}


def _answer(description: str, component: str) -> dict:
    schema = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_common_answers(schema: dict) -> dict:
    """401 where a token is needed, 404 where the path names something, 400, 413, 415 and 422
    where a body is read (422 for parameters too); an answer the operation documents itself is
    left as it is."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("DetailOut", DETAIL)
    components.setdefault("FieldErrorsOut", FIELD_ERRORS)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            wanted = set()
            if operation.get("security"):
                wanted.add("401")
            if any(p.get("in") == "path" for p in parameters):
                wanted.add("404")
            if "requestBody" in operation:
                wanted |= {"400", "413", "415", "422"}
            if parameters:
                wanted.add("422")
            responses = operation.setdefault("responses", {})
            for status in sorted(wanted - set(responses)):
                responses[status] = _answer(*COMMON[status])
    return schema

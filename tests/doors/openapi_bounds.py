"""Finding parameters and body fields of an OpenAPI description that declare no range."""

from __future__ import annotations

from collections.abc import Iterator

# A string in one of these formats has a bounded length by its grammar.
BOUNDED_FORMATS = {"date", "date-time", "time", "uuid"}


def unbounded_inputs(spec: dict) -> dict[str, list[str]]:
    """For each operation ("GET /api/v1/..."), the inputs without a declared bound, each as
    "<where> <name>: <what is missing>"."""
    found: dict[str, list[str]] = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            problems = list(_operation_problems(spec, operation))
            if problems:
                found[f"{method.upper()} {path}"] = problems
    return found


def _operation_problems(spec: dict, operation: dict) -> Iterator[str]:
    for parameter in operation.get("parameters", []):
        where = f"{parameter['in']} {parameter['name']}"
        yield from _schema_problems(spec, parameter.get("schema", {}), where, set())
    body = operation.get("requestBody", {}).get("content", {})
    for media in body.values():
        yield from _schema_problems(spec, media.get("schema", {}), "body", set())


def _resolve(spec: dict, schema: dict) -> tuple[dict, str | None]:
    ref = schema.get("$ref")
    if ref is None:
        return schema, None
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node, ref


def _schema_problems(spec: dict, schema: dict, where: str, seen: set[str]) -> Iterator[str]:
    schema, ref = _resolve(spec, schema)
    if ref is not None:
        if ref in seen:
            return
        seen = {*seen, ref}
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _schema_problems(spec, option, where, seen)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return
    if kind in ("integer", "number"):
        if "minimum" not in schema and "exclusiveMinimum" not in schema:
            yield f"{where}: {kind} without minimum"
        if "maximum" not in schema and "exclusiveMaximum" not in schema:
            yield f"{where}: {kind} without maximum"
    elif kind == "string":
        if "maxLength" not in schema and schema.get("format") not in BOUNDED_FORMATS:
            yield f"{where}: string without maxLength"
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: array without maxItems"
        yield from _schema_problems(spec, schema.get("items", {}), f"{where}[]", seen)
    if kind == "object" or "properties" in schema:
        for name, child in schema.get("properties", {}).items():
            yield from _schema_problems(spec, child, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) or extra is True:
            if "maxProperties" not in schema:
                yield f"{where}: object with free keys without maxProperties"
            if isinstance(extra, dict):
                yield from _schema_problems(spec, extra, f"{where}.*", seen)

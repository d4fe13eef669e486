"""Every parameter and body field of every API operation declares its range (core.bounds), so
out-of-range input is a 422 naming the field, never a 500 or work in proportion to a value.

The walk reads the generated OpenAPI description, so a new operation is checked as soon as it
exists. One case per router module: a failure names the module that owns the operations.
"""

import pytest

from tests.doors.openapi_bounds import unbounded_inputs

pytestmark = pytest.mark.django_db

# The OpenAPI tag of each router, and the module that declares its operations.
ROUTERS = {
    "catalogue": "src/libdesk/catalog/api.py",
    "branches": "src/libdesk/library/api.py",
    "policies": "src/libdesk/policies/api.py",
    "circulation": "src/libdesk/circulation/api.py",
    "patrons": "src/libdesk/patrons/api.py",
    "serving": "src/libdesk/privacy/api.py",
    "sign-in": "src/libdesk/api/auth.py",
    "reference": "src/libdesk/reference/api.py",
    "feedback": "src/libdesk/feedback/api.py",
    "programs": "src/libdesk/programs/api.py",
}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations_tagged(spec: dict, tag: str) -> dict:
    paths = {}
    for path, operations in spec["paths"].items():
        tagged = {m: op for m, op in operations.items() if tag in op.get("tags", [])}
        if tagged:
            paths[path] = tagged
    return {**spec, "paths": paths}


def test_every_operation_belongs_to_a_known_router(spec):
    tags = {tag for ops in spec["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert tags <= set(ROUTERS), f"add the new routers to ROUTERS: {sorted(tags - set(ROUTERS))}"


@pytest.mark.parametrize("tag", list(ROUTERS))
def test_every_input_declares_a_bound(spec, tag):
    unbounded = unbounded_inputs(_operations_tagged(spec, tag))
    lines = [f"  {op}: {problem}" for op, problems in unbounded.items() for problem in problems]
    if lines:
        pytest.fail(
            f"{ROUTERS[tag]} has API inputs without a declared bound; give them the types of "
            "libdesk.core.bounds (Id, PageNumber, PageSize, Year, Days, Count, SearchText, "
            "ShortText, LongText, Code, CardNumber, Barcode, Secret, SaneDate, SaneDateTime, "
            "ShortList[...]):\n" + "\n".join(lines),
            pytrace=False,
        )


def test_the_walk_finds_each_kind_of_missing_bound():
    spec = {
        "paths": {
            "/things/{id}": {
                "post": {
                    "parameters": [
                        {"in": "path", "name": "id", "schema": {"type": "integer", "minimum": 1}},
                        {"in": "query", "name": "q", "schema": {"type": "string"}},
                        {
                            "in": "query",
                            "name": "day",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "in": "query",
                            "name": "kind",
                            "schema": {"type": "string", "enum": ["a"]},
                        },
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/In"}}
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "type": "object",
                    "properties": {
                        "tags": {"type": "array", "items": {"type": "string", "maxLength": 9}},
                        "names": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
                        "note": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
                        "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "child": {"$ref": "#/components/schemas/In"},
                    },
                }
            }
        },
    }
    assert unbounded_inputs(spec) == {
        "POST /things/{id}": [
            "path id: integer without maximum",
            "query q: string without maxLength",
            "body.tags: array without maxItems",
            "body.names[]: string without maxLength",
            "body.extra: object with free keys without maxProperties",
            "body.extra.*: integer without minimum",
            "body.extra.*: integer without maximum",
        ]
    }

"""A lint rule the suite keeps: no door (view, API handler, form, admin, CLI command, template
tag) reaches a patron-linked model itself. Doors go through the fetch-and-authorise selectors
and services, which check the access table and write the audit entry; a door that filtered
`Loan.objects` or `item.loans` itself would skip both (issue 10, ARCHITECTURE.md).

The patron-linked models are found, not listed: every model with a foreign key to a patron, or
to a model that has one, so a new table joins the rule by being declared."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

import libdesk

SOURCE = Path(libdesk.__file__).parent
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def patron_linked_models() -> set[type]:
    linked = {apps.get_model("patrons", "Patron")}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in linked:
                continue
            targets = {f.related_model for f in model._meta.get_fields() if f.many_to_one}
            if targets & linked:
                linked.add(model)
                grew = True
    return linked


def reverse_accessors(models: set[type]) -> set[str]:
    """`item.loans`, `fee.payments`...: managers that reach a patron-linked model from another."""
    names = set()
    for model in models:
        for field in model._meta.get_fields():
            if field.many_to_one and not field.remote_field.hidden:
                names.add(field.remote_field.get_accessor_name())
    return names


def door_modules() -> list[Path]:
    doors = []
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).parts
        name = path.stem
        if "migrations" in parts or "tests" in parts:
            continue
        if (
            name in {"views", "api", "admin", "forms", "urls"}
            or name.endswith("_views")
            or "commands" in parts
            or "templatetags" in parts
            or (parts[0] == "sip2" and name in {"server", "handlers", "patrons", "session"})
        ):
            doors.append(path)
    return sorted(doors)


def reaches(path: Path, model_names: set[str], accessors: set[str], root=SOURCE) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Attribute):
            continue
        model = node.value.id if isinstance(node.value, ast.Name) else None
        if node.attr in MANAGERS and model in model_names:
            found.append(f"{path.relative_to(root)}:{node.lineno} {model}.{node.attr}")
        elif node.attr in accessors and not (model and model[0].isupper()):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    return found


@pytest.fixture(scope="module")
def linked():
    return patron_linked_models()


def test_the_rule_knows_the_patron_linked_tables(linked):
    names = {m.__name__ for m in linked}
    assert {"Patron", "Loan", "Hold", "Fee", "PatronRequest", "ServingContext"} <= names
    assert {"Item", "Record", "Branch", "StaffUser"}.isdisjoint(names)


def test_no_door_reaches_a_patron_linked_model_itself(linked):
    names = {m.__name__ for m in linked}
    accessors = reverse_accessors(linked)
    offenders = [hit for door in door_modules() for hit in reaches(door, names, accessors)]
    assert offenders == [], "use a fetch-and-authorise selector or a service:\n" + "\n".join(
        offenders
    )


def test_the_rule_catches_a_door_that_filters_loans_itself(tmp_path, linked):
    """The rule itself can fail: a door written the old way is caught."""
    door = tmp_path / "views.py"
    door.write_text(
        "def renew(request, item):\n"
        "    loan = Loan.objects.filter(patron_id=request.user.pk).first()\n"
        "    return item.loans.filter(closed_at=None)\n"
    )
    names = {m.__name__ for m in linked}
    hits = reaches(door, names, reverse_accessors(linked), root=tmp_path)
    assert sorted(h.split(" ", 1)[1] for h in hits) == [".loans", "Loan.objects"]

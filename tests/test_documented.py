"""Rules a tool keeps about the docs (STYLE.md, issue 11): every model says in a docstring what
it is and why, and every setting libdesk reads from the environment is in
docs/configuration.md, so neither can be added without its words."""

import re
from pathlib import Path

from django.apps import apps

import libdesk

SOURCE = Path(libdesk.__file__).parent
DOCS = SOURCE.parent.parent / "docs" / "configuration.md"


def test_every_model_has_a_docstring():
    bare = [
        f"{model.__module__}.{model.__name__}"
        for model in apps.get_models()
        if model.__module__.startswith("libdesk.")
        and (model.__doc__ or "").startswith(f"{model.__name__}(")  # Django's stand-in
    ]
    assert bare == []


def test_every_setting_read_from_the_environment_is_documented():
    read = set()
    for path in SOURCE.rglob("*.py"):
        read |= set(re.findall(r"\"(LIBDESK_[A-Z_]+)\"", path.read_text()))
    documented = set(re.findall(r"LIBDESK_[A-Z_]+", DOCS.read_text()))
    assert sorted(read - documented) == []

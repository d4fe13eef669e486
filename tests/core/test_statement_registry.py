"""Every statement is known and compiled before a process serves anyone: a broken one stops
`libdesk run`, `serve_web`, `db_worker` and CI, never a patron's checkout."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

import libdesk
from libdesk.core.statement_registry import (
    check_statements,
    compile_all,
    declaring_modules,
    import_declarations,
    registered,
)
from libdesk.core.statements import Select
from libdesk.library.models import Branch

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_libdesk_statement_compiles_at_start_up():
    """The system check Django runs before every command; CI runs it here."""
    call_command("check")  # raises SystemCheckError on any refused statement
    import_declarations()
    statements = registered("libdesk")
    assert len(statements) >= 40
    assert compile_all(statements) == []
    assert check_statements() == []


def test_every_module_that_declares_statements_is_found_from_its_sources():
    """The check imports only the modules whose sources import the statement classes; with
    every libdesk module imported, no statement comes from anywhere else."""
    for module in pkgutil.walk_packages(libdesk.__path__, "libdesk."):
        if not module.name.endswith(("__main__", ".wsgi")) and ".migrations" not in module.name:
            importlib.import_module(module.name)
    declared_in = {statement.module for statement in registered("libdesk")}
    assert declared_in == set(declaring_modules())
    assert "libdesk.circulation.services.lending" in declared_in


def test_statements_are_named_where_they_are_declared():
    import_declarations()
    names = {statement.name for statement in registered("libdesk")}
    assert "libdesk.circulation.services.lending.NEW_LOAN" in names
    assert "libdesk.circulation.services.queue.QUEUE[True]" in names
    assert "libdesk.patrons.selectors.PATRON_BY_CARD" in names


@pytest.mark.django_db
def test_a_broken_statement_is_a_check_error_naming_it_and_its_slot():
    broken = Select(lambda name: Branch.objects.filter(name__contains=name), name=str)
    errors = check_statements()
    assert [error.id for error in errors] == ["libdesk.E001"]
    assert errors[0].obj == broken.name
    assert errors[0].msg.startswith("slot 'name' goes through the `contains` lookup")
    assert "tests.core.test_statement_registry" in broken.name


def libdesk_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`libdesk ...` as a library runs it, with an app that declares a broken statement."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.core.broken_statement_settings",
        LIBDESK_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(REPO),
    )
    return subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.once
@pytest.mark.parametrize(
    "command",
    [
        ("run", "--web-port", "8999"),
        ("serve_web", "--bind", "127.0.0.1", "--port", "8999"),
        ("db_worker",),
    ],
    ids=lambda command: command[0],
)
def test_a_broken_statement_stops_the_services_before_they_start(tmp_path, command):
    # A migrated library (made without the broken app), so the commands get as far as their
    # checks: with no database they would stop earlier, telling the user to migrate.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.update(LIBDESK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="libdesk.settings")
    migrate = [sys.executable, "-m", "libdesk", "migrate", "--no-input"]
    subprocess.run(migrate, env=env, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    result = libdesk_command(tmp_path, *command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SystemCheckError" in result.stderr
    assert "tests.core.broken_statement_app.statements.BRANCH_NAMED" in result.stderr
    assert "slot 'name' goes through the `iexact` lookup" in result.stderr
    assert "libdesk is serving" not in result.stdout

"""Every compiled statement, known by name and compiled when a process starts.

Why: a statement that cannot be compiled safely is a programming error waiting in a module
until its first use, which may be a patron's checkout on a rare path. Compiling every
statement at start-up moves that error to `libdesk run` and to CI.

How:
- Each `Select`, `Update`, `Insert` and `Delete` (core/statements.py) registers itself here
  when it is declared. The registry holds them weakly, so a statement a test builds and drops
  does not linger into the next test; a declared one lives in its module.
- `import_declarations()` imports every libdesk module that declares statements, found by
  reading the package's sources for imports of `libdesk.core.statements` (so a command need
  not import the whole package, and a new module is found without a list to keep).
- `compile_all()` compiles each registered statement for its database and returns one
  problem per statement it refuses, each naming the statement and the slot.
- `check_statements` is a Django system check (registered by the core app, `core/apps.py`).
  It is not tagged `database` on purpose: Django runs untagged checks before every management
  command, so `libdesk run`, `serve_web`, `db_worker` and `migrate` refuse to start with a
  clear error naming the broken statement, and the compiled statements are kept for the
  process, so none compiles on a patron's request. Compiling reads no table; on PostgreSQL it
  may connect to learn the server's version, and when the database cannot be reached the
  check says so as a warning and the command meets the database error itself.
- The test suite runs the check (tests/core/test_statement_registry.py), so CI fails on a
  broken statement, and compares every registered statement with the plain ORM
  (tests/core/test_statement_equivalence.py).
"""

from __future__ import annotations

import ast
import importlib
import sys
import weakref
from collections.abc import Iterable
from itertools import count
from pathlib import Path
from typing import Any, Protocol

from django.core import checks
from django.db import DatabaseError, connection, connections, transaction

from libdesk.core.statement_slots import StatementError

STATEMENTS_MODULE = "libdesk.core.statements"


class _Statement(Protocol):
    """What the registry needs of a statement (core/statements.py registers itself here, so
    this module does not import it back)."""

    module: str

    @property
    def name(self) -> str: ...

    def compiled(self) -> tuple[Any, Any]: ...


_registered: weakref.WeakValueDictionary[int, _Statement] = weakref.WeakValueDictionary()
_order = count()


def register(statement: _Statement) -> None:
    _registered[next(_order)] = statement


def registered(package: str | None = None) -> list[_Statement]:
    """Every statement alive in this process (or declared in `package`), in the order they
    were declared."""
    found = [statement for _, statement in sorted(_registered.items())]
    if package is None:
        return found
    return [s for s in found if s.module == package or s.module.startswith(f"{package}.")]


def name_in_module(statement: _Statement) -> str | None:
    """`module.NAME`, or `module.NAME[key]` for a statement kept in a dict, or None while
    its module is still being imported."""
    module = sys.modules.get(statement.module)
    for attribute, value in vars(module).items() if module is not None else ():
        if value is statement:
            return f"{statement.module}.{attribute}"
        if isinstance(value, dict):
            for key, item in value.items():
                if item is statement:
                    return f"{statement.module}.{attribute}[{key!r}]"
    return None


def declaring_modules(package: str = "libdesk") -> list[str]:
    """The modules of `package` that import the statement classes, read from their sources."""
    root = Path(importlib.import_module(package).__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "statements" not in source or not _imports_statements(ast.parse(source, str(path))):
            continue
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module not in (STATEMENTS_MODULE, __name__):
            found.append(module)
    return found


def _imports_statements(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module == STATEMENTS_MODULE:
                return True
            if node.module == "libdesk.core" and any(a.name == "statements" for a in node.names):
                return True
        elif isinstance(node, ast.Import) and any(a.name == STATEMENTS_MODULE for a in node.names):
            return True
    return False


def import_declarations() -> list[str]:
    """Import every module that declares statements, so all of them are registered."""
    modules = declaring_modules()
    for module in modules:
        importlib.import_module(module)
    return modules


def compile_all(statements: Iterable[_Statement] | None = None) -> list[tuple[_Statement, str]]:
    """Compile each statement (every registered one by default) for its database; return
    (statement, why) for each one refused. A DatabaseError (no database) is not caught."""
    refused = []
    for statement in registered() if statements is None else statements:
        try:
            statement.compiled()
        except StatementError as error:
            refused.append((statement, str(error)))
    return refused


def _compile_every_statement() -> list[tuple[_Statement, str]]:
    """Where rows can be locked (PostgreSQL), a statement that locks them compiles only inside
    a transaction (Django refuses select_for_update in autocommit): one is opened and rolled
    back, nothing run in it. SQLite has no such statement, and a transaction there would take
    the write lock at every command's start."""
    if not connection.features.has_select_for_update:
        return compile_all()
    with transaction.atomic():
        refused = compile_all()
        transaction.set_rollback(True)
    return refused


def check_statements(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: every statement of libdesk compiles safely on its database."""
    import_declarations()
    closed = [alias for alias in connections if connections[alias].connection is None]
    try:
        refused = _compile_every_statement()
    except DatabaseError as error:
        return [
            checks.Warning(
                f"libdesk's compiled statements were not checked: the database could not be "
                f"reached ({error})",
                id="libdesk.W001",
            )
        ]
    finally:  # a connection opened to compile (PostgreSQL) is not kept by the command
        for alias in closed:
            connections[alias].close()
    return [
        checks.Error(
            why.removeprefix(f"statement {statement.name}: "),
            hint="core/statement_slots.py says what a slot may be; fix the declaration in "
            f"{statement.module}",
            obj=statement.name,
            id="libdesk.E001",
        )
        for statement, why in refused
    ]

"""The layer contracts hold. import-linter checks those in pyproject.toml
([tool.importlinter]): the domain is layered app by app, no door imports another, the API and
the web keep to their own pieces, an app's modules import each other without cycles. This file
also checks, with import-linter's own graph (grimp), that no domain module imports a door: a
door is named for what it is, every other module is domain. Part of `./dev test`, so CI fails
on a broken contract; `lint-imports` prints the same report by hand."""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT = (
    "import sys; from importlinter.cli import lint_imports_command as run; "
    "sys.argv[0] = 'lint-imports'; sys.exit(run())"
)
# Doors, and the pieces the web's doors share (forms, panels, the serving page, decorators);
# the SIP2 server is a door too (its server, its message handlers and their session state).
DOOR = re.compile(
    r"^libdesk\.(web|api|urls|wsgi|cli|__main__)(\.|$)"
    r"|^libdesk\.sip2\.(server|handlers|session|patrons)$"
    r"|\.(views|\w+_views|api|admin|forms|urls|\w+_urls|decorators|panels|serving_page)$"
    r"|\.management(\.|$)|\.templatetags(\.|$)"
)


def lint(config: Path, source: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LINT, str(config), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=config.parent,
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def domain_imports_of_doors(package: str = "libdesk") -> list[str]:
    graph = grimp.build_graph(package, cache_dir=None)
    wrong = []
    for module in sorted(graph.modules):
        if DOOR.search(module):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if DOOR.search(imported):
                wrong.append(f"{module} -> {imported}")
    return wrong


def test_the_import_contracts_are_kept():
    result = lint(ROOT / "pyproject.toml", ROOT / "src")
    assert "Contracts: " in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_domain_never_imports_a_door():
    assert domain_imports_of_doors() == []


def test_a_broken_contract_fails():
    """The checks can fail: the same contracts over a copy where a domain module imports a
    door, which also makes two doors import each other through it. The copy is removed at
    the end: it holds the demo's published cards and password, which the secret scan would
    otherwise find in the files the tests left."""
    with tempfile.TemporaryDirectory() as folder:
        broken_copy_fails(Path(folder))


def broken_copy_fails(copy: Path) -> None:
    shutil.copytree(ROOT / "src" / "libdesk", copy / "src" / "libdesk")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    wrong = copy / "src" / "libdesk" / "circulation" / "counts.py"
    wrong.write_text(wrong.read_text() + "\nfrom libdesk.circulation import desk_views  # noqa\n")
    result = lint(copy / "pyproject.toml", copy / "src")
    assert result.returncode != 0
    assert "No door imports another door (web views, API handlers, CLI commands) BROKEN" in (
        result.stdout
    )
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.test_layers import domain_imports_of_doors as f; print(f())",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{copy / 'src'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert "libdesk.circulation.counts -> libdesk.circulation.desk_views" in found.stdout

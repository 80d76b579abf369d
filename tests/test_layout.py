"""The layout of the suite: no test module imports another test module or a conftest.

Shared builders live in tests/factories.py, shared helpers in plain modules (tests/helpers.py,
tests/booking_walk.py, tests/forms/workers_side.py, tests/e2e/journeys.py...), shared fixtures
in conftest files, which pytest loads itself."""

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(tree):
    """Every dotted module name an import statement names, `from x import y` giving x and x.y."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield base
            yield from (f"{base}.{alias.name}" if node.module else base + alias.name for alias in node.names)


def forbidden(name):
    """The last part of a module name that is a test module or a conftest, if any."""
    return next((part for part in name.split(".") if part == "conftest" or part.startswith("test_")), None)


def bad_imports(source):
    return sorted({name for name in imported_modules(ast.parse(source)) if forbidden(name)})


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        found = bad_imports(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(TESTS.parent))] = found
    assert offenders == {}


def test_the_check_sees_every_form_of_import():
    assert bad_imports("from tests.forms.test_booking import DETAILS") == [
        "tests.forms.test_booking",
        "tests.forms.test_booking.DETAILS",
    ]
    assert bad_imports("import tests.forms.test_booking as booking") == ["tests.forms.test_booking"]
    assert bad_imports("from tests.e2e.conftest import axe_violations") == [
        "tests.e2e.conftest",
        "tests.e2e.conftest.axe_violations",
    ]
    assert bad_imports("from . import test_booking") == [".test_booking"]
    assert bad_imports("from .conftest import world") == [".conftest", ".conftest.world"]
    assert bad_imports("from tests.forms import test_booking") == ["tests.forms.test_booking"]


def test_the_check_lets_helpers_through():
    source = (
        "from tests.factories import SchoolPageFactory\n"
        "from tests.booking_walk import walk_to\n"
        "from tests.forms.workers_side import future\n"
        "import pytest\n"
        "from django.test import testcases\n"
    )
    assert bad_imports(source) == []

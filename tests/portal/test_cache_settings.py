"""The cache settings are declared in one place and listed in the README; `make run` serves
edits at once and links to its own address."""

import re
import subprocess

from django.conf import settings

CACHE_SETTINGS = [
    "PAGE_CACHE_ENABLED",
    "PAGE_CACHE_TIMEOUT",
    "PAGE_CACHE_SHARED_MAX_AGE",
    "FRAGMENT_CACHE_ENABLED",
    "FRAGMENT_CACHE_TIMEOUT",
    "CACHE_UNAVAILABLE_RETRY_SECONDS",
]


def test_every_cache_setting_is_declared_in_base_settings_and_listed_in_the_readme():
    from portal.settings import base

    readme = (settings.BASE_DIR / "README.md").read_text()
    for name in CACHE_SETTINGS:
        assert hasattr(base, name), name
        assert f"| `{name}` |" in readme, name


def test_no_cache_setting_is_read_with_a_default():
    """A default at the place of use would hide a setting missing from base.py."""
    pattern = re.compile(r"getattr\(\s*settings\s*,\s*[\"'](?:PAGE|FRAGMENT)_CACHE")
    sources = [*settings.BASE_DIR.glob("*/**/*.py")]
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in sources
        if ".venv" not in path.parts and "tests" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_make_run_caches_nothing_so_that_an_edit_shows_on_the_next_reload():
    from portal.settings import dev

    assert dev.PAGE_CACHE_ENABLED is False
    assert dev.FRAGMENT_CACHE_ENABLED is False


def test_make_run_links_point_at_its_own_host_and_port():
    commands = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", "PORT=8765"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    serve = next(line for line in commands.splitlines() if "runserver" in line)
    assert "BASE_URL=http://127.0.0.1:8765 " in serve and serve.endswith("runserver 127.0.0.1:8765")

"""Meta-tests, as datasette has: no hook goes untested or undocumented.

A hook counts as tested when a ``test_hook_<name>`` function exists in a
``tests/test_plugins*.py`` file, and as documented when ``docs/plugins.md`` has a heading
with its exact signature, e.g. ``### register_backends(register)``.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from advisor import api, hookspecs, testing
from advisor.plugins import hook_names

ROOT = Path(__file__).parents[1]
DOCS = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
HEADINGS = [
    line.lstrip("#").strip().strip("`") for line in DOCS.splitlines() if line.startswith("#")
]


def signature(hook: str) -> str:
    params = inspect.signature(getattr(hookspecs, hook)).parameters
    return f"{hook}({', '.join(params)})"


def test_there_are_hooks_to_check():
    assert hook_names() == [
        "register_backends",
        "register_commands",
        "register_cost_options",
        "register_doctor_checks",
        "register_questions",
    ]


def plugin_test_names() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "tests").glob("test_plugins*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_a_test(hook):
    assert f"test_hook_{hook}" in plugin_test_names()


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_a_docs_heading_with_its_signature(hook):
    assert signature(hook) in HEADINGS


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_says_when_it_is_called_and_what_it_takes(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Called" in doc
    assert "Arguments:" in doc
    assert "Returns" in doc


@pytest.mark.parametrize("name", sorted({*api.__all__, *testing.__all__}))
def test_every_public_name_is_documented(name):
    assert re.search(rf"^#+ .*`{re.escape(name)}`", DOCS, re.MULTILINE), (
        f"docs/plugins.md has no heading for `{name}`"
    )

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
        "register_catalogs",
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


# --- the docs use public names only (issue 20, items 8 and 9) ------------------------------

PUBLIC = {"api": api, "testing": testing}


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS, re.DOTALL)


def test_the_docs_have_python_examples_to_check():
    assert len(python_blocks()) >= 8


@pytest.mark.parametrize("block", python_blocks(), ids=lambda b: b.splitlines()[0][:40])
def test_every_python_example_parses_and_imports_only_public_advisor_names(block):
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "advisor":
            module = node.module.removeprefix("advisor.")
            assert module in PUBLIC, f"example imports from advisor.{module}"
            for alias in node.names:
                assert alias.name in PUBLIC[module].__all__, f"advisor.{module}.{alias.name}"
                assert hasattr(PUBLIC[module], alias.name)
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "advisor" for a in node.names)


def test_every_dotted_advisor_name_in_the_docs_is_public():
    # advisor.toml and .advisor.yml are files, not modules.
    dotted = set(re.findall(r"\badvisor\.([A-Za-z_][\w.]*)", DOCS)) - {"toml", "yml"}
    for name in dotted:
        module, _, attr = name.partition(".")
        assert module in PUBLIC, f"docs/plugins.md mentions advisor.{name}"
        if attr:
            assert attr.split(".")[0] in PUBLIC[module].__all__, f"advisor.{name}"


def test_every_name_in_the_reference_is_importable_from_api_or_testing():
    reference = DOCS[DOCS.index("## Public API reference"):]
    names = re.findall(r"^### `(\w+)`", reference, re.MULTILINE)
    assert len(names) >= 20
    for name in names:
        assert any(name in module.__all__ for module in PUBLIC.values()), name


def test_system_and_prediction_match_what_every_starter_defines():
    starter = ROOT / "templates" / "starter" / "files" / "src" / "{{package}}" / "evaluation.py"
    tree = ast.parse(starter.read_text(encoding="utf-8"))
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Prediction"]
    fields = [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)]
    [system] = [n for n in tree.body if isinstance(n, ast.Assign)
                and any(getattr(t, "id", "") == "System" for t in n.targets)]

    assert fields == list(api.Prediction.__dataclass_fields__) == ["answer", "sources", "usage"]
    [usage] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Usage"]
    usage_fields = [n.target.id for n in usage.body if isinstance(n, ast.AnnAssign)]
    assert usage_fields == list(api.Usage.__dataclass_fields__)
    assert ast.unparse(system.value) == "Callable[[str], Prediction]"
    assert api.Prediction("x").sources == []


def test_every_link_within_the_page_reaches_a_heading():
    def slug(heading: str) -> str:  # GitHub's: lower case, punctuation out, spaces to -
        return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")

    anchors = {slug(line.lstrip("#").strip()) for line in DOCS.splitlines()
               if line.startswith("#")}
    for target in re.findall(r"\]\(#([^)]+)\)", DOCS):
        assert target in anchors, f"docs/plugins.md links to #{target}, which is no heading"

"""The plugin registers its backend through advisor's public API and its templates exist."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from advisor.api import InputError, ScaffoldContext
from advisor.testing import invoke, plugin_registered

from advisor_pgvector import plugin

PACKAGE = Path(plugin.__file__).parent


def context(**answers) -> ScaffoldContext:
    return ScaffoldContext("demo", "demo", answers, ("pgvector-rag",), ("rag",))


def test_registers_the_pgvector_rag_backend():
    with plugin_registered(plugin) as manager:
        backend = manager.backends()["pgvector-rag"]

    assert backend.approaches == ("rag",)
    assert [q.key for q in backend.questions] == ["pgvector_table", "pgvector_dimensions"]
    assert "psycopg[binary]>=3.2" in backend.dependencies
    assert [v.name for v in backend.env if v.secret] == ["PGVECTOR_DATABASE_URL", "OPENAI_API_KEY"]


def test_advisor_plugins_lists_it():
    with plugin_registered(plugin, name="pgvector"):
        result = invoke(["plugins", "--format", "json"])

    [entry] = json.loads(result.stdout)
    assert entry["hooks"] == ["register_backends"]
    assert entry["backends"][0]["name"] == "pgvector-rag"
    assert entry["errors"] == []


def test_installed_entry_point_is_found():
    """Runs the installed `advisor` in a fresh process (pip install -e examples/advisor-pgvector).

    Only public interfaces: the console script and the documented environment variables.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(ADVISOR_LOAD_PLUGINS="advisor-pgvector", ADVISOR_STRICT_PLUGINS="1")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "advisor"), "plugins", "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert (entry["name"], entry["distribution"]) == ("pgvector", "advisor-pgvector")
    assert entry["version"] == "0.1.0"


def test_scaffold_step_passes_the_table_and_dimensions_to_the_templates():
    extra = plugin.extra_context(context(pgvector_table="guideline_chunks", pgvector_dimensions=3))

    assert extra == {"pgvector_table": "guideline_chunks", "pgvector_dimensions": 3}
    defaults = plugin.extra_context(context())
    assert defaults == {"pgvector_table": "chunks", "pgvector_dimensions": 1536}


@pytest.mark.parametrize("table", ["chunks; DROP TABLE users", "Chunks", "1chunks", "a" * 64])
def test_scaffold_step_refuses_a_table_name_that_is_not_an_identifier(table):
    with pytest.raises(InputError, match=r"pgvector_table: .* is not allowed"):
        plugin.extra_context(context(pgvector_table=table))


def test_templates_follow_the_scaffold_layout():
    root = plugin.BACKEND.template_dir
    own = root / "files" / "src" / "{{package}}" / "pgvector_rag"

    assert (root / "readme.md").is_file()
    for module in (*plugin.BACKEND.commands, *plugin.BACKEND.eval_systems):
        assert (own.parent / (module.replace(".", "/") + ".py")).is_file()
    tests = sorted(p.name for p in (root / "files" / "tests").iterdir())
    assert tests and all(name.startswith("test_pgvector_rag_") for name in tests)
    corpus = {p.name for p in (root / "files" / "data" / "corpus").glob("*.md")}
    assert corpus == {"hypertension.md", "diabetes.md", "vaccination.md", "hypertension-ko.md"}


def test_plugin_imports_nothing_from_advisor_but_the_public_api():
    imported = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    assert {m for m in imported if m.split(".")[0] == "advisor"} == {"advisor.api"}

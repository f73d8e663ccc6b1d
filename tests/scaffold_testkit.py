"""Test backends for the scaffold engine, registered as a plugin would register them.

``test-rag`` and ``test-tune`` exercise every part of the backend contract
(docs/scaffold.md) without the real backends: questions, ``extra_context``, a readme
fragment, a shared ``include`` part, contributions to every shared file, a binary file, a
conditional file name, a provider notice. Their templates live under
``scaffold_backends/templates`` (ruff skips ``templates`` folders; the template test files
have templated names, so pytest does not collect them here).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from advisor import plugins
from advisor.api import Backend, EnvVar, InputError, Question, ScaffoldContext, hookimpl
from advisor.cli import cli

TEMPLATES = Path(__file__).parent / "scaffold_backends" / "templates"
PLUGIN_NAME = "advisor-scaffold-test-backends"

# A hybrid decision: fast-changing facts with citations (retrieval) and a strict house
# style with enough examples and budget (fine-tuning).
HYBRID_ANSWERS = {
    "volatility": "monthly",
    "format": "strict",
    "latency_ms": 3000,
    "budget_usd": 5000,
    "examples": 300,
    "citations": True,
    "documents": 1200,
}
RAG_ANSWERS = {**HYBRID_ANSWERS, "format": "light"}


def _index_name(context: ScaffoldContext) -> Mapping[str, Any]:
    collection = context.answers["test_collection"]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", collection):
        raise InputError(
            f"test_collection: {collection!r} is not a collection name (allowed: letters and "
            "digits, starting with a letter)"
        )
    return {"index_name": collection.lower()}


TEST_RAG = Backend(
    name="test-rag",
    approaches=("rag",),
    description="Keyword lookup over a tiny corpus (test backend)",
    template_dir=TEMPLATES / "test-rag",
    questions=(
        Question("test_collection", "str", "Collection to search.", default="Guidelines"),
        Question("test_top_k", "int", "Passages per answer.", default=3, minimum=1, maximum=50),
        Question("test_with_notes", "bool", "Write NOTES.md too?", default=False),
    ),
    include=(TEMPLATES / "parts" / "shared",),
    dependencies=("click>=8.1", "pydantic-settings>=2.4"),
    dev_dependencies=("pytest>=8",),
    env=(
        EnvVar("TEST_RAG_URL", "Where the test index lives", "http://127.0.0.1:8080"),
        EnvVar("TEST_RAG_API_KEY", "Key of the test index", "replace-me", secret=True),
    ),
    gitignore=("data/index/", ".env"),
    commands=("testrag.commands",),
    eval_systems=("testrag.systems",),
    next_steps=("{{ project_slug }} collection",),
    extra_context=_index_name,
)

TEST_TUNE = Backend(
    name="test-tune",
    approaches=("fine-tune",),
    description="A model that always answers the same (test backend)",
    template_dir=TEMPLATES / "test-tune",
    questions=(Question("test_model", "str", "Base model to tune.", default="tiny-model"),),
    include=(TEMPLATES / "parts" / "shared",),
    dependencies=("click >= 8.1.3",),
    env=(EnvVar("TEST_RAG_API_KEY", "Key, again", "other-placeholder", secret=True),),
    eval_systems=("testtune.systems",),
    provider="openai-fine-tuning",
)


class BackendsPlugin:
    """A plugin object registering the given backends."""

    def __init__(self, *backends: Backend) -> None:
        self.backends = backends

    @hookimpl
    def register_backends(self, register):
        for backend in self.backends:
            register(backend)


def use_backends(monkeypatch: Any, *backends: Backend) -> Iterator[None]:
    """Register only ``backends`` (no installed plugin) for the length of a test."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    plugins.reset()
    manager = plugins.get_plugins()
    manager.add(BackendsPlugin(*backends), PLUGIN_NAME)
    yield
    manager.remove(PLUGIN_NAME)
    plugins.reset()


def write_answers(folder: Path, answers: Mapping[str, Any], name: str = "answers.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(dict(answers)), encoding="utf-8")
    return path


def run_advisor(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def tree_digest(root: Path) -> dict[str, str]:
    """Every entry under ``root``: files by content hash, links by target, folders by name."""
    found: dict[str, str] = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = "link:" + str(path.readlink())
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def make_backend(
    root: Path, name: str, files: Mapping[str, str | bytes], **fields: Any
) -> Backend:
    """A backend whose template dir (under ``root``) holds ``files`` (path -> content)."""
    template_dir = root / name
    for relative, content in files.items():
        path = template_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    template_dir.mkdir(parents=True, exist_ok=True)
    fields.setdefault("approaches", ("rag",))
    fields.setdefault("description", f"{name} (test backend)")
    return Backend(name=name, template_dir=template_dir, **fields)

"""A starter's own tests and lint hold whatever the project is called (issue 20, bug 1).

The generated tests import the project's package under a fixed alias, so a package named
like one of their local variables (``out``, ``run``, ``path``, ``loaded``, ``main``)
breaks neither pytest nor ruff; a name that would shadow one of the project's
dependencies (``pytest``, ``click``) is refused before anything is written.
"""

from __future__ import annotations

import pytest
from scaffold_testkit import run_advisor
from starter_runs import ruff_failures, run_in_starter

from advisor import plugins

NAMES = ("out", "run", "path", "loaded", "main")


@pytest.fixture(autouse=True)
def built_in_plugins_only(monkeypatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "hf-lora,openai-finetune,weaviate-rag")
    plugins.reset()
    yield
    plugins.reset()


@pytest.mark.parametrize("name", NAMES)
def test_a_package_named_like_a_test_variable_passes_ruff(tmp_path, name):
    result = run_advisor("scaffold", tmp_path / name, "--backend", "hf-lora", "--no-input")

    assert result.exit_code == 0, result.output
    assert ruff_failures(tmp_path / name) == []


@pytest.mark.parametrize("name", ["out", "run"])
def test_a_package_named_like_a_test_variable_passes_its_startup_tests(tmp_path, name):
    project = tmp_path / name
    assert run_advisor("scaffold", project, "--backend", "hf-lora", "--no-input").exit_code == 0

    tests = run_in_starter(project, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_startup.py", "tests/chatdata/test_defaults.py")

    assert tests.returncode == 0, tests.stdout + tests.stderr


@pytest.mark.parametrize(
    ("name", "backend"),
    [("pytest", "hf-lora"), ("click", "weaviate-rag"), ("weaviate", "weaviate-rag"),
     ("openai", "openai-finetune"), ("dotenv", "hf-lora")],
)
def test_a_package_that_would_shadow_a_dependency_is_refused(tmp_path, name, backend):
    result = run_advisor("scaffold", tmp_path / name, "--backend", backend, "--no-input")

    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"Error: target folder name (or give --name) {name!r}: its package {name!r} would "
        f"shadow the project's dependency {name!r} (allowed: a name with ASCII letters or "
        "digits that starts with a letter, e.g. my-bot, not the name of a dependency)"
    )
    assert not (tmp_path / name).exists()


def test_a_name_that_shadows_only_another_backends_dependency_is_fine(tmp_path):
    result = run_advisor("scaffold", tmp_path / "x", "--name", "weaviate", "--backend",
                         "openai-finetune", "--no-input")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "src" / "weaviate").is_dir()

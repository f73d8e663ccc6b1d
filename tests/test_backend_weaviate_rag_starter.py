"""``advisor scaffold --backend weaviate-rag`` gives a project whose tests and ruff pass.

The generated tests drive the real weaviate and openai clients against local fakes, so this
runs offline: a fresh virtual environment (no system site-packages) sees this test
environment's packages through a ``.pth`` file, and ``pip install --no-index
--no-build-isolation -e ".[dev]"`` installs the starter from them. About a minute.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from starter_runs import install_in_fresh_venv, ruff_failures, run_offline

from advisor import plugins
from advisor.cli import cli

pytest.importorskip("advisor.scaffold.engine", reason="the scaffold engine is not in this checkout")
pytest.importorskip("hatchling", reason="the starter's build backend is in the [test] extra")

# A RAG decision: facts that change monthly, citations required, a light format.
RAG_ANSWERS = {
    "volatility": "monthly",
    "format": "light",
    "latency_ms": 3000,
    "budget_usd": 2000,
    "citations": "true",
    "documents": 1200,
}


@pytest.fixture
def only_builtin_rag(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "weaviate-rag")
    plugins.reset()
    yield
    plugins.reset()


@pytest.mark.slow
def test_the_weaviate_rag_starter_installs_and_passes_its_tests(only_builtin_rag, tmp_path):
    project = tmp_path / "demo"
    answers = [arg for key, value in RAG_ANSWERS.items() for arg in ("--set", f"{key}={value}")]
    result = CliRunner().invoke(
        cli, ["scaffold", str(project), "--backend", "weaviate-rag", "--no-input", *answers]
    )
    assert result.exit_code == 0, result.output
    package = project / "src" / "demo"
    assert (package / "rag" / "pipeline.py").is_file()
    assert (project / "data" / "corpus" / "hypertension-ko.md").is_file()
    assert "weaviate-client>=4.17,<4.24" in (project / "pyproject.toml").read_text()
    assert "rag.commands" in (package / "cli.py").read_text()

    env_dir = tmp_path / "venv"
    python = install_in_fresh_venv(project, env_dir)

    tests = run_offline(python, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", cwd=project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "failed" not in tests.stdout
    assert "WEAVIATE_URL is not set" in tests.stdout, "the live test says why it skipped"

    assert ruff_failures(project) == []

    cli_help = run_offline(env_dir / "bin" / "demo", "--help", cwd=project)
    assert cli_help.returncode == 0
    assert "ingest" in cli_help.stdout and "ask" in cli_help.stdout

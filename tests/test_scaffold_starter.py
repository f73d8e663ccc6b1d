"""The generated starter is a real project: it installs, its tests pass and ruff is clean.

The check runs offline: a fresh virtual environment (no system site-packages) sees this
test environment's packages through a ``.pth`` file, so ``pip install --no-index
--no-build-isolation -e ".[dev]"`` resolves the starter's dependencies and its build
backend (hatchling) without a package index.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from scaffold_testkit import HYBRID_ANSWERS, TEST_RAG, TEST_TUNE, use_backends, write_answers
from starter_runs import install_in_fresh_venv, run_offline

from advisor.cli import cli

pytest.importorskip("hatchling", reason="the starter's build backend is in the [test] extra")


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


@pytest.mark.slow
def test_the_starter_installs_and_its_tests_and_ruff_pass(backends, tmp_path):
    from click.testing import CliRunner

    project = tmp_path / "clinical-bot"
    answers = write_answers(tmp_path, HYBRID_ANSWERS)
    result = CliRunner().invoke(
        cli, ["scaffold", str(project), "--answers", str(answers), "--no-input"]
    )
    assert result.exit_code == 0, result.output

    python = install_in_fresh_venv(project, tmp_path / "venv")

    tests = run_offline(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    ruff = Path(sys.executable).with_name("ruff")
    lint = run_offline(ruff, "check", "--no-cache", ".", cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    bot = python.with_name("clinical-bot")
    command = run_offline(bot, "evaluate", "-o", "out.json", cwd=project)
    assert command.returncode == 0, command.stdout + command.stderr
    assert command.stdout.splitlines()[0].split()[:3] == ["system", "items", "exact"]
    assert {line.split()[0] for line in command.stdout.splitlines()[1:]} == {"lookup", "base"}

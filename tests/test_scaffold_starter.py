"""The generated starter is a real project: it installs, its tests pass and ruff is clean.

The check runs offline: a fresh virtual environment (no system site-packages) sees this
test environment's packages through a ``.pth`` file, so ``pip install --no-index
--no-build-isolation -e ".[dev]"`` resolves the starter's dependencies and its build
backend (hatchling) without a package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from scaffold_testkit import HYBRID_ANSWERS, TEST_RAG, TEST_TUNE, use_backends, write_answers

from advisor.cli import cli

pytest.importorskip("hatchling", reason="the starter's build backend is in the [test] extra")


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_the_starter_installs_and_its_tests_and_ruff_pass(backends, tmp_path):
    from click.testing import CliRunner

    project = tmp_path / "clinical-bot"
    answers = write_answers(tmp_path, HYBRID_ANSWERS)
    result = CliRunner().invoke(
        cli, ["scaffold", str(project), "--answers", str(answers), "--no-input"]
    )
    assert result.exit_code == 0, result.output

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path)
    Path(site.stdout.strip(), "outer-test-env.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )

    install = run(
        python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "-e", ".[dev]",
        cwd=project,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    lint = run(Path(sys.executable).with_name("ruff"), "check", "--no-cache", ".", cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    command = run(env_dir / "bin" / "clinical-bot", "evaluate", "-o", "out.json", cwd=project)
    assert command.returncode == 0, command.stdout + command.stderr
    assert command.stdout.splitlines()[0].split()[:3] == ["system", "items", "exact"]
    assert {line.split()[0] for line in command.stdout.splitlines()[1:]} == {"lookup", "base"}

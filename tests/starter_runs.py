"""Running a scaffolded starter's own test suite and ruff from the advisor's tests.

The starter's tests run in this interpreter with the starter's ``src/`` on the path: the
``[test]`` extra installs the built-in backends' dependencies, so no fresh virtual
environment (a minute or more) is needed. Settings the starters read are left out of the
environment, so a developer's own keys never reach a run, nor change its outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

STARTER_SETTINGS = ("OPENAI_", "FINETUNE_", "RAG_", "WEAVIATE_", "ADVISOR_")


def starter_env(project: Path) -> dict[str, str]:
    """This environment without the starters' settings, with ``project/src`` importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(STARTER_SETTINGS)}
    env["PYTHONPATH"] = str(project / "src")
    return env


def run_in_starter(
    project: Path, *args: str, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in ``project`` with :func:`starter_env`."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=starter_env(project),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_starter_tests(project: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """The starter's pytest suite, quiet, with skip reasons and no cache written."""
    return run_in_starter(project, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                          timeout=timeout)


def ruff_failures(project: Path) -> list[str]:
    """The output of each failing ``ruff check .`` and ``ruff check --select S .``."""
    failures = []
    for args in (["check", "."], ["check", "--select", "S", "."]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache"],
            cwd=project, capture_output=True, text=True, timeout=120,
        )
        if lint.returncode != 0:
            failures.append(f"ruff {' '.join(args)}:\n{lint.stdout}{lint.stderr}")
    return failures

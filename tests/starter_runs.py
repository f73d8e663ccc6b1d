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
import sysconfig
import venv
from pathlib import Path

STARTER_SETTINGS = ("OPENAI_", "FINETUNE_", "RAG_", "WEAVIATE_", "HF_LORA_", "ADVISOR_")


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


def offline_env() -> dict[str, str]:
    """An environment for a fresh venv's pip and tools: no index, none of our settings."""
    skip = ("PYTHON", "VIRTUAL_ENV", *STARTER_SETTINGS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env["PIP_NO_INDEX"] = "1"
    return env


def run_offline(
    *args: str | Path, cwd: Path, timeout: int = 400
) -> subprocess.CompletedProcess[str]:
    """Run ARGS with :func:`offline_env`."""
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=offline_env(), capture_output=True, text=True,
        timeout=timeout,
    )


def install_in_fresh_venv(project: Path, where: Path) -> Path:
    """``pip install -e ".[dev]"`` ``project`` into a new venv at ``where``; its python.

    The venv has no system site-packages; a ``.pth`` file lends it this test
    environment's packages, so the install needs no index (the offline check of issue 4:
    the starter's own metadata, build backend and entry points must work from scratch).
    """
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(where)
    python = where / "bin" / "python"
    site = run_offline(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                       cwd=project)
    Path(site.stdout.strip(), "outer-test-env.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    install = run_offline(
        python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "-e", ".[dev]",
        cwd=project,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return python

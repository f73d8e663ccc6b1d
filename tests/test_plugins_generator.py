"""``advisor plugin new``: the generated distribution installs, its tests pass, and the
backend it provides scaffolds a starter whose own tests pass (issue 20, item 11)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from starter_runs import lent_venv, offline_env, ruff_failures, run_in_starter

from advisor.testing import invoke, plugin_registered


def test_new_writes_a_distribution_with_entry_point_backend_tests_and_ci(tmp_path):
    result = invoke(["plugin", "new", "demo", "--dir", str(tmp_path / "advisor-demo")])

    root = tmp_path / "advisor-demo"
    assert result.exit_code == 0, result.stderr
    assert "[project.entry-points.advisor]\ndemo = \"advisor_demo.plugin\"" in (
        root / "pyproject.toml"
    ).read_text()
    backend = root / "src" / "advisor_demo" / "templates" / "demo-rag"
    assert (backend / "files" / "src" / "{{package}}" / "demo_rag" / "systems.py").is_file()
    assert "{{ package }}" in (backend / "files" / "tests" / "test_demo_rag_search.py").read_text()
    assert "from advisor.testing import invoke, plugin_registered" in (
        root / "tests" / "test_plugin.py"
    ).read_text()
    assert "ADVISOR_STRICT_PLUGINS" in (root / ".github" / "workflows" / "test.yml").read_text()
    assert "[[" not in "".join(p.read_text() for p in root.rglob("*") if p.is_file())
    assert stat.S_IMODE(root.stat().st_mode) == 0o777 & ~_umask()


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@pytest.mark.parametrize("name", ["Demo", "my demo", "demo-", "1demo", "x" * 31])
def test_a_bad_name_is_one_line_and_writes_nothing(tmp_path, name):
    result = invoke(["plugin", "new", name, "--dir", str(tmp_path / "out")])

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: NAME {name!r}: not a usable plugin name (allowed: ")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "advisor-demo").mkdir()
    (tmp_path / "advisor-demo" / "mine.txt").write_text("keep me")

    result = invoke(["plugin", "new", "demo", "--dir", str(tmp_path / "advisor-demo")])

    assert result.exit_code == 2
    assert "already exists and is not empty" in result.stderr
    assert [p.name for p in (tmp_path / "advisor-demo").iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["advisor-demo"]


def test_the_plugin_and_its_starter_pass_ruff_and_the_backend_tests(tmp_path, monkeypatch):
    plugin_root = tmp_path / "advisor-lint"
    assert invoke(["plugin", "new", "lint", "--dir", str(plugin_root)]).exit_code == 0
    monkeypatch.syspath_prepend(str(plugin_root / "src"))
    try:
        from advisor_lint import plugin

        with plugin_registered(plugin):
            made = invoke(["scaffold", str(tmp_path / "bot"), "--backend", "lint-rag",
                           "--no-input"])
    finally:
        for module in [m for m in sys.modules if m.startswith("advisor_lint")]:
            del sys.modules[module]
    tests = run_in_starter(tmp_path / "bot", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_lint_rag_search.py")

    assert made.exit_code == 0, made.stderr
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                          cwd=plugin_root, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout  # what the plugin's CI runs
    assert ruff_failures(tmp_path / "bot") == []  # what every starter is held to
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout


@pytest.mark.slow
def test_new_plugin_installs_passes_its_tests_and_scaffolds_a_green_starter(tmp_path):
    assert invoke(["plugin", "new", "demo", "--dir", str(tmp_path / "advisor-demo")]).exit_code == 0
    plugin = tmp_path / "advisor-demo"
    python = tmp_path / "venv" / "bin" / "python"
    env = {**offline_env(), "ADVISOR_STRICT_PLUGINS": "1"}

    def run(*args: str | Path, cwd: Path, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in args], cwd=cwd, env={**env, **more},
                              capture_output=True, text=True, timeout=900, check=False)

    advisor = [python, "-c", "from advisor.cli import main; main()"]
    lend_this_environment(tmp_path / "venv")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index",
                    "--no-build-isolation", "--no-deps", "-e", plugin, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = run(*advisor, "plugins", cwd=tmp_path)
    own_tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=plugin)
    scaffold = run(*advisor, "scaffold", "x", "--backend", "demo-rag", "--no-input",
                   cwd=tmp_path)
    starter_tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        cwd=tmp_path / "x", PYTHONPATH=str(tmp_path / "x" / "src"))

    assert "backend demo-rag [rag]" in listed.stdout, listed.stdout + listed.stderr
    assert own_tests.returncode == 0, own_tests.stdout + own_tests.stderr
    assert "3 passed" in own_tests.stdout
    assert scaffold.returncode == 0, scaffold.stderr
    assert starter_tests.returncode == 0, starter_tests.stdout + starter_tests.stderr
    assert "test_demo_rag_search.py" in "".join(
        p.name for p in (tmp_path / "x" / "tests").iterdir()
    )
    assert sys.executable != str(python)


def lend_this_environment(where: Path) -> None:
    """A new venv at ``where`` that sees this environment's packages (advisor, pytest,
    hatchling) through a ``.pth`` file, so installing into it needs no index."""
    outer = Path(sysconfig.get_path("purelib"))
    paths = [str(outer)]
    for pth in sorted(outer.glob("*.pth")):  # editable installs are path lines in .pth files
        paths += [line for line in pth.read_text().splitlines()
                  if line and not line.startswith(("#", "import")) and Path(line).is_dir()]
    lent_venv(where, paths)

"""Security sweeps across every command and every installed backend.

Secrets never leak: every command runs with recognisable fake keys set, and the keys
appear in no output, no generated file and no exception text. Every generated starter
passes ruff's bandit rules (``--select S``: no eval/exec, no shell=True, no hard-coded
secrets), or justifies an exception inline.

The endpoints point at a closed port on 127.0.0.1, so the network paths run (and fail)
without leaving the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.plugins import get_plugins

ROOT = Path(__file__).parents[1]
ANSWERS = ROOT / "examples" / "answers" / "medical-guidelines.yaml"
ADVISOR = str(Path(sys.executable).parent / "advisor")
OPENAI_KEY = "sk-advisor-canary-0123456789abcdefSECRET"
WEAVIATE_KEY = "wv-advisor-canary-9876543210SECRET"
CANARIES = (OPENAI_KEY, WEAVIATE_KEY, "0123456789abcdefSECRET", "9876543210SECRET")


def closed_port_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(
        OPENAI_API_KEY=OPENAI_KEY,
        WEAVIATE_API_KEY=WEAVIATE_KEY,
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        WEAVIATE_URL="http://127.0.0.1:9",
        ADVISOR_TIMEOUT_S="1",
        ADVISOR_CONFIG=str(tmp_path / "no-user-config.toml"),
        HOME=str(tmp_path),
    )
    return env


def advisor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ADVISOR, *args], capture_output=True, text=True, cwd=tmp_path,
        env=closed_port_env(tmp_path), timeout=180, check=False,
    )


def assert_no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"a secret leaked into {where}"


def assert_tree_clean(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert_no_canary(path.read_bytes().decode("utf-8", "replace"), str(path))


COMMANDS = [
    ["decide", "--answers", str(ANSWERS)],
    ["decide", "--answers", str(ANSWERS), "--format", "json"],
    ["decide", "--answers", str(ANSWERS), "--format", "markdown", "-o", "record.md"],
    ["decide", "--answers", str(ANSWERS), "--format", "html", "-o", "review.html"],
    ["doctor"],
    ["doctor", "--format", "json"],
    ["config", "show"],
    ["config", "show", "--format", "json"],
    ["plugins"],
    ["plugins", "--format", "json"],
    ["questions", "--format", "json"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[-2:]))
def test_commands_never_print_or_write_a_key(tmp_path, args):
    result = advisor(tmp_path, *args)
    assert "Traceback" not in result.stderr
    assert_no_canary(result.stdout + result.stderr, f"the output of advisor {' '.join(args)}")
    assert_tree_clean(tmp_path)


def installed_backends() -> list[str]:
    return sorted(get_plugins().backends())


@pytest.mark.parametrize("backend", installed_backends())
def test_scaffolded_projects_hold_no_key(tmp_path, backend):
    result = advisor(tmp_path, "scaffold", "demo", "--backend", backend, "--answers",
                     str(ANSWERS), "--no-input")
    assert result.returncode == 0, result.stderr
    assert_no_canary(result.stdout + result.stderr, f"the output of scaffold --backend {backend}")
    assert_tree_clean(tmp_path / "demo")
    gitignore = (tmp_path / "demo" / ".gitignore").read_text("utf-8").splitlines()
    assert ".env" in gitignore
    bandit = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "S", "--no-cache", "."],
        cwd=tmp_path / "demo", capture_output=True, text=True, check=False,
    )
    assert bandit.returncode == 0, bandit.stdout

"""RAG first, fine-tuning when needed: a team's RAG starter becomes the hybrid with `update`.

The built-in backends, as a team would use them: `weaviate-rag` scaffolded and committed,
edited (a README section, a source file, a dependency) and committed again, then
`advisor update --backend weaviate-rag --backend openai-finetune`. The project must keep
every edit, gain the fine-tune half, merge the shared files, and pass its own tests and
ruff (run in this interpreter, as tests/test_backend_hybrid.py does).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from starter_runs import ruff_failures, run_starter_tests

from advisor import plugins
from advisor.cli import cli

REPO = Path(__file__).resolve().parents[1]
RAG_ANSWERS = REPO / "examples" / "answers" / "medical-guidelines.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="update merges with git")


@pytest.fixture
def built_in_backends(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai-finetune,weaviate-rag")
    plugins.reset()
    yield
    plugins.reset()


def advisor(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def commit_all(project: Path, message: str) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
            timeout=60,
        )

    if not (project / ".git").exists():
        git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", message)


def git_status(project: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.slow
def test_a_rag_starter_becomes_the_hybrid_keeping_the_teams_edits(
    built_in_backends, tmp_path: Path
):
    project = tmp_path / "demo"
    made = advisor(
        "scaffold", project, "--backend", "weaviate-rag", "--answers", RAG_ANSWERS, "--no-input"
    )
    assert made.exit_code == 0, made.output
    commit_all(project, "RAG starter")
    package = project / "src" / "demo"
    replace_once(
        project / "README.md",
        "\n## Run it",
        "\n## On call\n\nAsk Dana before re-indexing.\n\n## Run it",
    )
    replace_once(
        package / "rag" / "commands.py",
        '    """Load Markdown, text and PDF files (or folders of them) into Weaviate.\n',
        '    """Load Markdown, text and PDF files (or folders of them) into Weaviate.\n'
        "    The team re-ingests every night.\n",
    )
    replace_once(
        project / "pyproject.toml", '  "pypdf>=5.0",\n]', '  "pypdf>=5.0",\n  "rich>=13",\n]'
    )
    commit_all(project, "team edits")

    preview = advisor(
        "update", project, "--backend", "weaviate-rag", "--backend", "openai-finetune", "--dry-run"
    )
    assert preview.exit_code == 0, preview.output
    assert "+++ b/src/demo/finetuned.py" in preview.stdout
    assert git_status(project) == ""  # nothing written, nothing left behind

    result = advisor("update", project, "--backend", "weaviate-rag", "--backend", "openai-finetune")

    assert result.exit_code == 0, result.output
    merged = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("  merge ")}
    assert {"README.md", "pyproject.toml", "src/demo/rag/commands.py"} <= merged
    readme = (project / "README.md").read_text("utf-8")
    assert "Ask Dana before re-indexing." in readme
    assert "## Fine-tuning with OpenAI" in readme
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    assert '"rich>=13"' in pyproject and '"tiktoken' in pyproject
    assert "The team re-ingests every night." in (package / "rag" / "commands.py").read_text()
    assert "FINETUNE_BASE_MODEL" in (project / ".env.example").read_text("utf-8")
    cli_text = (package / "cli.py").read_text("utf-8")
    assert "finetune.systems" in cli_text and "rag.systems" in cli_text  # eval systems
    for part in ("finetuned.py", "rag/hybrid.py", "finetune/commands.py"):
        assert (package / part).is_file(), part
    record = yaml.safe_load((project / ".advisor.yml").read_text("utf-8"))
    assert [b["name"] for b in record["backends"]] == ["openai-finetune", "weaviate-rag"]
    every = "".join(
        p.read_text("utf-8", "replace")
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
    assert "<<<<<<<" not in every

    tests = run_starter_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and " failed" not in tests.stdout
    assert ruff_failures(project) == []

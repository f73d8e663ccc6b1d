"""``advisor scaffold`` end to end with the test backends: choice, safety, reproducibility."""

from __future__ import annotations

import json
import os
import shlex
import tempfile

import pytest
import yaml
from click.testing import CliRunner
from scaffold_testkit import (
    HYBRID_ANSWERS,
    RAG_ANSWERS,
    TEST_RAG,
    TEST_TUNE,
    make_backend,
    run_advisor,
    tree_digest,
    use_backends,
    write_answers,
)

from advisor import __version__
from advisor.cli import cli
from advisor.framework import decide
from advisor.questionnaire import CORE_QUESTIONS, Answers
from advisor.scaffold import placement

SKELETON_FILES = {
    ".advisor.yml",
    ".env.example",
    ".gitignore",
    "README.md",
    "docs/decision-costs.svg",
    "docs/decision.md",
    "evals/eval.jsonl",
    "evals/prices.json",
    "pyproject.toml",
    "src/{pkg}/__init__.py",
    "src/{pkg}/__main__.py",
    "src/{pkg}/cli.py",
    "src/{pkg}/evaluation.py",
    "tests/conftest.py",
    "tests/test_evaluate_run.py",
    "tests/test_evaluation.py",
    "tests/test_startup.py",
}


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


@pytest.fixture
def staging_root(tmp_path, monkeypatch):
    """Point the system temp dir at an empty folder, to see that staging is cleaned up."""
    root = tmp_path / "system-tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def scaffold(tmp_path, target, *args, answers=HYBRID_ANSWERS):
    answers_file = write_answers(tmp_path, answers)
    return run_advisor("scaffold", target, "--answers", answers_file, "--no-input", *args)


def files_of(root):
    return {k for k, v in tree_digest(root).items() if v != "dir"}


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[-1]


# --- what gets made ------------------------------------------------------------------------


def test_hybrid_composes_both_backends_into_one_project(backends, tmp_path):
    target = tmp_path / "Clinical Bot"
    result = scaffold(tmp_path, target)
    assert result.exit_code == 0, result.stderr
    expected = {f.format(pkg="clinical_bot") for f in SKELETON_FILES} | {
        "data/README.md",
        "data/pixel.png",
        "src/clinical_bot/testrag/__init__.py",
        "src/clinical_bot/testrag/commands.py",
        "src/clinical_bot/testrag/systems.py",
        "src/clinical_bot/testtune/__init__.py",
        "src/clinical_bot/testtune/systems.py",
        "tests/test_testrag.py",
        "tests/test_testtune.py",
    }
    assert files_of(target) == expected
    assert "  create    src/clinical_bot/cli.py" in result.stderr
    assert "Decision: hybrid -> backends: test-rag, test-tune" in result.stderr
    assert "Notice (test-tune): OpenAI self-serve fine-tuning is winding down" in result.stderr
    assert result.stderr.rstrip().endswith("clinical-bot collection\n  clinical-bot evaluate")
    assert result.stdout == ""

    pyproject = (target / "pyproject.toml").read_text()
    assert 'name = "clinical-bot"' in pyproject
    assert '"click>=8.1,>=8.1.3",' in pyproject
    assert 'clinical-bot = "clinical_bot.cli:main"' in pyproject
    readme = (target / "README.md").read_text()
    assert readme.startswith("# Clinical Bot\n")
    assert "**hybrid**" in readme and "[docs/decision.md](docs/decision.md)" in readme
    assert "Provider notice (test-tune)" in readme
    assert "## test-rag\n\nAnswers come from the `Guidelines` collection" in readme
    assert "| `TEST_RAG_API_KEY` | Key of the test index | secret: set it in `.env` |" in readme
    assert (target / "docs/decision.md").read_text().startswith("# Decision record: hybrid")
    cli_py = (target / "src/clinical_bot/cli.py").read_text()
    assert '    "testrag.systems",\n    "testtune.systems",\n)' in cli_py
    gitignore = (target / ".gitignore").read_text().splitlines()
    assert ".env" in gitignore and "data/index/" in gitignore
    assert len(gitignore) == len(set(gitignore))
    shipped = TEST_RAG.template_dir.parents[2].parent / "templates/starter/files/evals/eval.jsonl"
    assert (target / "evals/eval.jsonl").read_bytes() == shipped.read_bytes()


def test_the_decision_picks_the_backends(backends, tmp_path):
    result = scaffold(tmp_path, tmp_path / "rag-only", answers=RAG_ANSWERS)
    assert result.exit_code == 0, result.stderr
    assert "Decision: rag -> backends: test-rag" in result.stderr
    assert "Notice" not in result.stderr
    assert not (tmp_path / "rag-only/src/rag_only/testtune").exists()


def test_a_saved_decision_is_reused(backends, tmp_path):
    decision = tmp_path / "decision.json"
    answers = write_answers(tmp_path, HYBRID_ANSWERS, "core.json")
    made = run_advisor("decide", "--answers", answers, "--format", "json", "-o", decision)
    assert made.exit_code == 0, made.output
    result = run_advisor(
        "scaffold", tmp_path / "bot", "--decision", decision, "--no-input",
        "--set", "test_model=llama-tiny",
    )
    assert result.exit_code == 0, result.stderr
    record = yaml.safe_load((tmp_path / "bot/.advisor.yml").read_text())
    assert record["decision"]["recommendation"] == "hybrid"
    assert record["answers"]["test_model"] == "llama-tiny"
    assert record["answers"]["volatility"] == "monthly"

    result = run_advisor(
        "scaffold", tmp_path / "bot2", "--decision", decision, "--no-input",
        "--set", "volatility=static",
    )
    assert result.exit_code == 2
    assert "volatility: 'static' contradicts --decision" in one_error_line(result)


def test_backends_can_be_named(backends, tmp_path):
    result = scaffold(tmp_path, tmp_path / "bot", "--backend", "test-tune")
    assert result.exit_code == 0, result.stderr
    assert "Note: the decision is hybrid; scaffolding fine-tune as --backend asks" in result.stderr
    assert "Decision: hybrid -> backends: test-tune" in result.stderr

    result = scaffold(tmp_path, tmp_path / "bot2", "--backend", "nope")
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "Error: --backend 'nope': unknown backend (available: test-rag, test-tune)"
    )


def test_an_empty_folder_or_a_fresh_git_repo_is_fine(backends, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert scaffold(tmp_path, empty).exit_code == 0
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git/HEAD").write_text("ref: refs/heads/main\n")
    result = scaffold(tmp_path, repo)
    assert result.exit_code == 0, result.stderr
    assert (repo / ".git/HEAD").read_text() == "ref: refs/heads/main\n"


# --- never overwrite a user's file ---------------------------------------------------------


@pytest.fixture
def theirs(tmp_path):
    """A target holding the user's own README, notes and an identical copy of the eval set."""
    target = tmp_path / "bot"
    (target / "evals").mkdir(parents=True)
    (target / "README.md").write_text("my own readme\n")
    (target / "notes.txt").write_text("keep me\n")
    (target / ".gitignore").write_text("*.log\n")
    shipped = TEST_RAG.template_dir.parents[2].parent / "templates/starter/files/evals/eval.jsonl"
    (target / "evals/eval.jsonl").write_bytes(shipped.read_bytes())
    return target


def test_existing_files_stop_everything(backends, tmp_path, theirs):
    before = tree_digest(theirs)
    result = scaffold(tmp_path, theirs)
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"Error: 2 existing files in {theirs} would be overwritten: .gitignore, README.md. "
        "Nothing was written; re-run with --force to overwrite them or --skip-existing to "
        "keep yours."
    )
    assert tree_digest(theirs) == before


def test_force_overwrites(backends, tmp_path, theirs):
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 0, result.stderr
    assert "  overwrite README.md" in result.stderr
    assert "  identical evals/eval.jsonl" in result.stderr
    assert (theirs / "README.md").read_text().startswith("# bot\n")
    assert (theirs / "notes.txt").read_text() == "keep me\n"
    assert not [p for p in theirs.rglob("*advisor-*")]


def test_skip_existing_keeps_theirs(backends, tmp_path, theirs):
    result = scaffold(tmp_path, theirs, "--skip-existing")
    assert result.exit_code == 0, result.stderr
    assert "  skip      README.md" in result.stderr
    assert (theirs / "README.md").read_text() == "my own readme\n"
    assert (theirs / ".gitignore").read_text() == "*.log\n"
    assert (theirs / "pyproject.toml").is_file()


def test_running_again_finds_everything_identical(backends, tmp_path):
    target = tmp_path / "bot"
    assert scaffold(tmp_path, target).exit_code == 0
    result = scaffold(tmp_path, target)
    assert result.exit_code == 0, result.stderr
    assert "  create " not in result.stderr and "  overwrite " not in result.stderr
    assert f"Wrote {target}: {len(files_of(target))} identical." in result.stderr


def test_force_and_skip_existing_exclude_each_other(backends, tmp_path):
    result = scaffold(tmp_path, tmp_path / "bot", "--force", "--skip-existing")
    assert result.exit_code == 2
    assert one_error_line(result) == "Error: --force and --skip-existing: choose one"


def test_a_file_where_a_folder_is_needed_is_never_replaced(backends, tmp_path):
    target = tmp_path / "bot"
    target.mkdir()
    (target / "src").write_text("a file, not a folder\n")
    before = tree_digest(target)
    result = scaffold(tmp_path, target, "--force")
    assert result.exit_code == 1
    assert "src: is a file; the project needs a folder there" in one_error_line(result)
    assert tree_digest(target) == before


# --- dry run -------------------------------------------------------------------------------


def test_dry_run_writes_nothing(backends, tmp_path, theirs, staging_root):
    before = tree_digest(theirs)
    result = scaffold(tmp_path, theirs, "--dry-run")
    assert result.exit_code == 1
    assert "would be overwritten: .gitignore, README.md" in one_error_line(result)

    result = scaffold(tmp_path, theirs, "--dry-run", "--force")
    assert result.exit_code == 0, result.stderr
    assert "  overwrite README.md" in result.stderr
    assert "  create    pyproject.toml" in result.stderr
    assert "  identical evals/eval.jsonl" in result.stderr
    assert "Dry run, nothing written: would write" in result.stderr
    assert "Next steps" not in result.stderr
    assert tree_digest(theirs) == before
    assert list(staging_root.iterdir()) == []

    new = tmp_path / "new"
    result = scaffold(tmp_path, new, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not new.exists()


# --- all or nothing ------------------------------------------------------------------------


def exploding_backend(tmp_path, error: BaseException):
    def explode():
        raise error

    return make_backend(
        tmp_path / "t",
        "exploding",
        {
            "files/a-first.txt": "rendered before the failure\n",
            "files/m-middle.txt": "{{ explode() }}\n",
            "files/z-last.txt": "never rendered\n",
        },
        approaches=("fine-tune",),
        extra_context=lambda context: {"explode": explode},
    )


@pytest.mark.parametrize(
    ("error", "exit_code", "message"),
    [
        (OSError(28, "No space left on device"), 1, "OSError: [Errno 28] No space left"),
        (RuntimeError("template bug"), 1, "files/m-middle.txt line 1: RuntimeError: template bug"),
        (KeyboardInterrupt(), 1, "Aborted!"),
    ],
)
def test_a_template_failing_mid_render_leaves_the_target_untouched(
    monkeypatch, tmp_path, theirs, staging_root, error, exit_code, message
):
    registration = use_backends(monkeypatch, TEST_RAG, exploding_backend(tmp_path, error))
    next(registration)
    before = tree_digest(theirs)
    result = scaffold(
        tmp_path, theirs, "--force", "--backend", "test-rag", "--backend", "exploding"
    )
    assert result.exit_code == exit_code
    assert message in result.stderr
    assert tree_digest(theirs) == before
    assert list(staging_root.iterdir()) == []
    next(registration, None)


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_while_moving_files_in_is_undone(
    backends, monkeypatch, tmp_path, theirs, error
):
    """The 12th file fails to go in: by then files were created, and README.md was replaced."""
    real_link = os.link
    calls = []

    def failing_link(src, dst, **where):
        calls.append(dst)
        if len(calls) == 12:
            raise error
        real_link(src, dst, **where)

    monkeypatch.setattr(placement.os, "link", failing_link)
    before = tree_digest(theirs)
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1
    if isinstance(error, OSError):
        assert "No space left on device; " in one_error_line(result)
        assert "is left as it was" in one_error_line(result)
    assert "README.md" in calls[:11]  # replaced before the failure, and put back after it
    assert tree_digest(theirs) == before


def test_a_new_target_is_removed_again_when_moving_in_fails(backends, monkeypatch, tmp_path):
    real_link = os.link

    def failing_link(src, dst, **where):
        if str(dst).endswith("pyproject.toml"):
            raise OSError(5, "Input/output error")
        real_link(src, dst, **where)

    monkeypatch.setattr(placement.os, "link", failing_link)
    result = scaffold(tmp_path, tmp_path / "deep/new/bot")
    assert result.exit_code == 1
    assert not (tmp_path / "deep").exists()


# --- .advisor.yml --------------------------------------------------------------------------


def test_the_record_reproduces_the_project_byte_for_byte(backends, monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_RAG_API_KEY", "sk-not-a-real-key-but-secret")
    first = tmp_path / "first"
    result = scaffold(
        tmp_path, first, "--name", "Guideline Bot", "--set", "test_collection=Cardiology",
        "--set", "test_top_k=5",
    )
    assert result.exit_code == 0, result.stderr
    record = yaml.safe_load((first / ".advisor.yml").read_text())
    assert record["advisor_version"] == __version__
    assert record["project_name"] == "Guideline Bot"
    assert [b["name"] for b in record["backends"]] == ["test-rag", "test-tune"]
    assert record["answers"]["test_collection"] == "Cardiology"
    assert record["answers"]["test_top_k"] == 5
    assert record["decision"]["recommendation"] == "hybrid"
    every_file = b"".join(p.read_bytes() for p in first.rglob("*") if p.is_file())
    assert b"sk-not-a-real-key-but-secret" not in every_file

    second = tmp_path / "elsewhere" / "second"
    result = run_advisor(
        "scaffold", second, "--answers-from", first / ".advisor.yml", "--no-input"
    )
    assert result.exit_code == 0, result.stderr
    assert "Note" not in result.stderr
    assert tree_digest(second) == tree_digest(first)

    result = run_advisor(
        "scaffold", tmp_path / "third", "--answers-from", first / ".advisor.yml",
        "--set", "test_top_k=7", "--no-input",
    )
    assert result.exit_code == 0, result.stderr
    changed = {
        k for k, v in tree_digest(tmp_path / "third").items() if tree_digest(first).get(k) != v
    }
    assert changed == {".advisor.yml", "README.md", "src/guideline_bot/testrag/systems.py"}


def test_the_record_keeps_a_team_template_dir(backends, tmp_path):
    team = tmp_path / "team"
    (team / "files").mkdir(parents=True)
    (team / "files/TEAM.md").write_text("Owned by {{ project_slug }}.\n")
    first = tmp_path / "first"
    assert scaffold(tmp_path, first, "--templates", team).exit_code == 0
    second = tmp_path / "second"
    result = run_advisor(
        "scaffold", second, "--answers-from", first / ".advisor.yml", "--trust-templates"
    )
    assert result.exit_code == 0, result.stderr
    assert (second / "TEAM.md").read_text() == "Owned by first.\n"
    assert tree_digest(second) == tree_digest(first)


def test_a_record_from_another_version_is_noted(backends, tmp_path):
    first = tmp_path / "first"
    assert scaffold(tmp_path, first).exit_code == 0
    record = yaml.safe_load((first / ".advisor.yml").read_text())
    record["advisor_version"] = "0.0.1"
    record["backends"][0]["version"] = "9.9"
    old = tmp_path / "old.yml"
    old.write_text(yaml.safe_dump(record))
    result = run_advisor("scaffold", tmp_path / "second", "--answers-from", old)
    assert result.exit_code == 0, result.stderr
    assert f"made by advisor 0.0.1, this is {__version__}" in result.stderr
    assert "backend test-rag was 9.9, now unversioned" in result.stderr


# --- bad input: one line, exit 2 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "answers", "message"),
    [
        (["--name", "json"], HYBRID_ANSWERS, "--name 'json': its package 'json' would shadow"),
        ([], {"format": "strict"}, "missing required answers: volatility, latency_ms, budget_usd"),
        (["--set", "test_top_k=0"], HYBRID_ANSWERS, "test_top_k: 0 is out of range"),
        ([], {**HYBRID_ANSWERS, "test_colection": "X"}, "did you mean 'test_collection'?"),
        (["--set", "test_collection=two words"], HYBRID_ANSWERS, "is not a collection name"),
        (["--templates", "missing-dir"], HYBRID_ANSWERS, "--templates missing-dir: not a folder"),
        (["--decision", "nope.json"], HYBRID_ANSWERS, "--decision nope.json: cannot read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(backends, tmp_path, args, answers, message):
    target = tmp_path / "bot"
    result = scaffold(tmp_path, target, *args, answers=answers)
    assert result.exit_code == 2, result.stderr
    assert message in one_error_line(result)
    assert not target.exists()


def test_bad_records_are_refused(backends, tmp_path):
    answers = write_answers(tmp_path, HYBRID_ANSWERS)
    record = tmp_path / "record.yml"
    record.write_text("advisor_version: 0.1.0\nbackends: test-rag\n")
    result = run_advisor("scaffold", tmp_path / "bot", "--answers-from", record)
    assert result.exit_code == 2
    assert "backends: 'test-rag' is not a list of backends" in one_error_line(result)
    result = run_advisor(
        "scaffold", tmp_path / "bot", "--answers-from", record, "--answers", answers
    )
    assert result.exit_code == 2
    assert "--answers and --answers-from: choose one" in one_error_line(result)


def test_a_target_that_is_a_file_is_refused(backends, tmp_path):
    target = tmp_path / "bot"
    target.write_text("not a folder\n")
    result = scaffold(tmp_path, target)
    assert result.exit_code == 2
    assert one_error_line(result).endswith("bot' is a file.")


def test_a_question_of_a_backend_not_chosen_is_ignored_with_a_note(backends, tmp_path):
    result = scaffold(
        tmp_path, tmp_path / "bot", answers={**RAG_ANSWERS, "test_model": "llama"}
    )
    assert result.exit_code == 0, result.stderr
    assert "'test_model' is a question of a backend not chosen; ignored" in result.stderr
    record = yaml.safe_load((tmp_path / "bot/.advisor.yml").read_text())
    assert "test_model" not in record["answers"]
    assert json.loads(json.dumps(record["answers"]))["test_collection"] == "Guidelines"


@pytest.fixture
def terminal(monkeypatch):
    """Make CliRunner's stdin count as a terminal, so prompts are asked (see test_cli_pty)."""
    monkeypatch.setattr("advisor.questionnaire.can_prompt", lambda: True)


def test_interactive_asks_core_questions_then_the_chosen_backends(backends, terminal, tmp_path):
    core = ["monthly", "light", "3000", "5000", "", "true", "", "1200"]
    backend = ["Cardio", "", "yes-please", "true"]  # a refused bool is asked again
    result = run_advisor_with_input(tmp_path / "bot", "\n".join(core + backend) + "\n")
    assert result.exit_code == 0, result.output
    decision_at = result.stderr.index("Decision: rag -> backends: test-rag")
    assert result.stderr.index("documents [0]:") < decision_at
    assert decision_at < result.stderr.index("test_collection [Guidelines]:")
    assert "test_model" not in result.stderr
    record = yaml.safe_load((tmp_path / "bot/.advisor.yml").read_text())
    assert record["answers"]["test_collection"] == "Cardio"
    assert record["answers"]["test_with_notes"] is True
    assert (tmp_path / "bot/NOTES.md").is_file()


def run_advisor_with_input(target, text):
    from click.testing import CliRunner

    from advisor.cli import cli

    return CliRunner().invoke(cli, ["scaffold", str(target)], input=text)


# --- without a decision: backends named, core answers missing ---------------------------------

NO_DECISION_NOTE = (
    "Note: no decision recorded (missing required answers: {}); using the named backends, "
    "and docs/decision.md says how to record one"
)


def test_named_backends_need_no_answers(backends, tmp_path):
    target = tmp_path / "bot"
    result = run_advisor(
        "scaffold", target, "--backend", "test-tune", "--backend", "test-rag", "--no-input"
    )
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note:")]
    assert notes == [NO_DECISION_NOTE.format("volatility, format, latency_ms, budget_usd")]
    assert "No decision -> backends: test-rag, test-tune" in result.stderr
    assert "Decision:" not in result.stderr

    command = "advisor decide --format markdown -o docs/decision.md"
    record_md = (target / "docs/decision.md").read_text()
    assert record_md.startswith("# Decision record: not recorded\n")
    assert "- Backends: `test-rag` (rag), `test-tune` (fine-tune), chosen directly" in record_md
    assert f"```bash\n{command}\n```" in record_md
    assert "(missing:\n`volatility`, `format`, `latency_ms`, `budget_usd`)" in record_md
    assert "It asks the questionnaire's eight questions." in record_md
    assert not (target / "docs/decision-costs.svg").exists()
    readme = (target / "README.md").read_text()
    assert "the backends were chosen directly, so no decision was recorded" in readme
    assert f"`{command}`" in readme
    assert "Provider notice (test-tune)" in readme

    record = yaml.safe_load((target / ".advisor.yml").read_text())
    assert record["decision"] is None
    assert record["costs"] == {}
    assert record["answers"] == {
        "test_collection": "Guidelines", "test_top_k": 3, "test_with_notes": False,
        "test_model": "tiny-model",
    }


def test_partial_answers_name_what_is_missing_and_the_command_passes_them_on(
    backends, tmp_path, monkeypatch
):
    target = tmp_path / "bot"
    result = run_advisor(
        "scaffold", target, "--backend", "test-rag", "--no-input",
        "--set", "volatility=monthly", "--set", "citations=true", "--set", "budget_usd=2500.0",
    )
    assert result.exit_code == 0, result.stderr
    assert NO_DECISION_NOTE.format("format, latency_ms") in result.stderr.splitlines()
    record = yaml.safe_load((target / ".advisor.yml").read_text())
    assert record["decision"] is None
    core = {k: v for k, v in record["answers"].items() if not k.startswith("test_")}
    assert core == {"volatility": "monthly", "budget_usd": 2500.0, "citations": True}

    record_md = (target / "docs/decision.md").read_text()
    command = (
        "advisor decide --set volatility=monthly --set budget_usd=2500 --set citations=true "
        "--format markdown -o docs/decision.md"
    )
    assert f"```bash\n{command}\n```" in record_md
    assert "It passes the answers already given" in record_md
    assert f"`{command}`" in (target / "README.md").read_text()

    # The command it shows works as shown, in the project, once the rest is answered.
    monkeypatch.chdir(target)
    words = [*shlex.split(command)[1:], "--set", "format=light", "--set", "latency_ms=3000"]
    decided = run_advisor(*words, "--no-input")
    assert decided.exit_code == 0, decided.stderr
    record_md = (target / "docs/decision.md").read_text()
    assert record_md.startswith("# Decision record: rag for this LLM project")
    assert "| Must answers cite their sources? (`citations`) | true |" in record_md
    assert (target / "docs/decision-costs.svg").read_text().startswith("<svg")


def test_named_backends_with_every_required_answer_still_decide(backends, tmp_path):
    required = {k: HYBRID_ANSWERS[k] for k in ("volatility", "format", "latency_ms", "budget_usd")}
    result = scaffold(tmp_path, tmp_path / "bot", "--backend", "test-rag", answers=required)
    assert result.exit_code == 0, result.stderr
    assert "no decision" not in result.stderr
    defaults = {q.key: q.default for q in CORE_QUESTIONS if not q.required}
    expected = decide(Answers.from_mapping({**defaults, **required})).recommendation
    assert f"Decision: {expected} -> backends: test-rag" in result.stderr
    record = yaml.safe_load((tmp_path / "bot/.advisor.yml").read_text())
    assert record["decision"]["recommendation"] == expected
    assert {k: record["answers"][k] for k in defaults} == defaults
    assert (tmp_path / "bot/docs/decision-costs.svg").is_file()


def test_without_named_backends_missing_answers_stay_an_error(backends, tmp_path):
    result = run_advisor("scaffold", tmp_path / "bot", "--no-input", "--set", "format=light")
    assert result.exit_code == 2
    assert one_error_line(result).startswith(
        "Error: missing required answers: volatility, latency_ms, budget_usd"
    )
    assert not (tmp_path / "bot").exists()


@pytest.mark.parametrize("again", [["--no-input"], []], ids=["no-input", "interactive"])
def test_a_project_without_a_decision_is_made_again_byte_for_byte(
    backends, terminal, tmp_path, again
):
    first = tmp_path / "first"
    result = run_advisor(
        "scaffold", first, "--backend", "test-tune", "--no-input", "--set", "examples=40",
        "--set", "test_model=llama-tiny",
    )
    assert result.exit_code == 0, result.stderr
    second = tmp_path / "second"
    result = run_advisor("scaffold", second, "--answers-from", first / ".advisor.yml", *again)
    assert result.exit_code == 0, result.stderr
    assert "Answer the questions" not in result.stderr  # a record's choice is not asked again
    assert NO_DECISION_NOTE.format("volatility, format, latency_ms, budget_usd") in result.stderr
    assert tree_digest(second) == tree_digest(first)
    assert yaml.safe_load((second / ".advisor.yml").read_text())["answers"] == {
        "examples": 40, "test_model": "llama-tiny"
    }


def test_interactive_runs_offer_the_questions_and_can_skip_them(backends, terminal, tmp_path):
    result = CliRunner().invoke(
        cli, ["scaffold", str(tmp_path / "skipped"), "--backend", "test-tune"], input="n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "Answer the questions that record why they fit (docs/decision.md)? [Y/n]" in (
        result.stderr
    )
    assert "volatility" not in result.stderr.split("[Y/n]")[1].split("Note:")[0]
    assert "test_model [tiny-model]:" in result.stderr
    assert yaml.safe_load((tmp_path / "skipped/.advisor.yml").read_text())["decision"] is None

    core = ["monthly", "light", "3000", "5000", "", "true", "", "1200"]
    result = CliRunner().invoke(
        cli, ["scaffold", str(tmp_path / "answered"), "--backend", "test-tune"],
        input="\n" + "\n".join([*core, ""]) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Decision: rag -> backends: test-tune" in result.stderr
    record = yaml.safe_load((tmp_path / "answered/.advisor.yml").read_text())
    assert record["decision"]["recommendation"] == "rag"


# --- docs/decision.md with a decision: what `advisor decide -o` writes -----------------------


def test_the_decision_record_is_what_decide_writes_with_costs_and_chart(
    backends, tmp_path, monkeypatch
):
    target = tmp_path / "bot"
    assert scaffold(tmp_path, target).exit_code == 0
    answers = write_answers(tmp_path, HYBRID_ANSWERS, "core.json")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    # The project is built with a hosted fine-tuning backend, so its record prices that
    # path; `decide` gives the same record once told the team has hosted access.
    monkeypatch.setenv("ADVISOR_COSTS", json.dumps({"fine_tune_path": "hosted"}))
    made = run_advisor(
        "decide", "--answers", answers, "--format", "markdown", "-o", "docs/decision.md"
    )
    assert made.exit_code == 0, made.stderr
    for name in ("docs/decision.md", "docs/decision-costs.svg"):
        assert (target / name).read_bytes() == (elsewhere / name).read_bytes(), name
    record_md = (target / "docs/decision.md").read_text()
    assert "## Costs" in record_md and "](decision-costs.svg)" in record_md
    assert "Fine-tuning is priced on the **hosted** path" in record_md


def test_cost_overrides_are_recorded_and_reused(backends, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("ADVISOR_COSTS", json.dumps({"setup_usd": {"rag": 1234}}))
    first = tmp_path / "first"
    assert scaffold(tmp_path, first).exit_code == 0
    record = yaml.safe_load((first / ".advisor.yml").read_text())
    # the fine-tuning path of the hosted test backend is recorded with the overrides
    assert record["costs"] == {"setup_usd": {"rag": 1234}, "fine_tune_path": "hosted"}
    assert "`setup_usd`: " in (first / "docs/decision.md").read_text()
    assert "(set in your configuration)" in (first / "docs/decision.md").read_text()

    monkeypatch.delenv("ADVISOR_COSTS")
    second = tmp_path / "second"
    result = run_advisor("scaffold", second, "--answers-from", first / ".advisor.yml")
    assert result.exit_code == 0, result.stderr
    assert tree_digest(second) == tree_digest(first)
    plain = tmp_path / "plain"
    assert scaffold(tmp_path, plain).exit_code == 0
    assert (plain / "docs/decision.md").read_bytes() != (first / "docs/decision.md").read_bytes()

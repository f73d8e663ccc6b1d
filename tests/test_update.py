"""``advisor update``: the merge rules, dry runs, conflicts and the reproducible base.

The test backends (tests/scaffold_testkit.py) keep these fast; the built-in backends'
RAG -> hybrid path, with the starter's own tests and ruff, is tests/test_update_starter.py.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest
import yaml
from scaffold_testkit import (
    RAG_ANSWERS,
    TEST_RAG,
    TEST_TUNE,
    run_advisor,
    tree_digest,
    use_backends,
    write_answers,
)

from advisor.scaffold import merge

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="update merges with git")

PKG = "src/bot"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """Projects are made on 2026-12-02, between OpenAI's two dated events."""
    monkeypatch.setenv("ADVISOR_TODAY", "2026-12-02")


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


def make_rag_project(tmp_path, *backend_args: str):
    target = tmp_path / "bot"
    answers = write_answers(tmp_path, RAG_ANSWERS)
    args = backend_args or ("--backend", "test-rag")
    result = run_advisor("scaffold", target, "--answers", answers, "--no-input", *args)
    assert result.exit_code == 0, result.stderr
    return target


def git(project, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def commit_all(project, message="scaffold"):
    if not (project / ".git").exists():
        git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def team_edits(project):
    """A README section, a source file and a dependency, as a team would add them."""
    edit(project / "README.md", "\n## ", "\n## Team notes\n\nAsk Dana before re-indexing.\n\n## ")
    edit(
        project / PKG / "testrag/commands.py",
        '        """Print the collection this project searches."""\n',
        '        """Print the collection this project searches."""\n'
        '        click.echo("(team build)", err=True)\n',
    )
    edit(
        project / "pyproject.toml",
        "\n]\n\n[project.optional",
        '\n  "rich>=13",\n]\n\n[project.optional',
    )


def lines_of(result, action):
    return [
        line.split()[1] for line in result.stderr.splitlines() if line.startswith(f"  {action} ")
    ]


def test_an_unchanged_project_updates_to_nothing(backends, tmp_path):
    project = make_rag_project(tmp_path)
    before = tree_digest(project)
    result = run_advisor("update", project)
    assert result.exit_code == 0, result.stderr
    files = sum(1 for v in before.values() if v != "dir")
    assert result.stderr.splitlines()[-1] == f"Updated {project}: {files} identical."
    assert tree_digest(project) == before


def test_adding_a_backend_adds_its_files_and_keeps_every_edit(backends, tmp_path):
    project = make_rag_project(tmp_path)
    commit_all(project)
    team_edits(project)
    commit_all(project, "team edits")

    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")

    assert result.exit_code == 0, result.stderr
    assert (project / PKG / "testtune/systems.py").is_file()
    assert f"{PKG}/testtune/systems.py" in lines_of(result, "add")
    assert set(lines_of(result, "merge")) >= {"README.md", "pyproject.toml"}
    readme = (project / "README.md").read_text()
    assert "Ask Dana before re-indexing." in readme
    assert "test-tune" in readme  # the new backend's part of the shared README
    pyproject = (project / "pyproject.toml").read_text()
    assert '"rich>=13"' in pyproject
    assert "fine-tune + rag starter" in pyproject
    commands = (project / PKG / "testrag/commands.py").read_text()
    assert 'click.echo("(team build)", err=True)' in commands
    assert "testtune.systems" in (project / PKG / "cli.py").read_text()  # eval systems
    assert "<<<<<<<" not in readme + pyproject + commands
    record = yaml.safe_load((project / ".advisor.yml").read_text())
    assert [b["name"] for b in record["backends"]] == ["test-rag", "test-tune"]


def test_update_can_run_again(backends, tmp_path):
    project = make_rag_project(tmp_path)
    team_edits(project)
    first = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")
    assert first.exit_code == 0, first.stderr
    before = tree_digest(project)
    again = run_advisor("update", project)
    assert again.exit_code == 0, again.stderr
    assert not lines_of(again, "conflict") and not lines_of(again, "add")
    assert tree_digest(project) == before


def test_a_conflicting_edit_gets_markers_a_listing_and_exit_1(backends, tmp_path):
    project = make_rag_project(tmp_path)
    team_edits(project)
    edit(project / "pyproject.toml", "a rag starter made by advisor", "our retrieval bot")

    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")

    assert result.exit_code == 1, result.stderr
    assert lines_of(result, "conflict") == ["pyproject.toml"]
    assert "1 file has conflicts" in result.stderr and "pyproject.toml" in result.stderr
    text = (project / "pyproject.toml").read_text()
    assert "<<<<<<< yours\n" in text and "=======\n" in text and ">>>>>>> new render" in text
    assert "our retrieval bot" in text and "fine-tune + rag starter" in text
    assert '"rich>=13"' in text  # the rest of the file merged
    assert (project / PKG / "testtune/systems.py").is_file()  # everything else went in

    again = run_advisor("update", project)
    assert again.exit_code == 0, again.stderr
    assert "pyproject.toml" in lines_of(again, "keep") and not lines_of(again, "conflict")
    assert "Note: pyproject.toml still holds conflict markers" in again.stderr


def test_dry_run_writes_nothing_and_prints_the_diff(backends, tmp_path):
    project = make_rag_project(tmp_path)
    team_edits(project)
    before = tree_digest(project)

    result = run_advisor(
        "update", project, "--backend", "test-rag", "--backend", "test-tune", "--dry-run"
    )

    assert result.exit_code == 0, result.stderr
    assert tree_digest(project) == before
    assert f"+++ b/{PKG}/testtune/systems.py" in result.stdout
    assert "--- a/pyproject.toml" in result.stdout
    assert "Dry run, nothing written" in result.stderr
    assert "  add       " in result.stderr

    edit(project / "pyproject.toml", "a rag starter made by advisor", "our retrieval bot")
    before = tree_digest(project)
    result = run_advisor(
        "update", project, "--backend", "test-rag", "--backend", "test-tune", "--dry-run"
    )
    assert result.exit_code == 1
    assert lines_of(result, "conflict") == ["pyproject.toml"]
    assert tree_digest(project) == before


def newer_templates(tmp_path, monkeypatch):
    """The test-rag backend with a copy of its templates, as a newer advisor would ship."""
    copy = tmp_path / "templates" / "test-rag"
    shutil.copytree(TEST_RAG.template_dir, copy)
    backend = dataclasses.replace(TEST_RAG, template_dir=copy)
    yield from use_backends(monkeypatch, backend, TEST_TUNE)


@pytest.fixture
def copied(tmp_path, monkeypatch):
    yield from newer_templates(tmp_path, monkeypatch)


def change_templates(tmp_path):
    """A newer advisor: systems.py and commands.py change, in lines the team did not edit."""
    root = tmp_path / "templates/test-rag/files/src/{{package}}/testrag"
    edit(root / "systems.py", '"""Evaluation systems', '"""Evaluation systems (v2)')
    edit(root / "commands.py", '"""Commands of the test RAG backend."""', '"""Commands (v2)."""')


@pytest.mark.parametrize("in_git", [True, False])
def test_a_template_change_reaches_untouched_files_and_keeps_edits(copied, tmp_path, in_git):
    project = make_rag_project(tmp_path)
    if in_git:
        commit_all(project)
    team_edits(project)
    change_templates(tmp_path)

    result = run_advisor("update", project)

    systems = (project / PKG / "testrag/systems.py").read_text()
    commands = (project / PKG / "testrag/commands.py").read_text()
    assert lines_of(result, "update") == [".advisor.yml", f"{PKG}/testrag/systems.py"]
    assert "Evaluation systems (v2)" in systems
    assert "Ask Dana" in (project / "README.md").read_text()
    assert set(lines_of(result, "keep")) == {"README.md", "pyproject.toml"}
    if in_git:
        # The edited file's earlier render no longer re-renders; git history has it.
        assert result.exit_code == 0, result.stderr
        assert lines_of(result, "merge") == [f"{PKG}/testrag/commands.py"]
        assert "came from git history" in result.stderr
        assert '"""Commands (v2)."""' in commands and "(team build)" in commands
    else:
        # No pristine copy anywhere: the difference is the team's to settle.
        assert result.exit_code == 1
        assert lines_of(result, "conflict") == [f"{PKG}/testrag/commands.py"]
        assert "no copy of the earlier render" in result.stderr
        assert "(team build)" in commands and '"""Commands (v2)."""' in commands


def test_the_base_renders_on_the_recorded_provider_dates(backends, tmp_path, monkeypatch):
    # Made before OpenAI's 2027-01-06 event, updated after it: the README's provider
    # notice changes. The base must be rendered as on the day the project was made,
    # or the team's README edit could not be merged against it.
    project = make_rag_project(tmp_path, "--backend", "test-rag", "--backend", "test-tune")
    team_edits(project)
    monkeypatch.setenv("ADVISOR_TODAY", "2027-02-01")

    result = run_advisor("update", project)

    assert result.exit_code == 0, result.stderr
    assert lines_of(result, "merge") == ["README.md"]
    readme = (project / "README.md").read_text()
    assert "since 2027-01-06" in readme and "Ask Dana" in readme


def test_a_dropped_file_is_reported_and_left_in_place(backends, tmp_path):
    project = make_rag_project(tmp_path, "--backend", "test-rag", "--backend", "test-tune")
    edit(project / PKG / "testtune/systems.py", '"""', '"""Ours. ')
    before = tree_digest(project)

    result = run_advisor("update", project, "--backend", "test-rag")

    assert result.exit_code == 0, result.stderr
    dropped = {
        line.split()[1]: line
        for line in result.stderr.splitlines()
        if line.startswith("  dropped ")
    }
    assert "you changed it, so it stays" in dropped[f"{PKG}/testtune/systems.py"]
    assert "unchanged, delete it if unused" in dropped[f"{PKG}/testtune/__init__.py"]
    for path in dropped:
        assert tree_digest(project)[path] == before[path]


def test_a_file_the_team_deleted_stays_deleted(backends, tmp_path):
    project = make_rag_project(tmp_path)
    (project / "evals/eval.jsonl").unlink()
    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")
    assert result.exit_code == 0, result.stderr
    assert lines_of(result, "deleted") == ["evals/eval.jsonl"]
    assert not (project / "evals/eval.jsonl").exists()


def test_changed_answers_are_merged_in(backends, tmp_path):
    project = make_rag_project(tmp_path)
    team_edits(project)
    result = run_advisor("update", project, "--set", "test_top_k=9")
    assert result.exit_code == 0, result.stderr
    assert "TOP_K = 9" in (project / PKG / "testrag/systems.py").read_text()
    assert yaml.safe_load((project / ".advisor.yml").read_text())["answers"]["test_top_k"] == 9


def test_without_git_nothing_is_written(backends, tmp_path, monkeypatch):
    project = make_rag_project(tmp_path)
    team_edits(project)
    before = tree_digest(project)
    real_which = shutil.which
    monkeypatch.setattr(
        merge.shutil, "which", lambda name, *a, **k: None if name == "git" else real_which(name)
    )
    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: advisor update merges with")
    assert tree_digest(project) == before


def test_a_failure_while_writing_leaves_the_tree_as_it_was(backends, tmp_path, monkeypatch):
    import os

    from advisor.scaffold import placement

    project = make_rag_project(tmp_path)
    team_edits(project)
    before = tree_digest(project)
    calls = {"n": 0}
    real_replace = os.replace

    def failing_replace(src, dst, **where):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, **where)

    monkeypatch.setattr(placement.os, "replace", failing_replace)
    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")
    assert result.exit_code == 1
    assert "left as it was" in result.stderr
    assert tree_digest(project) == before


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("none", (), "has no .advisor.yml"),
        ("project", ("--backend", "nope"), "nope"),
        ("project", ("--set", "test_top_k=0"), "test_top_k"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(backends, tmp_path, setup, args, message):
    project = make_rag_project(tmp_path) if setup == "project" else tmp_path
    before = tree_digest(project)
    result = run_advisor("update", project, *args)
    assert result.exit_code == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and message in last
    assert "Traceback" not in result.stderr
    assert tree_digest(project) == before


def test_a_link_out_of_the_project_is_never_followed(backends, tmp_path):
    project = make_rag_project(tmp_path)
    outside = tmp_path / "outside.toml"
    outside.write_text("secret = 1\n")
    (project / "pyproject.toml").unlink()
    (project / "pyproject.toml").symlink_to(outside)
    for dry_run in ((), ("--dry-run",)):
        result = run_advisor(
            "update", project, "--backend", "test-rag", "--backend", "test-tune", *dry_run
        )
        assert result.exit_code == 2
        assert "outside" in result.stderr.strip().splitlines()[-1]
        assert "secret" not in result.stdout  # not read into the diff either
        assert outside.read_text() == "secret = 1\n"


def test_the_record_names_each_file_by_its_git_blob_id(backends, tmp_path):
    project = make_rag_project(tmp_path)
    commit_all(project)
    record = yaml.safe_load((project / ".advisor.yml").read_text())
    on_disk = {
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }
    assert set(record["files"]) == on_disk - {".advisor.yml"}
    for path in ("README.md", "data/pixel.png", f"{PKG}/testrag/systems.py"):
        assert record["files"][path] == git(project, "hash-object", path).strip()
    assert record["providers"] == {"openai-fine-tuning": "2027-01-06"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  README.md: ", "  README.md: zz", "files: README.md: 'zz"),
        ("  README.md: ", "  ../outside.md: ", "files: '../outside.md' is not a path inside"),
        ("  README.md: ", "  /etc/passwd: ", "files: '/etc/passwd' is not a path inside"),
    ],
)
def test_a_damaged_record_is_one_line_and_exit_2(backends, tmp_path, old, new, message):
    project = make_rag_project(tmp_path)
    path = project / ".advisor.yml"
    path.write_text(path.read_text().replace(old, new, 1))
    before = tree_digest(project)
    result = run_advisor("update", project)
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {path}: ") and message in last
    assert tree_digest(project) == before


def test_a_decision_that_now_says_hybrid_adds_the_fine_tuning_half(backends, tmp_path):
    project = make_rag_project(tmp_path, "--backend", "test-rag")  # decided rag
    team_edits(project)
    result = run_advisor("update", project, "--set", "format=strict")
    assert result.exit_code == 0, result.stderr
    assert "Note: the decision is now hybrid: adding test-tune" in result.stderr
    assert (project / PKG / "testtune/systems.py").is_file()
    assert "Ask Dana" in (project / "README.md").read_text()


def test_a_saved_decision_picks_the_backends_and_replaces_the_answers(backends, tmp_path):
    project = make_rag_project(tmp_path)
    hybrid = write_answers(tmp_path, {**RAG_ANSWERS, "format": "strict"}, "hybrid.json")
    decision = run_advisor("decide", "--answers", hybrid, "--format", "json", "--no-input")
    assert decision.exit_code == 0, decision.stderr
    saved = tmp_path / "decision.json"
    saved.write_text(decision.stdout)

    result = run_advisor("update", project, "--decision", saved)

    assert result.exit_code == 0, result.stderr
    record = yaml.safe_load((project / ".advisor.yml").read_text())
    assert record["decision"]["recommendation"] == "hybrid"
    assert record["answers"]["format"] == "strict"
    assert [b["name"] for b in record["backends"]] == ["test-rag", "test-tune"]


def test_without_backend_no_backend_is_dropped(backends, tmp_path):
    project = make_rag_project(tmp_path, "--backend", "test-rag", "--backend", "test-tune")
    result = run_advisor("update", project, "--set", "format=light")  # decides rag
    assert result.exit_code == 0, result.stderr
    assert not lines_of(result, "dropped")
    record = yaml.safe_load((project / ".advisor.yml").read_text())
    assert [b["name"] for b in record["backends"]] == ["test-rag", "test-tune"]


def test_a_binary_file_changed_on_both_sides_keeps_yours(copied, tmp_path):
    project = make_rag_project(tmp_path)
    (project / "data/pixel.png").write_bytes(b"\x89PNG\0ours")
    (tmp_path / "templates/test-rag/files/data/pixel.png").write_bytes(b"\x89PNG\0new")
    result = run_advisor("update", project, "--dry-run")
    assert result.exit_code == 1
    assert "Binary files a/data/pixel.png and b/data/pixel.png differ" not in result.stdout
    result = run_advisor("update", project)
    assert result.exit_code == 1
    assert lines_of(result, "conflict") == ["data/pixel.png"]
    assert "binary, changed on both sides: yours is kept as is" in result.stderr
    assert (project / "data/pixel.png").read_bytes() == b"\x89PNG\0ours"


def test_a_record_from_before_file_ids_is_updated_from_an_unverified_base(backends, tmp_path):
    project = make_rag_project(tmp_path)
    path = project / ".advisor.yml"
    record = yaml.safe_load(path.read_text())
    for key in ("files", "providers", "prices"):
        del record[key]
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    team_edits(project)
    result = run_advisor("update", project, "--backend", "test-rag", "--backend", "test-tune")
    assert result.exit_code == 0, result.stderr
    assert "has no file ids (made by an earlier advisor)" in result.stderr
    assert "Ask Dana" in (project / "README.md").read_text()
    assert "files" in yaml.safe_load(path.read_text())  # the next update verifies again

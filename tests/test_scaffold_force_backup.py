"""``scaffold --force`` keeps a copy of every file it replaces, and says where."""

from __future__ import annotations

import os

import pytest
from scaffold_testkit import (
    HYBRID_ANSWERS,
    TEST_RAG,
    TEST_TUNE,
    run_advisor,
    tree_digest,
    use_backends,
    write_answers,
)


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


@pytest.fixture
def theirs(tmp_path):
    """A folder with a README and a .gitignore of the team's own."""
    target = tmp_path / "bot"
    target.mkdir()
    (target / "README.md").write_text("my own readme\n")
    (target / ".gitignore").write_text("*.log\n")
    return target


def scaffold(tmp_path, target, *args):
    answers = write_answers(tmp_path, HYBRID_ANSWERS)
    return run_advisor("scaffold", target, "--answers", answers, "--no-input", *args)


def backups(target):
    root = target / ".advisor" / "backups"
    return sorted(root.iterdir()) if root.is_dir() else []


def test_force_backs_up_every_replaced_file_and_prints_where(backends, tmp_path, theirs):
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 0, result.stderr
    (folder,) = backups(theirs)
    assert (folder / "README.md").read_text() == "my own readme\n"
    assert (folder / ".gitignore").read_text() == "*.log\n"
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "README.md"]
    assert f"Backed up the 2 replaced files to {folder}" in result.stderr
    assert (theirs / "README.md").read_text().startswith("# bot\n")


def test_a_second_force_keeps_the_first_backup(backends, tmp_path, theirs):
    assert scaffold(tmp_path, theirs, "--force").exit_code == 0
    (theirs / "README.md").write_text("edited again\n")
    assert scaffold(tmp_path, theirs, "--force").exit_code == 0
    first, second = backups(theirs)
    assert (first / "README.md").read_text() == "my own readme\n"
    assert (second / "README.md").read_text() == "edited again\n"


def test_no_backup_only_with_force(backends, tmp_path, theirs):
    result = scaffold(tmp_path, theirs, "--force", "--no-backup")
    assert result.exit_code == 0, result.stderr
    assert backups(theirs) == [] and "Backed up" not in result.stderr
    result = scaffold(tmp_path, tmp_path / "other", "--no-backup")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "--no-backup: only with --force (nothing is replaced without it)"
    )


def test_nothing_to_replace_makes_no_backup(backends, tmp_path):
    target = tmp_path / "fresh"
    assert scaffold(tmp_path, target, "--force").exit_code == 0
    assert not (target / ".advisor").exists()


def test_a_backup_that_cannot_be_made_stops_everything(backends, tmp_path, theirs):
    (theirs / ".advisor").symlink_to(tmp_path)  # never written through
    before = tree_digest(theirs)
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1
    assert "--no-backup" in result.stderr.strip().splitlines()[-1]
    assert tree_digest(theirs) == before
    assert not (tmp_path / "backups").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_backup_folder_stops_everything(backends, tmp_path, theirs):
    (theirs / ".advisor").mkdir()
    (theirs / ".advisor").chmod(0o500)
    try:
        result = scaffold(tmp_path, theirs, "--force")
    finally:
        (theirs / ".advisor").chmod(0o700)
    assert result.exit_code == 1
    assert (theirs / "README.md").read_text() == "my own readme\n"


def test_a_failed_write_removes_its_backup_again(backends, tmp_path, theirs, monkeypatch):
    from advisor.scaffold import placement

    real_link = os.link

    def failing_link(src, dst, **where):  # placement puts each new file in with a hard link
        if os.path.basename(dst) == "pyproject.toml":
            raise OSError(28, "No space left on device")
        return real_link(src, dst, **where)

    monkeypatch.setattr(placement.os, "link", failing_link)
    before = tree_digest(theirs)
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1
    assert tree_digest(theirs) == before

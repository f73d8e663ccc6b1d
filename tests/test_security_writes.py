"""Writing into the target while something else changes it: races, a second scaffold,
signals. Each test stages the attack at the moment it matters (between planning and
writing, mid-commit, mid-undo) and fails when the protection is removed.
"""

from __future__ import annotations

import os
import signal
import tempfile

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

from advisor.scaffold import engine as scaffold_module
from advisor.scaffold import placement


@pytest.fixture
def backends(monkeypatch):
    yield from use_backends(monkeypatch, TEST_RAG, TEST_TUNE)


@pytest.fixture
def staging_root(tmp_path, monkeypatch):
    root = tmp_path / "system-tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def theirs(tmp_path):
    target = tmp_path / "bot"
    target.mkdir()
    (target / "README.md").write_text("my own readme\n")
    (target / "notes.txt").write_text("keep me\n")
    return target


def scaffold(tmp_path, target, *args):
    answers = write_answers(tmp_path, HYBRID_ANSWERS)
    return run_advisor("scaffold", target, "--answers", answers, "--no-input", *args)


def before_commit(monkeypatch, change):
    """Run ``change(target)`` after the plan is made and before the first write."""
    real = scaffold_module.commit

    def commit(target, steps):
        change(target)
        return real(target, steps)

    monkeypatch.setattr(scaffold_module, "commit", commit)


# --- 4. races ---------------------------------------------------------------------------------


def test_a_link_swapped_in_after_planning_is_not_written_through(backends, monkeypatch, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "bot"

    def swap(target):
        (target / "src").symlink_to(outside, target_is_directory=True)

    before_commit(monkeypatch, swap)
    result = scaffold(tmp_path, target)
    assert result.exit_code == 2, result.output
    assert "is a symbolic link to" in result.stderr
    assert list(outside.iterdir()) == []
    assert {p.name for p in target.iterdir()} == {"src"}  # only the attacker's link is left


def test_a_file_created_after_planning_is_not_replaced(backends, monkeypatch, tmp_path):
    target = tmp_path / "bot"

    def plant(target):
        (target / "README.md").write_text("written meanwhile\n")

    before_commit(monkeypatch, plant)
    result = scaffold(tmp_path, target)
    assert result.exit_code == 1, result.output
    assert "README.md: appeared" in result.stderr
    assert tree_digest(target) == {"README.md": tree_digest(target)["README.md"]}
    assert (target / "README.md").read_text() == "written meanwhile\n"


def test_a_file_turned_into_a_link_after_planning_is_not_overwritten(
    backends, monkeypatch, tmp_path, theirs
):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("not yours to overwrite\n")

    def swap(target):
        (target / "README.md").unlink()
        (target / "README.md").symlink_to(outside)

    before_commit(monkeypatch, swap)
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1, result.output
    assert "no longer a regular file" in result.stderr
    assert outside.read_text() == "not yours to overwrite\n"
    assert (theirs / "README.md").is_symlink()


def test_a_second_scaffold_into_the_same_folder_is_refused(backends, tmp_path, theirs):
    before = tree_digest(theirs)
    with placement.target_lock(theirs):
        result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1, result.output
    assert "another advisor is writing into it" in result.stderr
    assert tree_digest(theirs) == before


def test_the_lock_is_released_and_a_new_empty_target_removed(tmp_path):
    target = tmp_path / "deep" / "new"
    with placement.target_lock(target):
        assert target.is_dir()
    assert not (tmp_path / "deep").exists()
    with placement.target_lock(tmp_path):
        pass
    with placement.target_lock(tmp_path):  # released: taking it again works
        pass


# --- 5. signals -------------------------------------------------------------------------------


def signal_on_link(monkeypatch, signum, at=5):
    """Deliver ``signum`` to this process while the ``at``-th file is going in."""
    real_link = os.link
    calls = []

    def link(src, dst, **where):
        calls.append(dst)
        if len(calls) == at:
            os.kill(os.getpid(), signum)
        real_link(src, dst, **where)

    monkeypatch.setattr(placement.os, "link", link)
    return calls


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_mid_commit_undoes_everything(
    backends, monkeypatch, tmp_path, theirs, staging_root, signum
):
    before = tree_digest(theirs)
    calls = signal_on_link(monkeypatch, signum)
    result = scaffold(tmp_path, theirs, "--force")
    assert len(calls) >= 5
    assert result.exit_code == 1, result.output
    assert "Aborted!" in result.stderr
    assert tree_digest(theirs) == before  # no .README.md.*.advisor-old left behind
    assert list(staging_root.iterdir()) == []


def test_the_handlers_are_put_back(backends, tmp_path):
    previous = signal.getsignal(signal.SIGTERM)
    assert scaffold(tmp_path, tmp_path / "bot").exit_code == 0
    assert signal.getsignal(signal.SIGTERM) is previous


def test_a_second_ctrl_c_during_the_undo_does_not_stop_it(backends, monkeypatch, tmp_path, theirs):
    before = tree_digest(theirs)
    real_link, real_replace = os.link, os.replace
    links = []

    def link(src, dst, **where):
        links.append(dst)
        if len(links) == 12:
            raise KeyboardInterrupt
        real_link(src, dst, **where)

    def replace(src, dst, **where):
        if str(dst) == "README.md" and ".advisor-old" in str(src):  # the undo puts it back
            os.kill(os.getpid(), signal.SIGINT)
        real_replace(src, dst, **where)

    monkeypatch.setattr(placement.os, "link", link)
    monkeypatch.setattr(placement.os, "replace", replace)
    result = scaffold(tmp_path, theirs, "--force")
    assert result.exit_code == 1, result.output
    assert "README.md" in links[:11]
    assert tree_digest(theirs) == before

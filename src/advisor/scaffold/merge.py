"""Three-way merge of one file, through ``git merge-file``.

``advisor update`` merges the team's copy of a file (ours) with a new render (theirs)
against the render the project was made from (base). Git's merge is the one teams already
read every day: the same line-by-line rules and the same conflict markers, so an editor's
or IDE's conflict tools work on the result. Git is on nearly every machine that holds a
project worth updating; without it the update stops with one line saying so, before
anything is written. (``merge3``, Breezy's line merge on PyPI, would also do, in pure
Python, at the price of a dependency and a second merge implementation for teams to
learn; ``three-merge`` merges characters, not lines, which suits prose, not code.)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScaffoldError

# A merge of two starter files takes milliseconds; this only bounds a wedged git.
_GIT_TIMEOUT_S = 60


@dataclass(frozen=True)
class Merged:
    """The merged bytes and how many conflict blocks they hold (0: merged cleanly)."""

    content: bytes
    conflicts: int


def is_binary(content: bytes) -> bool:
    """Git's own rule: a NUL byte in the first 8000 bytes makes a file binary."""
    return b"\0" in content[:8000]


def git_executable() -> str:
    """The ``git`` on PATH, or a one-line error naming what needs it."""
    git = shutil.which("git")
    if git is None:
        raise ScaffoldError(
            "advisor update merges with `git merge-file`, and git is not on PATH; "
            "install git (https://git-scm.com) and run it again. Nothing was written."
        )
    return git


def merge_file(ours: bytes, base: bytes, theirs: bytes, labels: tuple[str, str, str]) -> Merged:
    """Merge ``ours`` and ``theirs`` against ``base`` line by line.

    ``labels`` name the three sides in the conflict markers (``<<<<<<< yours``,
    ``>>>>>>> advisor 0.2.0``); git's standard two-sided markers are used. Binary content
    is never merged: the caller keeps one side.
    """
    git = git_executable()
    with tempfile.TemporaryDirectory(prefix="advisor-merge-") as folder:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(content)
            paths.append(str(path))
        label_args = [arg for label in labels for arg in ("-L", label)]
        try:
            result = subprocess.run(
                [git, "merge-file", "-p", *label_args, *paths],
                capture_output=True,
                timeout=_GIT_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScaffoldError(f"git merge-file failed: {exc}; nothing was written") from None
    # The exit status is the number of conflicts (at most 127), negative on error.
    if not 0 <= result.returncode <= 127:
        error = result.stderr.decode("utf-8", "replace").strip()
        raise ScaffoldError(f"git merge-file failed: {error or result.returncode}")
    return Merged(result.stdout, result.returncode)

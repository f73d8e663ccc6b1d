"""The one rule for symbolic links in template folders: there are none.

A link inside a template folder lets a template read, or the scaffold copy, a file from
anywhere on the machine (``/etc/passwd``, ``advisor.toml``, ``/proc/self/environ``), and
a linked folder would be skipped or followed depending on who walks it. Every template
folder, a plugin's as much as a team's ``--templates``, follows this one rule, checked
by :func:`symlinks_in` when a plugin registers and again when the files are rendered.
"""

from __future__ import annotations

import os
from pathlib import Path


def symlinks_in(root: Path) -> list[str]:
    """Every symbolic link under ``root`` (``/``-separated, relative, sorted); never follows one."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in [*dirs, *files]:
            if (here / name).is_symlink():
                found.append((here / name).relative_to(root).as_posix())
        dirs.sort()
    return sorted(found)


def refusal(relative: str) -> str:
    """Why a link at ``relative`` is refused, as the end of a one-line message."""
    return (
        f"{relative} is a symbolic link; template folders may hold none "
        "(a link could read files outside the folder)"
    )

"""Copies of the files a forced scaffold replaces, kept inside the project.

``advisor scaffold --force`` copies every file it is about to overwrite to
``.advisor/backups/<UTC time>/<path>`` in the target before the first write, so nothing the
team had is lost without a trace; ``--force --no-backup`` skips it. The copies stay in
the project (not in a temp folder that disappears) until the team deletes them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ..errors import ScaffoldError

BACKUP_DIR = ".advisor/backups"


def back_up(target: Path, paths: Sequence[PurePosixPath], now: dt.datetime) -> Path:
    """Copy each of ``paths`` (relative to ``target``) into a new backup folder; return it.

    Raises :class:`ScaffoldError` (after removing the partial folder) when a copy fails,
    so the caller writes nothing it could not back up.
    """
    root = target / BACKUP_DIR
    for folder in (root.parent, root):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise ScaffoldError(
                f"{folder}: is not a folder; the backup of the replaced files cannot go there. "
                "Nothing was written (move it away, or use --force --no-backup)."
            )
    try:
        folder = _new_folder(root, now.strftime("%Y%m%dT%H%M%SZ"))
    except OSError as exc:
        raise ScaffoldError(
            f"cannot make {root}: {exc.strerror or exc}. Nothing was written "
            "(use --force --no-backup to overwrite without a backup)."
        ) from None
    try:
        for path in paths:
            copy = folder.joinpath(*path.parts)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target.joinpath(*path.parts), copy, follow_symlinks=False)
    except OSError as exc:
        discard(folder)
        raise ScaffoldError(
            f"cannot back up {path} to {folder}: {exc.strerror or exc}. Nothing was written "
            "(use --force --no-backup to overwrite without a backup)."
        ) from None
    return folder


def discard(folder: Path) -> None:
    """Remove a backup (the write it guarded was undone) and the folders left empty."""
    shutil.rmtree(folder, ignore_errors=True)
    for parent in (folder.parent, folder.parent.parent):
        try:
            parent.rmdir()
        except OSError:
            return


def _new_folder(root: Path, stamp: str) -> Path:
    """``root/stamp``, or ``root/stamp-2``... when a backup was made in the same second."""
    root.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 100):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise ScaffoldError(f"{root}: too many backups made within one second")

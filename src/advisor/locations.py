"""Where advisor keeps things: configuration files and caches. Imports nothing heavy.

``decide`` checks whether a config file exists before paying ~100 ms to import the
settings module, and the caches are read on every start-up, so the locations live here,
in one light module.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PROJECT_CONFIG = Path("advisor.toml")


def user_config_path() -> Path:
    """``$ADVISOR_CONFIG`` if set, else ``config.toml`` in the platform's config dir."""
    override = os.environ.get("ADVISOR_CONFIG")
    if override:
        return Path(override)
    import click

    return Path(click.get_app_dir("advisor")) / "config.toml"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/advisor``, else ``~/.cache/advisor``: safe to delete at any time."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "advisor")


def private_cache_dir(*parts: str) -> Path | None:
    """``cache_dir()/parts...``, created private (0700); None where it cannot be trusted.

    The caches hold compiled template code and the list of plugins to import, so whoever
    can write them can run code as the user. Folders are made one at a time with mode
    0700 (``os.makedirs`` applies the mode to the last one only, and the umask to the
    others), and an existing ``advisor`` cache folder, or one below it, that another user
    owns or others can write is not used: advisor runs without that cache instead. One
    the user owns but others could write is made 0700 for the next run (every file in it
    is checked again when it is read).
    """
    base = cache_dir()
    try:
        _make_private(base.parent, check=False)
        folder = base
        for part in ("", *parts):
            folder = folder / part if part else folder
            _make_private(folder, check=True)
    except OSError:
        return None
    return folder


def _make_private(folder: Path, *, check: bool) -> None:
    if not folder.is_dir():
        parent = folder.parent
        if parent != folder:
            _make_private(parent, check=False)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
    if check:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or not owned_privately(info):
            if stat.S_ISDIR(info.st_mode) and _owned(info):
                # The user's own folder, left open by an older advisor or a loose umask:
                # made private for the next run; what is in it is not trusted in this one.
                os.chmod(folder, 0o700)
            raise PermissionError(f"{folder}: not a private folder of this user")


def owned_privately(info: os.stat_result) -> bool:
    """Whether a file or folder is the user's own and writable by nobody else."""
    return _owned(info) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _owned(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()

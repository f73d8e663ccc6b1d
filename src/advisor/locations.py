"""Where advisor keeps things: configuration files and caches. Imports nothing heavy.

``decide`` checks whether a config file exists before paying ~100 ms to import the
settings module, and the caches are read on every start-up, so the locations live here,
in one light module.
"""

from __future__ import annotations

import os
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

"""Where the configuration files live, without importing pydantic-settings.

``decide`` checks whether a config file exists before paying ~100 ms to import the
settings module, so the locations are here, in one light module both read.
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

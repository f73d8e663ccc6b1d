{# Rendered with the including backend's extra_context: `chatdata.base_model` (the
   default FINETUNE_BASE_MODEL) and `chatdata.epochs` ("auto" or an int). #}
"""The data commands' base model and epochs: their defaults, and when to read settings.

``validate`` needs only these two. Reading them through :class:`.settings.DataSettings`
loads pydantic and pydantic-settings, about 0.1 s, which is most of
validating a file of ten thousand examples. When neither the environment nor ``.env``
names a ``FINETUNE_`` variable, ``DataSettings()`` can only return the defaults, so
:func:`model_and_epochs` returns them without loading it; otherwise the settings are read
and checked as usual (a bad value is still one line and exit code 2).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_PREFIX = "FINETUNE_"
ENV_FILE = ".env"
BASE_MODEL: str = {{ chatdata.base_model | tojson }}
EPOCHS: int | str = {{ chatdata.epochs | tojson }}


def env_file(start: Path | None = None) -> Path:
    """The ``.env`` to read: the working folder's, else the project root's (the nearest
    folder above with a ``pyproject.toml``), so a command run from a subfolder reads the
    project's settings; outside a project, the working folder's."""
    here = (start or Path.cwd()).resolve()
    if (here / ENV_FILE).is_file():
        return here / ENV_FILE
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder / ENV_FILE
    return here / ENV_FILE


def may_be_configured() -> bool:
    """Whether the environment or ``.env`` mentions a ``FINETUNE_`` name, in any case.

    A mention is enough (a commented-out line too): this only decides whether to read the
    settings properly, never what they are.
    """
    prefix = ENV_PREFIX.lower()
    if any(name.lower().startswith(prefix) for name in os.environ):
        return True
    try:
        with env_file().open("rb") as handle:
            return prefix.encode() in handle.read().lower()
    except FileNotFoundError:
        return False
    except OSError:  # unreadable: let pydantic-settings report it
        return True


def model_and_epochs() -> tuple[str, int | str]:
    """``FINETUNE_BASE_MODEL`` and ``FINETUNE_EPOCHS`` as :class:`.settings.DataSettings`
    reads them (from the environment, then ``.env``, else the defaults)."""
    if not may_be_configured():
        return BASE_MODEL, EPOCHS
    from .settings import DataSettings, load_settings

    settings = load_settings(DataSettings)
    return settings.base_model, settings.epochs

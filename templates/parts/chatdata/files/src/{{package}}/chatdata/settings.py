"""The ``FINETUNE_*`` settings, read from the environment and ``.env``.

The fine-tuning backend's settings extend :class:`DataSettings`, so ``validate`` prices
the same base model and epochs that ``train`` will use. Bad values stop a command with one
line naming the variable, the value and what is allowed (exit code 2).

Importing this module loads pydantic and pydantic-settings (a fifth of a second), so the
commands import it when they run: ``--help`` never needs it, and ``validate`` only when a
``FINETUNE_`` variable is set (see :mod:`.defaults`, which holds the defaults).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

import click
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .defaults import BASE_MODEL, ENV_FILE, ENV_PREFIX, EPOCHS, env_file
from .epochs import EPOCHS_ALLOWED, MAX_EPOCHS, MIN_EPOCHS

Epochs = Literal["auto"] | Annotated[int, Field(ge=MIN_EPOCHS, le=MAX_EPOCHS)]


class DataSettings(BaseSettings):
    """What the data commands need: the base model (tokenizer, price) and the epochs."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    base_model: str = Field(default=BASE_MODEL, min_length=1, description="a model name")
    epochs: Epochs = Field(default=EPOCHS, description=EPOCHS_ALLOWED)


class SettingsError(click.ClickException):
    """A setting has a value that is not allowed. Exit code 2, like any bad input."""

    exit_code = 2


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """``cls()``, with a validation error turned into one line (secrets never shown).

    ``.env`` is the working folder's, else the project root's (:func:`.defaults.env_file`).
    """
    try:
        return cls(_env_file=env_file())  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0])
        field = cls.model_fields.get(name)
        env = _env_name(cls, name)
        secret = field is not None and field.annotation is not None and (
            SecretStr in getattr(field.annotation, "__args__", (field.annotation,))
        )
        shown = "(hidden)" if secret else repr(error.get("input"))
        allowed = (field.description if field is not None else None) or error["msg"]
        raise SettingsError(f"{env}: {shown} is not allowed (allowed: {allowed})") from None


def _env_name(cls: type[BaseSettings], name: str) -> str:
    field = cls.model_fields.get(name)
    if field is not None and isinstance(field.validation_alias, str):
        return field.validation_alias
    return f"{cls.model_config.get('env_prefix', '')}{name}".upper()

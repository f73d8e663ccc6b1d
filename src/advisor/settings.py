"""Settings: environment, ``./advisor.toml`` and the user's config file, in that order.

Imported only by commands that read settings (``doctor``, ``config``, cost overrides),
never at start-up: pydantic-settings costs about 100 ms to import.

Precedence, highest first: environment variables (``ADVISOR_*`` plus the providers'
usual ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``WEAVIATE_URL``, ``WEAVIATE_API_KEY``),
``./advisor.toml`` in the current directory, then ``config.toml`` in the user's config
directory (``advisor config show`` prints its path), then defaults. Keys are
``SecretStr``: they print as ``**********`` and never reach reports or generated files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_CONFIG = Path("advisor.toml")


def user_config_path() -> Path:
    """``$ADVISOR_CONFIG`` if set, else ``config.toml`` in the platform's config dir."""
    override = os.environ.get("ADVISOR_CONFIG")
    if override:
        return Path(override)
    return Path(click.get_app_dir("advisor")) / "config.toml"


def _env(name: str) -> AliasChoices:
    return AliasChoices(f"ADVISOR_{name}", name)


class Settings(BaseSettings):
    """The advisor's effective settings."""

    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore", populate_by_name=True)

    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str = Field(
        default="https://api.openai.com/v1", validation_alias=_env("OPENAI_BASE_URL")
    )
    weaviate_url: str | None = Field(default=None, validation_alias=_env("WEAVIATE_URL"))
    weaviate_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("WEAVIATE_API_KEY")
    )
    timeout_s: float = Field(default=5.0, gt=0, description="Timeout for each network check.")
    costs: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the cost model's prices and assumptions ([costs] table).",
    )
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Plugin settings sections ([plugins.NAME] tables)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=PROJECT_CONFIG),
            TomlConfigSettingsSource(settings_cls, toml_file=user_config_path()),
        )


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)

"""The teacher model ``distill`` asks: its settings and one chat call.

The teacher is reached through the OpenAI protocol, like every model in this project:
OpenAI itself, or a server of your own (vLLM) at ``DISTILL_BASE_URL`` (else
``OPENAI_BASE_URL``). Importing this module loads pydantic-settings, so ``distill``
imports it only when it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .defaults import ENV_FILE

if TYPE_CHECKING:
    from openai import OpenAI

MAX_CONCURRENCY = 32


class TeacherSettings(BaseSettings):
    """``DISTILL_*`` settings, falling back to the project's ``OPENAI_*`` endpoint and key."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE, env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    teacher_model: str | None = Field(
        default=None,
        validation_alias="DISTILL_TEACHER_MODEL",
        description="the model whose answers become the training data",
    )
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DISTILL_BASE_URL", "OPENAI_BASE_URL"),
        description="an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1",
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DISTILL_API_KEY", "OPENAI_API_KEY"),
        description="the endpoint's API key",
    )
    concurrency: int = Field(
        default=4,
        ge=1,
        le=MAX_CONCURRENCY,
        validation_alias="DISTILL_CONCURRENCY",
        description=f"an integer from 1 to {MAX_CONCURRENCY}",
    )
    timeout_s: float = Field(
        default=120.0, gt=0, validation_alias="DISTILL_TIMEOUT_S", description="seconds > 0"
    )
    temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        validation_alias="DISTILL_TEMPERATURE",
        description="a number from 0 to 2, sent with each request; unset: none is sent "
        "(reasoning models, the usual teachers, refuse any but their default)",
    )


def make_client(settings: TeacherSettings) -> OpenAI:
    """A client for the teacher's endpoint; OpenAI's own API needs a key."""
    from openai import OpenAI

    key = settings.api_key.get_secret_value() if settings.api_key else None
    if key is None and settings.base_url is None:
        raise ValueError("no API key: set DISTILL_API_KEY or OPENAI_API_KEY, or DISTILL_BASE_URL")
    return OpenAI(
        api_key=key or "unused-by-this-endpoint",
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=2,
    )


def answer(
    client: OpenAI, model: str, messages: list[dict[str, Any]], temperature: float | None = None
) -> str:
    """The teacher's answer to ``messages``; empty when it said nothing. ``temperature``
    is sent only when set: OpenAI's reasoning models answer any but their default with
    HTTP 400."""
    extra: dict[str, Any] = {} if temperature is None else {"temperature": temperature}
    response = client.chat.completions.create(model=model, messages=messages, **extra)
    return (response.choices[0].message.content or "").strip()

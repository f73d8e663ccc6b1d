"""Settings of the RAG pipeline, read from the environment and `.env`.

The defaults are the answers given when the project was scaffolded; every one of them can be
overridden with the environment variable named in the README's configuration table. Keys are
`SecretStr`, so printing the settings (or an exception that holds them) shows `**********`.

`.env` is the one in the working folder, else the project's (the nearest folder above
with a `pyproject.toml`): a command run from a subfolder reads the same settings as from
the project root, instead of silently falling back to embedded Weaviate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

Vectorizer = Literal["text2vec-openai", "self-provided"]
SearchMode = Literal["near-text", "hybrid"]


class RagSettings(BaseSettings):
    """Where Weaviate runs, how documents are chunked and which OpenAI models answer."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY")
    )
{% if deployment == "api" %}
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL"),
        description="An OpenAI-compatible endpoint, e.g. http://localhost:8000/v1.",
    )
{% else %}
    # Deployment {{ deployment }}: the defaults are the local servers of docker-compose.yml,
    # so no setting left unset sends data to a provider's API.
    openai_base_url: str | None = Field(
        default="http://localhost:8000/v1",
        validation_alias=AliasChoices("OPENAI_BASE_URL"),
        description="The OpenAI-compatible server (vLLM) that writes the answers.",
    )
{% endif %}
    embedding_base_url: str | None = Field(
        default={% if deployment == "api" %}None{% else %}"http://localhost:8001/v1"{% endif %},
        validation_alias=AliasChoices("RAG_EMBEDDING_BASE_URL"),
        description="The OpenAI-compatible endpoint for embeddings; unset: OPENAI_BASE_URL.",
    )
    openai_timeout_s: float = Field(
        default=60.0, gt=0, validation_alias=AliasChoices("OPENAI_TIMEOUT_S")
    )

    weaviate_url: str | None = Field(
        default={% if deployment == "api" %}None{% else %}"http://localhost:8080"{% endif %},
        validation_alias=AliasChoices("WEAVIATE_URL"),
        description="Unset: embedded Weaviate in weaviate_data_path.",
    )
    weaviate_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WEAVIATE_API_KEY")
    )
    weaviate_grpc_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WEAVIATE_GRPC_HOST"),
        description="Unset: the host of WEAVIATE_URL.",
    )
    weaviate_grpc_port: int = Field(
        default=50051, ge=1, le=65535, validation_alias=AliasChoices("WEAVIATE_GRPC_PORT")
    )
    weaviate_data_path: Path = Field(
        default=Path(".weaviate"), validation_alias=AliasChoices("WEAVIATE_DATA_PATH")
    )
    weaviate_replication_factor: int = Field(
        default=1, ge=1, le=9, validation_alias=AliasChoices("WEAVIATE_REPLICATION_FACTOR")
    )
    weaviate_shards: int | None = Field(
        default=None, ge=1, le=1024, validation_alias=AliasChoices("WEAVIATE_SHARDS")
    )

    collection: str = Field(
        default={{ answers.rag_collection | tojson }},
        pattern=r"^[A-Z][_0-9A-Za-z]{0,254}$",
        validation_alias=AliasChoices("RAG_COLLECTION"),
    )
    vectorizer: Vectorizer = Field(
        default={{ rag_models.vectorizer | tojson }}, validation_alias=AliasChoices("RAG_VECTORIZER")
    )
    embedding_model: str = Field(
        default={{ rag_models.embedding | tojson }},
        min_length=1,
        validation_alias=AliasChoices("RAG_EMBEDDING_MODEL"),
    )
    chat_model: str = Field(
        default={{ rag_models.chat | tojson }},
        min_length=1,
        validation_alias=AliasChoices("RAG_CHAT_MODEL"),
    )
    temperature: float | None = Field(
        default={% if rag_models.temperature is none %}None{% else %}{{ rag_models.temperature }}{% endif %},
        ge=0,
        le=2,
        validation_alias=AliasChoices("RAG_TEMPERATURE"),
        description="Sent with each answer request; none: not sent. Reasoning models "
        "(OpenAI's gpt-5 onwards) refuse any but their default, so the default is set only "
        "for a model the advisor's price book knows accepts one.",
    )
    search_mode: SearchMode = Field(
        default={{ answers.rag_search_mode | tojson }}, validation_alias=AliasChoices("RAG_SEARCH_MODE")
    )
    top_k: int = Field(
        default={{ answers.rag_top_k }}, ge=1, le=50, validation_alias=AliasChoices("RAG_TOP_K")
    )
    hybrid_alpha: float = Field(
        default=0.5,
        ge=0,
        le=1,
        validation_alias=AliasChoices("RAG_HYBRID_ALPHA"),
        description="Hybrid search weight: 0 is keyword (BM25) only, 1 is vector only.",
    )
    chunk_size: int = Field(
        default={{ answers.rag_chunk_size }},
        ge=50,
        le=100_000,
        validation_alias=AliasChoices("RAG_CHUNK_SIZE"),
    )
    chunk_overlap: int = Field(
        default={{ answers.rag_chunk_overlap }},
        ge=0,
        validation_alias=AliasChoices("RAG_CHUNK_OVERLAP"),
    )

    @field_validator("temperature", mode="before")
    @classmethod
    def _none_sends_no_temperature(cls, value: object) -> object:
        """``RAG_TEMPERATURE=none`` turns a rendered default off."""
        if isinstance(value, str) and value.strip().lower() == "none":
            return None
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> RagSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"RAG_CHUNK_OVERLAP ({self.chunk_overlap}) must be smaller than "
                f"RAG_CHUNK_SIZE ({self.chunk_size})"
            )
        return self

    def embedding_url(self) -> str | None:
        """Where embeddings are computed: ``RAG_EMBEDDING_BASE_URL``, else ``OPENAI_BASE_URL``."""
        return self.embedding_base_url or self.openai_base_url

    def openai_key_or_none(self) -> str | None:
        """The OpenAI key for a client, or None when none is configured."""
        return self.openai_api_key.get_secret_value() if self.openai_api_key else None
{% if "fine-tune" in approaches %}

    def chat_model_is_set(self) -> bool:
        """Whether ``RAG_CHAT_MODEL`` was given; unset, this hybrid project answers with the
        fine-tuned model (see ``hybrid.py``)."""
        return "chat_model" in self.model_fields_set
{% endif %}


_ENV_NAMES = {
    name: field.validation_alias.choices[0]
    for name, field in RagSettings.model_fields.items()
    if isinstance(field.validation_alias, AliasChoices)
}
_SECRETS = {"OPENAI_API_KEY", "WEAVIATE_API_KEY"}


class SettingsError(click.ClickException):
    """A setting has a value it cannot take; one line, exit code 2."""

    exit_code = 2


def env_file(start: Path | None = None) -> Path:
    """The `.env` to read: the working folder's, else the project root's (which may not
    exist); outside a project, the working folder's."""
    here = (start or Path.cwd()).resolve()
    if (here / ".env").is_file():
        return here / ".env"
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder / ".env"
    return here / ".env"


def load_settings(**overrides: object) -> RagSettings:
    """Read the settings, turning a bad value into one line naming variable, value and rule."""
    try:
        return RagSettings(_env_file=env_file(), **overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = str(error["loc"][0]) if error["loc"] else ""
    name = _ENV_NAMES.get(where, where)
    message = error["msg"].removeprefix("Value error, ")
    if name not in _ENV_NAMES.values():
        return f"invalid settings: {message}"
    shown = "(hidden)" if name in _SECRETS else repr(error.get("input"))
    return f"{name}={shown}: {message}"

"""Settings for the pgvector RAG pipeline, from the environment or ``.env``."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PgvectorSettings(BaseSettings):
    """Keys are :class:`SecretStr`: they never show up in a repr, a log or an error."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    pgvector_database_url: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    pgvector_embedding_model: str = "text-embedding-3-small"
    pgvector_chat_model: str = "{{ pgvector_chat_model }}"
    # None: no temperature is sent (reasoning models refuse any but their default)
    pgvector_temperature: float | None = {{ "None" if pgvector_temperature is none else pgvector_temperature }}
    pgvector_table: str = "{{ pgvector_table }}"
    pgvector_dimensions: int = {{ pgvector_dimensions }}
    pgvector_top_k: int = 3

    def missing(self) -> list[str]:
        """The settings a live call needs that are not set, by environment name."""
        needed = {"PGVECTOR_DATABASE_URL": self.pgvector_database_url,
                  "OPENAI_API_KEY": self.openai_api_key}
        return [name for name, value in needed.items() if value is None]

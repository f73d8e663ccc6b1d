"""Embeddings and answers through the OpenAI API (or any server that speaks it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import PgvectorSettings

if TYPE_CHECKING:
    from openai import OpenAI


def client(settings: PgvectorSettings) -> OpenAI:
    from openai import OpenAI

    if settings.openai_api_key is None:
        raise RuntimeError("OPENAI_API_KEY is not set (see .env.example)")
    return OpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=30,
        max_retries=2,
    )


def embed(texts: list[str], settings: PgvectorSettings) -> list[list[float]]:
    """One vector per text, in order."""
    response = client(settings).embeddings.create(
        model=settings.pgvector_embedding_model, input=texts
    )
    return [item.embedding for item in sorted(response.data, key=lambda item: item.index)]


def complete(prompt: str, settings: PgvectorSettings) -> str:
    temperature = settings.pgvector_temperature
    extra = {} if temperature is None else {"temperature": temperature}
    response = client(settings).chat.completions.create(
        model=settings.pgvector_chat_model,
        messages=[{"role": "user", "content": prompt}],
        **extra,
    )
    return response.choices[0].message.content or ""

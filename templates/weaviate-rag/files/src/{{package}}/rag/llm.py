"""The OpenAI-compatible API: embeddings for self-provided vectors, chat for answers.

`openai` is imported inside :func:`make_client`, so commands that never call a model
never load it. The base URL is configurable (``OPENAI_BASE_URL``), so any
OpenAI-compatible server (vLLM, Ollama, a gateway) works.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click
from pydantic import SecretStr

from ..evaluation import record_usage

if TYPE_CHECKING:
    from openai import OpenAI

    from .settings import RagSettings

EMBEDDING_BATCH = 256


class ModelError(click.ClickException):
    """A model call failed; one line without the key or the full request."""

    exit_code = 1


@dataclass(frozen=True)
class ChatTarget:
    """The model that writes the answers, and the OpenAI-compatible endpoint serving it."""

    model: str
    base_url: str | None  # None: OpenAI's API
    api_key: SecretStr | None
    temperature: float | None = 0.0  # None: send none (the model's default)


def configured_chat(settings: RagSettings) -> ChatTarget:
    """``RAG_CHAT_MODEL`` at ``OPENAI_BASE_URL``, with ``OPENAI_API_KEY`` and
    ``RAG_TEMPERATURE``."""
    return ChatTarget(
        settings.chat_model,
        settings.openai_base_url,
        settings.openai_api_key,
        settings.temperature,
    )


def make_client(settings: RagSettings) -> OpenAI:
    """A client for the embedding endpoint; a key is required for OpenAI itself."""
    key = settings.openai_key_or_none()
    return _client(settings.embedding_url(), key, settings.openai_timeout_s)


def chat_client(target: ChatTarget, timeout_s: float) -> OpenAI:
    """A client for the endpoint that serves ``target``."""
    key = target.api_key.get_secret_value() if target.api_key else None
    return _client(target.base_url, key, timeout_s)


def _client(base_url: str | None, key: str | None, timeout_s: float) -> OpenAI:
    from openai import OpenAI

    if key is None and base_url is None:
        raise ModelError("OPENAI_API_KEY is not set (put it in .env or the environment)")
    return OpenAI(api_key=key or "unused-by-this-endpoint", base_url=base_url, timeout=timeout_s)


def embed(client: OpenAI, model: str, texts: Sequence[str]) -> list[list[float]]:
    """Embed ``texts`` in batches, keeping their order."""
    import openai

    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBEDDING_BATCH):
        batch = list(texts[start : start + EMBEDDING_BATCH])
        try:
            response = client.embeddings.create(model=model, input=batch)
        except openai.OpenAIError as exc:
            raise ModelError(f"embedding with {model} failed: {_describe(exc)}") from None
        record_usage(model, response.usage, kind="embedding")
        ordered = sorted(response.data, key=lambda item: item.index)
        vectors.extend(list(item.embedding) for item in ordered)
    return vectors


def chat(
    client: OpenAI,
    model: str,
    messages: list[dict[str, Any]],
    response_format: dict[str, Any] | None = None,
    temperature: float | None = 0.0,
) -> str:
    """One chat completion; the answer text. ``response_format`` asks for structured
    outputs (a JSON schema the API holds the answer to); ``temperature`` is sent unless
    None (reasoning models refuse any but their default)."""
    import openai

    extra: dict[str, Any] = {} if response_format is None else {"response_format": response_format}
    if temperature is not None:
        extra["temperature"] = temperature
    try:
        response = client.chat.completions.create(model=model, messages=messages, **extra)
    except openai.OpenAIError as exc:
        raise ModelError(f"chat completion with {model} failed: {_describe(exc)}") from None
    record_usage(response.model or model, response.usage)
    return (response.choices[0].message.content or "").strip()


_KEY_LIKE = re.compile(r"\b(sk|key)-[\w*.-]+", re.IGNORECASE)


def _describe(exc: Exception) -> str:
    """The error's kind, status and first line, with anything shaped like a key masked."""
    status = getattr(exc, "status_code", None)
    kind = f"{type(exc).__name__} (HTTP {status})" if status else type(exc).__name__
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        message = str(exc)
    first = _KEY_LIKE.sub("***", message.strip().splitlines()[0]) if message.strip() else ""
    return f"{kind}: {first}" if first else kind

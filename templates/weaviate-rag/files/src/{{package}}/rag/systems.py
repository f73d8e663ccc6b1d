{% if "fine-tune" in approaches %}
"""Evaluation systems for the shared `evaluate` command: `rag` and `fine-tuned+rag`.

Both retrieve with the configured search; `rag` answers with the base model (the model
before fine-tuning, or ``RAG_CHAT_MODEL`` when set) and `fine-tuned+rag` with the
fine-tuned model, so `evaluate` shows what retrieval and fine-tuning each add (`base` and
`fine-tuned`, without retrieval, come from the fine-tuning side). A system whose model does
not exist yet is left out with a note. Predictions carry the retrieved file names, from
which the runner computes the retrieval hit rate. Each system holds one Weaviate connection
and its model clients for every question; `evaluate` closes them when it is done.
"""
{% else %}
"""Evaluation systems for the shared `evaluate` command: `rag`.

`rag` retrieves with the configured search and answers with ``RAG_CHAT_MODEL``; its
prediction's ``sources`` are the retrieved file names, from which the runner computes the
retrieval hit rate. One Weaviate connection serves every question; `evaluate` closes it,
and the model clients, when it is done.
"""
{% endif %}

from __future__ import annotations

import threading

import click

from ..evaluation import Prediction, System
{% if "fine-tune" in approaches %}
from .hybrid import base_chat, fine_tuned_chat
{% endif %}
from .llm import ChatTarget
from .prompting import source_files
from .settings import RagSettings, SettingsError, load_settings
{% set names = "rag, fine-tuned+rag" if "fine-tune" in approaches else "rag" %}


def systems() -> dict[str, System]:
{% if "fine-tune" in approaches %}
    """``rag`` and ``fine-tuned+rag``; fewer (with a note) when something is missing."""
{% else %}
    """``{"rag": ...}``, or nothing (with a note) when no model endpoint is configured."""
{% endif %}
    try:
        settings = load_settings()
    except SettingsError as exc:
        click.echo(f"{{ names }}: skipped ({exc.message})", err=True)
        return {}
    if settings.openai_api_key is None and settings.openai_base_url is None:
        click.echo("{{ names }}: skipped (OPENAI_API_KEY is not set)", err=True)
        return {}
{% if "fine-tune" in approaches %}
    base, note = base_chat(settings)
    if note:
        click.echo(f"rag: {note}", err=True)
    found = {"rag": rag_system(settings, chat=base)}
    tuned, missing = fine_tuned_chat()
    if tuned is None:
        click.echo(f"fine-tuned+rag: skipped ({missing})", err=True)
    else:
        found["fine-tuned+rag"] = rag_system(settings, chat=tuned)
    return found
{% else %}
    return {"rag": rag_system(settings)}
{% endif %}


def rag_system(settings: RagSettings, *, chat: ChatTarget | None = None) -> System:
    """A system answering with retrieval; the connection opens on the first question.

    ``evaluate`` asks many questions at once: they share one connection, and the
    retrieval step takes turns (Weaviate's synchronous client makes no promise about
    threads), while the chat calls, the slow part, run side by side. A connection that
    cannot be opened (no collection yet, Weaviate down) fails every later question at once
    with the same error.
    """
    from .pipeline import Answerer

    answerer: Answerer | None = None
    unreachable: Exception | None = None  # why the connection could not be opened
    turn = threading.Lock()

    def predict(question: str) -> Prediction:
        nonlocal answerer, unreachable
        with turn:
            if unreachable is not None:  # `rag` before `ingest`: say so once per question,
                raise unreachable  # without waiting on Weaviate again for each
            if answerer is None:
                try:
                    answerer = Answerer(settings, chat=chat)
                except Exception as exc:
                    unreachable = exc
                    raise
            hits = answerer.retrieve(question)
        return Prediction(answer=answerer.generate(question, hits), sources=source_files(hits))

    def close() -> None:
        with turn:
            if answerer is not None:
                answerer.close()

    predict.close = close  # type: ignore[attr-defined]
    return predict

"""Evaluation systems for the shared `evaluate` command: `rag`.

`rag` retrieves with the configured search and answers with ``RAG_CHAT_MODEL``; its
prediction's ``sources`` are the retrieved file names, from which the runner computes the
retrieval hit rate. One Weaviate connection serves every question and is closed when the
process exits.
"""

from __future__ import annotations

import atexit

import click

from ..evaluation import Prediction, System
from .prompting import source_files
from .settings import RagSettings, SettingsError, load_settings


def systems() -> dict[str, System]:
    """``{"rag": ...}``, or nothing (with a note) when no model endpoint is configured."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        click.echo(f"rag: skipped ({exc.message})", err=True)
        return {}
    if settings.openai_api_key is None and settings.openai_base_url is None:
        click.echo("rag: skipped (OPENAI_API_KEY is not set)", err=True)
        return {}
    return {"rag": rag_system(settings)}


def rag_system(settings: RagSettings, *, chat_model: str | None = None) -> System:
    """A system answering with retrieval; the connection opens on the first question."""
    from .pipeline import Answerer

    answerer: Answerer | None = None

    def predict(question: str) -> Prediction:
        nonlocal answerer
        if answerer is None:
            answerer = Answerer(settings, chat_model=chat_model)
            atexit.register(answerer.close)
        answer, hits = answerer.answer(question)
        return Prediction(answer=answer, sources=source_files(hits))

    return predict


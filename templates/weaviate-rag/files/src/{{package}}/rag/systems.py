{% if "fine-tune" in approaches %}
"""Evaluation systems for the shared `evaluate` command: `rag` and `fine-tuned+rag`.

Both retrieve with the configured search; `rag` answers with the base model (the model
before fine-tuning, or ``RAG_CHAT_MODEL`` when set) and `fine-tuned+rag` with the
fine-tuned model, so `evaluate` shows what retrieval and fine-tuning each add (`base` and
`fine-tuned`, without retrieval, come from the fine-tuning side). A system whose model does
not exist yet is left out with a note. Predictions carry the retrieved file names, from
which the runner computes the retrieval hit rate. Each system holds one Weaviate connection
for every question, closed when the process exits.
"""
{% else %}
"""Evaluation systems for the shared `evaluate` command: `rag`.

`rag` retrieves with the configured search and answers with ``RAG_CHAT_MODEL``; its
prediction's ``sources`` are the retrieved file names, from which the runner computes the
retrieval hit rate. One Weaviate connection serves every question and is closed when the
process exits.
"""
{% endif %}

from __future__ import annotations

import atexit

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
    """A system answering with retrieval; the connection opens on the first question."""
    from .pipeline import Answerer

    answerer: Answerer | None = None

    def predict(question: str) -> Prediction:
        nonlocal answerer
        if answerer is None:
            answerer = Answerer(settings, chat=chat)
            atexit.register(answerer.close)
        answer, hits = answerer.answer(question)
        return Prediction(answer=answer, sources=source_files(hits))

    return predict


"""The systems ``evaluate`` compares: the base model and the fine-tuned one.

Both are asked with the training data's system prompt, through one client that
``evaluate`` closes when it is done. Without an API key there is nothing to ask, and
without a fine-tuned model there is only the base model; either way ``systems()`` says so
on stderr and returns what it can, never raising.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..chatdata.settings import load_settings
from ..evaluation import Prediction, System
from .answer import ask
from .commands import fine_tuned_model
from .settings import FineTuneSettings

if TYPE_CHECKING:
    from openai import OpenAI


def systems() -> dict[str, System]:
    settings = load_settings(FineTuneSettings)
    if settings.openai_api_key is None:
        click.echo("skipping base, fine-tuned: OPENAI_API_KEY is not set", err=True)
        return {}
    client = settings.client()
    found = {"base": _system(client, settings.base_model, settings.system_prompt)}
    model = fine_tuned_model(settings)
    if model is None:
        click.echo("skipping fine-tuned: no fine-tuned model yet (run `train`)", err=True)
    else:
        found["fine-tuned"] = _system(client, model, settings.system_prompt)
    return found


def _system(client: OpenAI, model: str, system_prompt: str) -> System:
    def run(question: str) -> Prediction:
        return Prediction(answer=ask(client, model, system_prompt, question))

    run.close = client.close  # type: ignore[attr-defined]
    return run

"""The questions this backend asks and the template variables it derives from the answers.

The models offered are the OpenAI entries of the starter's own price table
(``models.json`` in the chatdata part), so the question and the generated project can
never disagree about which models exist. The provider's wind-down dates are read from the
advisor's provider-status data and rendered into the starter as data, so ``train`` can
explain a refused job with the same dates and source the advisor shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import advisor.api as api
from advisor.api import InputError, Question, ScaffoldContext, templates_path

PROVIDER = "openai-fine-tuning"
DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"
SUFFIX_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
SUFFIX_ALLOWED = "1 to 64 letters, digits, '-' or '_'"


@cache
def supported_models() -> tuple[str, ...]:
    """OpenAI base models the starter has a price for, cheapest first."""
    path = templates_path(
        "parts", "chatdata", "files", "src", "{{package}}", "chatdata", "models.json"
    )
    models = json.loads(path.read_text("utf-8"))["models"]
    openai = {k: v for k, v in models.items() if v.get("provider") == "openai"}
    return tuple(sorted(openai, key=lambda k: (openai[k]["training_usd_per_1m_tokens"], k)))


def questions() -> tuple[Question, ...]:
    return (
        Question(
            "openai_base_model",
            "choice",
            "Which OpenAI model should be fine-tuned?",
            choices=supported_models(),
            default=DEFAULT_MODEL,
        ),
        Question(
            "openai_suffix",
            "str",
            f"Suffix for the fine-tuned model's name ({SUFFIX_ALLOWED}).",
            default="guidelines",
        ),
        Question(
            "openai_n_epochs",
            "int",
            "Training epochs (0: auto, OpenAI's default from the number of examples).",
            default=0,
            minimum=0,
            maximum=50,
        ),
        Question(
            "openai_seed",
            "int",
            "Training seed (the same seed and data make a job reproducible).",
            default=42,
            minimum=0,
            maximum=2**31 - 1,
        ),
    )


def openai_status() -> dict[str, Any]:
    """OpenAI fine-tuning's status entry (dated events, source), as template data."""
    status = api.provider_status(PROVIDER)
    assert status is not None, f"advisor's provider data has no {PROVIDER!r} entry"
    return {
        "name": status.name,
        "status": status.status,
        "source": status.source,
        "alternative": status.alternative,
        "note": status.note,
        "events": [
            {"date": event.date.isoformat(), "text": event.text}
            for event in sorted(status.events, key=lambda e: e.date)
        ],
    }


def extra_context(ctx: ScaffoldContext) -> Mapping[str, Any]:
    """Template variables: ``chatdata`` (read by the shared part), ``openai_finetune``
    and ``openai_status``."""
    defaults = {q.key: q.default for q in questions()}
    answers = {**defaults, **ctx.answers}
    suffix = answers["openai_suffix"]
    if not SUFFIX_PATTERN.fullmatch(suffix):
        raise InputError(f"openai_suffix: {suffix!r} is not allowed (allowed: {SUFFIX_ALLOWED})")
    epochs = answers["openai_n_epochs"]
    return {
        "chatdata": {
            "base_model": answers["openai_base_model"],
            "epochs": "auto" if epochs == 0 else epochs,
        },
        "openai_finetune": {"suffix": suffix, "seed": answers["openai_seed"]},
        "openai_status": openai_status(),
    }

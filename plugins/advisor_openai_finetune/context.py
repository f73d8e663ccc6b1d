"""The questions this backend asks and the template variables it derives from the answers.

The models offered are the OpenAI entries of the starter's own price table
(``models.json`` in the chatdata part), so the question and the generated project can
never disagree about which models exist. The default base model is the snapshot of the
advisor price book's hosted fine-tuning model, not a literal here; every fine-tunable
OpenAI model has an announced shutdown, which ``models.json`` dates and the README and
``doctor`` state. The provider's wind-down dates are read from the advisor's
provider-status data and rendered into the starter as data, so ``train`` can explain a
refused job with the same dates and source the advisor shows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import advisor.api as api
from advisor.api import N_, InputError, Message, Question, ScaffoldContext, templates_path

PROVIDER = "openai-fine-tuning"
SUFFIX_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
SUFFIX_ALLOWED = "1 to 64 letters, digits, '-' or '_'"


def models_table() -> Path:
    """The starter's own model table (``models.json`` of the chatdata part)."""
    return templates_path(
        "parts", "chatdata", "files", "src", "{{package}}", "chatdata", "models.json"
    )


@cache
def _table() -> dict[str, Any]:
    return json.loads(models_table().read_text("utf-8"))


@cache
def supported_models() -> tuple[str, ...]:
    """OpenAI base models the starter has a price for, cheapest first."""
    models = _table()["models"]
    openai = {k: v for k, v in models.items() if v.get("provider") == "openai"}
    return tuple(sorted(openai, key=lambda k: (openai[k]["training_usd_per_1m_tokens"], k)))


@cache
def default_model() -> str:
    """The snapshot the advisor's price book prices hosted fine-tuning with.

    It must be one the starter can train: a price book naming another is a packaging
    error, caught by the tests rather than shipped as a default the question refuses.
    """
    model = api.chat_model("hosted_fine_tune_model").model_id
    if model not in supported_models():
        raise api.PluginError(
            f"the price book's hosted fine-tuning model {model!r} is not in "
            f"{models_table().name} (allowed: {', '.join(supported_models())})"
        )
    return model


def retirement(model: str) -> dict[str, str] | None:
    """``model``'s announced shutdown from ``models.json``: date, source, date checked."""
    retires = _table()["models"].get(model, {}).get("retires")
    if not retires:
        return None
    where = _table().get("retirements", {})
    return {"date": retires, "source": where.get("source", ""), "checked": where.get("checked", "")}


def retirement_line(model: str, today: dt.date) -> Message:
    """One sentence on ``model``'s shutdown, for doctor and the README; dated source."""
    found = retirement(model)
    if found is None:
        return Message(
            N_("no shutdown date is recorded for {model} (unknown; check the provider)"),
            model=model,
        )
    facts = {"model": model, "date": found["date"], "source": found["source"],
             "checked": found["checked"]}
    if dt.date.fromisoformat(found["date"]) <= today:
        return Message(
            N_("{model} was shut down on {date} with every fine-tune built on it "
               "(source: {source}, checked {checked})"),
            **facts,
        )
    return Message(
        N_("{model} shuts down on {date} with every fine-tune built on it "
           "(source: {source}, checked {checked})"),
        **facts,
    )


def questions() -> tuple[Question, ...]:
    return (
        Question(
            "openai_base_model",
            "choice",
            N_("Which OpenAI model should be fine-tuned?"),
            choices=supported_models(),
            default=default_model(),
        ),
        Question(
            "openai_suffix",
            "str",
            N_("Suffix for the fine-tuned model's name (1 to 64 letters, digits, '-' or '_')."),
            default="guidelines",
        ),
        Question(
            "openai_n_epochs",
            "int",
            N_("Training epochs (0: auto, OpenAI's default from the number of examples)."),
            default=0,
            minimum=0,
            maximum=50,
        ),
        Question(
            "openai_seed",
            "int",
            N_("Training seed (the same seed and data make a job reproducible)."),
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
    base = answers["openai_base_model"]
    return {
        "chatdata": {
            "base_model": base,
            "epochs": "auto" if epochs == 0 else epochs,
        },
        "openai_base_retires": retirement(base),
        "openai_finetune": {"suffix": suffix, "seed": answers["openai_seed"]},
        "openai_status": openai_status(),
    }

"""The built-in `hf-lora` backend: LoRA fine-tuning of an open-weights model the team owns.

Hosted fine-tuning APIs are closing (see ``advisor/data/providers.yaml``); this backend is
the path a team can still take next year. Its starter trains a LoRA (or QLoRA) adapter with
Hugging Face ``transformers`` + ``peft`` + ``trl``'s SFT trainer on the same chat-format
JSONL the OpenAI starter reads (validated by the shared ``chatdata`` part), evaluates base
against tuned through the starter's ``evaluate`` command, exports the adapter and optionally
a merged model, and serves through any OpenAI-compatible server (vLLM).

It registers exactly as a third-party plugin would: through the ``advisor`` entry-point
group, using only :mod:`advisor.api`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.api import (
    Backend,
    EnvVar,
    InputError,
    Question,
    ScaffoldContext,
    hookimpl,
    templates_path,
)

from .models import BY_ID, DEFAULT_MODEL, MODELS

MODEL_QUESTION = Question(
    "hf_lora_model",
    "choice",
    "Open-weights base model to fine-tune with LoRA (hf-lora backend).",
    choices=tuple(model.repo_id for model in MODELS),
    default=DEFAULT_MODEL,
    choice_help={model.repo_id: model.summary() for model in MODELS},
)


def extra_context(ctx: ScaffoldContext) -> Mapping[str, Any]:
    """The chosen base model and the whole model table, for the code and the README."""
    chosen = ctx.answers.get(MODEL_QUESTION.key, DEFAULT_MODEL)
    if chosen not in BY_ID:
        raise InputError(
            f"{MODEL_QUESTION.key}: {chosen!r} is not offered; allowed: {MODEL_QUESTION.allowed()}"
        )
    return {
        "hf_lora_model": BY_ID[chosen].to_dict(),
        "hf_lora_models": [model.to_dict() for model in MODELS],
    }


BACKEND = Backend(
    name="hf-lora",
    approaches=("fine-tune",),
    description="LoRA/QLoRA fine-tuning of an open-weights model with transformers, peft and trl",
    template_dir=templates_path("hf-lora"),
    questions=(MODEL_QUESTION,),
    include=(templates_path("parts", "chatdata"),),
    dependencies=(
        "torch>=2.6",
        "transformers>=5.0,<6",
        "peft>=0.17,<1",
        "trl>=1.0,<2",
        "datasets>=4.0",
        "accelerate>=1.10,<2",
        "openai>=1.66",
    ),
    env=(
        EnvVar(
            "HF_LORA_BASE_MODEL",
            "Base model: a Hugging Face Hub id or a local directory.",
            DEFAULT_MODEL,
        ),
        EnvVar(
            "HF_LORA_OUTPUT_DIR",
            "Where training writes the adapter (adapter/) and the merged model (merged/).",
            "out/hf-lora",
        ),
        EnvVar(
            "HF_LORA_SERVER_URL",
            "OpenAI-compatible server (e.g. vLLM) to evaluate and chat through; "
            "empty: run the model in-process.",
            "",
        ),
        EnvVar(
            "HF_LORA_SERVER_API_KEY",
            "API key of that server, if it was started with one (vLLM --api-key).",
            "",
            secret=True,
        ),
        EnvVar(
            "HF_LORA_SERVED_ADAPTER",
            "Name the server gives the LoRA adapter (vLLM --lora-modules NAME=PATH).",
            "lora",
        ),
        EnvVar(
            "HF_TOKEN",
            "Hugging Face token, only for gated base models (Llama).",
            "",
            secret=True,
        ),
    ),
    gitignore=("out/",),
    commands=("hf_lora.commands",),
    eval_systems=("hf_lora.systems",),
    extra_context=extra_context,
    next_steps=(
        'pip install -e ".[dev]"',
        "python -m pytest",
    ),
)


@hookimpl
def register_backends(register: Any) -> None:
    register(BACKEND)

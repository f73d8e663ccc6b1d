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

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from advisor_chatdata import DISTILL_ENV

from advisor.api import (
    N_,
    Backend,
    EnvVar,
    InputError,
    Question,
    ScaffoldContext,
    hookimpl,
    open_weights_training,
    templates_path,
)

from . import checks
from .models import BY_ID, DEFAULT_MODEL, MODELS

MODEL_QUESTION = Question(
    "hf_lora_model",
    "choice",
    N_("Open-weights base model to fine-tune with LoRA (hf-lora backend)."),
    choices=tuple(model.repo_id for model in MODELS),
    default=DEFAULT_MODEL,
    choice_help={model.repo_id: model.summary() for model in MODELS},
)


# The shared data part's heuristic: 3 epochs, more for under 34 examples (at least ~100
# example passes), fewer for very large files. It suits LoRA as it suits OpenAI's jobs.
DEFAULT_EPOCHS = "auto"


@cache
def training_system_prompt() -> str:
    """The system message of the shipped training data, which ``chat``/``evaluate`` reuse."""
    first = templates_path("parts", "chatdata", "files", "data", "train.jsonl").read_text("utf-8")
    messages = json.loads(first.splitlines()[0])["messages"]
    return next(m["content"] for m in messages if m["role"] == "system")


def chunks(text: str, width: int = 72) -> list[str]:
    """``text`` cut at spaces into pieces of about ``width``, which join back to ``text``.

    Generated code writes a long string as adjacent literals, one piece a line.
    """
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(candidate) > width:
            pieces.append(current + " ")
            current = word
        else:
            current = candidate
    return [*pieces, current]


def extra_context(ctx: ScaffoldContext) -> Mapping[str, Any]:
    """Template variables: the chosen model, the model table (README), the system prompt
    and epochs, and ``chatdata`` (read by the shared part: same model, same epochs)."""
    chosen = ctx.answers.get(MODEL_QUESTION.key, DEFAULT_MODEL)
    if chosen not in BY_ID:
        raise InputError(
            f"{MODEL_QUESTION.key}: {chosen!r} is not allowed (allowed: {MODEL_QUESTION.allowed()})"
        )
    return {
        "hf_lora_model": BY_ID[chosen].to_dict(),
        "hf_lora_models": [model.to_dict() for model in MODELS],
        "hf_lora_system_prompt": chunks(training_system_prompt()),
        "hf_lora_epochs": DEFAULT_EPOCHS,
        # `validate` estimates GPU-hours with the same figures as `advisor decide`
        "chatdata": {"base_model": chosen, "epochs": DEFAULT_EPOCHS,
                     "gpu": open_weights_training("hf-lora")},
    }


BACKEND = Backend(
    name="hf-lora",
    approaches=("fine-tune",),
    description=N_(
        "LoRA/QLoRA fine-tuning of an open-weights model with transformers, peft and trl"
    ),
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
        # The shared chatdata part's `validate` parses with orjson. It counts tokens with
        # tiktoken only for OpenAI models, so tiktoken is not needed here.
        "orjson>=3.9",
    ),
    env=(
        EnvVar(
            "FINETUNE_BASE_MODEL",
            N_("Base model to fine-tune: a Hugging Face Hub id or a local model directory."),
            DEFAULT_MODEL,
        ),
        EnvVar(
            "FINETUNE_EPOCHS",
            N_("Training epochs: auto (3, more for under 34 examples) or 1-50."),
            DEFAULT_EPOCHS,
        ),
        EnvVar(
            "HF_LORA_OUTPUT_DIR",
            N_("Where training writes the adapter (adapter/) and the merged model (merged/)."),
            "out/hf-lora",
        ),
        EnvVar(
            "HF_LORA_SERVER_URL",
            N_("OpenAI-compatible server (e.g. vLLM) to evaluate and chat through; "
            "empty: run the model in-process."),
            "",
            local="http://localhost:8000/v1",
        ),
        EnvVar(
            "HF_LORA_SERVER_API_KEY",
            N_("API key of that server, if it was started with one (vLLM --api-key)."),
            "",
            secret=True,
        ),
        EnvVar(
            "HF_LORA_SERVED_ADAPTER",
            N_("Name the server gives the LoRA adapter (vLLM --lora-modules NAME=PATH)."),
            "lora",
        ),
        EnvVar(
            "HF_LORA_SERVED_BASE_MODEL",
            N_("Name the server gives the base model (vLLM --served-model-name); "
            "empty: FINETUNE_BASE_MODEL."),
            "",
        ),
        EnvVar(
            "HF_TOKEN",
            N_("Hugging Face token, only for gated base models (Llama)."),
            "",
            secret=True,
            deployments=("api", "self-hosted"),
        ),
        *DISTILL_ENV,
        EnvVar(
            "HF_HUB_OFFLINE",
            N_("1: Hugging Face libraries never reach the Hub; models come from the local cache."),
            "1",
            deployments=("air-gapped",),
        ),
    ),
    gitignore=("out/",),
    commands=("chatdata.commands", "chatdata.distill", "hf_lora.commands"),
    eval_systems=("hf_lora.systems",),
    extra_context=extra_context,
    next_steps=(
        # alone: the sample data; in a hybrid: the RAFT data the retrieval steps build
        '{% if "rag" not in approaches %}{{ project_slug }} validate data/train.jsonl'
        "{% endif %}",
        '{% if "rag" not in approaches %}{{ project_slug }} train   # on a GPU; README: CPU '
        "smoke test, accelerate, vLLM{% endif %}",
        '{% if "rag" in approaches %}{{ project_slug }} train --train-file '
        "data/raft/raft.train.jsonl --validation-file data/raft/raft.validation.jsonl"
        "{% endif %}",
    ),
)


@hookimpl
def register_backends(register: Any) -> None:
    register(BACKEND)


@hookimpl
def register_doctor_checks(register: Any) -> None:
    checks.register_all(register)

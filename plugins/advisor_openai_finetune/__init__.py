"""The built-in ``openai-finetune`` backend: a starter that fine-tunes an OpenAI model.

Registered through the ``advisor`` entry-point group exactly as a third-party plugin
would be. The starter's data commands (``validate``, ``split``) come from the shared
``templates/parts/chatdata`` part, which the open-weights ``hf-lora`` backend uses too;
everything that talks to OpenAI is in this backend's own templates.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from advisor_chatdata import DISTILL_ENV

from advisor.api import N_, Backend, Check, EnvVar, hookimpl, templates_path

from . import checks
from .context import PROVIDER, default_model, extra_context, questions


def alone(step: str) -> str:
    """A next step for a project without retrieval (it trains on the sample data)."""
    return '{% if "rag" not in approaches %}' + step + "{% endif %}"


def in_hybrid(step: str) -> str:
    """A next step for a hybrid (it trains on the RAFT data the retrieval steps build)."""
    return '{% if "rag" in approaches %}' + step + "{% endif %}"


@cache
def backend() -> Backend:
    """Built on first use: ``advisor decide`` loads plugins but never needs backends."""
    return Backend(
        name="openai-finetune",
        approaches=("fine-tune",),
        description=N_("Supervised fine-tuning of an OpenAI model (self-serve, winding down)"),
        template_dir=templates_path("openai-finetune"),
        include=(templates_path("parts", "chatdata"),),
        questions=questions(),
        dependencies=("openai>=1.66", "tiktoken>=0.7", "orjson>=3.9"),
        env=(
            EnvVar("OPENAI_API_KEY", N_("OpenAI API key"), "sk-your-key-here", secret=True),
            EnvVar(
                "OPENAI_BASE_URL",
                N_("API base URL, for an OpenAI-compatible server (unset: OpenAI)"),
                "https://api.openai.com/v1",
                local="http://localhost:8000/v1",
            ),
            EnvVar("FINETUNE_BASE_MODEL", N_("base model to fine-tune"), default_model()),
            EnvVar("FINETUNE_SUFFIX", N_("suffix of the fine-tuned model's name"), "guidelines"),
            EnvVar("FINETUNE_SEED", N_("training seed, for reproducible jobs"), "42"),
            EnvVar("FINETUNE_EPOCHS", N_("training epochs: auto or 1-50"), "auto"),
            EnvVar(
                "FINETUNE_FINE_TUNED_MODEL",
                N_("fine-tuned model to use instead of the one `train` recorded"),
                "",
            ),
            *DISTILL_ENV,
        ),
        commands=("chatdata.commands", "chatdata.distill", "finetune.commands"),
        eval_systems=("finetune.systems",),
        next_steps=(
            # alone: the sample data; in a hybrid: the RAFT data the retrieval steps build
            alone("{{ project_slug }} validate data/train.jsonl"),
            alone("{{ project_slug }} train --dry-run"),
            alone("{{ project_slug }} train   # needs OPENAI_API_KEY in .env"),
            in_hybrid(
                "{{ project_slug }} train --training-file data/raft/raft.train.jsonl "
                "--validation-file data/raft/raft.validation.jsonl"
            ),
            '{{ project_slug }} chat "How often should adults get a flu vaccine?"',
        ),
        provider=PROVIDER,
        extra_context=extra_context,
    )


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    register(backend())


@hookimpl
def register_doctor_checks(register: Callable[[Check], None]) -> None:
    checks.register_all(register)

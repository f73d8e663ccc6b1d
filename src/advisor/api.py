"""The public API for plugins: the one module a plugin imports from the core.

Everything a backend or a command plugin needs is re-exported here; anything else in
``advisor`` may change between releases without notice, except :mod:`advisor.testing`
(helpers for a plugin's tests). The hooks themselves are documented in
:mod:`advisor.hookspecs` and ``docs/plugins.md``.

.. code-block:: python

    from pathlib import Path
    from advisor.api import Backend, hookimpl

    @hookimpl
    def register_backends(register):
        register(Backend(
            name="my-rag",
            approaches=("rag",),
            description="RAG on my favourite vector store",
            template_dir=Path(__file__).parent / "templates",
        ))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

from .backends import APPROACHES, Approach, Backend, EnvVar, ScaffoldContext
from .chat_models import ChatModel
from .checks import Check, CheckResult, Status
from .clock import today
from .errors import InputError, PluginError
from .evidence import SCHEMA as EVIDENCE_SCHEMA
from .evidence import SCHEMA_PATH as EVIDENCE_SCHEMA_PATH
from .evidence import (
    Evidence,
    EvidenceError,
    SystemResult,
    loads_evidence,
    parse_evidence,
)
from .i18n import N_, Catalog
from .messages import Message
from .plugin_costs import CostLine, CostOption, CostSource
from .providers import ProviderEvent, ProviderStatus
from .questionnaire import REQUIRED, Answers, Question
from .systems import Prediction, System, Usage

hookimpl = pluggy.HookimplMarker("advisor")


def templates_path(*parts: str) -> Path:
    """The directory of the templates that ship with ``advisor`` (``templates/`` in the repo).

    The built-in backends keep their templates there (``templates_path("openai-finetune")``);
    third-party plugins ship their own next to their code.
    """
    packaged = Path(__file__).parent / "templates"
    root = packaged if packaged.is_dir() else Path(__file__).parents[2] / "templates"
    return root.joinpath(*parts)


def provider_status(key: str) -> ProviderStatus | None:
    """The dated status of a provider (``Backend.provider`` names it), or None if unknown.

    Backends use it to state, with dates and a source, when a service they depend on is
    closing (``status.notice(today)`` gives the paragraph the advisor prints).
    """
    from .providers import load_providers

    return load_providers().get(key)


def chat_model(kind: str = "chat_model") -> ChatModel:
    """The price book's current chat model for ``kind``, with its lifecycle facts.

    ``chat_model`` is the default model for answers, ``hosted_fine_tune_model`` the one
    hosted fine-tuning trains, ``large_chat_model`` the large one. Starters render it as
    the default of a setting the team can override, never as a literal snapshot.
    """
    from .chat_models import selected

    return selected(kind)


def chat_model_facts(model_id: str) -> ChatModel | None:
    """What the price book knows about ``model_id`` (a name, a dated snapshot or a
    fine-tune of one): whether it reasons and when it retires. None when unpriced."""
    from .chat_models import lookup

    return lookup(model_id)


def open_weights_training(backend: str) -> dict[str, Any] | None:
    """The price book's figures for training with an open-weights backend, or None.

    A dict with ``key`` (its name in ``prices.yaml``), ``gpu``, ``gpu_hour_usd``,
    ``training_tokens_per_second``, ``run_overhead_hours``, ``as_of`` and ``source``: what
    a starter needs to estimate the GPU-hours of a training run as ``advisor decide`` does.
    """
    from .advice import load_price_data

    for key, entry in load_price_data().get("open_weights_models", {}).items():
        if entry.get("backend") == backend:
            fields = (
                "gpu",
                "gpu_hour_usd",
                "training_tokens_per_second",
                "run_overhead_hours",
                "source",
            )
            return {"key": key, **{f: entry[f] for f in fields}, "as_of": str(entry["as_of"])}
    return None


__all__ = [
    "APPROACHES",
    "EVIDENCE_SCHEMA",
    "EVIDENCE_SCHEMA_PATH",
    "N_",
    "REQUIRED",
    "Answers",
    "Approach",
    "Backend",
    "Catalog",
    "ChatModel",
    "Check",
    "CheckResult",
    "CostLine",
    "CostOption",
    "CostSource",
    "EnvVar",
    "Evidence",
    "EvidenceError",
    "InputError",
    "Message",
    "PluginError",
    "Prediction",
    "ProviderEvent",
    "ProviderStatus",
    "Question",
    "ScaffoldContext",
    "Status",
    "System",
    "SystemResult",
    "Usage",
    "chat_model",
    "chat_model_facts",
    "hookimpl",
    "loads_evidence",
    "open_weights_training",
    "parse_evidence",
    "provider_status",
    "templates_path",
    "today",
]

"""Which backends a scaffold uses, and the saved decision it may start from.

A decision names approaches (``rag``, ``fine-tune``, or both for ``hybrid``); each
approach gets one backend: the preferred default when it is installed, else the only
installed backend serving it. ``--backend NAME`` picks backends directly. A project holds
at most one backend per approach, so two fine-tuning backends are refused, naming both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..backends import Backend
from ..errors import InputError
from ..framework import RECOMMENDATIONS, Decision, DecisionWarning, Flip, Reason
from ..providers import notice
from ..questionnaire import CORE_QUESTIONS, Answers, collect

# Preferred backend per approach, best first. The open-weights LoRA backend comes before
# OpenAI's fine-tuning, which is winding down (see data/providers.yaml).
DEFAULT_BACKENDS: dict[str, tuple[str, ...]] = {
    "rag": ("weaviate-rag",),
    "fine-tune": ("hf-lora", "openai-finetune"),
}

MAX_DECISION_FILE_BYTES = 1_000_000


def choose_backends(
    available: Mapping[str, Backend],
    approaches: Iterable[str],
    names: Sequence[str] = (),
    source: str = "--backend",
) -> tuple[Backend, ...]:
    """The backends for ``names`` if any are given, else one per approach; sorted by name."""
    if names:
        chosen = [_lookup(available, name, source) for name in dict.fromkeys(names)]
    else:
        chosen = []
        for approach in approaches:
            if not any(approach in backend.approaches for backend in chosen):
                chosen.append(default_backend(available, approach))
    _check_one_per_approach(chosen)
    return tuple(sorted(chosen, key=lambda backend: backend.name))


def default_backend(available: Mapping[str, Backend], approach: str) -> Backend:
    """The preferred installed backend for ``approach``, else the only one serving it."""
    for name in DEFAULT_BACKENDS.get(approach, ()):
        if name in available:
            return available[name]
    serving = sorted(name for name, b in available.items() if approach in b.approaches)
    if len(serving) == 1:
        return available[serving[0]]
    if not serving:
        wanted = " or ".join(DEFAULT_BACKENDS.get(approach, ())) or "one"
        raise InputError(
            f"no installed backend serves {approach!r} (install a plugin providing {wanted}, "
            "or pick an installed backend with --backend NAME; `advisor plugins` lists them)"
        )
    raise InputError(
        f"several installed backends serve {approach!r}: {', '.join(serving)} "
        "(pick one with --backend NAME)"
    )


def _lookup(available: Mapping[str, Backend], name: str, source: str) -> Backend:
    refused = getattr(available, "refused", {})  # advisor.backends.Backends knows why
    if name not in available and name in refused:
        raise InputError(f"{source} {name!r}: {refused[name]}")
    if name not in available:
        known = ", ".join(sorted(available)) or "none installed"
        raise InputError(f"{source} {name!r}: unknown backend (available: {known})")
    return available[name]


def _check_one_per_approach(chosen: Sequence[Backend]) -> None:
    owner: dict[str, str] = {}
    for backend in chosen:
        for approach in backend.approaches:
            if approach in owner:
                raise InputError(
                    f"backends {owner[approach]!r} and {backend.name!r} both serve "
                    f"{approach!r}: a project holds at most one backend per approach"
                )
            owner[approach] = backend.name


def approaches_of(backends: Iterable[Backend]) -> tuple[str, ...]:
    """The approaches the chosen backends cover, sorted (``("fine-tune", "rag")``)."""
    return tuple(sorted({a for backend in backends for a in backend.approaches}))


def provider_notices(
    backends: Iterable[Backend], today: dt.date | None = None
) -> tuple[tuple[str, str], ...]:
    """``(backend, notice)`` for each backend whose provider is winding a service down.

    The notice reads what has happened by ``today`` (default: the real date) and what is
    still to come, so it changes only when a dated event passes.
    """
    found = []
    for backend in backends:
        text = notice(backend.provider, today)
        if text:
            found.append((backend.name, text))
    return tuple(found)


# --- a saved decision (`advisor decide --format json`) -------------------------------------


def load_decision(path: Path) -> Decision:
    """Rebuild the :class:`Decision` a ``decide --format json`` run saved, validating it."""
    data = _read_json_mapping(path)
    where = f"--decision {path}"

    def field(key: str, kind: type | tuple[type, ...], allowed: str) -> Any:
        value = data.get(key)
        wrong_bool = isinstance(value, bool) and kind is not bool  # True is an int too
        if wrong_bool or not isinstance(value, kind):
            raise InputError(
                f"{where}: {key}: {json.dumps(value, default=str)[:60]} is not {allowed} "
                "(expected the output of `advisor decide --format json`)"
            )
        return value

    recommendation = field("recommendation", str, "a recommendation")
    if recommendation not in RECOMMENDATIONS:
        raise InputError(
            f"{where}: recommendation: {recommendation!r} is not allowed "
            f"(allowed: one of {', '.join(RECOMMENDATIONS)})"
        )
    answers = collect(
        CORE_QUESTIONS, field("answers", dict, "a mapping"), source=f"{where}: answers",
        interactive=False,
    )
    confidence = field("confidence", (int, float), "a number from 0 to 1")
    if not 0 <= confidence <= 1:
        raise InputError(f"{where}: confidence: {confidence} is not a number from 0 to 1")
    try:
        reasons = tuple(
            Reason(r["key"], r["text"], r["points_to"], r["principle"])
            for r in field("reasons", list, "a list")
        )
        warnings = tuple(
            DecisionWarning(w["key"], w["text"]) for w in field("warnings", list, "a list")
        )
        flips = tuple(
            Flip(f["key"], f["from"], f["to"], f["recommendation"], 0.0)
            for f in field("flips", list, "a list")
        )
    except (KeyError, TypeError) as exc:
        raise InputError(
            f"{where}: reasons, warnings or flips: an entry lacks {exc} "
            "(expected the output of `advisor decide --format json`)"
        ) from None
    variant = data.get("variant")
    if variant is not None and not isinstance(variant, str):
        raise InputError(f"{where}: variant: {variant!r} is not a string or null")
    return Decision(
        recommendation=recommendation,
        confidence=float(confidence),
        reasons=reasons,
        warnings=warnings,
        flips=flips,
        answers=Answers.from_mapping(answers),
        retrieval_needed=field("retrieval_needed", bool, "true or false"),
        fine_tune_feasible=field("fine_tune_feasible", bool, "true or false"),
        variant=variant,
        framework_version=field("framework_version", str, "a version string"),
    )


def _read_json_mapping(path: Path) -> dict[str, Any]:
    from ..inputfiles import read_limited

    where = f"--decision {path}"
    raw = read_limited(path, "decision file", MAX_DECISION_FILE_BYTES, label=where)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError):
        raise InputError(f"{where}: not valid JSON: a number has too many digits, or "
                         "the nesting is too deep") from None
    if not isinstance(data, dict):
        raise InputError(
            f"{where}: must be a JSON object (the output of `advisor decide --format json`)"
        )
    return data

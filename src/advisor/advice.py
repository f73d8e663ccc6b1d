"""What ``advisor decide`` reports: the decision, what each option costs, dated notices.

The framework decides from the answers alone (pure, no clock). This layer adds what
depends on the date, the price book and the user's configuration: the cost estimate,
a warning when the recommendation fine-tunes through a provider that is winding down,
and a warning when the recommendation's upfront cost exceeds the budget. ``today`` and
the overrides are parameters so tests pin them; the CLI passes the real ones.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .costs import CostEstimate, PriceBook, estimate, fine_tune_provider
from .framework import Decision, DecisionWarning
from .framework import decide as run_framework
from .i18n import N_
from .locations import PROJECT_CONFIG, user_config_path
from .messages import Message
from .providers import hosted_fine_tuning_alternatives, load_providers, notice
from .questionnaire import Answers

COSTS_ENV = "ADVISOR_COSTS"


class Advice(NamedTuple):
    """The full report model: a decision (with dated warnings added) and its costs."""

    decision: Decision
    costs: CostEstimate
    today: dt.date


def build_advice(
    answers: Answers,
    *,
    today: dt.date,
    overrides: Mapping[str, Any] | None = None,
    price_data: Mapping[str, Any] | None = None,
) -> Advice:
    """Decide, price every option, and add the provider, lifecycle and budget warnings.

    The fine-tuning path follows provider status: a provider closed to new
    organisations is not the primary path unless the team says it has access
    (``fine_tune_path = "hosted"``).
    """
    book = PriceBook.from_data(price_data or load_price_data(), overrides)
    decision = run_framework(answers, book)
    closed = frozenset(
        key for key, status in load_providers().items() if status.closed_to_new(today)
    )
    costs = _with_plugin_options(
        estimate(answers, book, closed, variant=decision.variant, today=today), answers
    )
    warnings = list(decision.warnings)
    if "fine-tune" in decision.approaches and not answers.self_hosted:
        warnings.extend(_provider_warnings(book, costs, closed, today))
    warnings.extend(_lifecycle_warnings(decision, costs, today))
    if not any(w.key == "latency_ms" for w in warnings):
        warnings.extend(_latency_warnings(decision, costs))
    warnings.extend(_budget_warnings(decision, costs))
    return Advice(replace(decision, warnings=tuple(warnings)), costs, today)


def _lifecycle_warnings(decision: Decision, costs: CostEstimate,
                        today: dt.date) -> list[DecisionWarning]:
    """A recommended option that depends on a model with an announced retirement."""
    option = costs.option(decision.recommendation)
    if option.retires is None:
        return []
    if option.retires <= today:
        text = N_(
            "The {option} option depends on a model that retired on {date} (a fine-tune dies "
            "with its base model): its costs stop there ({months:.1f} months). Plan the "
            "migration, or choose a current model in [costs]."
        )
    else:
        text = N_(
            "The {option} option depends on a model that retires on {date} (a fine-tune dies "
            "with its base model): its costs stop there ({months:.1f} months). Plan the "
            "migration, or choose a current model in [costs]."
        )
    return [DecisionWarning(
        "lifecycle",
        Message(text, option=option.name, date=option.retires.isoformat(),
                months=option.horizon_months),
    )]


def _with_plugin_options(costs: CostEstimate, answers: Answers) -> CostEstimate:
    """The options plugins price (``register_cost_options``), where a plugin may add one."""
    from .plugin_names import may_price_options

    if not may_price_options():
        return costs
    from .plugin_costs import add_plugin_options

    return add_plugin_options(costs, answers)


def _provider_warnings(book: PriceBook, costs: CostEstimate, closed: frozenset[str],
                       today: dt.date) -> list[DecisionWarning]:
    """The hosted provider's notice when fine-tuning goes through it, or was moved off it."""
    hosted = fine_tune_provider(book, "hosted")
    chosen = fine_tune_provider(book, costs.fine_tune_path)
    moved_off = book.assumptions["fine_tune_path"] == "auto" and hosted in closed
    status = notice(hosted if chosen or moved_off else None, today)
    if status is None:
        return []
    # The notice itself is data (data/providers.yaml, English); the sentences around it
    # are the advisor's and are translated.
    others = hosted_fine_tuning_alternatives(today)
    if moved_off and others:
        text = N_(
            "{notice} The costs below price the open-weights path; a team that already has "
            "hosted fine-tuning access sets fine_tune_path = \"hosted\" under [costs]. Other "
            "hosted fine-tuning (see data/providers.yaml): {others}."
        )
    elif moved_off:
        text = N_(
            "{notice} The costs below price the open-weights path; a team that already has "
            "hosted fine-tuning access sets fine_tune_path = \"hosted\" under [costs]."
        )
    elif others:
        text = N_("{notice} Other hosted fine-tuning (see data/providers.yaml): {others}.")
    else:
        text = N_("Provider status: {notice}")
    return [DecisionWarning("provider", Message(text, notice=status, others=others))]


def _latency_warnings(decision: Decision, costs: CostEstimate) -> list[DecisionWarning]:
    """The recommended option's expected p95 above the budget, and what would fit."""
    option = costs.option(decision.recommendation)
    budget = decision.answers.latency_ms
    if option.latency is None or option.latency.expected <= budget:
        return []
    fits = [o for o in costs.primary
            if o.latency and o.latency.expected <= budget and o.meets_requirements]
    if fits:
        text = N_(
            "The {option} option's p95 is estimated at {expected:,.0f} ms ({low:,.0f}-"
            "{high:,.0f}) against a {budget:,} ms budget: shorter answers, a lower reasoning "
            "effort, no reranking, or a smaller fine-tuned model would bring it down; {other} "
            "is estimated at {other_ms:,.0f} ms."
        )
    else:
        text = N_(
            "The {option} option's p95 is estimated at {expected:,.0f} ms ({low:,.0f}-"
            "{high:,.0f}) against a {budget:,} ms budget: shorter answers, a lower reasoning "
            "effort, no reranking, or a smaller fine-tuned model would bring it down."
        )
    return [DecisionWarning(
        "latency_ms",
        Message(text, option=option.name, expected=option.latency.expected,
                low=option.latency.low, high=option.latency.high, budget=budget,
                other=fits[0].name if fits else "",
                other_ms=fits[0].latency.expected if fits else 0.0),
    )]


def _budget_warnings(decision: Decision, costs: CostEstimate) -> list[DecisionWarning]:
    option = costs.option(decision.recommendation)
    if option.within_budget:
        return []
    largest = max(option.upfront_items, key=lambda item: item.usd)
    fair = [o for o in costs.primary if o.meets_requirements] or [option]
    cheapest = min(fair, key=lambda o: o.upfront)
    if cheapest is not option:
        text = N_(
            "The {option} option costs ${upfront:,.2f} upfront (engineering setup + one-off "
            "compute; largest item: {item}, ${item_usd:,.2f}), more than the ${budget:,.2f} "
            "budget: raise the budget or change the assumptions that drive it; {cheapest} "
            "needs ${cheapest_usd:,.2f}."
        )
    else:
        text = N_(
            "The {option} option costs ${upfront:,.2f} upfront (engineering setup + one-off "
            "compute; largest item: {item}, ${item_usd:,.2f}), more than the ${budget:,.2f} "
            "budget: raise the budget or change the assumptions that drive it."
        )
    return [DecisionWarning(
        "budget_usd",
        Message(text, option=option.name, upfront=option.upfront, item=Message(largest.label),
                item_usd=largest.usd, budget=costs.budget_usd, cheapest=cheapest.name,
                cheapest_usd=cheapest.upfront),
    )]


@cache
def load_price_data() -> dict[str, Any]:
    """The price book shipped with the package (``data/prices.yaml``), parsed once.

    Read beside this module rather than through ``importlib.resources``, which costs
    ``decide`` about 9 ms of imports (zipfile, tempfile) at every start.
    """
    text = (Path(__file__).parent / "data" / "prices.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # a SafeLoader: plain data only


def config_may_set_costs() -> bool:
    """True when a source that can hold a ``[costs]`` table exists: then read settings."""
    for name in os.environ:
        upper = name.upper()
        if upper == COSTS_ENV or upper.startswith(COSTS_ENV + "__"):
            return True
    return PROJECT_CONFIG.is_file() or user_config_path().is_file()


def load_cost_overrides() -> dict[str, Any]:
    """The user's ``[costs]`` overrides from settings, or ``{}`` when none can exist.

    Values from ``ADVISOR_COSTS__KEY`` variables arrive as text and are read as YAML
    scalars (``800`` -> 800), as ``--set`` reads answers; TOML and JSON keep their types.
    """
    if not config_may_set_costs():
        return {}
    from .settings import load_settings

    settings = load_settings()
    return _typed_env_values(dict(settings.costs), settings.origin, "costs")


def _typed_env_values(table: dict[str, Any], origin: Any, path: str) -> dict[str, Any]:
    from .questionnaire import parse_scalar

    out: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{path}.{key}"
        if isinstance(value, dict):
            out[key] = _typed_env_values(value, origin, where)
        elif isinstance(value, str) and origin(where).startswith("env "):
            out[key] = parse_scalar(value)
        else:
            out[key] = value
    return out

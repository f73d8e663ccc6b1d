"""Cost options plugins contribute (``register_cost_options``), priced beside the core's.

A backend for a hosted service (a managed vector database, a fine-tuning provider) knows
its own prices; the core does not. Through the hook it registers a :class:`CostOption`:
its own bill lines, optionally on top of one of the core options (``based_on="rag"``
reuses rag's lines, minus the ones it ``replaces``), and the sources of its prices. The
option then appears in the costs table, the chart (dashed, like the core's secondary
options) and the price sources of every report. It never changes the recommendation:
that stays the framework's.

This is the one place that turns the public records into the cost model's own, so the
cost model's internals can change without breaking plugins.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .costs import CostEstimate
    from .questionnaire import Answers

OPTION_APPROACHES = ("rag", "fine-tune", "hybrid")


@dataclass(frozen=True)
class CostLine:
    """One line of a bill: what it is, what it costs in USD, and the arithmetic behind it."""

    label: str
    usd: float
    basis: str


@dataclass(frozen=True)
class CostSource:
    """Where a plugin's prices come from: shown in the reports' price sources.

    ``as_of`` is the date the price was read from ``source`` (a URL); ``assumption``
    marks a number that is an estimate rather than a published price.
    """

    key: str
    source: str
    as_of: dt.date | None
    note: str = ""
    assumption: bool = False


@dataclass(frozen=True)
class CostOption:
    """A plugin's option in the costs table, e.g. ``"rag (pgvector on RDS)"``.

    ``approach`` is one of ``rag``, ``fine-tune``, ``hybrid``. With ``based_on`` (one of
    those too), the option starts from that core option's lines, drops the ones whose
    label is in ``replaces`` (``"vector database"``) and adds its own ``upfront`` and
    ``monthly`` lines. ``sources`` must name at least one source with a date or an
    ``assumption`` flag: a price without one cannot be checked.
    """

    name: str
    approach: str
    upfront: tuple[CostLine, ...] = ()
    monthly: tuple[CostLine, ...] = ()
    sources: tuple[CostSource, ...] = ()
    based_on: str | None = None
    replaces: tuple[str, ...] = ()


def option_problems(option: CostOption, taken: set[str]) -> list[str]:
    """What makes ``option`` unusable, as phrases naming the field (empty: fine)."""
    problems = []
    if not isinstance(option.name, str) or not option.name.strip() or "\n" in option.name:
        problems.append(f"name {option.name!r} must be one non-empty line")
    elif option.name in taken:
        problems.append(f"name {option.name!r} is already an option (allowed: a new name)")
    for field, value in (("approach", option.approach), ("based_on", option.based_on)):
        if (value is not None or field == "approach") and value not in OPTION_APPROACHES:
            problems.append(f"{field} {value!r} is not allowed (allowed: rag, fine-tune, hybrid)")
    for line in (*option.upfront, *option.monthly):
        usd = line.usd if isinstance(line, CostLine) else None
        if not isinstance(usd, int | float) or isinstance(usd, bool) or not math.isfinite(usd):
            problems.append(f"line {line!r} must be a CostLine with a finite usd")
        elif usd < 0:
            problems.append(f"line {line.label!r}: usd {usd!r} is negative (allowed: >= 0)")
    dated = [
        s
        for s in option.sources
        if isinstance(s, CostSource) and s.source and (s.as_of is not None or s.assumption)
    ]
    if not dated:
        problems.append(
            "sources: none with a source and an as_of date (or assumption=True); "
            "every price needs one"
        )
    return problems


def add_plugin_options(costs: CostEstimate, answers: Answers) -> CostEstimate:
    """``costs`` plus the options plugins register, each vetted; the rest is unchanged."""
    from .costs import CostItem, OptionCost, PriceSource
    from .plugins import get_plugins

    manager = get_plugins()
    taken = {o.name for o in costs.options}
    options = list(costs.options)
    sources = list(costs.sources)
    for plugin, option in manager.collect("register_cost_options", CostOption, answers=answers):
        problems = option_problems(option, taken)
        for problem in problems:
            manager.fail(plugin, f"cost option {option.name!r}: {problem}")
        if problems:
            continue
        taken.add(option.name)
        upfront = [CostItem(line.label, float(line.usd), line.basis) for line in option.upfront]
        monthly = [CostItem(line.label, float(line.usd), line.basis) for line in option.monthly]
        if option.based_on is not None:
            base = next(o for o in costs.options if o.primary and o.approach == option.based_on)
            upfront = [i for i in base.upfront_items if i.label not in option.replaces] + upfront
            monthly = [i for i in base.monthly_items if i.label not in option.replaces] + monthly
        options.append(
            OptionCost(
                option.name,
                option.approach,
                None,
                False,
                tuple(upfront),
                tuple(monthly),
                answers.queries_per_month,
                answers.budget_usd,
                {"plugin": plugin},
            )
        )
        sources.extend(
            PriceSource(s.key, f"plugin {plugin}", s.as_of, s.source, s.assumption, s.note)
            for s in option.sources
        )
    return replace(costs, options=tuple(options), sources=tuple(sources))

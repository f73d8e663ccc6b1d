"""The cost model: what rag, fine-tune and hybrid cost upfront, per month and over time.

A pure function of the answers, a :class:`PriceBook` (``data/prices.yaml`` plus the
user's ``[costs]`` overrides) and the providers that accept no new work: no I/O, no
clock, so every number in a report can be recomputed by hand from the assumptions it
lists. Cumulative cost is linear in months (``upfront + monthly x month``); retraining
and re-embedding are spread evenly over the months they recur in.

Small immutable records are NamedTuples: ``decide`` imports this module at every start,
and each frozen dataclass costs over a millisecond to create.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import combinations
from typing import Any, NamedTuple

from .errors import InputError, closest
from .i18n import N_
from .messages import Message
from .questionnaire import Answers
from .requirements import retrieval_keys, unmet

HORIZON_MONTHS = 36
APPROACHES = ("rag", "fine-tune", "hybrid")
FINE_TUNE_PATHS = ("hosted", "open-weights")
# Hosted LoRA fine-tuning of an open model (Fireworks, Together): never the team's primary
# path, priced beside the others where hosted fine-tuning is possible (an API deployment).
HOSTED_LORA = "hosted-lora"

# Which price-book section each selection assumption picks an entry from.
SELECTIONS = {
    "chat_model": "chat_models",
    "embedding_model": "embedding_models",
    "vector_database": "vector_databases",
    "open_weights_model": "open_weights_models",
    "hosted_fine_tune_model": "chat_models",
    "large_chat_model": "chat_models",
    "self_hosted_chat_model": "open_weights_models",
    "self_hosted_vector_database": "vector_databases",
    "hosted_lora_model": "open_weights_models",
}
# A selection a price book may leave out stands for the one it falls back to.
SELECTION_FALLBACKS = {
    "hosted_fine_tune_model": "chat_model",
    "large_chat_model": "chat_model",
    "self_hosted_chat_model": "open_weights_model",
    "self_hosted_vector_database": "vector_database",
}
# The uncertain inputs that ranges vary (multipliers in range_low / range_high).
RANGE_INPUTS = ("queries_per_month", "output_tokens", "tokens_per_example", "gpu_hour_usd",
                "setup_usd")
# Assumptions added after price books were first written: a book without them means these.
ASSUMPTION_DEFAULTS: dict[str, Any] = {
    "payback_horizon_months": 6,
    "evaluation_usd": 0,
    "ops_usd_per_month": {"rag": 0, "fine-tune": 0, "hybrid": 0},
    "cache_hit_rate": 0.8,
    "long_context_max_tokens": 200_000,
    "reasoning_tokens": 0,
    "self_hosted_embedding_tokens_per_second": 20_000,
    "latency": {
        "hosted_ttft_ms_low": 300, "hosted_ttft_ms_high": 1000,
        "hosted_tokens_per_second_low": 100, "hosted_tokens_per_second_high": 200,
        "small_ttft_ms_low": 20, "small_ttft_ms_high": 100,
        "small_tokens_per_second_low": 100, "small_tokens_per_second_high": 300,
        "retrieval_ms_low": 50, "retrieval_ms_high": 300,
    },
    "language_token_ratio": {"en": 1.0},
    "range_low": dict.fromkeys(RANGE_INPUTS, 1.0),
    "range_high": dict.fromkeys(RANGE_INPUTS, 1.0),
}
# Entry fields that describe a price rather than being one; only numbers are overridable.
META_FIELDS = frozenset(
    {"as_of", "source", "note", "assumption", "provider", "backend", "model", "gpu",
     "snapshot"}
)

# OpenAI's default epochs ("auto"), from its fine-tuning data-preparation cookbook.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
MAX_MANUAL_EPOCHS = 50

# What each assumption means, for the reports' assumptions table.
ASSUMPTION_HELP = {
    "chat_model": N_("hosted model for generation (base and fine-tuned)"),
    "embedding_model": N_("model that embeds documents and queries"),
    "vector_database": N_("where the vectors are hosted"),
    "open_weights_model": N_("the open-weights model and GPU of the LoRA path"),
    "fine_tune_path": N_("auto (hosted unless its provider takes no new jobs), hosted or "
    "open-weights"),
    "tokens_per_example": N_("tokens in one training example, prompt and answer"),
    "min_training_examples": N_("examples priced when fewer exist yet"),
    "epochs": N_("training epochs; auto is OpenAI's default heuristic"),
    "tokens_per_document": N_("tokens in one corpus document"),
    "chunk_tokens": N_("tokens in one retrieved chunk"),
    "retrieval_k": N_("chunks retrieved per query"),
    "query_tokens": N_("tokens in the user's question"),
    "instruction_tokens": N_("system prompt and examples a base model needs and a fine-tuned "
    "one has learned"),
    "output_tokens": N_("tokens in one answer"),
    "share_changed_per_period": N_("share of the corpus that changes each volatility period"),
    "changes_per_month": N_("volatility periods per month, per volatility answer"),
    "max_retrains_per_month": N_("cap on fine-tuning runs per month"),
    "hybrid_retrains_per_year": N_("hybrid retraining for behaviour (facts live in the index)"),
    "hours_per_month": N_("hours a GPU that is always on is billed per month"),
    "setup_usd": N_("one-off engineering and evaluation spend per option"),
    "hosted_fine_tune_model": N_("hosted model the hosted fine-tuning path trains"),
    "large_chat_model": N_("large hosted model (quality_model: large)"),
    "self_hosted_chat_model": N_("open-weights model that generates when deployment is "
    "self-hosted"),
    "self_hosted_vector_database": N_("vector database when deployment is self-hosted"),
    "hosted_lora_model": N_("hosted LoRA fine-tuning of an open model, priced as hosted-lora"),
    "payback_horizon_months": N_("months within which distillation must pay back"),
    "evaluation_usd": N_("evaluating one training run (the fine-tuning budget floor)"),
    "ops_usd_per_month": N_("engineering operations per month per option"),
    "cache_hit_rate": N_("share of a long-context prompt served from the provider's cache"),
    "long_context_max_tokens": N_("largest corpus put whole in a cached prompt"),
    "reasoning_tokens": N_("hidden reasoning tokens a reasoning model bills as output"),
    "self_hosted_embedding_tokens_per_second": N_("embedding throughput of one self-hosted GPU"),
    "latency": N_("p95 estimate inputs: time to first token, decode speed, retrieval"),
    "language_token_ratio": N_("tokens per text relative to English, by language"),
    "range_low": N_("multipliers of uncertain inputs for the low estimate"),
    "range_high": N_("multipliers of uncertain inputs for the high estimate"),
}

# Counts that only make sense whole; every other numeric assumption takes any number >= 0.
INTEGER_ASSUMPTIONS = frozenset({"retrieval_k", "min_training_examples"})


def openai_epochs(examples: int) -> int:
    """Epochs OpenAI trains for by default on ``examples`` training examples.

    3 epochs, raised towards 100 examples seen (at most 25 epochs) for small sets and
    lowered towards 25,000 (at least 1) for large ones, with OpenAI's floor division:
    34 examples train 3 epochs (102 seen), 33 examples also 3 (100 // 33 = 3).
    """
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


# --- the price book ------------------------------------------------------------------------


class PriceSource(NamedTuple):
    """Where one price-book entry's numbers come from, for the report's sources list."""

    key: str
    section: str
    as_of: dt.date | None
    source: str
    assumption: bool
    note: str = ""
    overridden: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "section": self.section,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "assumption": self.assumption,
            "note": self.note,
            "overridden": list(self.overridden),
        }


@dataclass(frozen=True, eq=False)
class PriceBook:
    """Prices by section and entry, and the assumptions, with overrides applied.

    Compared and hashed by identity (``eq=False``): a book is built once per run and
    never changed, so the framework can cache what it computes from one.
    """

    version: str
    sections: Mapping[str, Mapping[str, Mapping[str, Any]]]
    assumptions: Mapping[str, Any]
    overridden: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None,
                  *, origin: str = "costs") -> PriceBook:
        """Build from the parsed price file; ``overrides`` is the ``[costs]`` table.

        Raises :class:`InputError` naming the key for an unknown key or a wrong type, so
        a typo in a config file is one line, not a silently ignored setting.
        """
        sections = {
            name: {key: dict(entry) for key, entry in data[name].items()}
            for name in SELECTIONS.values()
        }
        assumptions = {
            key: dict(value) if isinstance(value, Mapping) else value
            for key, value in {**ASSUMPTION_DEFAULTS, **data["assumptions"]}.items()
        }
        overridden: set[str] = set()
        for key, value in (overrides or {}).items():
            if key == "prices":
                _apply_price_overrides(sections, value, origin, overridden)
            else:
                _apply_assumption(sections, assumptions, key, value, origin)
                overridden.add(key)
        return cls(str(data["version"]), sections, assumptions, frozenset(overridden))

    def entry(self, kind: str) -> tuple[str, Mapping[str, Any]]:
        """The entry a selection assumption (``chat_model``...) points at."""
        if kind not in self.assumptions and kind in SELECTION_FALLBACKS:
            return self.entry(SELECTION_FALLBACKS[kind])
        key = self.assumptions[kind]
        return key, self.sections[SELECTIONS[kind]][key]

    def source(self, kind: str) -> PriceSource:
        key, entry = self.entry(kind)
        prefix = f"prices.{key}."
        return PriceSource(
            key=key,
            section=SELECTIONS[kind],
            as_of=_as_date(entry.get("as_of")),
            source=str(entry.get("source", "")),
            assumption=bool(entry.get("assumption", False)),
            note=str(entry.get("note", "")),
            overridden=tuple(sorted(k[len(prefix):] for k in self.overridden
                                    if k.startswith(prefix))),
        )


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return None


def _unknown(where: str, key: str, allowed: list[str]) -> InputError:
    close = closest(key, allowed)
    hint = f"; did you mean {close!r}?" if close else ""
    return InputError(f"{where}: unknown key {key!r} (allowed: {', '.join(allowed)}){hint}")


# An override's largest value: products of a few such numbers stay finite (no Infinity in
# the JSON report), and no real price or token count comes near it.
MAX_OVERRIDE = 1e12
# Overrides the estimate divides by: zero is refused, not a ZeroDivisionError.
DIVISORS = frozenset({"chunk_tokens", "training_tokens_per_second",
                      "serving_output_tokens_per_second"})


def _number(where: str, value: Any, *, minimum: float = 0, maximum: float | None = None,
            integer: bool = False) -> float:
    noun = "an integer" if integer else "a number"
    maximum = MAX_OVERRIDE if maximum is None else maximum
    positive = where.rsplit(".", 1)[-1] in DIVISORS
    low = "above 0" if positive else f">= {minimum:g}"
    bounds = f"{low}, at most {maximum:g}" if positive or maximum == MAX_OVERRIDE else (
        f"from {minimum:g} to {maximum:g}")
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value >= minimum
        and (value > 0 or not positive)
        and value <= maximum
        and (not integer or float(value).is_integer())
    )
    if not ok:
        raise InputError(f"{where}: {value!r} is not allowed (allowed: {noun} {bounds})")
    return int(value) if integer else float(value)


def _apply_price_overrides(sections: dict[str, dict[str, dict[str, Any]]], value: Any,
                           origin: str, overridden: set[str]) -> None:
    where = f"{origin}.prices"
    entries = {key: entry for section in sections.values() for key, entry in section.items()}
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: {value!r} is not a table of price entries "
                         f"(allowed: {', '.join(entries)})")
    for key, fields in value.items():
        if key not in entries:
            raise _unknown(where, key, list(entries))
        entry = entries[key]
        numeric = [name for name, v in entry.items() if name not in META_FIELDS
                   and isinstance(v, int | float) and not isinstance(v, bool)]
        if not isinstance(fields, Mapping):
            raise InputError(f"{where}.{key}: {fields!r} is not a table of prices "
                             f"(allowed: {', '.join(numeric)})")
        for name, number in fields.items():
            if name not in numeric:
                raise _unknown(f"{where}.{key}", name, numeric)
            entry[name] = _number(f"{where}.{key}.{name}", number)
            overridden.add(f"prices.{key}.{name}")


def _apply_assumption(sections: Mapping[str, Mapping[str, Any]], assumptions: dict[str, Any],
                      key: str, value: Any, origin: str) -> None:
    where = f"{origin}.{key}"
    if key not in assumptions:
        raise _unknown(origin, key, [*assumptions, "prices"])
    if key in SELECTIONS:
        allowed = list(sections[SELECTIONS[key]])
        if value not in allowed:
            raise InputError(f"{where}: {value!r} is not allowed (allowed: one of "
                             f"{', '.join(allowed)}; add prices for others under prices)")
        assumptions[key] = value
    elif key == "fine_tune_path":
        allowed = ["auto", *FINE_TUNE_PATHS]
        if value not in allowed:
            raise InputError(f"{where}: {value!r} is not allowed (allowed: one of "
                             f"{', '.join(allowed)})")
        assumptions[key] = value
    elif key == "epochs":
        if value != "auto":
            try:
                value = _number(where, value, minimum=1, maximum=MAX_MANUAL_EPOCHS, integer=True)
            except InputError:
                raise InputError(f"{where}: {value!r} is not allowed (allowed: auto or an "
                                 f"integer from 1 to {MAX_MANUAL_EPOCHS})") from None
        assumptions[key] = value
    elif isinstance(assumptions[key], Mapping):
        known = list(assumptions[key])
        if not isinstance(value, Mapping):
            raise InputError(f"{where}: {value!r} is not a table (allowed: keys "
                             f"{', '.join(known)} with numbers >= 0)")
        for name, number in value.items():
            if name not in known:
                raise _unknown(where, name, known)
            assumptions[key][name] = _number(f"{where}.{name}", number)
    else:
        integer = key in INTEGER_ASSUMPTIONS
        maximum = 1 if key == "share_changed_per_period" else None
        assumptions[key] = _number(where, value, maximum=maximum, integer=integer)


# --- the estimate --------------------------------------------------------------------------

# What a cost line is priced with; a self-hosted deployment has no "provider-api" line.
PRICED_WITH = ("provider-api", "gpu", "vector-database", "engineering")
BUDGET_BASIS = N_("upfront: engineering setup + one-off compute (training, embedding)")
DAYS_PER_MONTH = 30.44


class CostItem(NamedTuple):
    """One line of an option's bill, with the arithmetic that produced it."""

    label: str
    usd: float
    basis: str
    priced_with: str = "provider-api"

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "usd": round(self.usd, 4), "basis": self.basis,
                "priced_with": self.priced_with}


class Latency(NamedTuple):
    """An option's p95 estimate in ms: fastest plausible, expected, slowest plausible."""

    low: float
    expected: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"low": round(self.low), "expected": round(self.expected),
                "high": round(self.high)}


@dataclass(frozen=True)
class OptionCost:
    """What one option costs. ``primary`` options are the ones break-even compares.

    ``unmet`` names the hard requirements of the answers the option cannot meet (it is
    then never called cheapest); ``horizon_months`` stops early when a model the option
    depends on retires; ``range_total`` is the low/high total over that horizon.
    """

    name: str
    approach: str
    fine_tune_path: str | None
    primary: bool
    upfront_items: tuple[CostItem, ...]
    monthly_items: tuple[CostItem, ...]
    queries_per_month: int
    budget_usd: float
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    unmet: tuple[str, ...] = ()
    latency: Latency | None = None
    horizon_months: float = HORIZON_MONTHS
    retires: dt.date | None = None
    range_total: tuple[float, float] | None = None
    swing: str | None = None

    @property
    def meets_requirements(self) -> bool:
        return not self.unmet

    @property
    def upfront(self) -> float:
        return sum(item.usd for item in self.upfront_items)

    @property
    def monthly(self) -> float:
        return sum(item.usd for item in self.monthly_items)

    @property
    def per_1k_queries(self) -> float | None:
        """All-in monthly cost per 1,000 queries at the stated volume (None: no queries)."""
        if self.queries_per_month <= 0:
            return None
        return self.monthly / self.queries_per_month * 1000

    @property
    def within_budget(self) -> bool:
        """The budget against the upfront total (:data:`BUDGET_BASIS`)."""
        return self.upfront <= self.budget_usd

    @property
    def total(self) -> float:
        """Cumulative cost over the option's own horizon."""
        return self.cumulative(self.horizon_months)

    def cumulative(self, month: float) -> float:
        return self.upfront + self.monthly * month

    def to_dict(self) -> dict[str, Any]:
        per_1k = self.per_1k_queries
        full = self.horizon_months >= HORIZON_MONTHS
        return {
            "name": self.name,
            "approach": self.approach,
            "fine_tune_path": self.fine_tune_path,
            "primary": self.primary,
            "meets_requirements": self.meets_requirements,
            "unmet": list(self.unmet),
            "upfront_usd": round(self.upfront, 2),
            "monthly_usd": round(self.monthly, 2),
            "per_1k_queries_usd": None if per_1k is None else round(per_1k, 4),
            f"total_{HORIZON_MONTHS}_months_usd": round(self.total, 2) if full else None,
            f"range_{HORIZON_MONTHS}_months_usd": (
                [round(v, 2) for v in self.range_total] if full and self.range_total else None
            ),
            "horizon_months": round(self.horizon_months, 2),
            "total_horizon_usd": round(self.total, 2),
            "range_horizon_usd": (
                [round(v, 2) for v in self.range_total] if self.range_total else None
            ),
            "moved_most_by": self.swing,
            "retires": self.retires.isoformat() if self.retires else None,
            "latency_p95_ms": self.latency.to_dict() if self.latency else None,
            "within_budget": self.within_budget,
            "budget_basis": BUDGET_BASIS,
            "upfront": [item.to_dict() for item in self.upfront_items],
            "monthly": [item.to_dict() for item in self.monthly_items],
            "assumptions": dict(self.assumptions),
        }


class BreakEven(NamedTuple):
    """Where two options' cumulative costs cross, if they do within the horizon.

    ``month`` is the first whole month in which the option that costs more upfront is
    no longer dearer in total; ``at`` is the exact crossing. Without a crossing,
    ``cheaper`` is the option that costs less over the whole horizon.
    """

    first: str
    second: str
    month: int | None
    at: float | None
    cheaper_before: str | None
    cheaper_after: str | None
    horizon: float = HORIZON_MONTHS

    @property
    def cheaper(self) -> str | None:
        return self.cheaper_after

    def describe(self) -> Message:
        """One sentence: English in JSON, translated where a report shows it."""
        if self.month is not None:
            return Message(N_("{dear} costs more upfront than {cheap} but is cheaper in total "
                              "from month {month}"),
                           dear=self.cheaper_after, cheap=self.cheaper_before, month=self.month)
        span = f"{self.horizon:g}" if self.horizon == int(self.horizon) else f"{self.horizon:.1f}"
        if self.cheaper is None:
            return Message(N_("{first} and {second} cost the same over {months} months"),
                           first=self.first, second=self.second, months=span)
        other = self.second if self.cheaper == self.first else self.first
        return Message(N_("{cheaper} stays cheaper than {other} for all {months} months"),
                       cheaper=self.cheaper, other=other, months=span)

    def to_dict(self) -> dict[str, Any]:
        return {
            "options": [self.first, self.second],
            "month": self.month,
            "at_month": None if self.at is None else round(self.at, 2),
            "cheaper_before": self.cheaper_before,
            "cheaper_after": self.cheaper_after,
            "horizon_months": round(self.horizon, 2),
            "summary": self.describe(),
        }


def break_even(a: OptionCost, b: OptionCost, horizon: float | None = None) -> BreakEven:
    """The crossing of two straight cumulative-cost lines, within ``horizon`` months.

    The horizon defaults to the shorter of the two options' own horizons: a line that
    ends at a model's retirement is not compared beyond it.
    """
    if horizon is None:
        horizon = min(a.horizon_months, b.horizon_months)
    du, dm = a.upfront - b.upfront, a.monthly - b.monthly
    if du * dm < 0:  # the one dearer upfront is cheaper per month: the lines cross
        at = -du / dm
        if at <= horizon:
            dear, cheap = (a, b) if du > 0 else (b, a)
            return BreakEven(a.name, b.name, max(1, math.ceil(at - 1e-9)), at,
                             cheap.name, dear.name, horizon)
    end_a, end_b = a.cumulative(horizon), b.cumulative(horizon)
    if math.isclose(end_a, end_b, rel_tol=1e-9, abs_tol=1e-9):
        cheaper = None
    else:
        cheaper = a.name if end_a < end_b else b.name
    return BreakEven(a.name, b.name, None, None, cheaper, cheaper, horizon)


@dataclass(frozen=True)
class CostEstimate:
    """Every option's cost, the break-evens between the primary ones, and the sources.

    Break-even compares only primary options that meet the answers' requirements, so an
    option that cannot do the job is never "cheaper in total".
    """

    options: tuple[OptionCost, ...]
    break_even: tuple[BreakEven, ...]
    fine_tune_path: str
    budget_usd: float
    price_book_version: str
    sources: tuple[PriceSource, ...]
    assumptions: Mapping[str, Any]
    overridden: tuple[str, ...]
    horizon_months: int = HORIZON_MONTHS
    deployment: str = "api"
    variant: str | None = None

    def option(self, name: str) -> OptionCost:
        return next(o for o in self.options if o.name == name)

    @property
    def primary(self) -> tuple[OptionCost, ...]:
        return tuple(o for o in self.options if o.primary)

    @property
    def as_of(self) -> dt.date | None:
        """The oldest price date among the sources: how stale the comparison may be."""
        dates = [s.as_of for s in self.sources if s.as_of is not None]
        return min(dates) if dates else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": "USD",
            "horizon_months": self.horizon_months,
            "fine_tune_path": self.fine_tune_path,
            "deployment": self.deployment,
            "variant": self.variant,
            "budget_usd": self.budget_usd,
            "budget_basis": BUDGET_BASIS,
            "price_book_version": self.price_book_version,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "options": {o.name: o.to_dict() for o in self.options},
            "assumptions": dict(self.assumptions),
            "overridden": list(self.overridden),
            "sources": [s.to_dict() for s in self.sources],
        }


def resolve_fine_tune_path(book: PriceBook, unavailable: frozenset[str],
                           deployment: str = "api") -> str:
    """``auto``: hosted fine-tuning only while its provider takes new teams.

    ``unavailable`` holds the providers closed to new organisations. A team that already
    has hosted fine-tuning access says so with ``fine_tune_path = "hosted"``. A
    self-hosted deployment always fine-tunes open weights.
    """
    if deployment != "api":
        return "open-weights"
    wanted = book.assumptions["fine_tune_path"]
    if wanted != "auto":
        return str(wanted)
    _, chat = book.entry("hosted_fine_tune_model")
    return "open-weights" if chat.get("provider") in unavailable else "hosted"


def fine_tune_provider(book: PriceBook, path: str) -> str | None:
    """The provider-status key of a fine-tuning path (None: the team's own GPUs)."""
    if path != "hosted":
        return None
    return book.entry("hosted_fine_tune_model")[1].get("provider")


def estimate(answers: Answers, book: PriceBook,
             unavailable: frozenset[str] = frozenset(), *,
             variant: str | None = None, today: dt.date | None = None) -> CostEstimate:
    """Price rag, fine-tune and hybrid for ``answers``; also the other fine-tuning path.

    ``unavailable`` holds provider-status keys closed to new organisations; with
    ``fine_tune_path = "auto"`` the open-weights path is primary then. ``variant`` is the
    decision's (a long-context variant prices rag without a vector database). ``today``
    stops the horizon of an option at the retirement of a model it depends on. A
    self-hosted deployment lists no hosted option.
    """
    path = resolve_fine_tune_path(book, unavailable, answers.deployment)
    model = _Model(answers, book, variant, today)
    plan = [("rag", None, True), ("fine-tune", path, True), ("hybrid", path, True)]
    if not answers.self_hosted:
        other = next(p for p in FINE_TUNE_PATHS if p != path)
        plan += [("fine-tune", other, False), ("hybrid", other, False)]
        if "hosted_lora_model" in book.assumptions:
            # One line: the fine-tuning approach that can meet the answers' requirements.
            lora = "hybrid" if unmet(answers, "fine-tune", HOSTED_LORA) else "fine-tune"
            plan.append((lora, HOSTED_LORA, False))
    options = tuple(model.option(approach, p, primary=primary) for approach, p, primary in plan)
    fair = [o for o in options if o.primary and o.meets_requirements]
    # The entries these answers are priced with: a self-hosted deployment uses no hosted
    # model or cloud database, an API one no self-hosted server (their dates do not age it).
    used = (["open_weights_model", "self_hosted_chat_model", "self_hosted_vector_database"]
            if answers.self_hosted else
            ["chat_model", "embedding_model", "vector_database", "open_weights_model",
             "hosted_fine_tune_model", "large_chat_model",
             *(["hosted_lora_model"] if "hosted_lora_model" in book.assumptions else [])])
    sources: dict[str, PriceSource] = {}
    for kind in used:
        source = book.source(kind)
        sources.setdefault(f"{source.section}/{source.key}", source)
    return CostEstimate(
        options=options,
        break_even=tuple(break_even(a, b) for a, b in combinations(fair, 2)),
        fine_tune_path=path,
        budget_usd=answers.budget_usd,
        price_book_version=book.version,
        sources=tuple(sources.values()),
        assumptions=dict(book.assumptions),
        overridden=tuple(sorted(book.overridden)),
        deployment=answers.deployment,
        variant=variant,
    )


# --- what the framework reads from the cost model ------------------------------------------


class LatencyEstimate(NamedTuple):
    """The latency figures the framework's latency rule compares with the budget (ms)."""

    output_tokens: float
    current_best_ms: float
    small_expected_ms: float
    small_best_ms: float
    small_fixed_ms: float  # first token + retrieval, best case
    small_tokens_per_second: float  # best case

    def tokens_that_fit(self, budget_ms: float) -> float:
        """Answer length a small model could produce within ``budget_ms`` at best."""
        return max(0.0, (budget_ms - self.small_fixed_ms) / 1000 * self.small_tokens_per_second)


class Economics(NamedTuple):
    """What the framework's money and latency rules need, computed by the cost model."""

    latency: LatencyEstimate
    payback_months: float
    payback_horizon: float
    fine_tune_floor_usd: float
    corpus_tokens: float
    long_context_max_tokens: float


def economics(answers: Answers, book: PriceBook) -> Economics:
    """The figures behind the framework's thresholds, from the same arithmetic as costs.

    They do not depend on the latency budget, the upfront budget or the format, so the
    framework's flips (which probe those answers many times) reuse one computation.
    """
    from dataclasses import replace

    return _economics(replace(answers, latency_ms=1, budget_usd=0.0, format="none"), book)


@lru_cache(maxsize=256)
def _economics(answers: Answers, book: PriceBook) -> Economics:
    from dataclasses import replace

    model = _Model(answers, book, None, None)
    retrieval = bool(retrieval_keys(answers))
    lat = book.assumptions["latency"]
    out = model.output_tokens
    extra_best = lat["retrieval_ms_low"] if retrieval else 0.0
    current = model.latency("rag" if retrieval else "base", None)
    small = model.latency("fine-tune", "open-weights")
    small_best = small.low + extra_best
    path = "hosted" if book.assumptions["fine_tune_path"] == "hosted" else "open-weights"
    # The floor is a first run on the smallest useful set, however many examples exist.
    first_run = _Model(replace(answers, examples=0), book, None, None).training_run(path, {})
    floor = first_run.usd + float(book.assumptions["evaluation_usd"])
    max_tokens = float(book.assumptions["long_context_max_tokens"])
    window = model.chat.get("context_window")
    if window:
        max_tokens = min(max_tokens, float(window))
    return Economics(
        latency=LatencyEstimate(out, current.low, small.expected + extra_best, small_best,
                                lat["small_ttft_ms_low"] + extra_best,
                                lat["small_tokens_per_second_high"]),
        payback_months=(model.distillation_payback(path) if answers.quality_model == "large"
                        else math.inf),
        payback_horizon=float(book.assumptions["payback_horizon_months"]),
        fine_tune_floor_usd=floor,
        corpus_tokens=model.corpus_tokens,
        long_context_max_tokens=max_tokens,
    )


def default_book() -> PriceBook:
    """The shipped price book without overrides (what ``decide(answers)`` prices with)."""
    return _default_book()


@cache
def _default_book() -> PriceBook:
    from .advice import load_price_data

    return PriceBook.from_data(load_price_data())


def _usd(value: float) -> str:
    """Dollars with cents, or with as many decimals as a unit price needs ($0.095)."""
    cents = f"{value:,.2f}"
    if float(cents.replace(",", "")) == round(value, 6):
        return f"${cents}"
    return f"${value:,.6f}".rstrip("0")


def _tokens(value: float) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:,.3g}{suffix}"
    return f"{value:,.0f}"


def _scaled(answers: Answers, book: PriceBook, factors: Mapping[str, float]
            ) -> tuple[Answers, PriceBook]:
    """``answers`` and ``book`` with uncertain inputs multiplied (for the ranges)."""
    from dataclasses import replace

    assumptions = dict(book.assumptions)
    sections = book.sections
    for name, factor in factors.items():
        if name == "queries_per_month":
            answers = replace(answers, queries_per_month=round(answers.queries_per_month
                                                               * factor))
        elif name == "gpu_hour_usd":
            sections = {**sections, "open_weights_models": {
                key: {**entry, "gpu_hour_usd": _gpu_hour(entry, factor)}
                for key, entry in sections["open_weights_models"].items()}}
        elif name == "setup_usd":
            assumptions[name] = {k: v * factor for k, v in assumptions[name].items()}
        elif isinstance(assumptions.get(name), int | float) and not isinstance(
                assumptions.get(name), bool):
            assumptions[name] = assumptions[name] * factor
    return answers, PriceBook(book.version, sections, assumptions, book.overridden)


def _gpu_hour(entry: Mapping[str, Any], factor: float) -> float:
    """The GPU price for a range: the entry's cheapest (``gpu_hour_usd_low``) or dearest
    (``gpu_hour_usd_high``) listing where it records one, else the price x ``factor``."""
    if factor < 1 and "gpu_hour_usd_low" in entry:
        return float(entry["gpu_hour_usd_low"])
    if factor > 1 and "gpu_hour_usd_high" in entry:
        return float(entry["gpu_hour_usd_high"])
    return float(entry["gpu_hour_usd"]) * factor


# Bytes a vector database stores per chunk: float32 vector components and the chunk's text
# at about 4 bytes per token (UTF-8), for hosts that bill storage per GiB.
BYTES_PER_DIMENSION = 4
BYTES_PER_TOKEN = 4


class _Model:
    """The arithmetic for one set of answers; each method returns labelled cost items."""

    def __init__(self, answers: Answers, book: PriceBook, variant: str | None,
                 today: dt.date | None) -> None:
        self.a = answers
        self.book = book
        self.s = book.assumptions
        self.variant = variant
        self.today = today
        self.chat_key, self.chat = book.entry("chat_model")
        self.ft_key, self.ft = book.entry("hosted_fine_tune_model")
        self.large_key, self.large = book.entry("large_chat_model")
        if answers.quality_model == "large":  # like for like: only the large model will do
            self.chat_key, self.chat = self.large_key, self.large
        self.embed_key, self.embed = book.entry("embedding_model")
        if answers.self_hosted:
            self.vdb_key, self.vdb = book.entry("self_hosted_vector_database")
        else:
            self.vdb_key, self.vdb = book.entry("vector_database")
        self.ow_key, self.ow = book.entry("open_weights_model")
        self.sh_key, self.sh = book.entry("self_hosted_chat_model")
        self.hl_key, self.hl = (book.entry("hosted_lora_model")
                                if "hosted_lora_model" in book.assumptions else ("", {}))
        self.ratio = float(self.s["language_token_ratio"].get(answers.language, 1.0))

    # -- shared quantities (text tokens scale with the language's token ratio)

    def _text(self, key: str) -> float:
        return float(self.s[key]) * self.ratio

    @property
    def output_tokens(self) -> float:
        return self._text("output_tokens")

    @property
    def corpus_tokens(self) -> float:
        return self.a.documents * self._text("tokens_per_document")

    @property
    def long_context(self) -> bool:
        return bool(self.variant and self.variant.startswith("long-context"))

    @property
    def context_tokens(self) -> float:
        """Retrieved context per query: k chunks, or nothing without a corpus."""
        if self.a.documents <= 0:
            return 0
        return self.s["retrieval_k"] * self.s["chunk_tokens"]

    @property
    def changes_per_month(self) -> float:
        return float(self.s["changes_per_month"][self.a.volatility])

    @property
    def training_examples(self) -> int:
        return max(self.a.examples, int(self.s["min_training_examples"]))

    @property
    def epochs(self) -> int:
        chosen = self.s["epochs"]
        return openai_epochs(self.training_examples) if chosen == "auto" else int(chosen)

    # -- options

    def option(self, approach: str, path: str | None, *, primary: bool,
               ranged: bool = True) -> OptionCost:
        upfront: list[CostItem] = []
        monthly: list[CostItem] = []
        used: dict[str, Any] = {}
        retrieval = approach in ("rag", "hybrid") and self.a.documents > 0
        vector_db = retrieval and not (approach == "rag" and self.long_context)
        if vector_db:
            upfront.append(self._embed_corpus(used))
        if approach != "rag":
            run = self.training_run(path, used)
            upfront.append(run)
            retrains = self._retrains_per_month(approach, used)
            if retrains > 0:
                monthly.append(CostItem(
                    N_("retraining"), run.usd * retrains,
                    f"{retrains:.3g} runs/month x {_usd(run.usd)}", run.priced_with))
        setup = float(self.s["setup_usd"][approach])
        used[f"setup_usd.{approach}"] = setup
        if setup:
            upfront.append(CostItem(N_("engineering setup"), setup,
                                    f"setup_usd.{approach} assumption", "engineering"))
        ops = float(self.s["ops_usd_per_month"][approach])
        used[f"ops_usd_per_month.{approach}"] = ops
        if ops:
            monthly.append(CostItem(N_("engineering operations"), ops,
                                    f"ops_usd_per_month.{approach} assumption", "engineering"))
        monthly.extend(self._inference(approach, path, used))
        if vector_db:
            monthly.extend(self._retrieval(used))
        name = approach if primary or path is None else f"{approach} ({path})"
        option = OptionCost(
            name, approach, path if approach != "rag" else None, primary, tuple(upfront),
            tuple(monthly), self.a.queries_per_month, self.a.budget_usd, used,
            unmet=unmet(self.a, approach, path if approach != "rag" else None),
            latency=self.latency(approach, path),
        )
        horizon, retires = self._horizon(approach, path)
        option = replace_option(option, horizon_months=horizon, retires=retires)
        if ranged:
            low, high, swing = self._range(approach, path, primary, horizon)
            option = replace_option(option, range_total=(low, high), swing=swing)
        return option

    def _horizon(self, approach: str, path: str | None) -> tuple[float, dt.date | None]:
        """Months until a model the option depends on retires (at most the horizon)."""
        entries = []
        if approach == "rag" and not self.a.self_hosted:
            entries.append(self.chat)
        if approach != "rag" and path == "hosted":
            entries.append(self.ft)
        dates = [_as_date(e.get("retires")) for e in entries if e.get("retires")]
        retires = min((d for d in dates if d is not None), default=None)
        if retires is None or self.today is None:
            return float(HORIZON_MONTHS), retires
        months = max(0.0, (retires - self.today).days / DAYS_PER_MONTH)
        return min(float(HORIZON_MONTHS), months), retires

    def _range(self, approach: str, path: str | None, primary: bool, horizon: float
               ) -> tuple[float, float, str | None]:
        """Low/high totals from the uncertain inputs' ranges, and the one that moves most."""
        lows, highs = self.s["range_low"], self.s["range_high"]

        def total(factors: Mapping[str, float]) -> float:
            answers, book = _scaled(self.a, self.book, factors)
            model = _Model(answers, book, self.variant, self.today)
            return model.option(approach, path, primary=primary, ranged=False).cumulative(
                horizon)

        low, high = total(lows), total(highs)
        if not primary:  # alternatives get a range; what moves it most is the primaries'
            return min(low, high), max(low, high), None
        swings = {name: abs(total({name: highs[name]}) - total({name: lows.get(name, 1.0)}))
                  for name in highs}
        moved = max(swings, key=lambda n: swings[n], default=None)
        if moved is not None and swings[moved] == 0:
            moved = None
        return min(low, high), max(low, high), moved

    def latency(self, approach: str, path: str | None) -> Latency:
        """p95 estimate: time to first token + output tokens / decode speed + retrieval.

        ``base`` and ``rag`` answer with the chat model (hosted, or the self-hosted
        model), fine-tuned options with a small model (the team's own, or a hosted
        fine-tune). Reasoning models add hidden reasoning tokens to the expected case.
        """
        lat = self.s["latency"]
        out = self.output_tokens
        small = approach in ("fine-tune", "hybrid")
        own_gpu = (small and path in ("open-weights", HOSTED_LORA)) or self.a.self_hosted
        prefix = "small" if own_gpu else "hosted"
        ttft_low, ttft_high = lat[f"{prefix}_ttft_ms_low"], lat[f"{prefix}_ttft_ms_high"]
        tps_low = lat[f"{prefix}_tokens_per_second_low"]
        tps_high = lat[f"{prefix}_tokens_per_second_high"]
        thinking = 0.0
        if not own_gpu and not small and self.chat.get("reasoning"):
            thinking = float(self.s["reasoning_tokens"])
        retrieval = approach in ("rag", "hybrid") and self.a.documents > 0 and not (
            approach == "rag" and self.long_context)
        r_low = lat["retrieval_ms_low"] if retrieval else 0.0
        r_high = lat["retrieval_ms_high"] if retrieval else 0.0
        low = ttft_low + out / tps_high * 1000 + r_low
        expected = ((ttft_low + ttft_high) / 2 + (out + thinking) / ((tps_low + tps_high) / 2)
                    * 1000 + (r_low + r_high) / 2)
        high = ttft_high + (out + thinking) / tps_low * 1000 + r_high
        return Latency(low, expected, high)

    def distillation_payback(self, path: str) -> float:
        """Months for a distilled small model to pay back training, evaluation, setup.

        The saving is the large model's monthly inference less the fine-tuned small
        model's (and its retraining); ``inf`` when there is no saving.
        """
        used: dict[str, Any] = {}
        large = sum(i.usd for i in self._hosted_items(self.large_key, self.large, False,
                                                      self._prompt("rag-base"), used))
        small = sum(i.usd for i in self._inference("fine-tune", path, used))
        run = self.training_run(path, used)
        retrain = run.usd * self._retrains_per_month("fine-tune", used)
        saving = large - small - retrain
        if saving <= 0:
            return math.inf
        upfront = run.usd + float(self.s["setup_usd"]["fine-tune"]) + float(
            self.s["evaluation_usd"])
        return upfront / saving

    def _embed_corpus(self, used: dict[str, Any]) -> CostItem:
        used["tokens_per_document"] = self.s["tokens_per_document"]
        if self.a.self_hosted:
            return self._embedding_gpu(N_("embed the corpus"), self.corpus_tokens)
        used["embedding_model"] = self.embed_key
        price = self.embed["per_1m"]
        return CostItem(
            N_("embed the corpus"), self.corpus_tokens / 1e6 * price,
            f"{self.a.documents:,} documents x {self._text('tokens_per_document'):,g} tokens = "
            f"{_tokens(self.corpus_tokens)} tokens x {_usd(price)}/1M ({self.embed_key})")

    def _embedding_gpu(self, label: str, tokens: float) -> CostItem:
        """Embeddings on the self-hosted serving GPU: busy hours only (it is already on)."""
        rate = float(self.s["self_hosted_embedding_tokens_per_second"])
        hours = tokens / (rate * 3600)
        return CostItem(label, hours * self.sh["gpu_hour_usd"],
                        f"{_tokens(tokens)} tokens at {rate:,g} tokens/s = {hours:,.2f} "
                        f"GPU-hours x {_usd(self.sh['gpu_hour_usd'])}/h ({self.sh_key})", "gpu")

    def training_run(self, path: str | None, used: dict[str, Any]) -> CostItem:
        examples, epochs = self.training_examples, self.epochs
        per_example = self._text("tokens_per_example")
        billed = examples * per_example * epochs
        used.update(tokens_per_example=self.s["tokens_per_example"], epochs=epochs,
                    training_examples=examples)
        counted = (f"{examples:,} examples x {per_example:,g} tokens x "
                   f"{epochs} epochs = {_tokens(billed)} tokens")
        if path == "hosted":
            used["hosted_fine_tune_model"] = self.ft_key
            price = self.ft["training_per_1m"]
            return CostItem(N_("training run"), billed / 1e6 * price,
                            f"{counted} x {_usd(price)}/1M ({self.ft_key})")
        if path == HOSTED_LORA:
            used["hosted_lora_model"] = self.hl_key
            price = self.hl["training_per_1m"]
            return CostItem(N_("training run"), billed / 1e6 * price,
                            f"{counted} x {_usd(price)}/1M ({self.hl_key})")
        used["open_weights_model"] = self.ow_key
        hours = billed / (self.ow["training_tokens_per_second"] * 3600)
        hours += self.ow["run_overhead_hours"]
        return CostItem(
            N_("training run"), hours * self.ow["gpu_hour_usd"],
            f"{counted} at {self.ow['training_tokens_per_second']:,g} tokens/s "
            f"+ {self.ow['run_overhead_hours']:g} h overhead = {hours:,.2f} GPU-hours x "
            f"{_usd(self.ow['gpu_hour_usd'])}/h ({self.ow_key})", "gpu")

    def _retrains_per_month(self, approach: str, used: dict[str, Any]) -> float:
        if approach == "hybrid":
            used["hybrid_retrains_per_year"] = self.s["hybrid_retrains_per_year"]
            return self.s["hybrid_retrains_per_year"] / 12
        used["changes_per_month"] = self.changes_per_month
        used["max_retrains_per_month"] = self.s["max_retrains_per_month"]
        return min(self.changes_per_month, self.s["max_retrains_per_month"])

    def _prompt(self, kind: str) -> float:
        """Uncached prompt tokens per query: question, instructions, retrieved context."""
        prompt = self._text("query_tokens")
        if kind in ("rag", "rag-base"):
            prompt += self.s["instruction_tokens"]
        if kind == "hybrid" or (kind == "rag" and not self.long_context):
            prompt += self.context_tokens
        return prompt

    def _inference(self, approach: str, path: str | None, used: dict[str, Any]) -> list[CostItem]:
        q = self.a.queries_per_month
        used.update(query_tokens=self.s["query_tokens"], output_tokens=self.s["output_tokens"])
        if self.context_tokens and approach != "fine-tune":
            used.update(retrieval_k=self.s["retrieval_k"], chunk_tokens=self.s["chunk_tokens"])
        if approach == "rag":
            used["instruction_tokens"] = self.s["instruction_tokens"]
        if path == "open-weights":
            return [self._serving(q * self.output_tokens, self.ow_key, self.ow, used)]
        if path == HOSTED_LORA:
            return [self._serving(q * self.output_tokens, self.hl_key, self.hl, used)]
        if self.a.self_hosted:
            return [self._serving(q * self.output_tokens, self.sh_key, self.sh, used)]
        if approach == "rag":
            used["chat_model"] = self.chat_key
            return self._hosted_items(self.chat_key, self.chat, False, self._prompt("rag"),
                                      used)
        used["hosted_fine_tune_model"] = self.ft_key
        return self._hosted_items(self.ft_key, self.ft, True, self._prompt(approach), used)

    def _hosted_items(self, key: str, entry: Mapping[str, Any], fine_tuned: bool,
                      prompt: float, used: dict[str, Any]) -> list[CostItem]:
        q = self.a.queries_per_month
        p_in = entry["fine_tuned_input_per_1m" if fine_tuned else "input_per_1m"]
        p_out = entry["fine_tuned_output_per_1m" if fine_tuned else "output_per_1m"]
        kind = "fine-tuned" if fine_tuned else "base"
        out = self.output_tokens
        thinking = ""
        if entry.get("reasoning") and not fine_tuned and self.s["reasoning_tokens"]:
            out += float(self.s["reasoning_tokens"])
            thinking = f" incl. {self.s['reasoning_tokens']:,g} reasoning"
            used["reasoning_tokens"] = self.s["reasoning_tokens"]
        items = [
            CostItem(N_("model input"), q * prompt / 1e6 * p_in,
                     f"{q:,} queries x {prompt:,g} tokens x {_usd(p_in)}/1M ({kind} {key})"),
            CostItem(N_("model output"), q * out / 1e6 * p_out,
                     f"{q:,} queries x {out:,g} tokens{thinking} x {_usd(p_out)}/1M "
                     f"({kind} {key})"),
        ]
        if self.long_context and not fine_tuned and self.a.documents > 0:
            items.append(self._cached_corpus(key, entry, used))
        return items

    def _cached_corpus(self, key: str, entry: Mapping[str, Any],
                       used: dict[str, Any]) -> CostItem:
        """The whole corpus in every prompt: cache hits at the cached-input price."""
        q = self.a.queries_per_month
        hit = float(self.s["cache_hit_rate"])
        cached = entry.get("cached_input_per_1m", entry["input_per_1m"])
        per_1m = hit * cached + (1 - hit) * entry["input_per_1m"]
        used.update(cache_hit_rate=hit, tokens_per_document=self.s["tokens_per_document"])
        return CostItem(
            N_("corpus in the prompt (cached)"), q * self.corpus_tokens / 1e6 * per_1m,
            f"{q:,} queries x {_tokens(self.corpus_tokens)} corpus tokens x ({hit:g} cached x "
            f"{_usd(cached)} + {1 - hit:g} x {_usd(entry['input_per_1m'])})/1M ({key})")

    def _serving(self, generated: float, key: str, ow: Mapping[str, Any],
                 used: dict[str, Any]) -> CostItem:
        used["hours_per_month"] = self.s["hours_per_month"]
        used[f"serving:{key}"] = ow.get("serving_min_gpus")
        busy = generated / (ow["serving_output_tokens_per_second"] * 3600)
        floor = ow["serving_min_gpus"] * self.s["hours_per_month"]
        hours = max(busy, floor)
        why = (f"{ow['serving_min_gpus']:g} GPU always on x {self.s['hours_per_month']:g} h"
               if floor >= busy else
               f"{_tokens(generated)} output tokens at "
               f"{ow['serving_output_tokens_per_second']:,g} tokens/s = {hours:,.1f} h"
               f"{' (scale to zero)' if not ow['serving_min_gpus'] else ''}")
        return CostItem(N_("model serving"), hours * ow["gpu_hour_usd"],
                        f"{why} x {_usd(ow['gpu_hour_usd'])}/h ({key}, {ow['gpu']})", "gpu")

    def _retrieval(self, used: dict[str, Any]) -> list[CostItem]:
        q = self.a.queries_per_month
        share = self.s["share_changed_per_period"]
        changes = self.changes_per_month
        used.update(share_changed_per_period=share, changes_per_month=changes,
                    vector_database=self.vdb_key)
        per_document = math.ceil(self._text("tokens_per_document") / self.s["chunk_tokens"])
        chunks = self.a.documents * per_document
        dimensions = chunks * self.embed["dimensions"]
        usage = dimensions / 1e6 * self.vdb["per_1m_dimensions_month"]
        stored = ""
        per_gib = self.vdb.get("per_gib_storage_month")
        if per_gib:
            gib = chunks * (self.embed["dimensions"] * BYTES_PER_DIMENSION
                            + self.s["chunk_tokens"] * BYTES_PER_TOKEN) / 2**30
            usage += gib * per_gib
            stored = f" + {gib:,.3g} GiB stored x {_usd(per_gib)}/GiB"
        hosting = max(self.vdb["monthly_minimum_usd"], usage)
        reembedded = self.corpus_tokens * share * changes
        query_tokens = q * self._text("query_tokens")
        vdb = CostItem(N_("vector database"), hosting,
                       f"{chunks:,} chunks x {self.embed['dimensions']:,g} dimensions = "
                       f"{_tokens(dimensions)} dimensions x "
                       f"{_usd(self.vdb['per_1m_dimensions_month'])}/1M{stored}, at least "
                       f"{_usd(self.vdb['monthly_minimum_usd'])} ({self.vdb_key})",
                       "vector-database")
        if self.a.self_hosted:
            items = [self._embedding_gpu(N_("query embeddings"), query_tokens), vdb]
            if reembedded > 0:
                items.append(self._embedding_gpu(N_("re-embedding changes"), reembedded))
            return items
        price = self.embed["per_1m"]
        items = [
            CostItem(N_("query embeddings"), query_tokens / 1e6 * price,
                     f"{q:,} queries x {self._text('query_tokens'):,g} tokens x "
                     f"{_usd(price)}/1M"),
            vdb,
        ]
        if reembedded > 0:
            items.append(CostItem(
                N_("re-embedding changes"), reembedded / 1e6 * price,
                f"{_tokens(self.corpus_tokens)} tokens x {share:g} changed x {changes:g} "
                f"{self.a.volatility} periods/month x {_usd(price)}/1M"))
        return items


def replace_option(option: OptionCost, **changes: Any) -> OptionCost:
    from dataclasses import replace

    return replace(option, **changes)

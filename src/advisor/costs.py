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
from itertools import combinations
from typing import Any, NamedTuple

from .errors import InputError, closest
from .questionnaire import Answers

HORIZON_MONTHS = 36
APPROACHES = ("rag", "fine-tune", "hybrid")
FINE_TUNE_PATHS = ("hosted", "open-weights")

# Which price-book section each selection assumption picks an entry from.
SELECTIONS = {
    "chat_model": "chat_models",
    "embedding_model": "embedding_models",
    "vector_database": "vector_databases",
    "open_weights_model": "open_weights_models",
}
# Entry fields that describe a price rather than being one; only numbers are overridable.
META_FIELDS = frozenset(
    {"as_of", "source", "note", "assumption", "provider", "backend", "model", "gpu"}
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
    "chat_model": "hosted model for generation (base and fine-tuned)",
    "embedding_model": "model that embeds documents and queries",
    "vector_database": "where the vectors are hosted",
    "open_weights_model": "the open-weights model and GPU of the LoRA path",
    "fine_tune_path": "auto (hosted unless its provider takes no new jobs), hosted or "
    "open-weights",
    "tokens_per_example": "tokens in one training example, prompt and answer",
    "min_training_examples": "examples priced when fewer exist yet",
    "epochs": "training epochs; auto is OpenAI's default heuristic",
    "tokens_per_document": "tokens in one corpus document",
    "chunk_tokens": "tokens in one retrieved chunk",
    "retrieval_k": "chunks retrieved per query",
    "query_tokens": "tokens in the user's question",
    "instruction_tokens": "system prompt and examples a base model needs and a fine-tuned "
    "one has learned",
    "output_tokens": "tokens in one answer",
    "share_changed_per_period": "share of the corpus that changes each volatility period",
    "changes_per_month": "volatility periods per month, per volatility answer",
    "max_retrains_per_month": "cap on fine-tuning runs per month",
    "hybrid_retrains_per_year": "hybrid retraining for behaviour (facts live in the index)",
    "hours_per_month": "hours a GPU that is always on is billed per month",
    "setup_usd": "one-off engineering and evaluation spend per option",
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


@dataclass(frozen=True)
class PriceBook:
    """Prices by section and entry, and the assumptions, with overrides applied."""

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
            for key, value in data["assumptions"].items()
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


class CostItem(NamedTuple):
    """One line of an option's bill, with the arithmetic that produced it."""

    label: str
    usd: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "usd": round(self.usd, 4), "basis": self.basis}


@dataclass(frozen=True)
class OptionCost:
    """What one option costs. ``primary`` options are the ones break-even compares."""

    name: str
    approach: str
    fine_tune_path: str | None
    primary: bool
    upfront_items: tuple[CostItem, ...]
    monthly_items: tuple[CostItem, ...]
    queries_per_month: int
    budget_usd: float
    assumptions: Mapping[str, Any] = field(default_factory=dict)

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
        return self.upfront <= self.budget_usd

    def cumulative(self, month: float) -> float:
        return self.upfront + self.monthly * month

    def to_dict(self) -> dict[str, Any]:
        per_1k = self.per_1k_queries
        return {
            "name": self.name,
            "approach": self.approach,
            "fine_tune_path": self.fine_tune_path,
            "primary": self.primary,
            "upfront_usd": round(self.upfront, 2),
            "monthly_usd": round(self.monthly, 2),
            "per_1k_queries_usd": None if per_1k is None else round(per_1k, 4),
            f"total_{HORIZON_MONTHS}_months_usd": round(self.cumulative(HORIZON_MONTHS), 2),
            "within_budget": self.within_budget,
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

    @property
    def cheaper(self) -> str | None:
        return self.cheaper_after

    def describe(self) -> str:
        if self.month is not None:
            return (f"{self.cheaper_after} costs more upfront than {self.cheaper_before} but "
                    f"is cheaper in total from month {self.month}")
        if self.cheaper is None:
            return f"{self.first} and {self.second} cost the same over {HORIZON_MONTHS} months"
        other = self.second if self.cheaper == self.first else self.first
        return f"{self.cheaper} stays cheaper than {other} for all {HORIZON_MONTHS} months"

    def to_dict(self) -> dict[str, Any]:
        return {
            "options": [self.first, self.second],
            "month": self.month,
            "at_month": None if self.at is None else round(self.at, 2),
            "cheaper_before": self.cheaper_before,
            "cheaper_after": self.cheaper_after,
            "summary": self.describe(),
        }


def break_even(a: OptionCost, b: OptionCost, horizon: int = HORIZON_MONTHS) -> BreakEven:
    """The crossing of two straight cumulative-cost lines, within ``horizon`` months."""
    du, dm = a.upfront - b.upfront, a.monthly - b.monthly
    if du * dm < 0:  # the one dearer upfront is cheaper per month: the lines cross
        at = -du / dm
        if at <= horizon:
            dear, cheap = (a, b) if du > 0 else (b, a)
            return BreakEven(a.name, b.name, max(1, math.ceil(at - 1e-9)), at,
                             cheap.name, dear.name)
    end_a, end_b = a.cumulative(horizon), b.cumulative(horizon)
    if math.isclose(end_a, end_b, rel_tol=1e-9, abs_tol=1e-9):
        cheaper = None
    else:
        cheaper = a.name if end_a < end_b else b.name
    return BreakEven(a.name, b.name, None, None, cheaper, cheaper)


@dataclass(frozen=True)
class CostEstimate:
    """Every option's cost, the break-evens between the primary ones, and the sources."""

    options: tuple[OptionCost, ...]
    break_even: tuple[BreakEven, ...]
    fine_tune_path: str
    budget_usd: float
    price_book_version: str
    sources: tuple[PriceSource, ...]
    assumptions: Mapping[str, Any]
    overridden: tuple[str, ...]
    horizon_months: int = HORIZON_MONTHS

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
            "budget_usd": self.budget_usd,
            "price_book_version": self.price_book_version,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "options": {o.name: o.to_dict() for o in self.options},
            "assumptions": dict(self.assumptions),
            "overridden": list(self.overridden),
            "sources": [s.to_dict() for s in self.sources],
        }


def resolve_fine_tune_path(book: PriceBook, unavailable: frozenset[str]) -> str:
    """``auto``: hosted fine-tuning unless its provider accepts no new jobs any more."""
    wanted = book.assumptions["fine_tune_path"]
    if wanted != "auto":
        return str(wanted)
    _, chat = book.entry("chat_model")
    return "open-weights" if chat.get("provider") in unavailable else "hosted"


def fine_tune_provider(book: PriceBook, path: str) -> str | None:
    """The provider-status key of a fine-tuning path (None: the team's own GPUs)."""
    if path != "hosted":
        return None
    return book.entry("chat_model")[1].get("provider")


def estimate(answers: Answers, book: PriceBook,
             unavailable: frozenset[str] = frozenset()) -> CostEstimate:
    """Price rag, fine-tune and hybrid for ``answers``; also the other fine-tuning path.

    ``unavailable`` holds provider-status keys that accept no new fine-tuning jobs
    today; with ``fine_tune_path = "auto"`` the open-weights path is primary then.
    """
    path = resolve_fine_tune_path(book, unavailable)
    other = next(p for p in FINE_TUNE_PATHS if p != path)
    model = _Model(answers, book)
    options = (
        model.option("rag", None, primary=True),
        model.option("fine-tune", path, primary=True),
        model.option("hybrid", path, primary=True),
        model.option("fine-tune", other, primary=False),
        model.option("hybrid", other, primary=False),
    )
    primary = [o for o in options if o.primary]
    used = ["chat_model", "embedding_model", "vector_database", "open_weights_model"]
    return CostEstimate(
        options=options,
        break_even=tuple(break_even(a, b) for a, b in combinations(primary, 2)),
        fine_tune_path=path,
        budget_usd=answers.budget_usd,
        price_book_version=book.version,
        sources=tuple(book.source(kind) for kind in used),
        assumptions=dict(book.assumptions),
        overridden=tuple(sorted(book.overridden)),
    )


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


class _Model:
    """The arithmetic for one set of answers; each method returns labelled cost items."""

    def __init__(self, answers: Answers, book: PriceBook) -> None:
        self.a = answers
        self.book = book
        self.s = book.assumptions
        self.chat_key, self.chat = book.entry("chat_model")
        self.embed_key, self.embed = book.entry("embedding_model")
        self.vdb_key, self.vdb = book.entry("vector_database")
        self.ow_key, self.ow = book.entry("open_weights_model")

    # -- shared quantities

    @property
    def corpus_tokens(self) -> float:
        return self.a.documents * self.s["tokens_per_document"]

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

    def option(self, approach: str, path: str | None, *, primary: bool) -> OptionCost:
        upfront: list[CostItem] = []
        monthly: list[CostItem] = []
        used: dict[str, Any] = {}
        retrieval = approach in ("rag", "hybrid") and self.a.documents > 0
        if retrieval:
            upfront.append(self._embed_corpus(used))
        if approach != "rag":
            run = self._training_run(path, used)
            upfront.append(run)
            retrains = self._retrains_per_month(approach, used)
            if retrains > 0:
                monthly.append(CostItem(
                    "retraining", run.usd * retrains,
                    f"{retrains:.3g} runs/month x {_usd(run.usd)}"))
        setup = float(self.s["setup_usd"][approach])
        used[f"setup_usd.{approach}"] = setup
        if setup:
            upfront.append(CostItem("setup", setup, "setup_usd assumption"))
        monthly.extend(self._inference(approach, path, used))
        if retrieval:
            monthly.extend(self._retrieval(used))
        name = approach if primary or path is None else f"{approach} ({path})"
        return OptionCost(name, approach, path if approach != "rag" else None, primary,
                          tuple(upfront), tuple(monthly), self.a.queries_per_month,
                          self.a.budget_usd, used)

    def _embed_corpus(self, used: dict[str, Any]) -> CostItem:
        used["tokens_per_document"] = self.s["tokens_per_document"]
        used["embedding_model"] = self.embed_key
        price = self.embed["per_1m"]
        return CostItem(
            "embed the corpus", self.corpus_tokens / 1e6 * price,
            f"{self.a.documents:,} documents x {self.s['tokens_per_document']:,g} tokens = "
            f"{_tokens(self.corpus_tokens)} tokens x {_usd(price)}/1M ({self.embed_key})")

    def _training_run(self, path: str | None, used: dict[str, Any]) -> CostItem:
        examples, epochs = self.training_examples, self.epochs
        billed = examples * self.s["tokens_per_example"] * epochs
        used.update(tokens_per_example=self.s["tokens_per_example"], epochs=epochs,
                    training_examples=examples)
        counted = (f"{examples:,} examples x {self.s['tokens_per_example']:,g} tokens x "
                   f"{epochs} epochs = {_tokens(billed)} tokens")
        if path == "hosted":
            used["chat_model"] = self.chat_key
            price = self.chat["training_per_1m"]
            return CostItem("training run", billed / 1e6 * price,
                            f"{counted} x {_usd(price)}/1M ({self.chat_key})")
        used["open_weights_model"] = self.ow_key
        hours = billed / (self.ow["training_tokens_per_second"] * 3600)
        hours += self.ow["run_overhead_hours"]
        return CostItem(
            "training run", hours * self.ow["gpu_hour_usd"],
            f"{counted} at {self.ow['training_tokens_per_second']:,g} tokens/s "
            f"+ {self.ow['run_overhead_hours']:g} h overhead = {hours:,.2f} GPU-hours x "
            f"{_usd(self.ow['gpu_hour_usd'])}/h ({self.ow_key})")

    def _retrains_per_month(self, approach: str, used: dict[str, Any]) -> float:
        if approach == "hybrid":
            used["hybrid_retrains_per_year"] = self.s["hybrid_retrains_per_year"]
            return self.s["hybrid_retrains_per_year"] / 12
        used["changes_per_month"] = self.changes_per_month
        used["max_retrains_per_month"] = self.s["max_retrains_per_month"]
        return min(self.changes_per_month, self.s["max_retrains_per_month"])

    def _inference(self, approach: str, path: str | None, used: dict[str, Any]) -> list[CostItem]:
        q = self.a.queries_per_month
        context = self.context_tokens if approach != "fine-tune" else 0
        prompt = self.s["query_tokens"] + context
        if approach == "rag":
            prompt += self.s["instruction_tokens"]
            used["instruction_tokens"] = self.s["instruction_tokens"]
        output = self.s["output_tokens"]
        used.update(query_tokens=self.s["query_tokens"], output_tokens=output)
        if context:
            used.update(retrieval_k=self.s["retrieval_k"], chunk_tokens=self.s["chunk_tokens"])
        if path == "open-weights":
            return [self._serving(q * output, used)]
        fine_tuned = approach != "rag"
        used["chat_model"] = self.chat_key
        p_in = self.chat["fine_tuned_input_per_1m" if fine_tuned else "input_per_1m"]
        p_out = self.chat["fine_tuned_output_per_1m" if fine_tuned else "output_per_1m"]
        kind = "fine-tuned" if fine_tuned else "base"
        return [
            CostItem("model input", q * prompt / 1e6 * p_in,
                     f"{q:,} queries x {prompt:,g} tokens x {_usd(p_in)}/1M ({kind} "
                     f"{self.chat_key})"),
            CostItem("model output", q * output / 1e6 * p_out,
                     f"{q:,} queries x {output:,g} tokens x {_usd(p_out)}/1M ({kind} "
                     f"{self.chat_key})"),
        ]

    def _serving(self, generated: float, used: dict[str, Any]) -> CostItem:
        ow = self.ow
        used["open_weights_model"] = self.ow_key
        used["hours_per_month"] = self.s["hours_per_month"]
        busy = generated / (ow["serving_output_tokens_per_second"] * 3600)
        floor = ow["serving_min_gpus"] * self.s["hours_per_month"]
        hours = max(busy, floor)
        why = (f"{ow['serving_min_gpus']:g} GPU always on x {self.s['hours_per_month']:g} h"
               if floor >= busy else
               f"{_tokens(generated)} output tokens at "
               f"{ow['serving_output_tokens_per_second']:,g} tokens/s = {hours:,.1f} h")
        return CostItem("model serving", hours * ow["gpu_hour_usd"],
                        f"{why} x {_usd(ow['gpu_hour_usd'])}/h ({self.ow_key}, {ow['gpu']})")

    def _retrieval(self, used: dict[str, Any]) -> list[CostItem]:
        q = self.a.queries_per_month
        price = self.embed["per_1m"]
        share = self.s["share_changed_per_period"]
        changes = self.changes_per_month
        used.update(share_changed_per_period=share, changes_per_month=changes,
                    vector_database=self.vdb_key)
        per_document = math.ceil(self.s["tokens_per_document"] / self.s["chunk_tokens"])
        chunks = self.a.documents * per_document
        dimensions = chunks * self.embed["dimensions"]
        storage = dimensions / 1e6 * self.vdb["per_1m_dimensions_month"]
        hosting = max(self.vdb["monthly_minimum_usd"], storage)
        reembedded = self.corpus_tokens * share * changes
        items = [
            CostItem("query embeddings", q * self.s["query_tokens"] / 1e6 * price,
                     f"{q:,} queries x {self.s['query_tokens']:,g} tokens x {_usd(price)}/1M"),
            CostItem("vector database", hosting,
                     f"{chunks:,} chunks x {self.embed['dimensions']:,g} dimensions = "
                     f"{_tokens(dimensions)} dimensions x "
                     f"{_usd(self.vdb['per_1m_dimensions_month'])}/1M, at least "
                     f"{_usd(self.vdb['monthly_minimum_usd'])} ({self.vdb_key})"),
        ]
        if reembedded > 0:
            items.append(CostItem(
                "re-embedding changes", reembedded / 1e6 * price,
                f"{_tokens(self.corpus_tokens)} tokens x {share:g} changed x {changes:g} "
                f"{self.a.volatility} periods/month x {_usd(price)}/1M"))
        return items


"""The decision framework: answers in, a recommendation with its reasons out.

A pure function of :class:`~advisor.questionnaire.Answers` (no I/O, no clock), so tests,
the CLI and property-based checks all call the same thing. The principles and their
sources are written up in ``docs/framework.md``; each one that fires here becomes a
:class:`Reason` or a warning tied to the answer that triggered it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from .i18n import N_
from .messages import Message, join, localize, pgettext
from .questionnaire import CORE_QUESTIONS, FORMATS, QUALITY_MODELS, VOLATILITY, Answers
from .requirements import FAST_CHANGING, retrieval_keys

if TYPE_CHECKING:
    from .costs import Economics, PriceBook

FRAMEWORK_VERSION = "2.0"

Recommendation = Literal["rag", "fine-tune", "hybrid"]
RECOMMENDATIONS: tuple[Recommendation, ...] = ("rag", "fine-tune", "hybrid")

# Thresholds; docs/framework.md gives each one's source, or marks it as this project's
# own heuristic. The money and latency thresholds come from the cost model (Economics).
MIN_EXAMPLES = 50  # OpenAI's suggested starting point
CLEAR_PAYOFF_EXAMPLES = 100  # 100-500 is where fine-tuning clearly pays (Vertex AI guidance)
DOMAIN_QA_EXAMPLES = 1_000  # heuristic, after Balaguer et al. (SFT on top of RAG)
DOMAIN_QA_BUDGET_USD = 25_000  # heuristic: a budget that covers that curation
DISTILL_PROMPTS = 1_000  # heuristic: real prompts a teacher model answers for distillation
STABLE = frozenset({"static", "yearly"})


@dataclass(frozen=True)
class Reason:
    """One principle that fired, tied to the answer (``key``) that triggered it.

    ``points_to`` says which way it pulls: ``retrieval``, ``fine-tune`` or ``rag-first``.
    ``text`` is English (a :class:`~advisor.messages.Message` for the framework's own
    reasons, translated where a report shows it), so JSON is the same in every language.
    """

    key: str
    text: str
    points_to: str
    principle: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "points_to": self.points_to,
            "principle": self.principle,
        }


@dataclass(frozen=True)
class DecisionWarning:
    """Something a reviewer should know that does not change the recommendation."""

    key: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text}


@dataclass(frozen=True)
class Flip:
    """The smallest change of one answer that changes the recommendation."""

    key: str
    from_: Any
    to: Any
    recommendation: Recommendation
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "from": self.from_,
            "to": self.to,
            "recommendation": self.recommendation,
        }


@dataclass(frozen=True)
class Decision:
    """What :func:`decide` returns; reports render it, nothing mutates it."""

    recommendation: Recommendation
    confidence: float
    reasons: tuple[Reason, ...]
    warnings: tuple[DecisionWarning, ...]
    flips: tuple[Flip, ...]
    answers: Answers
    retrieval_needed: bool
    fine_tune_feasible: bool
    variant: str | None = None
    framework_version: str = FRAMEWORK_VERSION
    approaches: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        approaches = {"rag": ("rag",), "fine-tune": ("fine-tune",)}
        object.__setattr__(
            self, "approaches", approaches.get(self.recommendation, ("rag", "fine-tune"))
        )

    @property
    def label(self) -> str:
        """The recommendation as a reviewer reads it, e.g. ``rag (long-context, ...)``."""
        return f"{self.recommendation} ({self.variant})" if self.variant else self.recommendation

    @property
    def shown_label(self) -> str:
        """:attr:`label` in the language in use (the variant translated, the value not)."""
        if not self.variant:
            return self.recommendation
        return f"{self.recommendation} ({localize(self.variant)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "recommendation": self.recommendation,
            "variant": self.variant,
            "confidence": self.confidence,
            "reasons": [r.to_dict() for r in self.reasons],
            "warnings": [w.to_dict() for w in self.warnings],
            "flips": [f.to_dict() for f in self.flips],
            "answers": self.answers.to_dict(),
            "retrieval_needed": self.retrieval_needed,
            "fine_tune_feasible": self.fine_tune_feasible,
            "framework_version": self.framework_version,
        }


@dataclass(frozen=True)
class _Verdict:
    recommendation: Recommendation
    reasons: tuple[Reason, ...]
    warnings: tuple[DecisionWarning, ...]
    retrieval_needed: bool
    fine_tune_feasible: bool
    tensions: int
    variant: str | None


def decide(answers: Answers, book: PriceBook | None = None) -> Decision:
    """Apply the principles to ``answers``; add confidence and flips by re-running them.

    ``book`` is the price book whose assumptions give the money and latency thresholds
    (the shipped one by default), so the framework and the cost model never disagree.
    """
    verdict = _apply_principles(answers, _economics(answers, book))
    flips = find_flips(answers, verdict.recommendation, book)
    return Decision(
        recommendation=verdict.recommendation,
        confidence=_confidence(flips, verdict.tensions),
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        flips=flips,
        answers=answers,
        retrieval_needed=verdict.retrieval_needed,
        fine_tune_feasible=verdict.fine_tune_feasible,
        variant=verdict.variant,
    )


def recommend(answers: Answers, book: PriceBook | None = None) -> Recommendation:
    """Just the recommendation: what flips and property tests re-run."""
    return _apply_principles(answers, _economics(answers, book), explain=False).recommendation


def _unsaid(msgid: str, /, **values: Any) -> str:
    """Stands in for :class:`Message` where no one reads the sentence."""
    return msgid


def _economics(answers: Answers, book: PriceBook | None) -> Economics:
    from .costs import default_book, economics

    return economics(answers, book or default_book())


def _apply_principles(a: Answers, econ: Economics, explain: bool = True) -> _Verdict:
    """The principles in order. ``explain=False`` (flips, property tests: only the
    recommendation is read) skips composing the reasons' sentences: ``decide`` probes
    hundreds of neighbouring answers, and the sentences were most of their cost.
    """
    say = Message if explain else _unsaid
    reasons: list[Reason] = []
    warnings: list[DecisionWarning] = []
    tensions = 0

    # Principle 2: when is retrieval needed?
    if a.documents > 0:
        reasons.append(
            Reason(
                "documents",
                say(
                    N_(
                        "Answers depend on a corpus of {documents:,} documents: retrieval "
                        "puts the relevant ones in the prompt at query time."
                    ),
                    documents=a.documents,
                ),
                "retrieval",
                2,
            )
        )
    if a.citations:
        reasons.append(
            Reason(
                "citations",
                say(
                    N_(
                        "Answers must cite their sources: fine-tuned weights cannot say where "
                        "a fact came from, retrieved documents can."
                    )
                ),
                "retrieval",
                2,
            )
        )
    if a.volatility in FAST_CHANGING:
        reasons.append(
            Reason(
                "volatility",
                say(
                    N_(
                        "Facts change {volatility}: a fine-tuning cycle takes hours to days and "
                        "must be redone for every change, while a retrieval index updates in "
                        "minutes."
                    ),
                    volatility=volatility_word(a.volatility),
                ),
                "retrieval",
                2,
            )
        )
    retrieval_needed = bool(retrieval_keys(a))

    # Principle 3: reasons to fine-tune.
    ft_reasons: list[Reason] = []
    if a.format == "strict":
        ft_reasons.append(
            Reason(
                "format",
                say(
                    N_(
                        "A strict house style, tone or set of conventions is a behaviour gap: "
                        "fine-tuning teaches it by example where instructions do not hold "
                        "reliably."
                    )
                ),
                "fine-tune",
                3,
            )
        )
    latency = econ.latency
    if latency.current_best_ms > a.latency_ms >= latency.small_expected_ms:
        ft_reasons.append(
            Reason(
                "latency_ms",
                say(
                    N_(
                        "A p95 budget of {budget:,} ms: the current model takes at least "
                        "{current:,.0f} ms for {tokens:,.0f}-token answers, a small model "
                        "fine-tuned for the task about {small:,.0f} ms (estimates from the "
                        "cost model)."
                    ),
                    budget=a.latency_ms,
                    current=latency.current_best_ms,
                    tokens=latency.output_tokens,
                    small=latency.small_expected_ms,
                ),
                "fine-tune",
                3,
            )
        )
    distilling = a.quality_model == "large" and econ.payback_months <= econ.payback_horizon
    if distilling:
        ft_reasons.append(
            Reason(
                "quality_model",
                say(
                    N_(
                        "Only a large model meets the quality bar today, and at {queries:,} "
                        "queries a month a small model fine-tuned on its answers "
                        "(distillation) pays back its training, evaluation and engineering in "
                        "{months:.1f} months (horizon {horizon:g})."
                    ),
                    queries=a.queries_per_month,
                    months=econ.payback_months,
                    horizon=econ.payback_horizon,
                ),
                "fine-tune",
                3,
            )
        )
    if (
        retrieval_needed
        and a.examples >= DOMAIN_QA_EXAMPLES
        and a.budget_usd >= DOMAIN_QA_BUDGET_USD
    ):
        ft_reasons.append(
            Reason(
                "examples",
                say(
                    N_(
                        "{examples:,} curated domain examples and a ${budget:,.0f} budget: "
                        "supervised fine-tuning adds accuracy on top of retrieval (Balaguer et "
                        "al. 2024)."
                    ),
                    examples=a.examples,
                    budget=a.budget_usd,
                ),
                "fine-tune",
                3,
            )
        )
    if a.format == "schema":
        reasons.append(
            Reason(
                "format",
                say(
                    N_(
                        "A machine-readable schema is enforced by structured outputs without "
                        "training, so it is no reason to fine-tune on its own."
                    )
                ),
                "rag-first",
                3,
            )
        )

    # Principle 4: is fine-tuning feasible? Distillation data comes from a teacher model
    # answering real prompts, so with a large model to distil, prompts count too.
    missing: list[Any] = []
    prompts = a.queries_per_month if a.quality_model == "large" else 0
    if a.examples < MIN_EXAMPLES and prompts < DISTILL_PROMPTS:
        missing.append(
            say(
                N_("only {examples} curated examples (at least {minimum} needed)"),
                examples=a.examples,
                minimum=MIN_EXAMPLES,
            )
        )
    if a.budget_usd < econ.fine_tune_floor_usd:
        missing.append(
            say(
                N_(
                    "an upfront budget of ${budget:,.0f} (at least ${floor:,.0f} for one "
                    "training run and its evaluation)"
                ),
                budget=a.budget_usd,
                floor=econ.fine_tune_floor_usd,
            )
        )
    feasible = not missing

    # Principle 5: combine.
    if ft_reasons and feasible:
        recommendation: Recommendation = "hybrid" if retrieval_needed else "fine-tune"
        reasons.extend(ft_reasons)
        if not retrieval_needed:
            reasons.append(
                Reason(
                    "volatility",
                    say(
                        N_(
                            "No retrieval needed: facts are {volatility}, there is no corpus to "
                            "search and no citations are required."
                        ),
                        volatility=volatility_word(a.volatility),
                    ),
                    "fine-tune",
                    5,
                )
            )
        if a.examples < CLEAR_PAYOFF_EXAMPLES and not distilling:
            warnings.append(
                DecisionWarning(
                    "examples",
                    say(
                        N_(
                            "{examples} examples is enough to start, but fine-tuning clearly "
                            "pays from {payoff}-500: keep collecting and compare on the "
                            "evaluation set."
                        ),
                        examples=a.examples,
                        payoff=CLEAR_PAYOFF_EXAMPLES,
                    ),
                )
            )
            tensions += 1
    else:
        recommendation = "rag"
        if not ft_reasons:
            reasons.append(
                Reason(
                    "format",
                    say(
                        N_(
                            "RAG first: nothing in the answers needs a change of the model's "
                            "behaviour (no strict format, no latency budget only a smaller model "
                            "meets, no large model to distil), so start with prompting and "
                            "retrieval."
                        )
                    ),
                    "rag-first",
                    1,
                )
            )
        else:
            # Principle 6: a reason to fine-tune that is not feasible yet.
            wanted = join([say(_WANTS[r.key]) for r in ft_reasons], AND) if explain else ""
            lacking = join(missing, AND) if explain else ""
            tensions += 1
            warnings.append(
                DecisionWarning(
                    "examples" if a.examples < MIN_EXAMPLES else "budget_usd",
                    say(
                        N_(
                            "Fine-tuning would fit ({wanted}), but with {missing} it is not "
                            "feasible yet: use few-shot prompting with retrieved examples now, "
                            "collect {payoff}+ examples and decide again."
                        ),
                        wanted=wanted,
                        missing=lacking,
                        payoff=CLEAR_PAYOFF_EXAMPLES,
                    ),
                )
            )
            reasons.append(
                Reason(
                    "examples" if a.examples < MIN_EXAMPLES else "budget_usd",
                    say(
                        N_("RAG first: fine-tuning is not feasible with {missing}."),
                        missing=lacking,
                    ),
                    "rag-first",
                    4,
                )
            )

    # Principle 7: conflicts and cheaper shapes of the same answer.
    if a.latency_ms < latency.small_best_ms:
        tensions += 1
        warnings.append(
            DecisionWarning(
                "latency_ms",
                say(
                    N_(
                        "No option fits a p95 of {budget:,} ms: even a small self-hosted model "
                        "needs about {small:,.0f} ms for {tokens:,.0f}-token answers. Shorter "
                        "answers (about {fit:,.0f} tokens would fit), no reranking, or a "
                        "larger latency budget."
                    ),
                    budget=a.latency_ms,
                    small=latency.small_best_ms,
                    tokens=latency.output_tokens,
                    fit=latency.tokens_that_fit(a.latency_ms),
                ),
            )
        )
    elif retrieval_needed and a.latency_ms < latency.current_best_ms:
        tensions += 1
        warnings.append(
            DecisionWarning(
                "latency_ms",
                say(
                    N_(
                        "Retrieval is needed but the p95 budget is {budget:,} ms: keep "
                        "retrieval to a fast ANN lookup without reranking, shorten the answers, "
                        "or renegotiate the latency budget."
                    ),
                    budget=a.latency_ms,
                ),
            )
        )
    variant = None
    if (
        recommendation == "rag"
        and a.documents > 0
        and a.volatility in STABLE
        and econ.corpus_tokens <= econ.long_context_max_tokens
    ):
        variant = LONG_CONTEXT
        if a.citations:
            fits = N_(
                "{documents:,} {volatility} documents (about {tokens:,.0f} tokens) fit in one "
                "cached long-context prompt (provider citation features cite documents in the "
                "prompt): try that before running a vector database."
            )
        else:
            fits = N_(
                "{documents:,} {volatility} documents (about {tokens:,.0f} tokens) fit in one "
                "cached long-context prompt: try that before running a vector database."
            )
        warnings.append(
            DecisionWarning(
                "documents",
                say(
                    fits,
                    documents=a.documents,
                    volatility=volatility_word(a.volatility),
                    tokens=econ.corpus_tokens,
                ),
            )
        )
    if a.self_hosted:
        if a.deployment == "air-gapped":
            boundary = N_(
                "Deployment {deployment}: no third-party model API may see the data, so "
                "fine-tuning is open-weights (LoRA on your GPUs), generation and embeddings are "
                "self-hosted models behind an OpenAI-compatible server (e.g. vLLM) and the "
                "vector database runs on your servers. Plan for GPU serving, a model registry "
                "and an embedding model. Air-gapped: install the model weights, tokenizer files "
                "and the vector database ahead; nothing may download at run time."
            )
        else:
            boundary = N_(
                "Deployment {deployment}: no third-party model API may see the data, so "
                "fine-tuning is open-weights (LoRA on your GPUs), generation and embeddings are "
                "self-hosted models behind an OpenAI-compatible server (e.g. vLLM) and the "
                "vector database runs on your servers. Plan for GPU serving, a model registry "
                "and an embedding model."
            )
        warnings.append(
            DecisionWarning("deployment", say(boundary, deployment=a.deployment))
        )
    if recommendation != "rag" and a.volatility in FAST_CHANGING:
        warnings.append(
            DecisionWarning(
                "volatility",
                say(
                    N_(
                        "Keep changing facts in the retrieval index, not in the fine-tuning "
                        "data: a fine-tuned model must be retrained whenever what it learned "
                        "changes."
                    )
                ),
            )
        )
    return _Verdict(
        recommendation,
        tuple(reasons),
        tuple(warnings),
        retrieval_needed,
        feasible,
        tensions,
        variant,
    )


_WANTS = {
    "format": N_("a strict format"),
    "latency_ms": N_("a latency budget only a smaller model meets"),
    "examples": N_("plenty of domain Q&A"),
    "quality_model": N_("a large model to distil at volume"),
}
AND = N_("{first} and {second}")
# The long-context variant of rag: a value in JSON (English), a phrase in reports.
LONG_CONTEXT = Message(N_("long-context, no vector DB needed"))


# A volatility answer as a word inside a sentence ("Facts change weekly", "facts are
# static"); in a context of its own: the same words are also the choice labels (context
# "volatility"), which read differently.
_VOLATILITY_WORDS = {
    "static": pgettext("volatility in a sentence", "static"),
    "yearly": pgettext("volatility in a sentence", "yearly"),
    "monthly": pgettext("volatility in a sentence", "monthly"),
    "weekly": pgettext("volatility in a sentence", "weekly"),
    "daily": pgettext("volatility in a sentence", "daily"),
    "realtime": pgettext("volatility in a sentence", "realtime"),
}


def volatility_word(value: str) -> Message:
    """A volatility answer as a word inside a sentence, translated where it is shown."""
    return _VOLATILITY_WORDS.get(value) or Message("{value}", value=value)


# --- flips -------------------------------------------------------------------------------

_INTEGER_KEYS = {q.key: q for q in CORE_QUESTIONS if q.kind in ("int", "number")}
_ORDERED = {"volatility": VOLATILITY, "format": FORMATS, "quality_model": QUALITY_MODELS}


def find_flips(
    answers: Answers, current: Recommendation | None = None, book: PriceBook | None = None
) -> tuple[Flip, ...]:
    """Every key's smallest change (in each direction) that changes the recommendation.

    Found by re-running the principles on neighbouring answers, not by reading thresholds
    off the code, so a flip stays true when a principle changes. Sorted nearest first.
    """
    from .costs import default_book

    book = book or default_book()
    current = current or recommend(answers, book)
    flips: list[Flip] = []
    for key, choices in _ORDERED.items():
        flips.extend(_choice_flips(answers, current, key, choices, book))
    outcome = recommend(replace(answers, citations=not answers.citations), book)
    if outcome != current:
        flips.append(Flip("citations", answers.citations, not answers.citations, outcome, 0.5))
    for key, question in _INTEGER_KEYS.items():
        flips.extend(
            _numeric_flips(answers, current, key, question.minimum, question.maximum, book)
        )
    return tuple(sorted(flips, key=lambda f: (f.distance, f.key)))


def _choice_flips(
    answers: Answers,
    current: Recommendation,
    key: str,
    choices: tuple[str, ...],
    book: PriceBook,
) -> list[Flip]:
    here = choices.index(getattr(answers, key))
    found: list[Flip] = []
    for step in (-1, 1):
        index = here + step
        while 0 <= index < len(choices):
            outcome = recommend(replace(answers, **{key: choices[index]}), book)
            if outcome != current:
                distance = abs(index - here) / (len(choices) - 1)
                found.append(Flip(key, choices[here], choices[index], outcome, distance))
                break
            index += step
    return found


def _numeric_flips(
    answers: Answers,
    current: Recommendation,
    key: str,
    minimum: float | None,
    maximum: float | None,
    book: PriceBook,
) -> list[Flip]:
    """Probe outwards geometrically, then bisect to the exact whole-number boundary."""
    start = getattr(answers, key)
    low = int(minimum) if minimum is not None else 0
    high = int(maximum) if maximum is not None else 10**9
    found: list[Flip] = []
    for direction in (-1, 1):
        previous = int(start) if direction < 0 else math.ceil(start)
        probe = _next_probe(previous, direction)
        while low <= probe <= high:
            outcome = recommend(replace(answers, **{key: _typed(key, probe)}), book)
            if outcome != current:
                edge = _bisect(answers, current, key, previous, probe, book)
                outcome = recommend(replace(answers, **{key: _typed(key, edge)}), book)
                found.append(
                    Flip(key, start, _typed(key, edge), outcome, _log_distance(start, edge))
                )
                break
            previous = probe
            probe = _next_probe(probe, direction)
    return found


def _next_probe(value: int, direction: int) -> int:
    if direction > 0:
        return max(value + 1, value * 2)
    return min(value - 1, value // 2)


def _bisect(
    answers: Answers, current: Recommendation, key: str, same: int, other: int, book: PriceBook
) -> int:
    """Nearest whole number to ``same`` (between the two) where the outcome differs."""
    while abs(other - same) > 1:
        middle = (same + other) // 2
        if recommend(replace(answers, **{key: _typed(key, middle)}), book) == current:
            same = middle
        else:
            other = middle
    return other


def _typed(key: str, value: int) -> int | float:
    return float(value) if _INTEGER_KEYS[key].kind == "number" else value


def _log_distance(start: float, end: float) -> float:
    """How far a numeric change is, on a log scale: 10x (an order of magnitude) is 1.0."""
    return min(1.0, abs(math.log10((end + 1) / (start + 1))))


def _confidence(flips: tuple[Flip, ...], tensions: int) -> float:
    """High when no nearby answer changes the outcome and the principles agree.

    0.5 plus up to 0.45 for the distance to the nearest flip, less 0.1 for each tension
    (a principle pulling the other way: infeasible fine-tuning, a latency conflict, few
    examples). Clear cases land near 0.9, cases one step from a threshold near 0.5.
    """
    nearest = min((f.distance for f in flips), default=1.0)
    score = 0.5 + 0.45 * min(1.0, nearest / 0.5) - 0.1 * tensions
    return round(max(0.05, min(0.95, score)), 2)

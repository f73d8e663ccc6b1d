"""The decision framework: answers in, a recommendation with its reasons out.

A pure function of :class:`~advisor.questionnaire.Answers` (no I/O, no clock), so tests,
the CLI and property-based checks all call the same thing. The principles and their
sources are written up in ``docs/framework.md``; each one that fires here becomes a
:class:`Reason` or a warning tied to the answer that triggered it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .questionnaire import CORE_QUESTIONS, FORMATS, VOLATILITY, Answers

FRAMEWORK_VERSION = "1.0"

Recommendation = Literal["rag", "fine-tune", "hybrid"]
RECOMMENDATIONS: tuple[Recommendation, ...] = ("rag", "fine-tune", "hybrid")

# Thresholds, each from a published source (see docs/framework.md).
FAST_CHANGING = frozenset({"monthly", "weekly", "daily", "realtime"})
TIGHT_LATENCY_MS = 300  # no room for embedding + search + a long prompt
MIN_EXAMPLES = 50  # OpenAI's suggested starting point
CLEAR_PAYOFF_EXAMPLES = 100  # 100-500 is where fine-tuning clearly pays
MIN_BUDGET_USD = 50  # floor for one training run
DOMAIN_QA_EXAMPLES = 1_000  # Balaguer et al.: SFT added accuracy on top of RAG
DOMAIN_QA_BUDGET_USD = 25_000
SMALL_CORPUS_DOCUMENTS = 50  # may fit in one cached long-context prompt
STABLE = frozenset({"static", "yearly"})


@dataclass(frozen=True)
class Reason:
    """One principle that fired, tied to the answer (``key``) that triggered it.

    ``points_to`` says which way it pulls: ``retrieval``, ``fine-tune`` or ``rag-first``.
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


def decide(answers: Answers) -> Decision:
    """Apply the principles to ``answers``; add confidence and flips by re-running them."""
    verdict = _apply_principles(answers)
    flips = find_flips(answers, verdict.recommendation)
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


def recommend(answers: Answers) -> Recommendation:
    """Just the recommendation: what flips and property tests re-run."""
    return _apply_principles(answers).recommendation


def _apply_principles(a: Answers) -> _Verdict:
    reasons: list[Reason] = []
    warnings: list[DecisionWarning] = []
    tensions = 0

    # Principle 2: when is retrieval needed?
    if a.documents > 0:
        reasons.append(
            Reason(
                "documents",
                f"Answers depend on a corpus of {a.documents:,} documents: retrieval puts the "
                "relevant ones in the prompt at query time.",
                "retrieval",
                2,
            )
        )
    if a.citations:
        reasons.append(
            Reason(
                "citations",
                "Answers must cite their sources: fine-tuned weights cannot say where a fact "
                "came from, retrieved documents can.",
                "retrieval",
                2,
            )
        )
    if a.volatility in FAST_CHANGING:
        reasons.append(
            Reason(
                "volatility",
                f"Facts change {a.volatility}: a fine-tuning cycle takes hours to days and must "
                "be redone for every change, while a retrieval index updates in minutes.",
                "retrieval",
                2,
            )
        )
    retrieval_needed = bool(reasons)

    # Principle 3: reasons to fine-tune.
    ft_reasons: list[Reason] = []
    if a.format == "strict":
        ft_reasons.append(
            Reason(
                "format",
                "A strict house style, tone or set of conventions is a behaviour gap: "
                "fine-tuning teaches it by example where instructions do not hold reliably.",
                "fine-tune",
                3,
            )
        )
    if a.latency_ms <= TIGHT_LATENCY_MS:
        ft_reasons.append(
            Reason(
                "latency_ms",
                f"A p95 budget of {a.latency_ms} ms leaves no room for embedding, search and a "
                "long prompt: a small fine-tuned model answers within it.",
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
                f"{a.examples:,} curated domain examples and a ${a.budget_usd:,.0f} budget: "
                "supervised fine-tuning adds accuracy on top of retrieval (Balaguer et al. 2024).",
                "fine-tune",
                3,
            )
        )
    if a.format == "schema":
        reasons.append(
            Reason(
                "format",
                "A machine-readable schema is enforced by structured outputs without training, "
                "so it is no reason to fine-tune on its own.",
                "rag-first",
                3,
            )
        )

    # Principle 4: is fine-tuning feasible?
    missing: list[str] = []
    if a.examples < MIN_EXAMPLES:
        missing.append(f"only {a.examples} curated examples (at least {MIN_EXAMPLES} needed)")
    if a.budget_usd < MIN_BUDGET_USD:
        missing.append(
            f"an upfront budget of ${a.budget_usd:,.0f} (at least ${MIN_BUDGET_USD} for training)"
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
                    f"No retrieval needed: facts are {a.volatility}, there is no corpus to search "
                    "and no citations are required.",
                    "fine-tune",
                    5,
                )
            )
        if a.examples < CLEAR_PAYOFF_EXAMPLES:
            warnings.append(
                DecisionWarning(
                    "examples",
                    f"{a.examples} examples is enough to start, but fine-tuning clearly pays "
                    f"from {CLEAR_PAYOFF_EXAMPLES}-500: keep collecting and compare on the "
                    "evaluation set.",
                )
            )
            tensions += 1
    else:
        recommendation = "rag"
        if not ft_reasons:
            reasons.append(
                Reason(
                    "format",
                    "RAG first: nothing in the answers needs a change of the model's behaviour "
                    "(no strict format, no tight latency budget), so start with prompting and "
                    "retrieval.",
                    "rag-first",
                    1,
                )
            )
        else:
            # Principle 6: a reason to fine-tune that is not feasible yet.
            wanted = " and ".join(_WANTS[r.key] for r in ft_reasons)
            tensions += 1
            warnings.append(
                DecisionWarning(
                    "examples" if a.examples < MIN_EXAMPLES else "budget_usd",
                    f"Fine-tuning would fit ({wanted}), but with {' and '.join(missing)} it is "
                    "not feasible yet: use few-shot prompting with retrieved examples now, "
                    f"collect {CLEAR_PAYOFF_EXAMPLES}+ examples and decide again.",
                )
            )
            reasons.append(
                Reason(
                    "examples" if a.examples < MIN_EXAMPLES else "budget_usd",
                    f"RAG first: fine-tuning is not feasible with {' and '.join(missing)}.",
                    "rag-first",
                    4,
                )
            )

    # Principle 7: conflicts and cheaper shapes of the same answer.
    if retrieval_needed and a.latency_ms <= TIGHT_LATENCY_MS:
        tensions += 1
        warnings.append(
            DecisionWarning(
                "latency_ms",
                f"Retrieval is needed but the p95 budget is {a.latency_ms} ms: keep retrieval to "
                "a fast ANN lookup without reranking, or renegotiate the latency budget.",
            )
        )
    variant = None
    if (
        recommendation == "rag"
        and 0 < a.documents <= SMALL_CORPUS_DOCUMENTS
        and a.volatility in STABLE
        and not a.citations
    ):
        variant = "long-context, no vector DB needed"
        warnings.append(
            DecisionWarning(
                "documents",
                f"{a.documents} {a.volatility} documents may fit in one cached long-context "
                "prompt: try that before running a vector database.",
            )
        )
    if recommendation != "rag" and a.volatility in FAST_CHANGING:
        warnings.append(
            DecisionWarning(
                "volatility",
                "Keep changing facts in the retrieval index, not in the fine-tuning data: a "
                "fine-tuned model must be retrained whenever what it learned changes.",
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
    "format": "a strict format",
    "latency_ms": "a tight latency budget",
    "examples": "plenty of domain Q&A",
}


# --- flips -------------------------------------------------------------------------------

_INTEGER_KEYS = {q.key: q for q in CORE_QUESTIONS if q.kind in ("int", "number")}
_ORDERED = {"volatility": VOLATILITY, "format": FORMATS}


def find_flips(answers: Answers, current: Recommendation | None = None) -> tuple[Flip, ...]:
    """Every key's smallest change (in each direction) that changes the recommendation.

    Found by re-running the principles on neighbouring answers, not by reading thresholds
    off the code, so a flip stays true when a principle changes. Sorted nearest first.
    """
    current = current or recommend(answers)
    flips: list[Flip] = []
    for key, choices in _ORDERED.items():
        flips.extend(_choice_flips(answers, current, key, choices))
    outcome = recommend(replace(answers, citations=not answers.citations))
    if outcome != current:
        flips.append(Flip("citations", answers.citations, not answers.citations, outcome, 0.5))
    for key, question in _INTEGER_KEYS.items():
        flips.extend(_numeric_flips(answers, current, key, question.minimum, question.maximum))
    return tuple(sorted(flips, key=lambda f: (f.distance, f.key)))


def _choice_flips(
    answers: Answers, current: Recommendation, key: str, choices: tuple[str, ...]
) -> list[Flip]:
    here = choices.index(getattr(answers, key))
    found: list[Flip] = []
    for step in (-1, 1):
        index = here + step
        while 0 <= index < len(choices):
            outcome = recommend(replace(answers, **{key: choices[index]}))
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
            outcome = recommend(replace(answers, **{key: _typed(key, probe)}))
            if outcome != current:
                edge = _bisect(answers, current, key, previous, probe)
                outcome = recommend(replace(answers, **{key: _typed(key, edge)}))
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


def _bisect(answers: Answers, current: Recommendation, key: str, same: int, other: int) -> int:
    """Nearest whole number to ``same`` (between the two) where the outcome differs."""
    while abs(other - same) > 1:
        middle = (same + other) // 2
        if recommend(replace(answers, **{key: _typed(key, middle)})) == current:
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

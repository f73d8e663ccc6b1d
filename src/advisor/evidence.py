"""Measured evidence: the team's own evaluation results, read, checked and weighed.

An ``advisor.evidence/1`` document (``data/evidence.schema.json``, ``docs/evidence.md``)
holds each system's mean score on the team's evaluation set, and optionally per-item
scores, latency, cost and format validity. This module validates such documents, merges
several by system, and decides what they say about the questionnaire's recommendation:
which systems the answers allow, whether a more complex system beats a simpler one by the
minimum gain with a clear 95% test, and how many items would settle it when it cannot
tell. Everything here takes values and returns values; reading files is the caller's job.

Two systems are compared with a paired t-test when both have per-item scores on the same
items, otherwise with a two-proportion z-test on the means and counts (:mod:`advisor.stats`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import stats
from .errors import InputError, closest
from .framework import volatility_word
from .i18n import N_
from .messages import Message, concat
from .stats import MIN_GAIN

if TYPE_CHECKING:
    from .framework import Decision

SCHEMA = "advisor.evidence/1"
SCHEMA_PATH = Path(__file__).parent / "data" / "evidence.schema.json"

# The starters' system names, simplest first: RAG first, fine-tuning only when it pays.
SYSTEMS = ("base", "rag", "fine-tuned", "fine-tuned+rag")
CANDIDATES = ("rag", "fine-tuned", "fine-tuned+rag")
APPROACH = {"rag": "rag", "fine-tuned": "fine-tune", "fine-tuned+rag": "hybrid"}
SYSTEM_FOR = {approach: system for system, approach in APPROACH.items()}
RETRIEVAL = frozenset({"rag", "fine-tuned+rag"})

# A 200-item run of four systems with per-item scores is about 60 kB; 16 MiB leaves room
# for tens of thousands of items and still refuses a runaway file before parsing it.
MAX_EVIDENCE_BYTES = 16 * 1024 * 1024

FORMAT_FLOOR = 0.95  # share of valid answers a schema/strict format needs

Verdict = Literal["supports", "changes", "inconclusive"]


class EvidenceError(InputError):
    """An evidence document that is not valid ``advisor.evidence/1``: one line, exit 2."""


# --- the document ----------------------------------------------------------------------


@dataclass(frozen=True)
class SystemResult:
    """One system's measurements. ``item_scores`` maps item id to score (may be empty)."""

    system: str
    items: int
    score: float
    errors: int = 0
    latency_p95_ms: float | None = None
    cost_per_1k_usd: float | None = None
    format_valid_rate: float | None = None
    item_scores: Mapping[str, float] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Evidence:
    """A validated ``advisor.evidence/1`` document, or several merged by system."""

    eval_set: str
    eval_items: int
    scorer: str
    systems: tuple[SystemResult, ...]
    sources: tuple[str, ...] = ()

    def system(self, name: str) -> SystemResult | None:
        return next((s for s in self.systems if s.system == name), None)


def schema() -> dict[str, Any]:
    """The JSON Schema of ``advisor.evidence/1`` as shipped with the package."""
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


def loads_evidence(raw: bytes | str, source: str) -> Evidence:
    """Parse and validate the text of an evidence file; ``source`` names it in errors."""
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > MAX_EVIDENCE_BYTES:
        raise EvidenceError(
            f"{source}: evidence file is {size} bytes; at most {MAX_EVIDENCE_BYTES} allowed"
        )
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise EvidenceError(f"{source}: evidence file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvidenceError(
            f"{source}: not JSON (line {exc.lineno}: {exc.msg}); expected an {SCHEMA} document"
        ) from None
    except RecursionError:
        raise EvidenceError(f"{source}: not JSON: nested too deeply") from None
    return parse_evidence(data, source)


def parse_evidence(data: Any, source: str) -> Evidence:
    """Validate a decoded document against ``advisor.evidence/1``; raise :class:`EvidenceError`.

    The checks are those of ``data/evidence.schema.json`` plus what a schema cannot say:
    each system once, per-item scores only for listed systems, at most one score per item.
    """
    if not isinstance(data, dict):
        raise EvidenceError(f"{source}: expected a JSON object ({SCHEMA}), not {_kind(data)}")
    if data.get("schema") != SCHEMA:
        shown = "missing" if "schema" not in data else f"{_show(data['schema'])} is not supported"
        raise EvidenceError(f"{source}: schema: {shown} (allowed: {SCHEMA})")
    eval_set = _field(data, "eval_set", source, dict, "an object with name and items")
    name = _field(eval_set, "name", f"{source}: eval_set", str, "a non-empty string")
    eval_items = _count(eval_set, "items", f"{source}: eval_set", minimum=1)
    scorer = _field(data, "scorer", source, str, "a non-empty string")
    entries = _field(data, "systems", source, list, "a non-empty list of systems")
    if not entries:
        raise EvidenceError(f"{source}: systems: [] is empty (allowed: a non-empty list)")
    scores = _item_scores(data.get("items"), source)
    systems: list[SystemResult] = []
    for index, entry in enumerate(entries):
        where = f"{source}: systems[{index}]"
        if not isinstance(entry, dict):
            raise EvidenceError(f"{where}: {_show(entry)} is not an object")
        result = _system(entry, where, scores, source)
        if any(s.system == result.system for s in systems):
            raise EvidenceError(f"{where}: system {result.system!r} is listed twice")
        systems.append(result)
    listed = {s.system for s in systems}
    for system in scores:
        if system not in listed:
            raise EvidenceError(
                f"{source}: items: per-item scores for {system!r}, which systems does not list"
            )
    return Evidence(name, eval_items, scorer, tuple(systems), (source,))


def _system(
    entry: Mapping[str, Any], where: str, scores: Mapping[str, dict[str, float]], source: str
) -> SystemResult:
    system = _system_name(entry.get("system"), f"{where}: system")
    items = _count(entry, "items", where, minimum=1)
    errors = _count(entry, "errors", where, minimum=0, default=0)
    if errors > items:
        raise EvidenceError(f"{where}: errors: {errors} is more than its {items} items")
    per_item = scores.get(system, {})
    if per_item and len(per_item) != items:
        raise EvidenceError(
            f"{source}: items: {len(per_item)} per-item scores for {system!r}, "
            f"but systems says it was scored on {items}"
        )
    return SystemResult(
        system=system,
        items=items,
        score=_number(entry, "score", where, 0.0, 1.0),
        errors=errors,
        latency_p95_ms=_number(entry, "latency_p95_ms", where, 0.0, None, optional=True),
        cost_per_1k_usd=_number(entry, "cost_per_1k_usd", where, 0.0, None, optional=True),
        format_valid_rate=_number(entry, "format_valid_rate", where, 0.0, 1.0, optional=True),
        item_scores=per_item,
        source=source,
    )


def _item_scores(items: Any, source: str) -> dict[str, dict[str, float]]:
    if items is None:
        return {}
    if not isinstance(items, list):
        raise EvidenceError(f"{source}: items: {_show(items)} is not a list of per-item scores")
    scores: dict[str, dict[str, float]] = {}
    for index, entry in enumerate(items):
        where = f"{source}: items[{index}]"
        if not isinstance(entry, dict):
            raise EvidenceError(f"{where}: {_show(entry)} is not an object")
        system = _system_name(entry.get("system"), f"{where}: system")
        item_id = _field(entry, "id", where, str, "a non-empty string")
        seen = scores.setdefault(system, {})
        if item_id in seen:
            raise EvidenceError(f"{where}: item {item_id!r} of {system!r} is scored twice")
        seen[item_id] = _number(entry, "score", where, 0.0, 1.0)
    return scores


def _system_name(value: Any, where: str) -> str:
    if isinstance(value, str) and value in SYSTEMS:
        return value
    close = closest(value, SYSTEMS) if isinstance(value, str) else None
    hint = f"; did you mean {close!r}?" if close else ""
    raise EvidenceError(
        f"{where}: {_show(value)} is not a known system (allowed: {', '.join(SYSTEMS)}){hint}"
    )


def _field(data: Mapping[str, Any], key: str, where: str, kind: type, allowed: str) -> Any:
    value = data.get(key)
    empty = isinstance(value, str) and not value.strip()
    if not isinstance(value, kind) or empty:
        shown = "missing" if key not in data else f"{_show(value)} is not allowed"
        raise EvidenceError(f"{where}: {key}: {shown} (allowed: {allowed})")
    return value


def _count(
    data: Mapping[str, Any], key: str, where: str, *, minimum: int, default: int | None = None
) -> int:
    if key not in data and default is not None:
        return default
    value = data.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        shown = "missing" if key not in data else f"{_show(value)} is not allowed"
        raise EvidenceError(f"{where}: {key}: {shown} (allowed: an integer >= {minimum})")
    return value


def _number(
    data: Mapping[str, Any],
    key: str,
    where: str,
    low: float,
    high: float | None,
    *,
    optional: bool = False,
) -> Any:
    value = data.get(key)
    if optional and value is None:
        return None
    allowed = f"a number from {low:g} to {high:g}" if high is not None else f"a number >= {low:g}"
    if optional:
        allowed += " or null"
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value < low or (high is not None and value > high):
        shown = "missing" if key not in data else f"{_show(value)} is not allowed"
        raise EvidenceError(f"{where}: {key}: {shown} (allowed: {allowed})")
    return float(value)


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null"}.get(type(value), "a value")


def _show(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def merge_evidence(documents: Sequence[Evidence]) -> Evidence:
    """Combine several documents by system; a later document's system replaces an earlier.

    Documents scored with different scorers or on different evaluation sets cannot be
    compared, so mixing them is refused.
    """
    if not documents:
        raise ValueError("merge_evidence needs at least one document")
    first = documents[0]
    merged: dict[str, SystemResult] = {}
    for document in documents:
        for attribute, what in (("eval_set", "evaluation sets"), ("scorer", "scorers")):
            mine, theirs = getattr(first, attribute), getattr(document, attribute)
            if mine != theirs:
                raise EvidenceError(
                    f"{document.sources[0]}: {attribute}: {theirs!r} differs from "
                    f"{mine!r} in {first.sources[0]} (systems measured with different "
                    f"{what} cannot be compared)"
                )
        merged.update({s.system: s for s in document.systems})
    last = documents[-1]
    ordered = tuple(merged[name] for name in SYSTEMS if name in merged)
    sources = tuple(s for d in documents for s in d.sources)
    return Evidence(first.eval_set, last.eval_items, first.scorer, ordered, sources)


# --- comparing systems --------------------------------------------------------------


def score_interval(result: SystemResult) -> tuple[float, float]:
    """The 95% interval of a system's mean score, within [0, 1].

    From the per-item scores (a t interval) when there are at least two; otherwise the
    Wilson interval on the mean and the count, which bounds a [0, 1] score's variance.
    """
    if len(result.item_scores) >= 2:
        return stats.t_interval(list(result.item_scores.values()))
    return stats.wilson_interval(result.score, result.items)


@dataclass(frozen=True)
class Comparison:
    """A more complex ``system`` against the simpler one it would replace (``against``).

    ``gain`` is the difference of mean scores (on the shared items, when paired) with its
    95% interval; ``clear`` means the interval lies above zero. ``items_needed`` is how many
    items per system a test needs to detect the minimum gain with 80% power.
    """

    system: str
    against: str
    test: str
    items: int
    gain: float
    low: float
    high: float
    p_value: float
    clear: bool
    enough: bool
    items_needed: int

    @property
    def outcome(self) -> str:
        """``wins``, ``unclear`` (enough gain, test cannot tell) or ``not enough``."""
        if self.enough and self.clear:
            return "wins"
        return "unclear" if self.enough else "not enough"

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "against": self.against,
            "test": self.test,
            "items": self.items,
            "gain": round(self.gain, 4),
            "interval_95": [round(self.low, 4), round(self.high, 4)],
            "p_value": float(f"{self.p_value:.3g}"),
            "outcome": self.outcome,
            "items_needed": self.items_needed,
        }


def compare(better: SystemResult, simpler: SystemResult, min_gain: float) -> Comparison:
    """Test whether ``better`` scores higher than ``simpler``; paired when it can be."""
    shared = sorted(set(better.item_scores) & set(simpler.item_scores))
    if len(shared) >= 2:
        differences = [better.item_scores[i] - simpler.item_scores[i] for i in shared]
        result = stats.paired_t(differences)
        _, spread = stats.mean_and_spread(differences)
        needed = stats.paired_items_needed(spread, min_gain)
        test = "paired t-test"
    else:
        result = stats.two_proportion_z(better.score, better.items, simpler.score, simpler.items)
        needed = stats.items_needed(min_gain, baseline=simpler.score)
        test = "two-proportion z-test"
    return Comparison(
        system=better.system,
        against=simpler.system,
        test=test,
        items=result.items,
        gain=result.gain,
        low=result.low,
        high=result.high,
        p_value=result.p_value,
        clear=result.low > 0,
        enough=result.gain >= min_gain - 1e-12,
        items_needed=needed,
    )


# --- what the evidence says ------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredSystem:
    """A system's measurements as the report shows them, with its eligibility."""

    result: SystemResult
    low: float
    high: float
    eligible: bool
    excluded_because: tuple[Message, ...]

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "system": r.system,
            "approach": APPROACH.get(r.system),
            "score": r.score,
            "interval_95": [round(self.low, 4), round(self.high, 4)],
            "items": r.items,
            "per_item_scores": bool(r.item_scores),
            "errors": r.errors,
            "latency_p95_ms": r.latency_p95_ms,
            "cost_per_1k_usd": r.cost_per_1k_usd,
            "format_valid_rate": r.format_valid_rate,
            "eligible": self.eligible,
            "excluded_because": list(self.excluded_because),
            "source": r.source,
        }


@dataclass(frozen=True)
class Assessment:
    """What the evidence says: the verdict, the final recommendation and why.

    ``chosen`` is the measured system the recommendation rests on (None when the verdict is
    ``inconclusive``); ``items_needed`` is the power estimate for the minimum gain.
    """

    verdict: Verdict
    recommendation: str
    questionnaire: str
    chosen: str | None
    systems: tuple[MeasuredSystem, ...]
    comparisons: tuple[Comparison, ...]
    reasons: tuple[Message, ...]  # English in JSON, translated in reports
    confidence: float
    eval_set: str
    scorer: str
    min_gain: float
    format_floor: float
    target_score: float | None
    target_met: bool | None
    items_needed: int | None
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "recommendation": self.recommendation,
            "questionnaire_recommendation": self.questionnaire,
            "chosen_system": self.chosen,
            "eval_set": self.eval_set,
            "scorer": self.scorer,
            "min_gain": self.min_gain,
            "format_floor": self.format_floor,
            "target_score": self.target_score,
            "target_met": self.target_met,
            "items_needed": self.items_needed,
            "systems": [s.to_dict() for s in self.systems],
            "comparisons": [c.to_dict() for c in self.comparisons],
            "reasons": list(self.reasons),
            "sources": list(self.sources),
        }


_RETRIEVAL_WHY = {
    "citations": N_("answers must cite their sources"),
    "volatility": N_("the facts change {volatility}"),
    "documents": N_("answers depend on a corpus of {documents:,} documents"),
}


def exclusions(
    result: SystemResult,
    decision: Decision,
    *,
    format_floor: float = FORMAT_FLOOR,
) -> tuple[str, ...]:
    """Why the answers' hard requirements rule a measured system out (empty: eligible)."""
    answers = decision.answers
    why: list[Message] = []
    if result.system not in RETRIEVAL and decision.retrieval_needed:
        keys = [r.key for r in decision.reasons if r.points_to == "retrieval"]
        values = {"documents": answers.documents, "volatility": volatility_word(answers.volatility)}
        needs = _and([Message(_RETRIEVAL_WHY[k], **values) for k in keys])
        why.append(Message(N_("it has no retrieval, and {needs}"), needs=needs))
    latency = result.latency_p95_ms
    if latency is not None and latency > answers.latency_ms:
        why.append(Message(
            N_("its measured p95 of {latency:,.0f} ms exceeds the {budget:,} ms budget"),
            latency=latency, budget=answers.latency_ms,
        ))
    valid = result.format_valid_rate
    if answers.format in ("schema", "strict") and valid is not None and valid < format_floor:
        why.append(Message(
            N_("{valid:.1%} of its answers are valid, under the {floor:.0%} floor that the "
               "{format} format needs"),
            valid=valid, floor=format_floor, format=answers.format,
        ))
    if result.errors == result.items:
        why.append(Message(N_("it errored on all {items} items"), items=result.items))
    return tuple(why)


def _and(parts: Sequence[Message]) -> Message:
    """``a, b and c`` in English; the separators are the catalog's."""
    if len(parts) == 1:
        return parts[0]
    return Message(N_("{first} and {second}"), first=concat(list(parts[:-1]), ", "),
                   second=parts[-1])


def assess(
    evidence: Evidence,
    decision: Decision,
    *,
    min_gain: float = MIN_GAIN,
    format_floor: float = FORMAT_FLOOR,
    target_score: float | None = None,
) -> Assessment:
    """Weigh the measurements against the questionnaire's ``decision``.

    The answers' hard requirements decide which systems are eligible. Among those, the
    simplest is kept unless a more complex one beats it by ``min_gain`` with a clear 95%
    test; a gain that big which the test cannot confirm makes the verdict ``inconclusive``
    and the questionnaire's recommendation stands.
    """
    measured = tuple(_measured(result, decision, format_floor) for result in evidence.systems)
    eligible = [m.result for m in measured if m.eligible and m.result.system in CANDIDATES]
    reasons = [
        Message(N_("{system} is not eligible: {why}."), system=m.result.system,
                why=concat(list(m.excluded_because), "; "))
        for m in measured
        if not m.eligible
    ]
    questionnaire = decision.recommendation
    wanted = SYSTEM_FOR[questionnaire]
    chosen, comparisons, pending = _rag_first(eligible, min_gain)
    reasons += [_describe(c, min_gain) for c in comparisons]
    target_met = None
    if target_score is not None:
        best = max(eligible, key=lambda r: r.score, default=None)
        target_met = best is not None and best.score >= target_score
        if not target_met and best is None:
            reasons.append(Message(
                N_("No eligible system reaches the target score of {target:.2f}: none is "
                   "eligible."),
                target=target_score,
            ))
        elif not target_met and best is not None:
            reasons.append(Message(
                N_("No eligible system reaches the target score of {target:.2f}: the best "
                   "eligible, {best}, scores {score:.2f}."),
                target=target_score, best=best.system, score=best.score,
            ))

    verdict: Verdict
    needed = None
    if chosen is None:
        verdict, recommendation = "inconclusive", questionnaire
        reasons.append(Message(
            N_("None of the measured options ({options}) is eligible, so the questionnaire's "
               "{questionnaire} stands."),
            options=", ".join(CANDIDATES), questionnaire=questionnaire,
        ))
    elif pending:
        verdict, recommendation = "inconclusive", questionnaire
        needed = max(c.items_needed for c in pending)
        names = ", ".join(c.system for c in pending)
        reasons.append(Message(
            N_("{names} may beat {chosen} by the {gain:.2f} minimum gain, but {items:,} items "
               "cannot tell at 95%: about {needed:,} items per system would settle it. The "
               "questionnaire's {questionnaire} stands."),
            names=names, chosen=chosen.system, gain=min_gain,
            items=max(c.items for c in pending), needed=needed, questionnaire=questionnaire,
        ))
    elif chosen.system != wanted and evidence.system(wanted) is None:
        verdict, recommendation = "inconclusive", questionnaire
        reasons.append(Message(
            N_("The questionnaire recommends {questionnaire}, but {wanted} was not measured: "
               "evaluate it too. Until then {questionnaire} stands."),
            questionnaire=questionnaire, wanted=wanted,
        ))
    else:
        recommendation = APPROACH[chosen.system]
        verdict = "supports" if recommendation == questionnaire else "changes"
        if verdict == "supports":
            text = N_("Measured: {chosen} is the choice (RAG first: a more complex system "
                      "must beat a simpler one by at least {gain:.2f}, clearly at 95%); this "
                      "supports the questionnaire's {questionnaire}.")
        else:
            text = N_("Measured: {chosen} is the choice (RAG first: a more complex system "
                      "must beat a simpler one by at least {gain:.2f}, clearly at 95%); this "
                      "changes the questionnaire's {questionnaire} to {recommendation}.")
        reasons.append(Message(text, chosen=chosen.system, gain=min_gain,
                               questionnaire=questionnaire, recommendation=recommendation))
    if needed is None and chosen is not None:
        needed = stats.items_needed(min_gain, baseline=chosen.score)
    return Assessment(
        verdict=verdict,
        recommendation=recommendation,
        questionnaire=questionnaire,
        chosen=chosen.system if chosen and verdict != "inconclusive" else None,
        systems=measured,
        comparisons=tuple(comparisons),
        reasons=tuple(reasons),
        confidence=_confidence(verdict, comparisons, decision.confidence, min_gain),
        eval_set=evidence.eval_set,
        scorer=evidence.scorer,
        min_gain=min_gain,
        format_floor=format_floor,
        target_score=target_score,
        target_met=target_met,
        items_needed=needed,
        sources=evidence.sources,
    )


def _measured(result: SystemResult, decision: Decision, format_floor: float) -> MeasuredSystem:
    low, high = score_interval(result)
    why = exclusions(result, decision, format_floor=format_floor)
    return MeasuredSystem(result, low, high, eligible=not why, excluded_because=why)


def _rag_first(
    eligible: Sequence[SystemResult], min_gain: float
) -> tuple[SystemResult | None, list[Comparison], list[Comparison]]:
    """The simplest eligible system that no more complex one clearly beats by ``min_gain``.

    Candidates are taken simplest first; each is compared with the one standing, and takes
    its place on a clear win. Returns the one standing, every comparison, and those since
    the last change that were ahead by the minimum gain without a clear test (``pending``).
    """
    chosen: SystemResult | None = None
    comparisons: list[Comparison] = []
    pending: list[Comparison] = []
    for result in sorted(eligible, key=lambda r: CANDIDATES.index(r.system)):
        if chosen is None:
            chosen = result
            continue
        comparison = compare(result, chosen, min_gain)
        comparisons.append(comparison)
        if comparison.outcome == "wins":
            chosen, pending = result, []
        elif comparison.outcome == "unclear":
            pending.append(comparison)
    return chosen, comparisons, pending


def _describe(c: Comparison, min_gain: float) -> Message:
    measured = Message(
        N_("{system} scores {gain:+.3f} against {against} ({level} interval {low:+.3f} to "
           "{high:+.3f}, {test}, {items} items, p={p:.3g})"),
        level="95%", system=c.system, gain=c.gain, against=c.against, low=c.low, high=c.high,
        test=c.test, items=c.items, p=c.p_value,
    )
    if c.outcome == "wins":
        text = N_("{measured}: at least the {gain:.2f} minimum gain and clear at 95%.")
    elif c.outcome == "unclear":
        text = N_("{measured}: at least the {gain:.2f} minimum gain, but not clear at 95%.")
    else:
        text = N_("{measured}: less than the {gain:.2f} minimum gain, so {against} stays.")
    return Message(text, measured=measured, gain=min_gain, against=c.against)


# A measured comparison settles more than a threshold on an answer can: a clear result is
# worth the framework's top confidence; one that cannot rule out a useful gain, less.
CLEAR_CONFIDENCE = 0.9
OPEN_CONFIDENCE = 0.7
INCONCLUSIVE_CEILING = 0.5


def _confidence(
    verdict: Verdict,
    comparisons: Iterable[Comparison],
    questionnaire_confidence: float,
    min_gain: float,
) -> float:
    """Confidence after the evidence (docs/evidence.md, "Confidence").

    Clear: every comparison was a clear win, or fell clearly short (its whole interval lies
    under the minimum gain). Open: some comparison could not rule a useful gain in or out.
    Inconclusive evidence caps the questionnaire's confidence; no comparison leaves it be.
    """
    if verdict == "inconclusive":
        return min(questionnaire_confidence, INCONCLUSIVE_CEILING)
    comparisons = list(comparisons)
    if not comparisons:
        return questionnaire_confidence
    clear = all(c.outcome == "wins" or c.high < min_gain for c in comparisons)
    evidence = CLEAR_CONFIDENCE if clear else OPEN_CONFIDENCE
    if verdict == "supports":
        return max(questionnaire_confidence, evidence)
    return evidence


def apply(decision: Decision, assessment: Assessment) -> Decision:
    """The decision as the evidence leaves it: its recommendation and confidence."""
    if assessment.recommendation == decision.recommendation:
        return replace(decision, confidence=assessment.confidence)
    return replace(
        decision,
        recommendation=assessment.recommendation,  # type: ignore[arg-type]
        confidence=assessment.confidence,
        variant=None,
    )

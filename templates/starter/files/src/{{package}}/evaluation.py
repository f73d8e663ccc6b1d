"""The evaluation runner: every system on every question of the evaluation set, side by side.

Build the evaluation set before any prompt, index or training run: it is how you will know
whether retrieval, fine-tuning or both actually helped. A *system* is any callable from a
question to a :class:`Prediction`; backends contribute theirs through modules exposing
``systems() -> dict[str, System]`` (a ``systems()`` returns fewer systems when a setting is
missing, and never raises for that).

Scoring follows the SQuAD convention (normalise, then exact match or token F1), with one
change for text that is not written with spaces between words, or that glues particles to
words: Hangul, CJK ideographs, kana and Thai are compared character by character, as the
KorQuAD evaluation does for Korean. ``"2,000 mg 미만"`` then scores well against
``"하루 2,000 mg 미만으로"`` instead of zero.

Questions are asked concurrently (``concurrency`` at a time, fewer for a system marked
:func:`serial`), since a hosted model spends most of a call waiting on the network. A call
refused with HTTP 429 (rate limited) is asked again after the server's ``Retry-After`` (or
an exponential backoff), and every other worker waits as long, so no item is lost to a
rate limit. The run is written in advisor's evidence format (``advisor.evidence/1``), which
``advisor decide --evidence`` reads back.
"""

from __future__ import annotations

import contextvars
import importlib
import json
import math
import os
import re
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from types import ModuleType
from typing import IO, Any

EVIDENCE_SCHEMA = "advisor.evidence/1"


@dataclass
class Usage:
    """The tokens one API call reported, and the model that spent them."""

    model: str
    input_tokens: int
    output_tokens: int = 0
    kind: str = "chat"  # "chat" or "embedding": they are priced differently


@dataclass
class Prediction:
    """What a system answers: the text, and the files it drew on (for retrieval hit rate).

    ``usage`` is what the API calls behind this answer reported; systems need not fill it
    in themselves: calls that go through :func:`record_usage` are added by the runner.
    """

    answer: str
    sources: list[str] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)


System = Callable[[str], Prediction]
# The project's answer format (``answer_schema.answer_text``): the raw answer in, the text to
# score out; raises ValueError when the answer does not have the format.
AnswerFormat = Callable[[str], str]


class EvaluationError(Exception):
    """A broken evaluation set, price book or systems module, in one line that says where."""


@dataclass(frozen=True)
class EvalItem:
    """One question of the evaluation set with its reference answer and source files."""

    id: str
    question: str
    answer: str
    sources: tuple[str, ...] = ()


def load_eval_set(path: str | Path) -> list[EvalItem]:
    """Read ``evals/eval.jsonl``: one JSON object per line, blank lines allowed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read the evaluation set: {exc}") from None
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{where}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise EvaluationError(f"{where}: expected a JSON object")
        for key in ("id", "question", "answer"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise EvaluationError(f"{where}: {key!r} must be a non-empty string")
        sources = data.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise EvaluationError(f"{where}: 'sources' must be a list of file names")
        if data["id"] in seen:
            raise EvaluationError(f"{where}: id {data['id']!r} is used twice")
        seen.add(data["id"])
        items.append(EvalItem(data["id"], data["question"], data["answer"], tuple(sources)))
    if not items:
        raise EvaluationError(f"{path}: the evaluation set is empty")
    return items


# --- scoring -------------------------------------------------------------------------------

# Scripts compared character by character (no spaces between words, or particles glued on).
_PER_CHARACTER = (
    "\u0e00-\u0e7f"  # Thai
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"  # Hangul
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
)
# A string, not a compiled pattern: `re` compiles it on first use (2.6 ms, which every
# command of the project would pay at start-up otherwise) and keeps it.
_TOKEN = f"[{_PER_CHARACTER}]|[^{_PER_CHARACTER}]+"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_ARTICLES = frozenset({"a", "an", "the"})


def normalize(text: str) -> str:
    """Case-fold, unify Unicode forms, drop thousands separators, punctuation and articles.

    A period between digits stays (``7.5`` is not ``7 5``).
    """
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).casefold())
    kept = []
    for index, char in enumerate(text):
        decimal_point = (
            char == "."
            and 0 < index < len(text) - 1
            and text[index - 1].isdigit()
            and text[index + 1].isdigit()
        )
        separator = unicodedata.category(char)[0] in "PSZC" and not decimal_point
        kept.append(" " if separator else char)
    return " ".join(word for word in "".join(kept).split() if word not in _ARTICLES)


def tokens(text: str) -> list[str]:
    """Normalised words; Hangul, CJK, kana and Thai characters count one token each."""
    return [token for word in normalize(text).split() for token in re.findall(_TOKEN, word)]


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when both say the same once normalised, else 0.0."""
    return float(tokens(prediction) == tokens(reference))


def contains(prediction: str, reference: str) -> float:
    """1.0 when the reference appears, as whole tokens in order, inside the prediction.

    Whole tokens, so ``"7"`` is not found in ``"17"``.
    """
    wanted, said = tokens(reference), tokens(prediction)
    if not wanted:
        return float(not said)
    width = len(wanted)
    return float(any(said[i : i + width] == wanted for i in range(len(said) - width + 1)))


def f1(prediction: str, reference: str) -> float:
    """Token-overlap F1 between prediction and reference (SQuAD's answer F1)."""
    said, wanted = tokens(prediction), tokens(reference)
    if not said or not wanted:
        return float(said == wanted)
    overlap = sum((Counter(said) & Counter(wanted)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(said), overlap / len(wanted)
    return 2 * precision * recall / (precision + recall)


SCORERS: dict[str, Callable[[str, str], float]] = {
    "exact": exact_match,
    "contains": contains,
    "f1": f1,
}


# --- what the API calls cost ---------------------------------------------------------------

_METER: contextvars.ContextVar[list[Usage] | None] = contextvars.ContextVar(
    "evaluation_usage", default=None
)


def record_usage(model: str, usage: Any, *, kind: str = "chat") -> None:
    """Note what an API response reported (its ``usage``) for the question being evaluated.

    Model code calls this after each request; outside an evaluation (``chat``, ``ask``) it
    does nothing. ``usage`` is the response's usage object (``prompt_tokens``,
    ``completion_tokens``); a server that reports none leaves the cost unknown.
    """
    meter = _METER.get()
    if meter is None or usage is None:
        return
    meter.append(
        Usage(
            model=model,
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            kind=kind,
        )
    )


@dataclass(frozen=True)
class PriceBook:
    """USD per 1M tokens by model, from ``evals/prices.json`` (advisor's price book)."""

    chat_models: Mapping[str, Mapping[str, Any]]
    embedding_models: Mapping[str, Mapping[str, Any]]
    version: str = ""

    def cost(self, usage: Usage) -> float | None:
        """What one call cost, or None when its model has no price here."""
        if usage.kind == "embedding":
            entry = _priced(self.embedding_models, usage.model)
            return None if entry is None else usage.input_tokens * entry["per_1m"] / 1e6
        model, tuned = usage.model, usage.model.startswith("ft:")
        if tuned:  # ft:BASE:org:suffix:id is billed at BASE's fine-tuned rates
            model = model.split(":")[1]
        entry = _priced(self.chat_models, model) or {}
        prefix = "fine_tuned_" if tuned else ""
        rates = entry.get(f"{prefix}input_per_1m"), entry.get(f"{prefix}output_per_1m")
        if None in rates:
            return None
        return (usage.input_tokens * rates[0] + usage.output_tokens * rates[1]) / 1e6


def _priced(entries: Mapping[str, Mapping[str, Any]], model: str) -> Mapping[str, Any] | None:
    """The entry for ``model``: its own, or the longest name it is a dated version of
    (``MODEL-2025-04-14`` is priced as ``MODEL``)."""
    names = [name for name in entries if model == name or model.startswith(f"{name}-")]
    return entries[max(names, key=len)] if names else None


def load_price_book(path: str | Path) -> PriceBook | None:
    """The price book, or None when there is none (costs are then left unknown)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read the price book: {exc}") from None
    try:
        book = PriceBook(
            chat_models=data.get("chat_models", {}),
            embedding_models=data.get("embedding_models", {}),
            version=str(data.get("version", "")),
        )
        for name, entry in book.chat_models.items():
            for key in ("input_per_1m", "output_per_1m"):
                _rate(entry, key, f"chat_models.{name}")
            for key in ("fine_tuned_input_per_1m", "fine_tuned_output_per_1m"):
                if key in entry:
                    _rate(entry, key, f"chat_models.{name}")
        for name, entry in book.embedding_models.items():
            _rate(entry, "per_1m", f"embedding_models.{name}")
    except (AttributeError, TypeError) as exc:
        raise EvaluationError(f"{path}: not a price book: {exc}") from None
    return book


def _rate(entry: Mapping[str, Any], key: str, where: str) -> None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TypeError(f"{where}.{key} must be a number >= 0, not {value!r}")


# --- running -------------------------------------------------------------------------------


@dataclass
class ItemResult:
    """One system's answer to one question, scored."""

    system: str
    id: str
    question: str
    reference: str
    answer: str
    sources: list[str]
    exact: float
    score: float
    hit: bool | None
    latency_ms: float
    error: str | None = None
    format_valid: bool | None = None  # None: the project has no answer format to check
    cost_usd: float | None = None
    usage: list[Usage] = field(default_factory=list)


@dataclass
class SystemSummary:
    """One system over the whole set. ``hit_rate`` is None when it returned no sources."""

    system: str
    items: int
    exact: float
    score: float
    hit_rate: float | None
    errors: int
    latency_p95_ms: float
    cost_per_1k_usd: float | None = None
    format_valid_rate: float | None = None
    first_error: str | None = None
    unpriced_models: list[str] = field(default_factory=list)

    @property
    def failed_everywhere(self) -> bool:
        return self.errors == self.items > 0


@dataclass
class Report:
    """A whole run: the scorer used, one summary per system, every item's result."""

    scorer: str
    summaries: list[SystemSummary]
    results: list[ItemResult]

    def failed_systems(self) -> list[SystemSummary]:
        """Systems that answered no question at all."""
        return [s for s in self.summaries if s.failed_everywhere]


def serial(system: System) -> System:
    """Mark ``system`` as one that answers one question at a time (a model in this
    process, say), whatever ``concurrency`` the run uses."""
    system.max_concurrency = 1  # type: ignore[attr-defined]
    return system


class RateGate:
    """Retries calls refused with HTTP 429, and holds every worker back while one waits.

    The wait is the server's ``Retry-After`` (or ``retry-after-ms``) when it sends one,
    else an exponential backoff from ``base_delay``; at most ``max_delay`` either way.
    """

    def __init__(
        self,
        max_retries: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._resume_at = 0.0

    def call(self, system: System, question: str) -> Prediction:
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            try:
                return system(question)
            except Exception as exc:
                delay = rate_limit_delay(exc)
                if delay is None or attempt == self.max_retries:
                    raise
                wait = min(self.max_delay, delay or self.base_delay * 2**attempt)
                with self._lock:
                    self._resume_at = max(self._resume_at, self._clock() + wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                wait = self._resume_at - self._clock()
            if wait <= 0:
                return
            self._sleep(wait)


def rate_limit_delay(exc: BaseException) -> float | None:
    """None unless ``exc`` (or an error it was raised from) is an HTTP 429; then the
    seconds the server asked to wait, or 0.0 when it did not say."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "status_code", None) == 429:
            headers = getattr(getattr(current, "response", None), "headers", None)
            return _retry_after(headers) if headers is not None else 0.0
        current = current.__cause__ or current.__context__
    return None


def _retry_after(headers: Mapping[str, str]) -> float:
    """Seconds from ``retry-after-ms``, or ``retry-after`` (seconds or an HTTP date)."""
    try:
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            return max(0.0, float(milliseconds) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return 0.0
        try:
            return max(0.0, float(value))
        except ValueError:
            import email.utils  # rarely needed, and it costs every start-up 10 ms or more

            moment = email.utils.parsedate_to_datetime(value)
            return max(0.0, moment.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return 0.0


class Progress:
    """``evaluated 120/800`` on a terminal's stderr, updated in place; silent in a pipe,
    a file or CI (``CI`` set), where a line per item would only bury the table."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.enabled = _is_terminal(self.stream) and not os.environ.get("CI")
        self._lock = threading.Lock()

    def advance(self) -> None:
        with self._lock:
            self.done += 1
            if self.enabled:
                rate = self.done / max(time.monotonic() - self.started, 1e-9)
                self.stream.write(f"\revaluated {self.done}/{self.total} ({rate:.1f}/s)")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def retrieval_hit(item: EvalItem, prediction: Prediction) -> bool | None:
    """Did the system draw on a file that holds the answer? None when that cannot be told.

    Compared by file name, so ``data/corpus/hypertension.md`` counts for ``hypertension.md``.
    """
    if not item.sources or not prediction.sources:
        return None
    returned = {PurePath(source).name for source in prediction.sources}
    return any(PurePath(source).name in returned for source in item.sources)


def run(
    systems: Mapping[str, System],
    items: Sequence[EvalItem],
    scorer: str = "f1",
    clock: Callable[[], float] = time.perf_counter,
    *,
    concurrency: int = 8,
    answer_format: AnswerFormat | None = None,
    prices: PriceBook | None = None,
    gate: RateGate | None = None,
    progress: Progress | None = None,
) -> Report:
    """Ask every system every question, ``concurrency`` at a time.

    A system that raises scores 0 on that item only. With ``answer_format``, each answer
    is checked against it and the text it returns is what gets scored; an answer that
    does not parse scores on its raw text and counts against ``format_valid_rate``.
    """
    score = SCORERS[scorer]
    gate = gate or RateGate()
    limits = {
        name: threading.Semaphore(min(concurrency, getattr(system, "max_concurrency", concurrency)))
        for name, system in systems.items()
    }

    def ask(name: str, item: EvalItem) -> ItemResult:
        meter: list[Usage] = []
        _METER.set(meter)
        with limits[name]:
            started = clock()
            error = None
            try:
                prediction = gate.call(systems[name], item.question)
                if not isinstance(prediction, Prediction):
                    raise TypeError(f"returned {type(prediction).__name__}, not a Prediction")
            except Exception as exc:  # one failing question must not end the run
                prediction, error = Prediction(""), describe_error(exc)
            elapsed_ms = (clock() - started) * 1000
        usage = [*prediction.usage, *meter]
        text, valid = prediction.answer, None
        if answer_format is not None and error is None:
            try:
                text, valid = answer_format(prediction.answer), True
            except ValueError:
                valid = False
        if progress is not None:
            progress.advance()
        return ItemResult(
            system=name,
            id=item.id,
            question=item.question,
            reference=item.answer,
            answer=prediction.answer,
            sources=list(prediction.sources),
            exact=exact_match(text, item.answer),
            score=score(text, item.answer),
            hit=retrieval_hit(item, prediction),
            latency_ms=round(elapsed_ms, 3),
            error=error,
            format_valid=valid,
            cost_usd=_cost(usage, prices),
            usage=usage,
        )

    from concurrent.futures import ThreadPoolExecutor  # only `evaluate` needs it

    pairs = [(name, item) for name in systems for item in items]
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        # Each task runs in a copy of this context: the usage meter is per question.
        futures = [
            pool.submit(contextvars.copy_context().run, ask, name, item) for name, item in pairs
        ]
        results = [future.result() for future in futures]
    except BaseException:  # Ctrl-C: drop the questions not asked yet instead of waiting
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        if progress is not None:
            progress.close()
    pool.shutdown()
    summaries = [
        _summarize(name, [r for r in results if r.system == name], prices) for name in systems
    ]
    return Report(scorer, summaries, results)


def describe_error(exc: BaseException) -> str:
    """``Kind: first line`` of an error, short enough for a table and a results file."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (f"{type(exc).__name__}: {message}" if message else type(exc).__name__)[:300]


def _cost(usage: Sequence[Usage], prices: PriceBook | None) -> float | None:
    if prices is None or not usage:
        return None
    costs = [prices.cost(u) for u in usage]
    return None if None in costs else sum(c for c in costs if c is not None)


def _summarize(
    name: str, results: Sequence[ItemResult], prices: PriceBook | None = None
) -> SystemSummary:
    hits = [r.hit for r in results if r.hit is not None]
    latencies = sorted(r.latency_ms for r in results)
    p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)] if latencies else 0.0
    count = len(results)
    answered = [r for r in results if r.error is None]
    checked = [r.format_valid for r in answered if r.format_valid is not None]
    costs = [r.cost_usd for r in answered]
    unpriced = sorted(
        {u.model for r in answered for u in r.usage if prices and prices.cost(u) is None}
    )
    return SystemSummary(
        system=name,
        items=count,
        exact=sum(r.exact for r in results) / count if count else 0.0,
        score=sum(r.score for r in results) / count if count else 0.0,
        hit_rate=sum(hits) / len(hits) if hits else None,
        errors=count - len(answered),
        latency_p95_ms=p95,
        cost_per_1k_usd=(
            round(1000 * sum(costs) / len(costs), 6)  # type: ignore[arg-type]
            if costs and None not in costs
            else None
        ),
        format_valid_rate=sum(checked) / len(checked) if checked else None,
        first_error=next((r.error for r in results if r.error), None),
        unpriced_models=unpriced,
    )


def format_table(report: Report) -> str:
    """The side-by-side table: one row per system."""
    headers = ["system", "items", "exact"]
    if report.scorer != "exact":
        headers.append(report.scorer)
    headers += ["hit rate", "errors", "p95 ms", "$/1k"]
    with_format = any(s.format_valid_rate is not None for s in report.summaries)
    if with_format:
        headers.append("format ok")
    rows = []
    for s in report.summaries:
        row = [s.system, str(s.items), f"{s.exact:.2f}"]
        if report.scorer != "exact":
            row.append(f"{s.score:.2f}")
        row += [
            _or_dash(s.hit_rate, "{:.2f}"),
            str(s.errors),
            f"{s.latency_p95_ms:.0f}",
            _or_dash(s.cost_per_1k_usd, "{:.4f}"),
        ]
        if with_format:
            row.append(_or_dash(s.format_valid_rate, "{:.2f}"))
        rows.append(row)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _or_dash(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def problems(report: Report) -> list[str]:
    """One line per system that had errors (its first one) or answers without a price."""
    lines = []
    for s in report.summaries:
        if s.first_error:
            lines.append(f"{s.system}: {s.errors} of {s.items} failed; first: {s.first_error}")
        if s.unpriced_models:
            lines.append(
                f"{s.system}: cost per 1k unknown, no price for {', '.join(s.unpriced_models)}"
            )
    return lines


# --- the evidence file ---------------------------------------------------------------------


def evidence(report: Report, eval_set: str, prices: PriceBook | None = None) -> dict[str, Any]:
    """The run in advisor's evidence format (``advisor.evidence/1``): what ``advisor decide
    --evidence`` reads. Fields beyond the format's (exact match, hit rate, every answer)
    ride along; advisor ignores what it does not know."""
    systems = []
    for s in report.summaries:
        entry: dict[str, Any] = {
            "system": s.system,
            "items": s.items,
            "score": round(s.score, 6),
            "errors": s.errors,
            "latency_p95_ms": round(s.latency_p95_ms, 3),
            "exact": round(s.exact, 6),
            "hit_rate": s.hit_rate,
            "first_error": s.first_error,
        }
        if s.cost_per_1k_usd is not None:
            entry["cost_per_1k_usd"] = s.cost_per_1k_usd
        if s.format_valid_rate is not None:
            entry["format_valid_rate"] = round(s.format_valid_rate, 6)
        systems.append(entry)
    items = []
    for r in report.results:
        item = asdict(r)
        item["score"] = round(r.score, 6)
        del item["usage"]
        item["input_tokens"] = sum(u.input_tokens for u in r.usage)
        item["output_tokens"] = sum(u.output_tokens for u in r.usage)
        items.append(item)
    document: dict[str, Any] = {
        "schema": EVIDENCE_SCHEMA,
        "eval_set": {"name": eval_set, "items": len({r.id for r in report.results})},
        "scorer": report.scorer,
        "systems": systems,
        "items": items,
    }
    if prices is not None and prices.version:
        document["price_book"] = prices.version
    return document


def write_evidence(document: Mapping[str, Any], path: str | Path) -> None:
    """Write the document as JSON, all at once: a reader never sees half a file, and an
    interrupted run leaves the previous results in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


def close_systems(systems: Mapping[str, System]) -> None:
    """Close what the systems hold open (clients, connections): a system with a ``close``
    attribute says how. Each is closed once, however many names share it."""
    closed: list[Callable[[], object]] = []
    for system in systems.values():
        close = getattr(system, "close", None)
        if callable(close) and close not in closed:
            closed.append(close)
            close()


def answer_schema() -> ModuleType | None:
    """The project's ``answer_schema`` module, or None when it has none.

    Projects made with ``format: schema`` ship one; any project can add one. Its presence
    is the one switch: model code asks for structured outputs (:func:`response_format`)
    and ``evaluate`` checks every answer against it.
    """
    name = f"{__package__}.answer_schema"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def response_format() -> dict[str, Any] | None:
    """The chat request's ``response_format`` that enforces the answer schema (structured
    outputs), or None when the project has no schema."""
    schema = answer_schema()
    return None if schema is None else schema.response_format()


def load_answer_format() -> AnswerFormat | None:
    """``answer_schema.answer_text`` (the check ``evaluate`` applies), or None."""
    schema = answer_schema()
    return None if schema is None else schema.answer_text


def load_systems(modules: Iterable[str], package: str | None = None) -> dict[str, System]:
    """Collect ``systems()`` from each module (names relative to ``package``).

    Two modules offering the same system name keep both: the later one is shown as
    ``NAME (module)``.
    """
    found: dict[str, System] = {}
    for module_name in modules:
        try:
            relative = f".{module_name}" if package else module_name
            module = importlib.import_module(relative, package)
        except ImportError as exc:
            raise EvaluationError(f"cannot import systems module {module_name}: {exc}") from None
        offered = module.systems()
        if not isinstance(offered, Mapping):
            raise EvaluationError(f"{module_name}.systems() returned {offered!r:.60}, not a dict")
        for name, system in offered.items():
            found[name if name not in found else f"{name} ({module_name})"] = system
    return found

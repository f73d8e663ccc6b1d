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
"""

from __future__ import annotations

import importlib
import json
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any


@dataclass
class Prediction:
    """What a system answers: the text, and the files it drew on (for retrieval hit rate)."""

    answer: str
    sources: list[str] = field(default_factory=list)


System = Callable[[str], Prediction]


class EvaluationError(Exception):
    """A broken evaluation set or systems module, in one line that says where."""


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


@dataclass
class Report:
    """A whole run: the scorer used, one summary per system, every item's result."""

    scorer: str
    summaries: list[SystemSummary]
    results: list[ItemResult]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scorer": self.scorer,
            "systems": [asdict(s) for s in self.summaries],
            "items": [asdict(r) for r in self.results],
        }


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
) -> Report:
    """Ask every system every question. A system that raises scores 0 on that item only."""
    score = SCORERS[scorer]
    results: list[ItemResult] = []
    summaries: list[SystemSummary] = []
    for name, system in systems.items():
        mine: list[ItemResult] = []
        for item in items:
            started = clock()
            error = None
            try:
                prediction = system(item.question)
                if not isinstance(prediction, Prediction):
                    raise TypeError(f"returned {type(prediction).__name__}, not a Prediction")
            except Exception as exc:  # one failing question must not end the run
                prediction, error = Prediction(""), f"{type(exc).__name__}: {exc}"[:300]
            elapsed_ms = (clock() - started) * 1000
            mine.append(
                ItemResult(
                    system=name,
                    id=item.id,
                    question=item.question,
                    reference=item.answer,
                    answer=prediction.answer,
                    sources=list(prediction.sources),
                    exact=exact_match(prediction.answer, item.answer),
                    score=score(prediction.answer, item.answer),
                    hit=retrieval_hit(item, prediction),
                    latency_ms=round(elapsed_ms, 3),
                    error=error,
                )
            )
        summaries.append(_summarize(name, mine))
        results.extend(mine)
    return Report(scorer, summaries, results)


def _summarize(name: str, results: Sequence[ItemResult]) -> SystemSummary:
    hits = [r.hit for r in results if r.hit is not None]
    latencies = sorted(r.latency_ms for r in results)
    p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)] if latencies else 0.0
    count = len(results)
    return SystemSummary(
        system=name,
        items=count,
        exact=sum(r.exact for r in results) / count if count else 0.0,
        score=sum(r.score for r in results) / count if count else 0.0,
        hit_rate=sum(hits) / len(hits) if hits else None,
        errors=sum(r.error is not None for r in results),
        latency_p95_ms=p95,
    )


def format_table(report: Report) -> str:
    """The side-by-side table: one row per system."""
    headers = ["system", "items", "exact"]
    if report.scorer != "exact":
        headers.append(report.scorer)
    headers += ["hit rate", "errors", "p95 ms"]
    rows = []
    for s in report.summaries:
        row = [s.system, str(s.items), f"{s.exact:.2f}"]
        if report.scorer != "exact":
            row.append(f"{s.score:.2f}")
        row += [
            "-" if s.hit_rate is None else f"{s.hit_rate:.2f}",
            str(s.errors),
            f"{s.latency_p95_ms:.0f}",
        ]
        rows.append(row)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def write_results(report: Report, path: str | Path) -> None:
    """Write the run as JSON: the summaries and every item's answer and scores."""
    Path(path).write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


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

"""The questionnaire: questions as data, and the one place answers are validated.

Answers arrive from three places (an answers file, ``--set key=value`` and interactive
prompts) and all three go through :func:`coerce`, so a value is accepted or refused with
the same one-line message whichever way it came in. The eight core keys are a public
contract: answers files in the wild depend on them, so they never change meaning.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .errors import InputError, closest

Kind = Literal["choice", "int", "number", "bool", "str"]
Unit = Literal["usd", "ms"]


class _Required:
    """Sentinel default of a question that has to be answered."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

# Answers files are small; anything bigger is a mistake or an attack.
MAX_ANSWERS_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Question:
    """One question: its key in answers files, its type and what it accepts.

    ``choices`` are ordered from least to most (the framework's flips and the
    confidence score read that order). ``minimum``/``maximum`` bound numbers. ``unit``
    lets a number be typed with its unit (``$2,000`` for ``usd``; ``0.5 s`` for ``ms``);
    ``hints`` maps a common wrong word to the choice it most likely means (``json`` ->
    ``schema``), so the error can point at it and say why.
    An ``advanced`` question whose default is None (``target_score``) is left out of the
    answers when not given, so records and saved answers only hold it when someone set it.
    """

    key: str
    kind: Kind
    help: str
    choices: tuple[str, ...] = ()
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    choice_help: Mapping[str, str] = field(default_factory=dict)
    unit: Unit | None = None
    hints: Mapping[str, str] = field(default_factory=dict)
    # Optional answers that change something only for some teams: a first run without an
    # answers file does not prompt for them (give them in the file or with --set).
    advanced: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """What this question accepts, in words, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a non-empty string"
        noun = "an integer" if self.kind == "int" else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
        if self.minimum is not None:
            return f"{noun} >= {_fmt(self.minimum)}"
        return noun

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.kind,
            "choices": list(self.choices),
            "choice_help": dict(self.choice_help),
            "default": None if self.required else self.default,
            "required": self.required,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "allowed": self.allowed(),
            "help": self.help,
            "advanced": self.advanced,
        }


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


VOLATILITY = ("static", "yearly", "monthly", "weekly", "daily", "realtime")
FORMATS = ("none", "light", "schema", "strict")
QUALITY_MODELS = ("unknown", "small", "large")
DEPLOYMENTS = ("api", "self-hosted", "air-gapped")
LANGUAGES = ("en", "ko")

CORE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "volatility",
        "choice",
        "How often do the facts that answers depend on change?",
        choices=VOLATILITY,
    ),
    Question(
        "format",
        "choice",
        "How strict must the output's format, style or tone be?",
        choices=FORMATS,
        choice_help={
            "none": "free text",
            "light": "a preferred style that instructions carry",
            "schema": "a data format (JSON, a JSON schema, XML) the output must parse as: "
            "structured outputs enforce it, no fine-tuning needed",
            "strict": "a house style, tone, vocabulary or conventions that instructions "
            "do not hold reliably (not a data format: that is schema)",
        },
        hints={
            "json": "schema",
            "json schema": "schema",
            "yaml": "schema",
            "xml": "schema",
            "structured": "schema",
            "structure": "schema",
            "style": "strict",
            "tone": "strict",
            "house style": "strict",
            "free": "none",
            "text": "none",
        },
    ),
    Question(
        "latency_ms",
        "int",
        "p95 end-to-end latency budget, in milliseconds.",
        minimum=1,
        maximum=600_000,
        unit="ms",
    ),
    Question(
        "budget_usd",
        "number",
        "Upfront budget for the first version, in USD.",
        minimum=0,
        unit="usd",
    ),
    Question("examples", "int", "Curated input->output examples available.", default=0, minimum=0),
    Question("citations", "bool", "Must answers cite their sources?", default=False),
    Question("queries_per_month", "int", "Expected queries per month.", default=10_000, minimum=0),
    Question(
        "documents",
        "int",
        "Documents in the knowledge corpus (0: the facts come with the input).",
        default=0,
        minimum=0,
    ),
    # Optional answers (defaults keep every answers file without them meaning what it did).
    Question(
        "quality_model",
        "choice",
        "Which model class meets your quality bar in prompting trials today?",
        choices=QUALITY_MODELS,
        default="unknown",
        advanced=True,
        choice_help={
            "unknown": "not tried yet",
            "small": "a small, cheap model is good enough",
            "large": "only a large model is; a small one fine-tuned on its answers may be",
        },
    ),
    Question(
        "deployment",
        "choice",
        "Where may the data go?",
        choices=DEPLOYMENTS,
        default="api",
        advanced=True,
        choice_help={
            "api": "to model providers' APIs",
            "self-hosted": "nowhere outside our own infrastructure: open-weights models and "
            "the vector database run on our servers",
            "air-gapped": "self-hosted, and nothing is downloaded at run time",
        },
    ),
    Question(
        "language",
        "choice",
        "Language of the documents and questions (changes token counts).",
        choices=LANGUAGES,
        default="en",
        advanced=True,
    ),
)


# Optional answers the framework does not read (so they are not CORE_QUESTIONS, whose numbers
# it probes for flips): never prompted, absent unless given.
TARGET_SCORE = Question(
    "target_score",
    "number",
    "The evaluation score (0-1) the system must reach; `decide --evidence` says whether any "
    "eligible system does.",
    default=None,
    minimum=0,
    maximum=1,
    advanced=True,
)
OPTIONAL_QUESTIONS: tuple[Question, ...] = (TARGET_SCORE,)


@dataclass(frozen=True)
class Answers:
    """The eight core answers and the optional ones, validated.

    The optional ones (``quality_model``, ``deployment``, ``language``) have defaults that
    mean what answers files without them always meant.
    """

    volatility: str
    format: str
    latency_ms: int
    budget_usd: float
    examples: int = 0
    citations: bool = False
    queries_per_month: int = 10_000
    documents: int = 0
    quality_model: str = "unknown"
    deployment: str = "api"
    language: str = "en"

    @property
    def self_hosted(self) -> bool:
        """True when no third-party model API may see the data."""
        return self.deployment != "api"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Answers:
        """Build from already-validated values; unknown (plugin) keys are ignored."""
        names = {q.key for q in CORE_QUESTIONS}
        return cls(**{k: v for k, v in values.items() if k in names})


class Source(str):
    """Where answers came from, per key: prints as the main source (the answers file).

    Answers merge a file and ``--set`` options; a bad value must be blamed on the one
    that gave it (``--set volatilty=daily`` is a ``--set`` typo, not the file's). A plain
    ``str`` source works too and stands for every key.
    """

    per_key: Mapping[str, str]

    def __new__(cls, main: str, per_key: Mapping[str, str] | None = None) -> Source:
        self = super().__new__(cls, main)
        self.per_key = dict(per_key or {})
        return self


def source_of(source: str, key: str) -> str:
    """The source that gave ``key``: its own for a :class:`Source`, else ``source``."""
    if isinstance(source, Source):
        return source.per_key.get(key, str(source))
    return source


def coerce(question: Question, value: Any, source: str) -> Any:
    """Return ``value`` as the question's type, or raise a one-line :class:`InputError`.

    Forgiving in the same way whichever way a value came in (file, ``--set``, prompt):
    choices ignore case and surrounding space; numbers may be text with thousands
    separators (``2,000``), a currency (``$2,000``, for ``usd`` questions) or a unit
    (``500ms``, ``0.5 s``, for ``ms`` questions); booleans may be yes/no, y/n, on/off.
    Anything else is refused with the reason and what is allowed.
    """
    source = source_of(source, question.key)

    def fail(reason: str) -> InputError:
        shown = _show(value)
        return InputError(
            f"{source}: {question.key}: {shown} {reason} (allowed: {question.allowed()})"
        )

    kind = question.kind
    if kind == "choice":
        return _choice(question, value, source)
    if kind == "bool":
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
        if not isinstance(value, bool):
            raise fail("is not a boolean")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise fail("is not a non-empty string")
        return value
    noun = "an integer" if kind == "int" else "a number"
    number = _number_from_text(value, question.unit) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise fail(f"is not {noun}")
    if isinstance(number, float) and not math.isfinite(number):
        raise fail("is not a finite number")
    if kind == "int" and isinstance(number, float):
        if not number.is_integer():
            raise fail("is not an integer")
        number = int(number)
    too_low = question.minimum is not None and number < question.minimum
    too_high = question.maximum is not None and number > question.maximum
    if too_low or too_high or abs(number) > 1e15:
        raise fail("is out of range")
    return number if kind == "int" else float(number)


_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})

# Longer text is no number anyone typed, and int() of thousands of digits is refused.
_MAX_NUMBER_TEXT = 40
_GROUPED = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_UNITS_MS = {
    "ms": 1,
    "msec": 1,
    "millisecond": 1,
    "milliseconds": 1,
    "s": 1000,
    "sec": 1000,
    "secs": 1000,
    "second": 1000,
    "seconds": 1000,
    "min": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
}


def _number_from_text(text: str, unit: Unit | None) -> int | float | None:
    """A number typed as text (``2,000``, ``$2,000``, ``0.5 s``), or None when it is not one."""
    text = text.strip().replace("_", "")
    if not text or len(text) > _MAX_NUMBER_TEXT:
        return None
    scale = 1
    if unit == "usd":
        upper = text.upper()
        for mark in ("US$", "$", "USD"):
            if upper.startswith(mark):
                text = text[len(mark) :].strip()
                break
        else:
            if upper.endswith("USD"):
                text = text[:-3].strip()
    elif unit == "ms":
        match = re.fullmatch(r"(.*?)\s*([a-zA-Z]+)", text)
        if match:
            factor = _UNITS_MS.get(match.group(2).lower())
            if factor is None:
                return None
            text, scale = match.group(1), factor
    if not _GROUPED.fullmatch(text):
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        plain = text.replace(",", "")
        number = float(plain) if "." in plain else int(plain)
    return number * scale


def _choice(question: Question, value: Any, source: str) -> str:
    if isinstance(value, str):
        typed = " ".join(value.split())
        by_lower = {choice.lower(): choice for choice in question.choices}
        if typed.lower() in by_lower:
            return by_lower[typed.lower()]
    hint = ""
    if isinstance(value, str):
        meant = question.hints.get(" ".join(value.split()).lower())
        if meant is not None:
            hint = f"; did you mean {meant!r}?" + _contrast(question, meant)
        else:
            close = closest(value.lower(), question.choices)
            hint = f"; did you mean {close!r}?" if close else ""
    raise InputError(
        f"{source}: {question.key}: {_show(value)} is not allowed "
        f"(allowed: {question.allowed()}){hint}"
    )


def _contrast(question: Question, meant: str) -> str:
    """`` (schema: ...; strict: ...)``: the meant choice and those its help is told apart from."""
    helps = question.choice_help
    if meant not in helps:
        return ""
    told_apart = [
        c for c in question.choices
        if c != meant and c in helps and (meant in helps[c] or c in helps[meant])
    ]
    about = [meant, *told_apart]
    return " (" + "; ".join(f"{c}: {helps[c]}" for c in about) + ")"


def display(value: Any) -> str:
    """A validated value as it is echoed back and written to answers files."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        return "a number with more than 60 digits"
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_scalar(text: str) -> Any:
    """Read one ``--set`` or prompt value the way YAML reads a scalar (``50`` -> 50).

    Text YAML cannot read as a scalar stays text, for :func:`coerce` to judge; so does a
    number too long for Python to convert (thousands of digits).
    """
    import yaml

    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return text
    if value is None or isinstance(value, list | dict):
        return text
    return value


def load_answers_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON answers file into a mapping, or raise a one-line error.

    Any kind of file is read with a bound (see :mod:`advisor.inputfiles`).
    """
    from .inputfiles import read_limited

    path = Path(path)
    raw = read_limited(path, "answers file", MAX_ANSWERS_FILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: answers file is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not valid YAML/JSON{_parse_problem(exc)}") from None
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_bounded_loader())
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not valid YAML/JSON{_parse_problem(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: answers file must be a mapping of key: value, not {type(data).__name__}"
        )
    for key in data:
        if not isinstance(key, str):
            raise InputError(f"{path}: key {_show(key)} is not a string")
    return data


def _parse_problem(exc: Exception) -> str:
    """`` at line N: what`` for a parse error, as precise as the parser allows."""
    if isinstance(exc, json.JSONDecodeError):
        return f" at line {exc.lineno}: {exc.msg}"
    mark = getattr(exc, "problem_mark", None)
    if mark is not None and getattr(exc, "problem", None):
        return f" at line {mark.line + 1}: {exc.problem}"
    if isinstance(exc, RecursionError):
        return ": nested too deeply"
    if isinstance(exc, ValueError) and "digits" in str(exc):
        return ": a number has too many digits"
    return f": {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


@cache
def _bounded_loader() -> type:
    """SafeLoader that refuses alias expansion bombs ("billion laughs").

    Answers files are flat mappings; nobody needs aliases in them, so any alias is refused.
    Built on first use: PyYAML is imported only when a file or ``--set`` needs parsing.
    """
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.YAMLError(
                    f"aliases are not allowed in answers files (line {event.start_mark.line + 1})"
                )
            return super().compose_node(parent, index)

    return BoundedLoader


def check_keys(data: Mapping[str, Any], questions: Iterable[Question], source: str) -> None:
    """Refuse unknown keys, all of them at once, each with the closest known one."""
    problems = unknown_keys(data, questions, source)
    if problems:
        raise InputError.combine(problems)


def unknown_keys(
    data: Mapping[str, Any], questions: Iterable[Question], source: str
) -> list[InputError]:
    """One error per key of ``data`` no question asks, blamed on the source that gave it."""
    known = [q.key for q in questions]
    problems = []
    for key in data:
        if key not in known:
            close = closest(key, known)
            hint = f"; did you mean {close!r}?" if close else f"; known keys: {', '.join(known)}"
            problems.append(InputError(f"{source_of(source, key)}: unknown key {_show(key)}{hint}"))
    return problems


def parse_set_options(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``--set key=value`` strings into a mapping of parsed scalars."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {pair!r}: expected key=value")
        values[key.strip()] = parse_scalar(text)
    return values


def collect(
    questions: Iterable[Question],
    provided: Mapping[str, Any],
    *,
    source: str,
    interactive: bool,
    ask_all: bool = False,
) -> dict[str, Any]:
    """Validate ``provided`` and fill the rest: prompts, or defaults with ``interactive=False``.

    With ``ask_all`` every question is asked (defaults offered), as a first run without an
    answers file expects; otherwise only required questions that are still missing are.
    Every problem is reported at once, one line each: unknown keys, refused values and,
    without input, every missing required answer. A value that was read leniently
    (``Weekly``, ``$2,000``) is echoed back as it was understood, on stderr. Advanced
    questions are never asked; those without a default stay out of the result unless given.
    """
    questions = tuple(questions)
    problems = unknown_keys(provided, questions, source)
    values: dict[str, Any] = {}
    to_ask: list[Question] = []
    missing: list[str] = []
    for question in questions:
        if question.key in provided:
            raw = provided[question.key]
            try:
                values[question.key] = coerce(question, raw, source)
            except InputError as exc:
                problems.append(exc)
                continue
            _echo_normalised(question, raw, values[question.key], source)
        elif interactive and ((ask_all and not question.advanced) or question.required):
            to_ask.append(question)
        elif question.required:
            missing.append(question.key)
        elif not (question.advanced and question.default is None):
            values[question.key] = question.default
    if missing:
        problems.append(
            InputError(
                f"missing required answers: {', '.join(missing)} "
                "(give them in --answers FILE or with --set key=value)"
            )
        )
    if problems:
        raise InputError.combine(problems)
    if to_ask:
        from .prompting import ask

        values.update(ask(to_ask))
    return {q.key: values[q.key] for q in questions if q.key in values}


def _echo_normalised(question: Question, raw: Any, value: Any, source: str) -> None:
    """Say how a leniently read value was understood (``'$2,000'`` -> ``2000``)."""
    if not isinstance(raw, str) or question.kind == "str" or raw == display(value):
        return
    import click

    click.echo(
        f"Note: {source_of(source, question.key)}: {question.key}: {raw!r} read as "
        f"{display(value)}",
        err=True,
    )


def can_prompt() -> bool:
    """Whether anyone can answer a prompt: stdin is a terminal.

    Without one (CI, a pipe, ``</dev/null``), commands behave as with ``--no-input``.
    """
    import sys

    stdin = sys.stdin
    return stdin is not None and stdin.isatty()

"""The questionnaire: questions as data, and the one place answers are validated.

Answers arrive from three places (an answers file, ``--set key=value`` and interactive
prompts) and all three go through :func:`coerce`, so a value is accepted or refused with
the same one-line message whichever way it came in. The eight core keys are a public
contract: answers files in the wild depend on them, so they never change meaning.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .errors import InputError, closest

Kind = Literal["choice", "int", "number", "bool", "str"]


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
    confidence score read that order). ``minimum``/``maximum`` bound numbers.
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
            "schema": "machine-readable structure (e.g. a JSON schema), enforceable "
            "with structured outputs",
            "strict": "a house style, tone, vocabulary or conventions that "
            "instructions do not hold reliably",
        },
    ),
    Question(
        "latency_ms",
        "int",
        "p95 end-to-end latency budget, in milliseconds.",
        minimum=1,
        maximum=600_000,
    ),
    Question("budget_usd", "number", "Upfront budget for the first version, in USD.", minimum=0),
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


def coerce(question: Question, value: Any, source: str) -> Any:
    """Return ``value`` as the question's type, or raise a one-line :class:`InputError`.

    Types are strict (a string is not a number) because answers files are read as YAML
    or JSON, which already carry types; ``--set`` and prompts parse their text as YAML
    scalars first, so ``--set examples=50`` arrives as the integer 50.
    """

    def fail(reason: str) -> InputError:
        shown = _show(value)
        return InputError(
            f"{source}: {question.key}: {shown} {reason} (allowed: {question.allowed()})"
        )

    kind = question.kind
    if kind == "choice":
        if not isinstance(value, str) or value not in question.choices:
            hint = ""
            if isinstance(value, str):
                close = closest(value, question.choices)
                hint = f"; did you mean {close!r}?" if close else ""
            raise InputError(
                f"{source}: {question.key}: {_show(value)} is not allowed "
                f"(allowed: {question.allowed()}){hint}"
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("is not a boolean")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise fail("is not a non-empty string")
        return value
    noun = "an integer" if kind == "int" else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"is not {noun}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail("is not a finite number")
    if kind == "int" and isinstance(value, float):
        if not value.is_integer():
            raise fail("is not an integer")
        value = int(value)
    too_low = question.minimum is not None and value < question.minimum
    too_high = question.maximum is not None and value > question.maximum
    if too_low or too_high or abs(value) > 1e15:
        raise fail("is out of range")
    return value if kind == "int" else float(value)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_scalar(text: str) -> Any:
    """Read one ``--set`` or prompt value the way YAML reads a scalar (``50`` -> 50)."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if value is None or isinstance(value, list | dict):
        return text
    return value


def load_answers_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON answers file into a mapping, or raise a one-line error."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ANSWERS_FILE_BYTES:
            raise InputError(
                f"{path}: answers file is {size} bytes; at most {MAX_ANSWERS_FILE_BYTES} allowed"
            )
        raw = path.read_bytes()
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"{path}: cannot read answers file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: answers file is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"{path}: not valid YAML/JSON{_parse_problem(exc)}") from None
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_bounded_loader())
        except (yaml.YAMLError, RecursionError) as exc:
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
    """Refuse unknown keys, naming the closest known one."""
    known = [q.key for q in questions]
    for key in data:
        if key not in known:
            close = closest(key, known)
            hint = f"; did you mean {close!r}?" if close else f"; known keys: {', '.join(known)}"
            raise InputError(f"{source}: unknown key {_show(key)}{hint}")


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
    Advanced questions are never asked; those without a default stay out of the result
    unless given. Without input, every missing required key is reported at once.
    """
    import click

    questions = tuple(questions)
    check_keys(provided, questions, source)
    values: dict[str, Any] = {}
    missing: list[str] = []
    for question in questions:
        if question.key in provided:
            values[question.key] = coerce(question, provided[question.key], source)
        elif interactive and ((ask_all and not question.advanced) or question.required):
            values[question.key] = _prompt(question, click)
        elif question.required:
            missing.append(question.key)
        elif not (question.advanced and question.default is None):
            values[question.key] = question.default
    if missing:
        raise InputError(
            f"missing required answers: {', '.join(missing)} "
            "(give them in --answers FILE or with --set key=value)"
        )
    return values


def _prompt(question: Question, click: Any) -> Any:
    """Ask one question; a refused value is re-asked with the reason (click's loop)."""

    def convert(text: Any) -> Any:
        value = text if not isinstance(text, str) else parse_scalar(text)
        if question.kind == "str":
            value = str(text)
        try:
            return coerce(question, value, "answer")
        except InputError as exc:
            raise click.UsageError(exc.message) from None

    click.echo(click.style(question.help, bold=True), err=True)
    if question.choice_help:
        for choice in question.choices:
            click.echo(f"  {choice}: {question.choice_help[choice]}", err=True)
    label = question.key
    if question.kind == "choice":
        label += f" ({'/'.join(question.choices)})"
    elif question.kind == "bool":
        label += " (true/false)"
    default = None if question.required else _prompt_default(question.default)
    return click.prompt(label, default=default, value_proc=convert, err=True)


def _prompt_default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

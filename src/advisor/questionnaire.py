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

from . import i18n
from .errors import InputError, closest
from .i18n import N_
from .i18n import gettext as _

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
    ``help`` and ``choice_help`` are English, marked with ``N_``: they are translated where
    they are shown (a plugin's through the catalog it registers). Each choice also has a
    label people read and may type (:func:`choice_labels`).
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
        """What this question accepts, in words, in the language in use: for error messages
        and help. A choice shows its label beside its value where they differ."""
        if self.kind == "choice":
            labels = choice_labels(self)
            shown = [
                c if labels[c].lower() == c.lower() else _("{value} ({label})").format(
                    value=c, label=labels[c]
                )
                for c in self.choices
            ]
            return _("one of {choices}").format(choices=", ".join(shown))
        if self.kind == "bool":
            yes, no = yes_no()
            if (yes, no) == ("yes", "no"):
                return _("true or false")
            return _("true or false ({yes} or {no})").format(yes=yes, no=no)
        if self.kind == "str":
            return _("a non-empty string")
        low = None if self.minimum is None else _fmt(self.minimum)
        high = None if self.maximum is None else _fmt(self.maximum)
        if self.kind == "int":
            if low is not None and high is not None:
                return _("an integer from {low} to {high}").format(low=low, high=high)
            if low is not None:
                return _("an integer >= {low}").format(low=low)
            return _("an integer")
        if low is not None and high is not None:
            return _("a number from {low} to {high}").format(low=low, high=high)
        if low is not None:
            return _("a number >= {low}").format(low=low)
        return _("a number")

    def to_dict(self) -> dict[str, Any]:
        with i18n.using(i18n.SOURCE_LANGUAGE):  # JSON is the same in every language
            english_allowed = self.allowed()
        return {
            "key": self.key,
            "type": self.kind,
            "choices": list(self.choices),
            "choice_help": dict(self.choice_help),
            "default": None if self.required else self.default,
            "required": self.required,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "allowed": english_allowed,
            "help": self.help,
            "advanced": self.advanced,
        }


def choice_labels(question: Question) -> dict[str, str]:
    """Each choice's label in the language in use (English: the value itself).

    A label is the catalog's translation of the choice's value with the question's key as
    context (``msgctxt``), so a language (or a plugin's catalog) adds labels by translating,
    and the same word can be labelled differently for two questions.
    """
    return {choice: i18n.pgettext(question.key, choice) for choice in question.choices}


def yes_no() -> tuple[str, str]:
    """The words for yes and no in the language in use (accepted as input in any)."""
    return i18n.pgettext("boolean", "yes"), i18n.pgettext("boolean", "no")


def shown_value(question: Question, value: Any) -> str:
    """A value as a prompt offers it: a choice's label, yes/no in a language that has its
    own words for them, else as :func:`display` writes it."""
    if question.kind == "choice" and value in question.choices:
        return choice_labels(question)[value]
    if question.kind == "bool" and isinstance(value, bool) and yes_no() != ("yes", "no"):
        return yes_no()[0 if value else 1]
    return display(value)


def core_label_messages() -> tuple[str, ...]:
    """The core choices' labels, for the catalog (``pybabel extract`` reads these calls).

    :func:`choice_labels` looks up the same messages for any question; this list is what
    puts the core's into the catalog, and a test checks it covers every core choice.
    """
    return (
        i18n.pgettext("volatility", "static"),
        i18n.pgettext("volatility", "yearly"),
        i18n.pgettext("volatility", "monthly"),
        i18n.pgettext("volatility", "weekly"),
        i18n.pgettext("volatility", "daily"),
        i18n.pgettext("volatility", "realtime"),
        i18n.pgettext("format", "none"),
        i18n.pgettext("format", "light"),
        i18n.pgettext("format", "schema"),
        i18n.pgettext("format", "strict"),
        i18n.pgettext("quality_model", "unknown"),
        i18n.pgettext("quality_model", "small"),
        i18n.pgettext("quality_model", "large"),
        i18n.pgettext("deployment", "api"),
        i18n.pgettext("deployment", "self-hosted"),
        i18n.pgettext("deployment", "air-gapped"),
        i18n.pgettext("language", "en"),
        i18n.pgettext("language", "ko"),
        i18n.pgettext("boolean", "yes"),
        i18n.pgettext("boolean", "no"),
    )


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
        N_("How often do the facts that answers depend on change?"),
        choices=VOLATILITY,
    ),
    Question(
        "format",
        "choice",
        N_("How strict must the output's format, style or tone be?"),
        choices=FORMATS,
        choice_help={
            "none": N_("free text"),
            "light": N_("a preferred style that instructions carry"),
            "schema": N_(
                "a data format (JSON, a JSON schema, XML) the output must parse as: "
                "structured outputs enforce it, no fine-tuning needed"
            ),
            "strict": N_(
                "a house style, tone, vocabulary or conventions that instructions "
                "do not hold reliably (not a data format: that is schema)"
            ),
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
        N_("p95 end-to-end latency budget, in milliseconds."),
        minimum=1,
        maximum=600_000,
        unit="ms",
    ),
    Question(
        "budget_usd",
        "number",
        N_("Upfront budget for the first version, in USD."),
        minimum=0,
        unit="usd",
    ),
    Question(
        "examples", "int", N_("Curated input->output examples available."), default=0, minimum=0
    ),
    Question("citations", "bool", N_("Must answers cite their sources?"), default=False),
    Question(
        "queries_per_month", "int", N_("Expected queries per month."), default=10_000, minimum=0
    ),
    Question(
        "documents",
        "int",
        N_("Documents in the knowledge corpus (0: the facts come with the input)."),
        default=0,
        minimum=0,
    ),
    # Optional answers (defaults keep every answers file without them meaning what it did).
    Question(
        "quality_model",
        "choice",
        N_("Which model class meets your quality bar in prompting trials today?"),
        choices=QUALITY_MODELS,
        default="unknown",
        advanced=True,
        choice_help={
            "unknown": N_("not tried yet"),
            "small": N_("a small, cheap model is good enough"),
            "large": N_("only a large model is; a small one fine-tuned on its answers may be"),
        },
    ),
    Question(
        "deployment",
        "choice",
        N_("Where may the data go?"),
        choices=DEPLOYMENTS,
        default="api",
        advanced=True,
        choice_help={
            "api": N_("to model providers' APIs"),
            "self-hosted": N_(
                "nowhere outside our own infrastructure: open-weights models and "
                "the vector database run on our servers"
            ),
            "air-gapped": N_("self-hosted, and nothing is downloaded at run time"),
        },
    ),
    Question(
        "language",
        "choice",
        N_("Language of the documents and questions (changes token counts)."),
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
    N_(
        "The evaluation score (0-1) the system must reach; `decide --evidence` says whether "
        "any eligible system does."
    ),
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

    def fail(message: str) -> InputError:
        return InputError(
            message.format(
                source=source, key=question.key, value=_show(value), allowed=question.allowed()
            )
        )

    kind = question.kind
    if kind == "choice":
        return _choice(question, value, source)
    if kind == "bool":
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            for meaning, english in ((True, "yes"), (False, "no")):
                if word in {w.lower() for w in i18n.every_translation("boolean", english)}:
                    return meaning
        if not isinstance(value, bool):
            raise fail(_("{source}: {key}: {value} is not a boolean (allowed: {allowed})"))
        return value
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise fail(
                _("{source}: {key}: {value} is not a non-empty string (allowed: {allowed})")
            )
        return value
    number = _number_from_text(value, question.unit) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, int | float):
        if kind == "int":
            raise fail(_("{source}: {key}: {value} is not an integer (allowed: {allowed})"))
        raise fail(_("{source}: {key}: {value} is not a number (allowed: {allowed})"))
    if isinstance(number, float) and not math.isfinite(number):
        raise fail(_("{source}: {key}: {value} is not a finite number (allowed: {allowed})"))
    if kind == "int" and isinstance(number, float):
        if not number.is_integer():
            raise fail(_("{source}: {key}: {value} is not an integer (allowed: {allowed})"))
        number = int(number)
    too_low = question.minimum is not None and number < question.minimum
    too_high = question.maximum is not None and number > question.maximum
    if too_low or too_high or abs(number) > 1e15:
        raise fail(_("{source}: {key}: {value} is out of range (allowed: {allowed})"))
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
        typed = " ".join(value.split()).lower()
        by_lower = {choice.lower(): choice for choice in question.choices}
        if typed in by_lower:
            return by_lower[typed]
        # Looked up only when the value is not an English one: no catalog is read for
        # answers files that use the values.
        by_label = {
            label.lower(): choice
            for choice in question.choices
            for label in i18n.every_translation(question.key, choice)
        }
        if typed in by_label:
            return by_label[typed]
    message = _("{source}: {key}: {value} is not allowed (allowed: {allowed})").format(
        source=source, key=question.key, value=_show(value), allowed=question.allowed()
    )
    if isinstance(value, str):
        meant = question.hints.get(" ".join(value.split()).lower())
        if meant is not None:
            message += _("; did you mean {choice}?").format(choice=repr(meant))
            message += _contrast(question, meant)
        else:
            close = closest(value.lower(), question.choices) or _closest_label(question, value)
            if close:
                message += _("; did you mean {choice}?").format(choice=repr(close))
    raise InputError(message)


def _closest_label(question: Question, value: str) -> str | None:
    """The label (in the language in use) most like ``value``, compared letter by letter:
    Hangul syllables decomposed into jamo, so ``매쥬`` is close to ``매주``."""
    import unicodedata

    def letters(text: str) -> str:
        return unicodedata.normalize("NFD", text.lower())

    labels = {letters(label): label for label in choice_labels(question).values()}
    close = closest(letters(value), labels)
    return None if close is None else labels[close]


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
    return " (" + "; ".join(f"{c}: {_(helps[c])}" for c in about) + ")"


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
    raw = read_limited(path, N_("answers file"), MAX_ANSWERS_FILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(_("{path}: answers file is not UTF-8 text").format(path=path)) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _not_yaml(path, exc) from None
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_bounded_loader())
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            raise _not_yaml(path, exc) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            _("{path}: answers file must be a mapping of key: value, not {type}").format(
                path=path, type=type(data).__name__
            )
        )
    for key in data:
        if not isinstance(key, str):
            raise InputError(
                _("{path}: key {key} is not a string").format(path=path, key=_show(key))
            )
    return data


def _not_yaml(path: Path, exc: Exception) -> InputError:
    """``PATH: not valid YAML/JSON at line N: what``, as precise as the parser allows.

    The parser's own words (``expected ':'``) stay as the parser wrote them.
    """
    line, problem = None, None
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, json.JSONDecodeError):
        line, problem = exc.lineno, exc.msg
    elif mark is not None and getattr(exc, "problem", None):
        line, problem = mark.line + 1, exc.problem
    elif isinstance(exc, RecursionError):
        problem = _("nested too deeply")
    elif isinstance(exc, ValueError) and "digits" in str(exc):
        problem = _("a number has too many digits")
    else:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if line is None:
        return InputError(
            _("{path}: not valid YAML/JSON: {problem}").format(path=path, problem=problem)
        )
    return InputError(
        _("{path}: not valid YAML/JSON at line {line}: {problem}").format(
            path=path, line=line, problem=problem
        )
    )


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
                    _("aliases are not allowed in answers files (line {line})").format(
                        line=event.start_mark.line + 1
                    )
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
            given = {"source": source_of(source, key), "key": _show(key)}
            if close:
                message = _("{source}: unknown key {key}; did you mean {close}?").format(
                    **given, close=repr(close)
                )
            else:
                message = _("{source}: unknown key {key}; known keys: {known}").format(
                    **given, known=", ".join(known)
                )
            problems.append(InputError(message))
    return problems


def parse_set_options(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``--set key=value`` strings into a mapping of parsed scalars."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(_("--set {pair}: expected key=value").format(pair=repr(pair)))
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
                _(
                    "missing required answers: {keys} "
                    "(give them in --answers FILE or with --set key=value)"
                ).format(keys=", ".join(missing))
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
        _("Note: {source}: {key}: {raw} read as {value}").format(
            source=source_of(source, question.key),
            key=question.key,
            raw=repr(raw),
            value=display(value),
        ),
        err=True,
    )


def can_prompt() -> bool:
    """Whether anyone can answer a prompt: stdin is a terminal.

    Without one (CI, a pipe, ``</dev/null``), commands behave as with ``--no-input``.
    """
    import sys

    stdin = sys.stdin
    return stdin is not None and stdin.isatty()

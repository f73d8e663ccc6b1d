"""Asking questions at a terminal: progress, going back, line editing, text that fits.

Only used when stdin is a terminal (:func:`advisor.questionnaire.can_prompt`); every
answer goes through :func:`advisor.questionnaire.coerce`, as file and ``--set`` answers
do. The core questions and any required ones come first, numbered ("question 3 of 8");
optional questions a plugin or a newer questionnaire adds follow as one step the user
can skip (their defaults are then used). Typing ``<`` goes back one question.
"""

from __future__ import annotations

import contextlib
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

import click

from .errors import InputError
from .questionnaire import CORE_QUESTIONS, Question, coerce, display, parse_scalar

BACK = "<"
# ctx.meta key: set when this command asked anything, so `decide` can offer to save.
PROMPTED = "advisor.prompted"
_CORE_KEYS = frozenset(q.key for q in CORE_QUESTIONS)


class _Back(Exception):
    """The user typed ``<``: go back to the previous question."""


def is_optional(question: Question) -> bool:
    """Optional questions are asked in a skippable step after the core and required ones."""
    return not question.required and question.key not in _CORE_KEYS


def ask(questions: Sequence[Question]) -> dict[str, Any]:
    """Prompt for each of ``questions`` in order (optional ones as a skippable last step)."""
    _enable_line_editing()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[PROMPTED] = True
    main = [q for q in questions if not is_optional(q)]
    extra = [q for q in questions if is_optional(q)]
    # Each step is a question, or None for "answer the optional questions?" when both
    # kinds are asked; declining it skips the steps after it.
    steps: list[Question | None] = [*main, *([None] if main and extra else []), *extra]
    numbered = [q for q in steps if q is not None]
    values: dict[str, Any] = {}
    index = 0
    _say(f"Type {BACK} and Enter to go back to the previous question.", dim=True)
    while index < len(steps):
        step = steps[index]
        try:
            if step is None:
                if not _want_optional(extra):
                    values.update({q.key: q.default for q in extra})
                    break
            else:
                number = numbered.index(step) + 1
                values[step.key] = _ask_one(step, number, len(numbered), values.get(step.key))
        except _Back:
            if index == 0:
                _say("This is the first question.", dim=True)
            else:
                index -= 1
            continue
        index += 1
    return values


def _ask_one(question: Question, number: int, total: int, previous: Any) -> Any:
    """One question; a refused value is re-asked with the reason, ``<`` goes back."""

    typed: list[str] = []

    def convert(text: Any) -> Any:
        if isinstance(text, str) and text.strip() == BACK:
            raise _Back
        typed[:] = [str(text)]
        value = str(text) if question.kind == "str" else parse_scalar(str(text))
        try:
            return coerce(question, value, "answer")
        except InputError as exc:
            raise click.UsageError(exc.message) from None

    _say(f"Question {number} of {total}: {question.help}", bold=True)
    for choice in question.choices:
        if choice in question.choice_help:
            _say(f"{choice}: {question.choice_help[choice]}", indent="  ", hang="    ")
    label = question.key
    if question.kind == "choice":
        label += f" ({'/'.join(question.choices)})"
    elif question.kind == "bool":
        label += " (yes/no)"
    elif question.unit == "ms":
        label += " (e.g. 800, 800ms, 0.8 s)"
    elif question.unit == "usd":
        label += " (e.g. 2000, $2,000)"
    if previous is not None:
        default: str | None = display(previous)
    else:
        default = None if question.required else display(question.default)
    value = click.prompt(label, default=default, value_proc=convert, err=True)
    if typed and question.kind != "str" and typed[0].strip() != display(value):
        _say(f"{question.key} = {display(value)}", indent="  ", dim=True)
    return value


def _want_optional(extra: Sequence[Question]) -> bool:
    keys = ", ".join(q.key for q in extra)

    def convert(text: Any) -> bool:
        word = str(text).strip().lower()
        if word == BACK:
            raise _Back
        if word in ("y", "yes"):
            return True
        if word in ("n", "no"):
            return False
        raise click.UsageError("answer yes or no (or < to go back)")

    _say(
        f"{len(extra)} optional question{'s' if len(extra) > 1 else ''} ({keys}); "
        "skipping keeps their defaults.",
        bold=True,
    )
    answer: bool = click.prompt("Answer them? (yes/no)", default="no", value_proc=convert, err=True)
    return answer


def _say(
    text: str, *, bold: bool = False, dim: bool = False, indent: str = "", hang: str | None = None
) -> None:
    """Echo ``text`` on stderr, wrapped at word boundaries to the terminal's width."""
    lines = wrap(text, initial_indent=indent, subsequent_indent=indent if hang is None else hang)
    click.echo(click.style(lines, bold=bold, dim=dim), err=True)


def wrap(text: str, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """``text`` wrapped at word boundaries to the terminal width (at most 100 columns)."""
    return textwrap.fill(
        text,
        width=_width(),
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def prompted() -> bool:
    """Whether the running command has asked the user anything."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(PROMPTED))


def wrap_report(text: str) -> str:
    """A text report wrapped to the terminal: continuation lines keep the indent (and
    hang under a ``- `` bullet); table rows and short lines are left as they are."""
    lines = []
    for line in text.split("\n"):
        if len(line) < _width():
            lines.append(line)
            continue
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        hang = indent + ("  " if body.startswith("- ") else "")
        lines.append(wrap(body, indent, hang))
    return "\n".join(lines)


def _width() -> int:
    """The terminal's width less one column (at most 100, at least 20)."""
    return max(min(shutil.get_terminal_size((80, 24)).columns, 101) - 1, 20)


def _enable_line_editing() -> None:
    """Importing readline gives ``input()`` (click's prompt) arrow keys and history."""
    # Not on every platform (Windows); prompts still work without it.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401

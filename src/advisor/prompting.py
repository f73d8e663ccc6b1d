"""Asking questions at a terminal: progress, going back, line editing, text that fits.

Only used when stdin is a terminal (:func:`advisor.questionnaire.can_prompt`); every
answer goes through :func:`advisor.questionnaire.coerce`, as file and ``--set`` answers
do. The core questions and any required ones come first, numbered ("question 3 of 8");
optional questions a plugin or a newer questionnaire adds follow as one step the user
can skip (their defaults are then used). Typing ``<`` goes back one question.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from .errors import InputError
from .i18n import columns, ngettext, wrap_columns
from .i18n import gettext as _
from .questionnaire import (
    CORE_QUESTIONS,
    Question,
    choice_labels,
    coerce,
    display,
    parse_scalar,
    shown_value,
    yes_no,
)

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
    values: dict[str, Any] = {}
    index = 0
    back = _("Type {back} and Enter to go back to the previous question.").format(back=BACK)
    _say(back, dim=True)
    while index < len(steps):
        step = steps[index]
        try:
            if step is None:
                if not _want_optional(extra):
                    values.update({q.key: q.default for q in extra})
                    break
            else:
                group = main if step in main else extra
                where = {"number": group.index(step) + 1, "count": len(group)}
                if main and group is extra:
                    progress = _("Optional question {number} of {count}").format(**where)
                else:
                    progress = _("Question {number} of {count}").format(**where)
                values[step.key] = _ask_one(step, progress, values.get(step.key))
        except _Back:
            if index == 0:
                _say(_("This is the first question."), dim=True)
            else:
                index -= 1
            continue
        index += 1
    return values


def _ask_one(question: Question, progress: str, previous: Any) -> Any:
    """One question; a refused value is re-asked with the reason, ``<`` goes back."""

    typed: list[str] = []

    def convert(text: Any) -> Any:
        if isinstance(text, str) and text.strip() == BACK:
            raise _Back
        typed[:] = [str(text)]
        value = str(text) if question.kind == "str" else parse_scalar(str(text))
        try:
            return coerce(question, value, _("answer"))
        except InputError as exc:
            raise Invalid(exc.message) from None

    asked = _("{progress}: {question}").format(progress=progress, question=_(question.help))
    _say(asked, bold=True)
    labels = choice_labels(question)
    for choice in question.choices:
        if choice in question.choice_help:
            _say(
                f"{labels[choice]}: {_(question.choice_help[choice])}", indent="  ", hang="    "
            )
    label = question.key
    if question.kind == "choice":
        label += f" ({'/'.join(labels[c] for c in question.choices)})"
    elif question.kind == "bool":
        label += " ({}/{})".format(*yes_no())
    elif question.unit == "ms":
        label += " " + _("(e.g. 800, 800ms, 0.8 s)")
    elif question.unit == "usd":
        label += " " + _("(e.g. 2000, $2,000)")
    if previous is not None:
        default: str | None = shown_value(question, previous)
    else:
        default = None if question.required else shown_value(question, question.default)
    value = prompt(label, default, convert)
    understood = {display(value), shown_value(question, value)}
    if typed and question.kind != "str" and typed[0].strip() not in understood:
        _say(f"{question.key} = {display(value)}", indent="  ", dim=True)
    return value


def _want_optional(extra: Sequence[Question]) -> bool:
    keys = ", ".join(q.key for q in extra)
    yes, no = yes_no()

    def convert(text: Any) -> bool:
        word = str(text).strip().lower()
        if word == BACK:
            raise _Back
        if word in ("y", "yes", yes.lower()):
            return True
        if word in ("n", "no", no.lower()):
            return False
        raise Invalid(
            _("answer {yes} or {no} (or {back} to go back)").format(yes=yes, no=no, back=BACK)
        )

    _say(
        ngettext(
            "{count} optional question ({keys}); skipping keeps its default.",
            "{count} optional questions ({keys}); skipping keeps their defaults.",
            len(extra),
        ).format(count=len(extra), keys=keys),
        bold=True,
    )
    answer: bool = prompt(_("Answer them? ({yes}/{no})").format(yes=yes, no=no), no, convert)
    return answer


class Invalid(Exception):
    """A typed answer that :func:`prompt` refuses: the reason is shown, and it asks again."""


def prompt(label: str, default: str | None, convert: Callable[[str], Any]) -> Any:
    """``click.prompt`` until ``convert`` accepts what was typed (it raises :class:`Invalid`
    otherwise). The refusal is printed here rather than by click, whose ``Error:`` prefix
    is English whatever the language in use."""
    refused = object()

    def checked(text: Any) -> Any:
        try:
            return convert(str(text))
        except Invalid as exc:
            click.echo(wrap(_("Error: {message}").format(message=exc)), err=True)
            return refused

    while True:
        with _line_editing() as err:
            value = click.prompt(label, default=default, value_proc=checked, err=err)
        if value is not refused:
            return value



def _say(
    text: str, *, bold: bool = False, dim: bool = False, indent: str = "", hang: str | None = None
) -> None:
    """Echo ``text`` on stderr, wrapped at word boundaries to the terminal's width."""
    lines = wrap(text, initial_indent=indent, subsequent_indent=indent if hang is None else hang)
    click.echo(click.style(lines, bold=bold, dim=dim), err=True)


def wrap(text: str, initial_indent: str = "", subsequent_indent: str = "", offset: int = 0) -> str:
    """``text`` wrapped at word boundaries to the terminal width (at most 100 columns);
    ``offset`` columns of the first line are taken by what is printed before it."""
    width = _width()
    if columns(text) != len(text):  # Hangul takes two columns; textwrap counts one
        lines = wrap_columns(
            text,
            width - len(subsequent_indent),
            first=width - offset - len(initial_indent),
        )
        rest = [subsequent_indent + line for line in lines[1:]]
        return "\n".join([initial_indent + lines[0], *rest]) if lines else initial_indent
    wrapped = textwrap.fill(
        text,
        width=width,
        initial_indent=" " * offset + initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped[offset:]


def prompted() -> bool:
    """Whether the running command has asked the user anything."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(PROMPTED))


def wrap_report(text: str) -> str:
    """A text report wrapped to the terminal: continuation lines keep the indent (and
    hang under a ``- `` bullet); table rows (aligned with runs of spaces) and lines that
    fit are left as they are."""
    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        if columns(line) < _width() or "  " in body:
            lines.append(line)
            continue
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


@contextlib.contextmanager
def _line_editing() -> Iterator[bool]:
    """Give ``input()`` line editing; yields the ``err`` to pass to ``click.prompt``.

    CPython's ``input()`` edits lines with readline only when ``sys.stdout`` is C's
    stdout and a terminal, and ``click.prompt(err=True)`` swaps ``sys.stdout`` for
    stderr, which turns editing off. So at a real terminal the prompt goes through
    stdout (``err=False``), with file descriptor 1 pointed at stderr's terminal for
    the prompt's time when stdout is redirected (``decide --format json > d.json``):
    the output file never sees a prompt. Anywhere else (tests' runners), ``err=True``.
    """
    if not _real_terminal():
        yield True
        return
    sys.stdout.flush()
    if os.isatty(1):
        yield False
        return
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield False
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _real_terminal() -> bool:
    """Whether stdin and stderr are this process's own descriptors 0 and 2, terminals."""
    try:
        own = sys.stdin.fileno() == 0 and sys.stderr.fileno() == 2
    except (OSError, ValueError, AttributeError):
        return False
    return own and os.isatty(0) and os.isatty(2)

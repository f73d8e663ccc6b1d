"""Exceptions the CLI turns into one-line messages.

Every error a user can cause by what they typed or handed in is an :class:`InputError`:
click prints ``Error: <message>`` on stderr and exits with code 2, never a traceback.
Several problems found at once (three bad values in one answers file) are one
``InputError`` that prints one ``Error:`` line each, so the user fixes them in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import click


class InputError(click.ClickException):
    """Bad input from the user: a file, an answer, an option. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *more: str) -> None:
        # One line per problem, always: a parser's multi-line message must not break it.
        super().__init__(" ".join(message.split()))
        self.more = tuple(" ".join(line.split()) for line in more)

    @classmethod
    def combine(cls, errors: Iterable[InputError]) -> InputError:
        """One error holding every line of ``errors`` (at least one), in order."""
        lines = [line for error in errors for line in error.lines]
        return cls(*lines)

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.message, *self.more)

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            _show_error(line, file)


class PluginError(click.ClickException):
    """A plugin failed while ``ADVISOR_STRICT_PLUGINS=1`` asked for failures to be fatal."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        _show_error(self.format_message(), file)


class ScaffoldError(click.ClickException):
    """A scaffold that cannot be made as asked: a conflict, a broken template. Exit code 1.

    Raised before anything is written to the target (or after it has been put back).
    """

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        _show_error(self.format_message(), file)


def _show_error(message: str, file: IO[Any] | None) -> None:
    """``Error: message`` on stderr, ``Error:`` in the language in use (click's own
    ``show`` words it through click's gettext domain, always English here)."""
    from .i18n import gettext as _

    click.echo(_("Error: {message}").format(message=message), file=file, err=file is None)


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option most like ``value``, for a "did you mean" hint; None when none is close.

    difflib is imported here, on the error path, rather than by every command at start-up.
    """
    import difflib

    matches = difflib.get_close_matches(value, list(options), n=1)
    return matches[0] if matches else None

"""Exceptions the CLI turns into one-line messages.

Every error a user can cause by what they typed or handed in is an :class:`InputError`:
click prints ``Error: <message>`` on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

import click


class InputError(click.ClickException):
    """Bad input from the user: a file, an answer, an option. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        # One line, always: a parser's multi-line message must not break the contract.
        super().__init__(" ".join(message.split()))


class PluginError(click.ClickException):
    """A plugin failed while ``ADVISOR_STRICT_PLUGINS=1`` asked for failures to be fatal."""

    exit_code = 1


class ScaffoldError(click.ClickException):
    """A scaffold that cannot be made as asked: a conflict, a broken template. Exit code 1.

    Raised before anything is written to the target (or after it has been put back).
    """

    exit_code = 1


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option most like ``value``, for a "did you mean" hint; None when none is close.

    difflib is imported here, on the error path, rather than by every command at start-up.
    """
    import difflib

    matches = difflib.get_close_matches(value, list(options), n=1)
    return matches[0] if matches else None

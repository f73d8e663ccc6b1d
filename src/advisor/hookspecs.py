"""Every hook a plugin can implement. Plugins write ``@advisor.api.hookimpl``.

Hooks take a ``register`` callback instead of returning values, so one plugin can
register several things and the core can say which plugin registered what (and refuse a
name two plugins both claim). Each hook is documented with an example in
``docs/plugins.md``; a test fails if one is missing there or untested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .backends import Backend
    from .checks import Check
    from .questionnaire import Question

hookspec = pluggy.HookspecMarker("advisor")


@hookspec
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register scaffold backends.

    Called once, the first time the backends are needed (``advisor scaffold``,
    ``advisor plugins``). Call ``register(Backend(...))`` for each backend. A backend name
    registered by two plugins is an error naming both distributions; neither is used.
    """


@hookspec
def register_questions(register: Callable[[Question], None]) -> None:
    """Add questions to the questionnaire.

    Called when answers are collected. Registered questions are asked interactively,
    accepted in answers files and ``--set``, and listed by ``advisor questions``. Their
    keys must not collide with the core keys or another plugin's.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``advisor`` CLI.

    Called while the CLI is built, before arguments are parsed. Use ``@cli.command()``.
    Keep imports of heavy libraries inside the command function, not at module level:
    ``advisor --help`` runs this hook.
    """


@hookspec
def register_doctor_checks(register: Callable[[Check], None]) -> None:
    """Contribute preflight checks to ``advisor doctor``.

    Called when ``advisor doctor`` runs. Call ``register(Check(name, run, backend))``;
    ``run(settings)`` returns a ``CheckResult`` and must never raise for an unreachable
    service (return ``fail`` naming the endpoint) nor print a secret.
    """

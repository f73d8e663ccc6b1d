"""Every hook a plugin can implement. Plugins write ``@advisor.api.hookimpl``.

Hooks take a ``register`` callback instead of returning values, so one plugin can
register several things and the core can say which plugin registered what (and refuse a
name two plugins both claim). Each implementation is called on its own: if it raises,
what it registered in that call is discarded, a one-line warning names the plugin, and
every other plugin carries on. Each hook is documented with an example in
``docs/plugins.md``; a test fails if one is missing there or untested.

An implementation may accept fewer arguments than the spec (pluggy's rule), never other
ones: a misspelled hook or argument is reported when the plugin loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .backends import Backend
    from .checks import Check
    from .i18n import Catalog
    from .plugin_costs import CostOption
    from .questionnaire import Answers, Question

hookspec = pluggy.HookspecMarker("advisor")


@hookspec
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register scaffold backends.

    Called once per process, the first time backends are needed (``advisor scaffold``,
    ``advisor plugins``). Arguments: ``register``, a function taking one
    :class:`~advisor.api.Backend`; call it once per backend (anything else raises
    ``TypeError``). Returns nothing. A backend name registered by two plugins is an
    error naming both distributions, and neither backend is used.
    """


@hookspec
def register_questions(register: Callable[[Question], None]) -> None:
    """Add questions to the questionnaire.

    Called when answers may include keys beyond the core eight (interactive ``decide``,
    an answers file or ``--set`` with other keys, ``advisor questions``). Arguments:
    ``register``, a function taking one :class:`~advisor.api.Question`. Returns nothing.
    Registered questions are asked interactively, accepted in answers files and
    ``--set``, and listed by ``advisor questions``. A key used by the core or by another
    plugin is refused (neither plugin's question is used).
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``advisor`` CLI.

    Called when the command list is needed (``advisor --help``, a command name that is
    not a core one, ``advisor plugins``). Arguments: ``cli``, a :class:`click.Group` of
    this plugin's own; add commands with ``@cli.command()`` or ``cli.add_command(...)``.
    They are merged into ``advisor``; a name the core or another plugin uses is refused.
    Returns nothing. Import heavy libraries inside the command function, never at
    module level: ``advisor --help`` runs this hook.
    """


@hookspec
def register_doctor_checks(register: Callable[[Check], None]) -> None:
    """Contribute preflight checks to ``advisor doctor``.

    Called when ``advisor doctor`` (or ``advisor plugins``) runs. Arguments:
    ``register``, a function taking one :class:`~advisor.api.Check`. Returns nothing.
    Registering must be cheap; the work happens in ``Check.run(settings)``, which
    returns a :class:`~advisor.api.CheckResult` and must never raise for an unreachable
    service (return ``fail`` naming the endpoint) nor print a secret.
    """


@hookspec
def register_cost_options(register: Callable[[CostOption], None], answers: Answers) -> None:
    """Price an option of this plugin's beside rag, fine-tune and hybrid.

    Called by ``advisor decide`` (and wherever a decision is priced) when a third-party
    plugin is installed. Arguments: ``register``, a function taking one
    :class:`~advisor.api.CostOption`; ``answers``, the validated answers (``documents``,
    ``queries_per_month``, ``budget_usd``...). Returns nothing. The option appears in
    the costs table, the chart and the price sources; it never changes the
    recommendation. Every price needs a source with a date (or ``assumption=True``); a
    name already used, a negative or infinite amount is refused.
    """


@hookspec
def register_catalogs(register: Callable[[Catalog], None]) -> None:
    """Translate this plugin's texts: its questions' help, its checks' summaries and fixes.

    Called before the plugin's questions, backends or doctor checks are first used, and
    by ``advisor plugins``. Arguments: ``register``, a function taking one
    :class:`~advisor.api.Catalog` (a gettext domain and the folder that holds
    ``<lang>/LC_MESSAGES/<domain>.mo``). Returns nothing. The plugin's catalog is asked
    after the core's, in the language in use; mark texts with ``N_`` and make texts with
    values :class:`~advisor.api.Message` so JSON output stays English. A domain another
    plugin (or the core, ``advisor``) uses is refused, and so is a folder without a
    compiled catalog of that domain.
    """
